"""Forms of the target-agreement pages: drafting, indicators, reports, the score, the lists' filters.

Numbers are typed into text boxes with a numeric keyboard on phones (``inputmode="decimal"``), so that
whatever is typed reaches the form and is answered with a message that says what to enter, rather
than silently dropped by the browser.
"""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import OrganizationChoiceField, VersionedForm
from portal.models import COMMITTEE_LEVELS, Organization

from . import agreement_defaults
from .agreement_scoring import plain
from .forms import DATE_INPUT, StaleCheckMixin, VersionForm, check_attachment
from .models import Indicator, Period, TargetAgreement

NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
NUMBER_ERRORS = {
    "invalid": _("Enter a number, e.g. 12 or 98.5."),
    "min_value": _("Enter 0 or more: a negative number is not possible here."),
    "max_value": _("Enter at most %(limit_value)s."),
    "max_digits": _("This number is too large."),
    "max_whole_digits": _("This number is too large."),
    "max_decimal_places": _("Enter at most %(max)s decimal places."),
    "required": _("Enter a number (0 when nothing was done)."),
}


def number_field(label, max_digits, decimal_places, required=True, **kwargs):
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=max_digits,
        decimal_places=decimal_places,
        required=required,
        widget=NUMBER_INPUT,
        error_messages=NUMBER_ERRORS,
        **kwargs,
    )


def issuing_committees(scope):
    """The active committees the user may issue agreements for (and send them to)."""
    return scope.filter(Organization.objects.active().filter(level__in=COMMITTEE_LEVELS), "agreement.issue")


class StartForm(forms.Form):
    issuer = OrganizationChoiceField(None, label=_("issued by (committee code)"))
    everyone = forms.BooleanField(
        label=_("to every direct subordinate committee that has none for the year"),
        required=False,
    )
    subordinate = OrganizationChoiceField(
        None,
        label=_("responsible committee (code)"),
        required=False,
        help_text=_("A committee anywhere below the issuer, e.g. a town committee's code."),
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    template = forms.ChoiceField(
        label=_("start from"),
        choices=[(key, label) for key, (label, _title, _rows) in agreement_defaults.TEMPLATES.items()],
        initial=agreement_defaults.DEFAULT_TEMPLATE,
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuing_committees(scope)
        # Any organization within reach, so that a branch's code is answered with why it cannot be one.
        self.fields["subordinate"].queryset = scope.filter(Organization.objects.all(), "agreement.issue")
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        issuer, subordinate = cleaned.get("issuer"), cleaned.get("subordinate")
        if issuer and not cleaned.get("everyone"):
            if subordinate is None:
                if "subordinate" not in self.errors:
                    self.add_error(
                        "subordinate", _("Enter the responsible committee's code, or choose every subordinate.")
                    )
            else:
                try:
                    TargetAgreement.check_parties(issuer, subordinate)
                except forms.ValidationError as error:
                    self.add_error("subordinate", error)
        return cleaned

    def subordinates(self):
        """The committees to draft agreements for: the one named, or every direct subordinate committee without one."""
        data = self.cleaned_data
        if not data["everyone"]:
            return [data["subordinate"]]
        issuer = data["issuer"]
        taken = TargetAgreement.objects.filter(issuer=issuer, year=data["year"]).values("subordinate")
        return list(issuer.children.active().filter(level__in=COMMITTEE_LEVELS).exclude(pk__in=taken).order_by("path"))


class AgreementForm(StaleCheckMixin, VersionedForm):
    """The agreement's title, report deadlines and overall bonus cap (fixed once issued)."""

    class Meta:
        model = TargetAgreement
        fields = ["title", "mid_year_due", "year_end_due", "bonus_cap"]
        widgets = {"mid_year_due": DATE_INPUT, "year_end_due": DATE_INPUT, "bonus_cap": NUMBER_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bonus_cap"].error_messages.update(NUMBER_ERRORS)
        if not self.instance.is_draft:
            self.fields["bonus_cap"].disabled = True
            self.fields["bonus_cap"].help_text = _("Fixed since the agreement was issued.")


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["order", *agreement_defaults.FIELDS]  # the fields a template gives an indicator, and its place
        widgets = {
            "order": forms.NumberInput(attrs={"min": "1"}),
            "target": NUMBER_INPUT,
            "points": forms.TextInput(attrs={"inputmode": "decimal", "class": "indicator-points"}),
            "bonus_rate": NUMBER_INPUT,
            "bonus_cap": NUMBER_INPUT,
            "deduction_rate": NUMBER_INPUT,
            "deduction_cap": NUMBER_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target", "points", "bonus_rate", "bonus_cap", "deduction_rate", "deduction_cap"):
            self.fields[name].error_messages.update(NUMBER_ERRORS)
        self.fields["bonus_rate"].help_text = _("Points per unit (or per percent of the target) over the target.")
        self.fields["deduction_rate"].help_text = _("Points per unit (or per percent of the target) short of it.")

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points is not None and points <= 0:
            raise forms.ValidationError(_("Points are a positive number, e.g. 10."))
        return points


class BaseIndicatorFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if index is not None and index >= self.initial_form_count():
            form.initial["order"] = index + 1  # a new indicator goes last

    def kept(self):
        deleted = set(self.deleted_forms)
        return [f for f in self.forms if f not in deleted and (f.has_changed() or f.instance.pk)]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.kept():
            raise forms.ValidationError(
                _("Keep at least one indicator: an agreement without indicators cannot be scored.")
            )

    def points_total(self):
        return sum((f.cleaned_data.get("points") or 0 for f in self.kept()), 0)


IndicatorFormSet = inlineformset_factory(
    TargetAgreement, Indicator, form=IndicatorForm, formset=BaseIndicatorFormSet, extra=1, can_delete=True
)


class ReportForm(forms.Form):
    """One indicator's actual and evidence in a report; ``indicator`` is set by the page."""

    actual = number_field(_("actual"), 12, 2)
    evidence = forms.CharField(
        label=_("evidence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done and where it can be checked, e.g. the names of the new organizations."),
    )
    file = forms.FileField(
        label=_("evidence file"),
        required=False,
        help_text=_("PDF, Word, Excel, JPEG or PNG, at most 10 MB. After an error, choose the file again."),
    )

    def __init__(self, *args, indicator, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator, self.report = indicator, report
        self.fields["actual"].label = _("actual (%(unit)s)") % {"unit": indicator.unit}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return check_attachment(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        actual = cleaned.get("actual")
        if actual is not None and actual > 0 and not cleaned.get("evidence", "").strip():
            self.add_error("evidence", _("Say what was done and where it can be checked."))
        return cleaned


def report_forms(agreement, period, indicators, data=None, files=None):
    """One ``ReportForm`` per indicator, filled with the period's report where there is one."""
    forms_ = []
    for indicator in indicators:
        report = next((r for r in indicator.reports.all() if r.period == period), None)
        initial = {"actual": report.actual, "evidence": report.evidence} if report else {}
        forms_.append(
            ReportForm(data, files, indicator=indicator, report=report, prefix=f"i{indicator.pk}", initial=initial)
        )
    return forms_


class ScoreForm(VersionForm):
    adjusted = forms.DecimalField(
        label=_("confirmed score"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        widget=NUMBER_INPUT,
        error_messages=NUMBER_ERRORS,
        help_text=_("Leave empty to confirm the computed score; a different score needs a reason."),
    )
    reason = forms.CharField(
        label=_("reason for the adjustment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, agreement, computed, **kwargs):
        super().__init__(*args, current=agreement.version, **kwargs)
        self.agreement, self.computed = agreement, computed
        self.fields["adjusted"].help_text = _(
            "Between 0 and %(max)s. Leave empty to confirm the computed score; a different score needs a reason."
        ) % {"max": plain(agreement.maximum_score)}

    def clean(self):
        cleaned = super().clean()
        adjusted, reason = cleaned.get("adjusted"), cleaned.get("reason", "").strip()
        if adjusted is not None and adjusted > self.agreement.maximum_score:
            self.add_error(
                "adjusted",
                _("A score lies between 0 and %(max)s (100 and at most %(cap)s bonus points).")
                % {"max": plain(self.agreement.maximum_score), "cap": plain(self.agreement.bonus_cap)},
            )
        elif adjusted is not None and adjusted != self.computed and not reason:
            self.add_error("reason", _("Give the reason for the adjustment."))
        return cleaned


class ConfirmForm(VersionForm):
    """A confirmation page's form: the version of the agreement the user saw."""

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, current=agreement.version, **kwargs)


class ListFilterForm(forms.Form):
    SIDES = [("by_us", _("Issued by us")), ("to_us", _("Issued to us"))]

    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    side = forms.ChoiceField(label=_("agreements"), required=False, choices=SIDES)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All"))] + TargetAgreement.Status.choices
    )


class NoticeFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    issuer = forms.TypedChoiceField(label=_("issued by"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [("", _("All"))] + [(pk, name) for pk, name in issuers]


PERIOD_SLUGS = {"mid-year": Period.MID_YEAR, "year-end": Period.YEAR_END}
