"""Helpers of the tests of the superior's side of reviews (scoring screen, results, ledger).

On top of ``cast`` and the review fixtures of conftest.py (``campaign`` over the city with the seeds'
criteria sets, ``cycle`` open, ``past_cycle`` locked): ``scored(...)`` scores a subordinate through the
model, ``row_data(...)`` is the POST of one row of the scoring screen.
"""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from evaluations.models import OrganizationReview, OrganizationScore, SelfAssessment, SelfReview


def criteria_of(campaign, org):
    criteria_set = campaign.criteria_for("organization", org.sector)
    return list(criteria_set.criteria.all())


def scored(cycle, org, actor, values, comments=None):
    """``org`` scored in ``cycle`` by ``actor``: ``values`` one number per criterion of its set (None: blank)."""
    review = OrganizationReview.start(cycle, org)
    criteria = list(review.criteria_set.criteria.all())
    numbers = {c.pk: (None if v is None else Decimal(str(v))) for c, v in zip(criteria, values, strict=True)}
    review.record(actor, review.version if review.pk else 1, numbers, comments or {})
    return review


def scored_in_the_past(cycle, org, actor, values, comments=None):
    """Like ``scored``, for a locked cycle: written directly, as if scored while it was open."""
    review = OrganizationReview.start(cycle, org)
    criteria = list(review.criteria_set.criteria.all())
    review.total = sum((Decimal(str(v)) for v in values), Decimal(0))
    review.grade = "good" if review.total >= 90 else "fairly_good" if review.total >= 80 else "average"
    review.scored_by, review.scored_at = actor, timezone.now() - datetime.timedelta(days=120)
    for name, text in (comments or {}).items():
        setattr(review, name, text)
    review.save()
    OrganizationScore.objects.bulk_create(
        OrganizationScore(review=review, criterion=c, value=Decimal(str(v)))
        for c, v in zip(criteria, values, strict=True)
    )
    return review


def self_review(cycle, org, summary, self_scores=()):
    review = SelfReview.objects.create(cycle=cycle, organization=org, summary=summary)
    criteria = criteria_of(cycle.campaign, org)
    SelfAssessment.objects.bulk_create(
        SelfAssessment(self_review=review, criterion=c, value=Decimal(str(v)), text="做了很多工作")
        for c, v in zip(criteria, self_scores, strict=False)
    )
    return review


def score_url(reviewer, cycle=None):
    url = reverse("evaluations:score", args=[reviewer.pk])
    return f"{url}?cycle={cycle.pk}" if cycle else url


def row_data(org, criteria, values, version="", **comments):
    """The POST of ``org``'s row: one value (text) per criterion, the comments, the version shown."""
    prefix = f"r{org.pk}"
    data = {"organization": str(org.pk), f"{prefix}-version": str(version)}
    for criterion, value in zip(criteria, values, strict=True):
        data[f"{prefix}-c{criterion.pk}"] = "" if value is None else str(value)
    for name in ("achievements", "problems", "directions"):
        data[f"{prefix}-{name}"] = comments.get(name, "")
    return data
