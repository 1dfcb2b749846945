"""Forms of the mass evaluation: the public's ballot, code and suggestion forms, and the staff's forms."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from portal.models import Member

from . import mass_codes
from .mass_models import RECORDED_CHANNELS, Channel, LedgerEntry, Option, Question, Rectification, Round, Target
from .mass_services import MAX_CODES, ROUND_FIELDS

CHOOSE = {"required": _("Choose one answer."), "invalid_choice": _("Choose one of the answers offered.")}
COMMENT_MAX = 1000
RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})


def _honeypot():
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class HoneypotMixin:
    """A text field hidden from people by CSS (``website``): robots fill it in and are refused."""

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Leave this field empty, then send again."))
        return ""


# --- The public -------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Ballot code"),
        max_length=60,
        help_text=_("The 28 letters and digits printed on your slip, e.g. K7QM-2XHD-…; dashes and case do not matter."),
        error_messages={"required": _("Enter the code printed on your ballot slip.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = mass_codes.normalize(self.cleaned_data["code"])
        if not code:
            raise ValidationError(
                _("This is not a ballot code: a code has %(n)d letters and digits, in groups of four.")
                % {"n": mass_codes.LENGTH}
            )
        if not mass_codes.well_formed(code):
            raise ValidationError(
                _("The code has a typing mistake: compare it with your slip, character by character.")
            )
        return code


class BallotForm(HoneypotMixin, forms.Form):
    """The questionnaire of one organization: every question about it, optionally its members, free text.

    Fields: ``q<question>`` (required) about the organization, ``m<member>-q<question>`` (optional: a voter
    may leave out members they do not know) about each member, ``comment``.
    """

    comment = forms.CharField(
        label=_("Your opinion or suggestion (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d).")},
    )
    website = _honeypot()

    def __init__(self, *args, participant, questions, options, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        round = participant.round
        sector = participant.organization.sector
        self.options = {str(o.pk): o for o in options}
        choices = [(str(o.pk), o.label) for o in options]
        self.org_questions = round.questions_for(Target.ORGANIZATION, sector, questions)
        self.member_questions = round.questions_for(Target.MEMBER, sector, questions) if round.evaluate_members else []
        self.members = list(members) if self.member_questions else []
        for q in self.org_questions:
            self.fields[f"q{q.pk}"] = forms.ChoiceField(
                label=q.text, choices=choices, widget=RADIO, error_messages=CHOOSE
            )
        for m in self.members:
            for q in self.member_questions:
                self.fields[f"m{m.pk}-q{q.pk}"] = forms.ChoiceField(
                    label=q.text, choices=choices, widget=RADIO, required=False, error_messages=CHOOSE
                )

    def org_fields(self):
        return [self[f"q{q.pk}"] for q in self.org_questions]

    def member_rows(self):
        """[(member, [bound fields])] for the template."""
        return [(m, [self[f"m{m.pk}-q{q.pk}"] for q in self.member_questions]) for m in self.members]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            self.add_error(None, _("Some answers need your attention: they are marked below."))
        return cleaned

    def answers(self):
        """[(question, member or None, option)] of the valid form."""
        out = [(q, None, self.options[self.cleaned_data[f"q{q.pk}"]]) for q in self.org_questions]
        for m in self.members:
            for q in self.member_questions:
                value = self.cleaned_data.get(f"m{m.pk}-q{q.pk}")
                if value:
                    out.append((q, m, self.options[value]))
        return out


class SuggestionForm(HoneypotMixin, forms.Form):
    content = forms.CharField(
        label=_("Your opinion or suggestion"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your opinion or suggestion."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    website = _honeypot()

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if len(content) < 5:
            raise ValidationError(_("Write a little more, so that the organization understands what you mean."))
        return content


# --- Staff ------------------------------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.ModelForm):
    """A new round's settings (with the campaign) or a draft round's (with its version)."""

    campaign = forms.ModelChoiceField(
        label=_("campaign"), queryset=Campaign.objects.none(), error_messages={"required": _("Choose the campaign.")}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Round
        fields = ROUND_FIELDS
        widgets = {"opens_on": DATE, "closes_on": DATE, "reach": forms.RadioSelect}

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaigns is None:
            del self.fields["campaign"]
        else:
            self.fields["campaign"].queryset = campaigns
            del self.fields["version"]

    def settings(self):
        return {name: self.cleaned_data[name] for name in ROUND_FIELDS}


SMALL_INPUT = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["target", "sector", "order", "text"]
        widgets = {
            "target": forms.Select(attrs=SMALL_SELECT),
            "sector": forms.Select(attrs=SMALL_SELECT),
            "order": forms.NumberInput(attrs=SMALL_INPUT),
            "text": forms.TextInput(attrs=SMALL_INPUT),
        }


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["order", "label", "kind"]
        widgets = {
            "order": forms.NumberInput(attrs=SMALL_INPUT),
            "label": forms.TextInput(attrs=SMALL_INPUT),
            "kind": forms.Select(attrs=SMALL_SELECT),
        }


QuestionFormSet = forms.modelformset_factory(Question, form=QuestionForm, extra=1, can_delete=True)
OptionFormSet = forms.modelformset_factory(Option, form=OptionForm, extra=1, can_delete=True)


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("number of codes"),
        min_value=1,
        max_value=MAX_CODES,
        initial=50,
        help_text=_("One slip per person asked; at most %(max)d at a time.") % {"max": MAX_CODES},
        error_messages={
            "required": _("Enter how many codes to make."),
            "min_value": _("Make at least one code."),
            "max_value": _("Make at most %(limit_value)s codes at a time."),
        },
    )


class PaperForm(forms.Form):
    """A batch of counted paper ballots: how many, and per question the count of each answer (``c<q>-<o>``)."""

    ballots = forms.IntegerField(
        label=_("paper ballots in the batch"),
        min_value=1,
        error_messages={
            "required": _("Enter how many paper ballots the batch holds."),
            "min_value": _("Enter 1 or more."),
        },
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, questions, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions, self.options = questions, options
        for q in questions:
            for o in options:
                self.fields[f"c{q.pk}-{o.pk}"] = forms.IntegerField(
                    label=f"{q.text} · {o.label}",
                    min_value=0,
                    required=False,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
                    error_messages={"min_value": _("Counts are 0 or more."), "invalid": _("Enter a whole number.")},
                )

    def grid(self):
        """[(question, [bound field per option])] for the template."""
        return [(q, [self[f"c{q.pk}-{o.pk}"] for o in self.options]) for q in self.questions]

    def counts(self):
        return {(q, o): self.cleaned_data.get(f"c{q.pk}-{o.pk}") or 0 for q in self.questions for o in self.options}


def member_field(members, label):
    field = forms.ModelChoiceField(label=label, queryset=members, required=False)
    field.label_from_instance = lambda m: m.name
    return field


class EntryForm(forms.ModelForm):
    class Meta:
        model = LedgerEntry
        fields = ["channel", "received_on", "member", "content", "handling"]
        widgets = {
            "received_on": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "handling": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"content": {"required": _("Write down what was said.")}}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.value, c.label) for c in Channel if c in RECORDED_CHANNELS]
        self.fields["member"] = member_field(members, _("about the member (optional)"))
        self.fields["received_on"].initial = timezone.localdate


class HandlingForm(VersionForm):
    handling = forms.CharField(label=_("handling"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    rectify = forms.BooleanField(label=_("Needs rectification: open a rectification item"), required=False)


class RectificationForm(forms.ModelForm):
    class Meta:
        model = Rectification
        fields = ["member", "problem", "owner", "deadline"]
        widgets = {"deadline": DATE, "problem": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "problem": {"required": _("State the problem to rectify.")},
            "owner": {"required": _("Name who answers for the rectification.")},
            "deadline": {"required": _("Choose a deadline.")},
        }

    def __init__(self, *args, members, days=60, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = member_field(members, _("about the member (optional)"))
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=days)


class ProgressForm(VersionForm):
    measures = forms.CharField(
        label=_("measures"),
        help_text=_("Shown on the public board."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    report = forms.CharField(
        label=_("completion report"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    submit = forms.BooleanField(label=_("Report completion to the superior"), required=False)


class DecisionForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("accept", _("Accept: rectified")), ("return", _("Return: not done yet"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to accept or to return.")},
    )
    reason = forms.CharField(label=_("reason for returning"), required=False, max_length=300)


class LedgerFilterForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=[("", _("All channels")), *Channel.choices], required=False)
    org = forms.CharField(label=_("organization code"), required=False, max_length=30)


class RectificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"), choices=[("", _("All states")), *Rectification.State.choices], required=False
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)


def members_of(participant):
    return Member.objects.filter(organization=participant.organization, active=True).order_by("name", "pk")
