"""Setting a campaign's grade bands, and what that does to the grades already given.

A review's grade is stored when it is scored (``ScoredReview.record``). When the office moves the
bands, the grades of the reviews in cycles still open (or not yet open) are derived again, in one
UPDATE per kind of review, with the same rule as ``GradeBands.grade``: total × 100 compared with each
band × the full weight of the review's criteria set. Cycles that have closed keep the grades they
closed with: those are the results that were published and fed the awards.
"""

from django.db import transaction
from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from campaigns.models import Criterion
from portal.audit import diff, record
from portal.models import AuditEntry

from .models import Grade, MemberReview, OrganizationReview, plain

BAND_FIELDS = ["good_from", "fairly_good_from", "average_from"]


def _full_weight():
    weights = (
        Criterion.objects.filter(criteria_set=OuterRef("criteria_set"))
        .order_by()
        .values("criteria_set")
        .annotate(full=Sum("weight"))
        .values("full")
    )
    return Subquery(weights, output_field=DecimalField())


def grade_expression(bands):
    """SQL for ``GradeBands.grade(total, full weight of the review's set)``."""
    decimal = DecimalField(max_digits=12, decimal_places=4)
    percent_of_full = ExpressionWrapper(F("total") * 100, output_field=decimal)
    full = _full_weight()

    def at_least(band):
        return GreaterThanOrEqual(percent_of_full, ExpressionWrapper(Value(band) * full, output_field=decimal))

    return Case(
        When(total__isnull=True, then=Value("")),
        When(at_least(bands.good_from), then=Value(Grade.GOOD)),
        When(at_least(bands.fairly_good_from), then=Value(Grade.FAIRLY_GOOD)),
        When(at_least(bands.average_from), then=Value(Grade.AVERAGE)),
        default=Value(Grade.POOR),
    )


def save_bands(actor, bands, before=None, on=None):
    """Save ``bands`` (validated), regrade the reviews of the campaign's cycles not yet closed; audited.

    ``before``: the bands' values as they were shown (``bands_snapshot``), for the audit trail. Returns the
    number of reviews whose grade was derived again.
    """
    on = on or timezone.localdate()
    campaign = bands.campaign
    created = bands.pk is None
    with transaction.atomic():
        bands.save()
        expression = grade_expression(bands)
        regraded = 0
        for model in (OrganizationReview, MemberReview):
            regraded += model.objects.filter(
                cycle__milestone__campaign=campaign, cycle__milestone__due_on__gte=on
            ).update(grade=expression)
        changes = diff(before or {}, bands_snapshot(bands))
        if changes:
            changes["regraded"] = ["", str(regraded)]
            verb = AuditEntry.Verb.CREATE if created else AuditEntry.Verb.UPDATE
            record(actor, bands, verb, changes, organization=campaign.area)
    campaign._grade_bands = bands
    return regraded


def bands_snapshot(bands):
    """The bands as people write them (the defaults, 90/80/60, while the campaign has none of its own)."""
    return {name: plain(getattr(bands, name)) for name in BAND_FIELDS}
