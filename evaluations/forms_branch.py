"""Forms of an organization's own review: the 专题组织生活会, members' reports, self-assessment, member scores.

The self-review's pages carry the ``SelfReview``'s version (a member's row, the ``MemberReview``'s) in a
hidden field, empty while nothing is stored yet; the services compare it (``StaleEdit``). Scores are
typed (``inputmode=decimal``, so a phone shows its number pad), checked here for what a person can fix
(a number, from 0 to the criterion's weight, two decimals at most) and again by the model.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import MeetingForm

from .models import plain
from .self_review import meeting_date_error

TEXT_MAX = 2000
COMMENT_MAX = 1000


def version_field():
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def score_field(criterion, label=None):
    """A score of ``criterion``: empty, or a number from 0 to its weight."""
    limits = _("Enter a score from 0 to %(weight)s.") % {"weight": plain(criterion.weight)}
    return forms.DecimalField(
        label=label or criterion.title,
        required=False,
        min_value=0,
        max_value=criterion.weight,  # (no max_digits: a huge number is out of range, one message)
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control form-control-sm score-input"}
        ),
        error_messages={
            "invalid": _("Enter a number, e.g. 18 or 17.5."),
            "min_value": limits,
            "max_value": limits,
            "max_decimal_places": _("Use at most two decimals."),
        },
    )


class ReviewMeetingForm(MeetingForm):
    """The 专题组织生活会 of the cycle (a ``Meeting`` of kind REVIEW)."""

    version = version_field()

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["held_on"].help_text = _("From %(opens)s (the cycle's opening), up to today.") % {
            "opens": cycle.opens_on.isoformat()
        }
        self.fields["members_total"].help_text = _("Full and probationary members on the roll.")
        self.fields["staff_representatives"].help_text = _("Staff or residents' representatives who attended.")
        for name in ("attendance", "members_total", "staff_representatives"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if error := meeting_date_error(self.cycle, held_on):
            raise forms.ValidationError(error)
        return held_on

    def meeting_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReportsForm(forms.Form):
    """Per member of the roll: absent, and what they reported (or why they were absent)."""

    version = version_field()

    def __init__(self, *args, members, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            report = reports.get(member.pk)
            self.fields[f"absent-{member.pk}"] = forms.BooleanField(
                label=_("absent"),
                required=False,
                initial=bool(report and report.absent),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"report-{member.pk}"] = forms.CharField(
                label=member.name,
                required=False,
                max_length=TEXT_MAX,
                initial=report.text if report else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """(member, report field, absent field) per member of the roll."""
        return [(m, self[f"report-{m.pk}"], self[f"absent-{m.pk}"]) for m in self.members]

    def entries(self):
        data = self.cleaned_data
        return {m.pk: (data[f"absent-{m.pk}"], data[f"report-{m.pk}"]) for m in self.members}


class AssessmentForm(forms.Form):
    """The self-assessment: per criterion a self-score and what was done; a summary."""

    version = version_field()
    summary = forms.CharField(
        label=_("summary of the self-assessment"),
        required=False,
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            stored = assessments.get(criterion.pk)
            self.fields[f"score-{criterion.pk}"] = score_field(
                criterion, label=_("self-score (0–%(weight)s)") % {"weight": plain(criterion.weight)}
            )
            self.fields[f"text-{criterion.pk}"] = forms.CharField(
                label=_("what we did"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
            )
            if stored and not self.is_bound:
                self.initial[f"score-{criterion.pk}"] = plain(stored.value)
                self.initial[f"text-{criterion.pk}"] = stored.text

    def rows(self):
        return [(c, self[f"score-{c.pk}"], self[f"text-{c.pk}"]) for c in self.criteria]

    def values(self):
        data = self.cleaned_data
        return {c.pk: (data[f"score-{c.pk}"], data[f"text-{c.pk}"]) for c in self.criteria}


class MemberScoreForm(forms.Form):
    """One member's row of the scoring screen: a score per criterion of the member criteria set, a comment."""

    version = version_field()
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm score-comment"}),
    )

    def __init__(self, *args, member, criteria, review, **kwargs):
        super().__init__(*args, prefix=f"m{member.pk}", **kwargs)
        self.member, self.criteria, self.review = member, criteria, review
        values = review.score_values() if review.pk else {}
        for criterion in criteria:
            field = score_field(criterion)
            field.widget.attrs["aria-label"] = f"{member.name} {criterion.title}"
            self.fields[f"c{criterion.pk}"] = field
            if criterion.pk in values:
                self.initial[f"c{criterion.pk}"] = plain(values[criterion.pk])
        self.fields["comment"].widget.attrs["aria-label"] = f"{member.name} {_('comment')}"
        self.form_id = f"score-form-{member.pk}"
        for field in self.fields.values():  # the inputs sit in the row's cells, the <form> in its last one
            field.widget.attrs["form"] = self.form_id
        if review.pk:
            self.initial.update(version=review.version, comment=review.comment)

    def score_fields(self):
        return [(c, self[f"c{c.pk}"]) for c in self.criteria]

    def values(self):
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}

    def disable(self):
        for field in self.fields.values():
            field.disabled = True
