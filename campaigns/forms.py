from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.forms import OrganizationChoiceField, VersionedForm
from portal.models import Sector, StaleEdit

from .models import ActivityCarrier, Campaign, CriteriaSet, Criterion, ImplementationPlan, Milestone, Phase
from .services import schedule_errors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaleCheckMixin:
    """Refuse a form loaded before someone else's save at once, with the stale-edit message.

    The version-checked save refuses it too, but a page of inline rows may refer to rows the other
    editor removed, and their "invalid choice" errors would not say what happened.
    """

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if self.instance.pk and version is not None and version != self.instance.version:
            raise forms.ValidationError(StaleEdit.message)
        return cleaned


class CampaignForm(StaleCheckMixin, VersionedForm):
    class Meta:
        model = Campaign
        fields = ["name", "area", "starts_on", "ends_on", "description"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = OrganizationChoiceField(
            areas,
            label=_("area (organization code)"),
            help_text=_("The committee whose whole subtree takes part, e.g. the city committee's code."),
        )

    def clean_area(self):
        area = self.cleaned_data["area"]
        if self.instance.pk and area.pk != self.instance.area_id:
            outside = self.instance.plans.exclude(organization__path__startswith=area.path).count()
            if outside:
                raise forms.ValidationError(
                    _(
                        "%(count)s organizations outside this area have implementation plans in the campaign "
                        "already; choose an area that contains them."
                    )
                    % {"count": outside}
                )
        return area


class ScheduleFormSet(BaseInlineFormSet):
    """Phases or schedule steps; ``bounds`` (the campaign's start and end) is set once the campaign form is valid."""

    bounds = None

    def live_forms(self):
        deleted = set(self.deleted_forms) if self.can_delete else set()
        return [f for f in self.forms if f not in deleted and (f.has_changed() or f.instance.pk)]

    def clean(self):
        super().clean()
        if any(self.errors) or not self.bounds:
            return
        forms_by_instance = {id(f.instance): f for f in self.live_forms()}
        instances = [f.instance for f in self.live_forms()]
        is_phase = self.model is Phase
        problems = schedule_errors(*self.bounds, instances if is_phase else [], [] if is_phase else instances)
        for obj, field, message in problems:
            forms_by_instance[id(obj)].add_error(field, message)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "theme", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}


class StepForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "title", "opens_on", "due_on"]
        widgets = {"opens_on": DATE_INPUT, "due_on": DATE_INPUT}


PhaseFormSet = inlineformset_factory(Campaign, Phase, form=PhaseForm, formset=ScheduleFormSet, extra=1, can_delete=True)
StepFormSet = inlineformset_factory(
    Campaign, Milestone, form=StepForm, formset=ScheduleFormSet, extra=2, can_delete=True
)


class CriteriaSetForm(StaleCheckMixin, VersionedForm):
    class Meta:
        model = CriteriaSet
        fields = ["name"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["order", "title", "description", "weight"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "weight": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "class": "criterion-weight"}),
            "order": forms.NumberInput(attrs={"min": "1"}),
        }

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight <= 0:
            raise forms.ValidationError(_("A weight is a positive number, e.g. 20."))
        return weight


class BaseCriteriaFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if index is not None and index >= self.initial_form_count():
            form.initial["order"] = index + 1  # a new criterion goes last

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        deleted = set(self.deleted_forms)
        if not [f for f in self.forms if f not in deleted and (f.has_changed() or f.instance.pk)]:
            raise forms.ValidationError(_("Keep at least one criterion: a set without criteria cannot be scored."))


CriteriaFormSet = inlineformset_factory(
    CriteriaSet, Criterion, form=CriterionForm, formset=BaseCriteriaFormSet, extra=1, can_delete=True
)


class NewCriteriaSetForm(forms.ModelForm):
    class Meta:
        model = CriteriaSet
        fields = ["target", "sector", "name"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean(self):
        cleaned = super().clean()
        target, sector = cleaned.get("target"), cleaned.get("sector", "")
        if target and self.campaign.criteria_sets.filter(target=target, sector=sector).exists():
            raise forms.ValidationError(
                _("The campaign has a set for %(target)s in this sector already: edit that one instead.")
                % {"target": CriteriaSet.Target(target).label.lower()}
            )
        return cleaned


class CarrierForm(forms.ModelForm):
    class Meta:
        model = ActivityCarrier
        fields = ["sector", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


CarrierFormSet = inlineformset_factory(Campaign, ActivityCarrier, form=CarrierForm, extra=2, can_delete=True)


class VersionForm(forms.Form):
    """The version of the record a page of formsets edits (the campaign's, for its carriers)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, initial={"version": current}, **kwargs)
        self.current = current

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") not in (None, self.current):
            raise forms.ValidationError(StaleEdit.message)
        return cleaned


# --- implementation plans ----------------------------------------------------------------------

ATTACHMENT_KINDS = ("pdf", "doc", "xls", "docx", "xlsx", "jpg", "jpeg", "png")
MAX_ATTACHMENT_BYTES = uploads.MAX_BYTES


def check_attachment(upload):
    """Refuse what is not a PDF, Word, Excel, JPEG or PNG file by name *and* first bytes, or is over 10 MB."""
    ext = uploads.extension(upload)
    if ext not in ATTACHMENT_KINDS:
        raise forms.ValidationError(
            _("“%(name)s” cannot be attached: attach a PDF, Word (doc, docx), Excel (xls, xlsx), JPEG or PNG file.")
            % {"name": upload.name}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(
            _("“%(name)s” is larger than %(max)s MB (%(size)s): reduce it or split it into several files.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "max": MAX_ATTACHMENT_BYTES // 1024 // 1024}
        )
    if not uploads.head_matches(upload, ext):
        raise forms.ValidationError(
            _("“%(name)s” is not a %(kind)s file inside, whatever its name says. Save it again as %(kind)s.")
            % {"name": upload.name, "kind": ext.upper()}
        )
    return upload


class PlanForm(VersionedForm):
    attachment = forms.FileField(
        label=_("add an attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, JPEG or PNG, at most 10 MB. After an error, choose the file again."),
    )

    class Meta:
        model = ImplementationPlan
        fields = ["text", "carriers"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14}), "carriers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False  # missing when the page was loaded before the plan existed
        self.fields["carriers"].queryset = self.instance.adoptable_carriers()
        self.fields["text"].help_text = _(
            "The targets, key tasks, timetable and concrete measures. A draft may be incomplete; filing needs the text."
        )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return check_attachment(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") is None:
            raise forms.ValidationError(StaleEdit.message)
        return cleaned


class PlanFilterForm(forms.Form):
    STATUSES = [("", _("All")), ("filed", _("Filed")), ("draft", _("Draft")), ("missing", _("Not started"))]

    status = forms.ChoiceField(label=_("plan"), required=False, choices=STATUSES)
    q = forms.CharField(label=_("name or code"), required=False, max_length=50)
    sector = forms.ChoiceField(label=_("sector"), required=False, choices=[("", _("All"))] + Sector.choices)
