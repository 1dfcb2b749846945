"""The review score sheet (讲评评分台帐): one row per organization scored in a review cycle, in a subtree, as Excel.

The columns after the organization's are one per criterion: the union of the criteria titles of the
sets the cycle's reviews use, in the sets' order (五个好 and 五个注重 share none, the two 五个好 share
all five), so every score lands under its criterion's title whatever the organization's sector.
"""

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.exporters import check_campaign
from campaigns.models import Campaign, Criterion, Milestone
from portal import exporting
from portal.exporting.base import Column

from .models import OrganizationReview, ReviewCycle

CHUNK = 2000
SCORE = "0.##"


def cycle_field(scope):
    """The review steps of the campaigns the user sees (a cycle is made for its step when the export runs)."""
    campaigns = scope.filter(Campaign.objects.all(), "campaign.view")
    steps = (
        Milestone.objects.filter(campaign__in=campaigns, kind=Milestone.Kind.REVIEW)
        .select_related("campaign")
        .order_by("-campaign__starts_on", "campaign__name", "due_on")
    )
    field = forms.ModelChoiceField(steps, label=gettext_lazy("review cycle"), empty_label=None)
    field.label_from_instance = lambda step: f"{step.campaign.name} · {step.title}"
    return field


@exporting.register
class ReviewScoreSheet(exporting.ListExporter):
    identifier = "review_score_sheet"
    verbose_name = gettext_lazy("Review score sheet")
    description = gettext_lazy(
        "The scores the superior organizations gave in one review cycle to the organization and its subordinates: "
        "a column per criterion, total, grade, the three comments, who scored and when."
    )
    action = "review.export"
    sheet_title = gettext_lazy("Review scores")

    @classmethod
    def form_fields(cls, scope):
        return {"cycle": cycle_field(scope)}

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        if cleaned_data.get("cycle") is not None:
            try:
                check_campaign(organization, cleaned_data["cycle"].campaign)
            except ValidationError as error:
                raise ValidationError({"cycle": error.messages}) from None

    def file_name(self):
        return f"{self.verbose_name}-{self.cycle.title}-{self.organization.code}.xlsx"

    @cached_property
    def cycle(self):
        """The job's cycle, its campaign still within the requester's reach and covering the organization."""
        campaigns = self.scope.filter(Campaign.objects.all(), "campaign.view")
        step = (
            Milestone.objects.filter(pk=self.params.get("cycle"), kind=Milestone.Kind.REVIEW, campaign__in=campaigns)
            .select_related("campaign__area")
            .first()
        )
        if step is None:
            raise exporting.ExportError(_("The review cycle no longer exists or is out of your reach."))
        try:
            check_campaign(self.organization, step.campaign)
        except ValidationError as error:
            raise exporting.ExportError(error.messages[0]) from None
        cycle, _created = ReviewCycle.objects.get_or_create(milestone=step)
        cycle.milestone = step
        return cycle

    def queryset(self):
        reviews = OrganizationReview.objects.filter(
            cycle=self.cycle, organization__path__startswith=self.organization.path
        )
        return self.scope.filter(reviews, "review.view")

    @cached_property
    def criteria_titles(self):
        """The titles of the criteria of the sets in use, each once: the general set's first, then those of the
        sector sets that are not among them, each set in its own order."""
        sets = self.queryset().order_by().values("criteria_set")
        rows = Criterion.objects.filter(criteria_set__in=sets).order_by(
            "criteria_set__sector", "criteria_set_id", "order", "pk"
        )
        titles = []
        for title in rows.values_list("title", flat=True):
            if title not in titles:
                titles.append(title)
        return titles

    def columns(self):
        return [
            Column(_("Organization"), 26),
            Column(_("Organization code"), 12),
            Column(_("Superior organization"), 20),
            Column(_("Sector"), 12),
            *(Column(title, 10, SCORE) for title in self.criteria_titles),
            Column(_("Total"), 8, SCORE),
            Column(_("Grade"), 8),
            Column(_("Achievements"), 30),
            Column(_("Problems"), 30),
            Column(_("Directions"), 30),
            Column(_("Scored by"), 12),
            Column(_("Scored at"), 16, "yyyy-mm-dd hh:mm"),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        position = {title: i for i, title in enumerate(self.criteria_titles)}
        reviews = (
            self.queryset()
            .select_related("organization", "organization__parent", "scored_by")
            .prefetch_related("scores__criterion")
            .order_by("organization__path", "pk")
        )
        for review in reviews.iterator(chunk_size=CHUNK):
            org = review.organization
            scores = [None] * len(position)
            for score in review.scores.all():
                scores[position[score.criterion.title]] = score.value
            scorer = review.scored_by
            yield (
                org.name,
                org.code,
                org.parent.name if org.parent else "",
                org.get_sector_display(),
                *scores,
                review.total,
                review.get_grade_display() or None,
                review.achievements,
                review.problems,
                review.directions,
                (scorer.get_full_name() or scorer.get_username()) if scorer else "",
                timezone.localtime(review.scored_at).replace(tzinfo=None) if review.scored_at else None,
            )
