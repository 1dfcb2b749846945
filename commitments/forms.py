"""Forms of the staff side of commitments: filing, items, meetings, transitions, progress with evidence.

Uploaded evidence is checked here and nowhere else: at most ``MAX_FILES`` files of at most
``MAX_FILE_BYTES`` each, and each file's type is decided by its content (``portal.uploads``: its
first bytes and, for Office files, what the zip holds; photos must open as what they claim to be),
which must agree with its extension. The content type the browser sends is never read.
"""

from pathlib import PurePath

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from campaigns.models import Criterion, Meeting
from portal import uploads
from portal.forms import VersionedForm

from .models import Commitment, Item

MAX_FILE_BYTES = uploads.MAX_BYTES
MAX_FILES = 5
ACCEPT = ",".join(f".{ext}" for ext in uploads.FILE_TYPES)


class CheckedUpload:
    """An uploaded file that passed the checks, with the type decided from its content."""

    def __init__(self, upload, content_type, is_image):
        self.upload, self.content_type, self.is_image = upload, content_type, is_image
        self.name = PurePath(upload.name).name[:200]


def check_upload(upload):
    """The file as a ``CheckedUpload``, or ``ValidationError`` saying what is wrong with it."""
    name = PurePath(upload.name).name
    params = {"name": name}
    if upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(
            _("“%(name)s” is larger than 10 MB: make it smaller and add it again."), params=params
        )
    ext = uploads.extension(upload)
    if ext not in uploads.FILE_TYPES:
        raise forms.ValidationError(
            _("“%(name)s” is not a photo (jpg, png, webp) or a document (pdf, doc, docx, xls, xlsx)."), params=params
        )
    try:
        uploads.check_content(upload, ext)
    except uploads.TooManyPixels:
        raise forms.ValidationError(_("“%(name)s” has too many pixels to be a photo."), params=params) from None
    except uploads.ContentMismatch:
        raise forms.ValidationError(
            _("The content of “%(name)s” is not what its extension says: open it on your device and save it again."),
            params=params,
        ) from None
    file_type = uploads.FILE_TYPES[ext]
    return CheckedUpload(upload, file_type.content_type, is_image=bool(file_type.image_format))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one input; ``clean`` returns a list of ``CheckedUpload``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(max)s files at once: you chose %(count)s."), params={"max": MAX_FILES, "count": len(files)}
            )
        checked, errors = [], []
        for upload in files:
            super().clean(upload)
            try:
                checked.append(check_upload(upload))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return checked


# --- Filing ------------------------------------------------------------------------------------


class StartForm(forms.Form):
    """The first save of a commitment: it exists as a draft from here on."""

    campaign = forms.ModelChoiceField(queryset=None, label=_("campaign"), empty_label=None)
    audience = forms.ChoiceField(label=_("made to"), choices=Commitment.Audience.choices)
    title = forms.CharField(label=_("title"), max_length=200)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class CommitmentForm(VersionedForm):
    class Meta:
        model = Commitment
        fields = ["title"]


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["content", "target", "deadline", "criterion", "carrier", "weight"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"weight": _("How much the item counts in the commitment's progress (1 = normal).")}

    def __init__(self, *args, commitment, criteria_set, carriers, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = commitment.campaign
        # Without a criteria set for the sector the criterion stays optional, so that filing is not blocked.
        self.fields["criterion"].queryset = criteria_set.criteria.all() if criteria_set else Criterion.objects.none()
        self.fields["criterion"].required = criteria_set is not None
        self.fields["carrier"].queryset = carriers

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if not self.campaign.starts_on <= deadline <= self.campaign.ends_on:
            raise forms.ValidationError(
                _("Choose a deadline within the campaign, from %(start)s to %(end)s."),
                params={"start": self.campaign.starts_on, "end": self.campaign.ends_on},
            )
        return deadline


ItemFormSet = forms.inlineformset_factory(
    Commitment, Item, form=ItemForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


def item_formset(commitment, data=None):
    """The items of ``commitment``; criteria from the campaign's set for its kind and sector."""
    sector = commitment.organization.sector
    criteria_set = commitment.campaign.criteria_for(commitment.kind, sector)
    carriers = commitment.campaign.carriers.filter(sector__in=("", sector))
    return ItemFormSet(
        data,
        instance=commitment,
        queryset=commitment.items.select_related("criterion", "carrier"),
        form_kwargs={"commitment": commitment, "criteria_set": criteria_set, "carriers": carriers},
    )


def is_deleted(form):
    """Whether the row's "remove" box is ticked (read after the form was validated)."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def rebind_pending(data, formset, version, saved):
    """The posted data, as it stands after a partial save: rows saved get their ids, deleted rows go,
    rows not saved keep what was typed; ``version`` is the commitment's new version.

    ``saved`` maps a form of ``formset`` to the pk of the item it saved.
    """
    prefix = formset.prefix
    kept = []
    for form in formset.forms:
        if is_deleted(form) or (not form.instance.pk and form not in saved and not form.has_changed()):
            continue
        values = {name: data.getlist(form.add_prefix(name)) for name in ItemForm.Meta.fields}
        kept.append((saved.get(form) or form.instance.pk, values))
    kept.sort(key=lambda row: row[0] is None)  # the stored items first: they are the "initial" forms
    out = QueryDict(mutable=True)
    for key in ("title",):
        out.setlist(key, data.getlist(key))
    out["version"] = str(version)
    out[f"{prefix}-TOTAL_FORMS"] = str(len(kept))
    out[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for pk, _values in kept if pk))
    out[f"{prefix}-MIN_NUM_FORMS"] = "0"
    out[f"{prefix}-MAX_NUM_FORMS"] = str(formset.max_num)
    for index, (pk, values) in enumerate(kept):
        out[f"{prefix}-{index}-id"] = str(pk or "")
        for name, value in values.items():
            out.setlist(f"{prefix}-{index}-{name}", value)
    return out


class MeetingForm(forms.ModelForm):
    """The general meeting of members (党员大会) that discussed the commitment."""

    class Meta:
        model = Meeting
        fields = ["held_on", "attendance", "members_total", "staff_representatives", "topic", "minutes"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "minutes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"members_total": _("All members on the roll, unless some are excused by the rules.")}


class ChooseMeetingForm(forms.Form):
    meeting = forms.ModelChoiceField(queryset=None, label=_("a meeting already recorded"), empty_label=None)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


# --- Transitions, progress, assessment -----------------------------------------------------------


class ConfirmForm(forms.Form):
    """A confirmation button; a refused transition is shown as this form's error."""


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why the commitment is returned, so that it can be corrected.")},
    )


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    progress = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    files = EvidenceField(
        label=_("photos and files"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: photos (jpg, png, webp) or pdf, doc(x), xls(x)."),
    )


class AssessForm(forms.Form):
    fulfilment = forms.ChoiceField(label=_("fulfilment"), choices=Item.Fulfilment.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("assessment comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


# --- Lists -----------------------------------------------------------------------------------------


class CommitmentFilterForm(forms.Form):
    q = forms.CharField(label=_("title or name"), required=False, max_length=50)
    org = forms.CharField(label=_("organization code (with its subtree)"), required=False, max_length=30)
    campaign = forms.ModelChoiceField(queryset=None, label=_("campaign"), required=False, empty_label=_("All"))
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", _("All"))] + Commitment.State.choices)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All"))] + Commitment.Kind.choices)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class CampaignChoiceForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=None, label=_("campaign"), empty_label=None, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
