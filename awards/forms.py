from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.forms import DATE_INPUT, check_attachment
from commitments.forms_board import PublicCommentForm
from portal.forms import OrganizationChoiceField, VersionedForm
from portal.models import Level

from .models import Article, AwardCategory, AwardRound, Nomination, Objection


class RoundForm(VersionedForm):
    class Meta:
        model = AwardRound
        fields = ["title", "campaign", "nominations_due_on", "publicity_days", "reviews_from", "reviews_to"]
        widgets = {
            "nominations_due_on": DATE_INPUT,
            "reviews_from": DATE_INPUT,
            "reviews_to": DATE_INPUT,
        }

    def __init__(self, *args, campaigns, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = None
        if not self.instance.pk:
            self.fields["organizer"] = OrganizationChoiceField(
                organizers,
                label=_("awarding organization (code)"),
                help_text=_("The committee that awards, e.g. the city committee's code."),
            )
            self.order_fields(["title", "campaign", "organizer"])

    def clean(self):
        cleaned = super().clean()
        if "organizer" in self.fields and cleaned.get("organizer") is not None:
            self.instance.organizer = cleaned["organizer"]
        return cleaned


class CategoryForm(VersionedForm):
    class Meta:
        model = AwardCategory
        fields = [
            "name",
            "order",
            "min_grade",
            "min_score",
            "min_fulfilment",
            "min_satisfaction",
            "no_open_rectification",
            "full_members_only",
            "party_role_required",
        ]


class QuotaForm(forms.Form):
    category = forms.ModelChoiceField(AwardCategory.objects.none(), label=_("category"), empty_label=None)
    level = forms.ChoiceField(
        label=_("every organization of the level"), choices=[("", "—"), *Level.choices], required=False
    )
    organization = forms.CharField(label=_("or one organization (code)"), required=False)
    number = forms.IntegerField(label=_("quota"), min_value=0, max_value=999)

    def __init__(self, *args, round, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = round.categories.all()
        self.fields["organization"] = OrganizationChoiceField(
            organizations, label=_("or one organization (code)"), required=False
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("level")) == bool(cleaned.get("organization")):
            raise forms.ValidationError(_("Choose either a level or one organization, not both."))
        return cleaned


class QuotaNumberForm(forms.Form):
    """Change one quota's number in place; the version refuses a stale save."""

    number = forms.IntegerField(label=_("quota"), min_value=0, max_value=999)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NominateForm(forms.Form):
    category = forms.IntegerField(widget=forms.HiddenInput)
    candidate = forms.IntegerField(widget=forms.HiddenInput)


class DeedsForm(VersionedForm):
    attachment = forms.FileField(
        label=_("add material"),
        required=False,
        help_text=_("PDF, Word, Excel, JPEG or PNG, at most 10 MB. After an error, choose the file again."),
    )

    class Meta:
        model = Nomination
        fields = ["deeds"]
        widgets = {"deeds": forms.Textarea(attrs={"rows": 10})}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return check_attachment(upload) if upload else None


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(
        label=_("opinion (推荐意见)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the nomination is not forwarded; the reason is recorded.")},
    )


class ApproveForm(forms.Form):
    decision = forms.CharField(label=_("decision (e.g. the document number)"), required=False, max_length=300)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Objection.Outcome.choices, widget=forms.RadioSelect)
    answer = forms.CharField(
        label=_("answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the answer; it is recorded with the decision.")},
    )


class ObjectionForm(PublicCommentForm):
    """The public's objection: the comment form's spam checks (honeypot, timing), a required contact."""

    SALT = "awards.objection-form"

    class Meta:
        model = Objection
        fields = ["nomination", "name", "contact", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5}), "name": forms.TextInput(attrs={"autocomplete": "name"})}
        error_messages = {
            "body": {
                "required": _("Write your objection."),
                "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
            },
            "contact": {
                "required": _("Leave a phone number or an e-mail address, so that we can answer you."),
                "max_length": _("Keep the contact to %(limit_value)d characters (it has %(show_value)d)."),
            },
            "nomination": {"required": _("Choose the candidate you object to.")},
        }

    def __init__(self, *args, round, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["nomination"].queryset = round.nominations.filter(
            state=Nomination.State.SHORTLISTED
        ).select_related("member", "organization", "category")
        self.fields["nomination"].empty_label = None
        self.fields["nomination"].label_from_instance = lambda n: f"{n.category.name}：{n.nominee_name}"
        if not self.is_bound:
            self.initial["started"] = self.new_token()

    def objection_fields(self):
        return {name: self.cleaned_data[name] for name in ("name", "contact", "body")}


PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}


class ArticleForm(VersionedForm):
    photo = forms.FileField(label=_("add a photo"), required=False, help_text=_("JPEG or PNG, at most 10 MB."))
    caption = forms.CharField(label=_("caption"), required=False, max_length=200)

    class Meta:
        model = Article
        fields = ["title", "body", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if PurePath(upload.name).suffix.lower() not in PHOTO_SUFFIXES:
            raise forms.ValidationError(_("“%(name)s” is not a photo: add a JPEG or PNG file.") % {"name": upload.name})
        return check_attachment(upload)
