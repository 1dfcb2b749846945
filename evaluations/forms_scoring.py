"""Forms of the superior's side of reviews: one subordinate's scores, a reopening, the campaign's grade bands.

Every message says what to enter instead. A score is typed (``inputmode=decimal`` on phones), not picked:
full-width digits from a Chinese input method are read as digits, and anything else that is not a number
with at most two decimals, from 0 to the criterion's weight, is refused per field with nothing saved.
"""

import datetime
import unicodedata

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import GradeBands, plain

COMMENT_FIELDS = ("achievements", "problems", "directions")
REOPEN_DAYS = 7  # the reopening's default length
DESCENDING = "evaluations_gradebands_descending"  # the bands' check constraint


class ScoreField(forms.DecimalField):
    """The score of one criterion: empty, or a number from 0 to the criterion's weight with at most two decimals."""

    widget = forms.TextInput

    def __init__(self, criterion, **kwargs):
        weight = plain(criterion.weight)
        out_of_range = _("Enter a score from 0 to %(weight)s.") % {"weight": weight}
        super().__init__(
            max_digits=6,
            decimal_places=2,
            min_value=0,
            max_value=criterion.weight,
            required=False,
            label=criterion.title,
            error_messages={
                "invalid": _("Enter a number, e.g. 18 or 17.5."),
                "min_value": out_of_range,
                "max_value": out_of_range,
                "max_digits": out_of_range,
                "max_whole_digits": out_of_range,
                "max_decimal_places": _("Use at most two decimals, e.g. 17.25."),
            },
            **kwargs,
        )
        self.criterion = criterion
        self.widget.attrs.update(
            {
                "inputmode": "decimal",
                "autocomplete": "off",
                "class": "form-control score-input",
                "data-weight": weight,
            }
        )

    def to_python(self, value):
        if isinstance(value, str):
            # "１８．５" from a Chinese input method is 18.5; a comma is not taken as a decimal point.
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class RowChoiceForm(forms.Form):
    """Which subordinate a posted row is for: one of the reviewer's active subordinates."""

    organization = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The row does not say which organization it scores. Reload the page and try again."),
            "invalid_choice": _("This organization is not one of those you score here. Reload the page."),
        },
    )

    def __init__(self, *args, subordinates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = subordinates


class ReviewRowForm(forms.Form):
    """One subordinate's row of the scoring screen: a score per criterion of its set, the three comments."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, review, criteria, **kwargs):
        kwargs.setdefault("prefix", f"r{review.organization_id}")
        if not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(review)
        super().__init__(*args, **kwargs)
        self.review, self.criteria = review, criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = ScoreField(criterion)
        for name in COMMENT_FIELDS:
            model_field = review._meta.get_field(name)
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name,
                help_text=model_field.help_text,
                required=False,
                max_length=2000,
                widget=forms.Textarea(
                    attrs={"rows": 2, "class": "form-control comment-input", "placeholder": model_field.help_text}
                ),
            )

    def _post_clean(self):
        super()._post_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    @staticmethod
    def initial_of(review):
        initial = {"version": review.version if review.pk else ""}
        if review.pk:
            initial.update({f"c{pk}": plain(value) for pk, value in review.score_values().items()})
            initial.update({name: getattr(review, name) for name in COMMENT_FIELDS})
        return initial

    def score_fields(self):
        return [self[f"c{c.pk}"] for c in self.criteria]

    def comment_fields(self):
        return [self[name] for name in COMMENT_FIELDS]

    def scores(self):
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}

    def comments(self):
        return {name: self.cleaned_data[name] for name in COMMENT_FIELDS}

    def take_version(self, version):
        """After a refused stale save: keep what was typed, but carry the stored version, so that saving
        again (having looked at the other officer's scores) replaces them knowingly."""
        data = self.data.copy()
        data[self.add_prefix("version")] = version
        self.data = data


class ReopenForm(forms.Form):
    until = forms.DateField(
        label=_("open until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Late entries are taken up to and including this day (at most 31 days from today)."),
        error_messages={"invalid": _("Enter a date, e.g. 2011-07-15.")},
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the reopening, e.g. the branch's meeting was postponed by the flood season."),
        error_messages={"required": _("Say why the entries are reopened; the reason is recorded.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"until": timezone.localdate() + datetime.timedelta(days=REOPEN_DAYS)})
        super().__init__(*args, **kwargs)


class GradeBandsForm(forms.ModelForm):
    class Meta:
        model = GradeBands
        fields = ["good_from", "fairly_good_from", "average_from"]
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
            for name in ("good_from", "fairly_good_from", "average_from")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(
                {
                    "invalid": _("Enter a number from 0 to 100, e.g. 85 or 87.5."),
                    "required": _("Enter a number from 0 to 100, e.g. 85 or 87.5."),
                    "max_decimal_places": _("Use at most two decimals, e.g. 87.25."),
                    "max_digits": _("Enter a number from 0 to 100, e.g. 85 or 87.5."),
                    "max_whole_digits": _("Enter a number from 0 to 100, e.g. 85 or 87.5."),
                }
            )
            field.help_text = _("Percent of the full score of the criteria set.")

    def _post_clean(self):
        """The model's ``clean`` says in words what its check constraint says by name: keep the words only."""
        super()._post_clean()
        errors = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if errors:
            kept = [e for e in errors.as_data() if DESCENDING not in " ".join(e.messages)]
            if kept:
                self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
