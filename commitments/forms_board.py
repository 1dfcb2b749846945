"""Forms of the public board: the public's comment form and the moderator's decision.

The comment form is open to anyone, so besides the length limits it carries two spam checks, each
refusing with a message a person can act on:

- a honeypot: a text field hidden from people by CSS (``website``); robots fill it in;
- a signed timestamp of when the form was shown (``started``): a submission within
  ``MIN_SECONDS`` of showing the form is too fast for a person, one older than ``MAX_AGE`` is stale.

The third check, the rate limit per client address, is the view's (it must run before anything else).
"""

import re
import time

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .models import Comment

PHONE = re.compile(r"^\+?[\d\s-]{7,20}$")


class PublicCommentForm(forms.ModelForm):
    SALT = "commitments.comment-form"
    MIN_SECONDS = 3
    MAX_AGE = 4 * 3600

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Comment
        fields = ["kind", "body", "name", "contact"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 5}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "name": _("Shown masked, e.g. 张**."),
            "contact": _("Only the organization sees it, to answer you. Never shown on the board."),
        }
        error_messages = {
            "body": {
                "required": _("Write your comment."),
                "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
            },
            "name": {"max_length": _("Keep the name to %(limit_value)d characters (it has %(show_value)d).")},
            "contact": {"max_length": _("Keep the contact to %(limit_value)d characters (it has %(show_value)d).")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Comment.Kind.choices  # no empty choice: a comment unless told otherwise
        if not self.is_bound:
            self.initial["started"] = self.new_token()

    @classmethod
    def new_token(cls):
        return signing.dumps(time.time(), salt=cls.SALT)

    def _renew_token(self):
        """Give the re-shown form a fresh timestamp, so that the next try is not refused the same way."""
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = self.new_token()

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if contact and not PHONE.match(contact):
            try:
                validate_email(contact)
            except ValidationError:
                raise ValidationError(_("Enter a phone number or an e-mail address, or leave it empty.")) from None
        return contact

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            message = _("Your comment was not accepted: the field “%(label)s” was filled in. Empty it and send again.")
            self.add_error(None, message % {"label": self.fields["website"].label})
        try:
            started = signing.loads(cleaned.get("started", ""), salt=self.SALT, max_age=self.MAX_AGE)
        except signing.SignatureExpired:
            self._renew_token()
            self.add_error(None, _("The form was open for a long time. Check your text and send it again."))
        except signing.BadSignature:
            self._renew_token()
            self.add_error(None, _("The form could not be checked. Send it again."))
        else:
            if time.time() - started < self.MIN_SECONDS:
                self.add_error(
                    None, _("That was quicker than anyone can write. Wait a few seconds, then send it again.")
                )
        return cleaned

    def comment_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reply = forms.CharField(
        label=_("Reply (optional)"),
        help_text=_("The commenter reads it with their reference number; the public, if the comment is approved."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the reply to %(limit_value)d characters (it has %(show_value)d).")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def approves(self):
        return self.cleaned_data["decision"] == "approve"
