"""Scoring a review through the model: ranges, totals, grade bands, locking, reopening, concurrency, audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import Grade, GradeBands, MemberReview, OrganizationReview, Reopening, ReviewCycle
from portal.models import AuditEntry, StaleEdit

from .conftest import criteria, days, full_marks


def test_cycles_come_from_the_review_steps_of_the_schedule(campaign, cycles):
    assert [c.title for c in cycles] == ["上半年定期讲评", "下半年定期讲评"]
    assert ReviewCycle.objects.of_campaign(campaign).count() == 2  # made once
    assert ReviewCycle.objects.current(campaign) == cycles[1]
    assert [c.state() for c in cycles] == ["locked", "open"]


def test_a_full_score_sets_total_and_grade(cast, cycle):
    review = OrganizationReview.start(cycle, cast.branch_a)
    assert review.reviewer == cast.town_a
    review.record(cast.committee_a, 1, full_marks(review, minus=12), {"achievements": " 成绩突出 "})
    review.refresh_from_db()
    assert review.total == Decimal(88)
    assert review.grade == Grade.FAIRLY_GOOD
    assert review.achievements == "成绩突出"
    assert review.version == 1


def test_a_partial_score_has_no_total_yet(cast, cycle):
    review = OrganizationReview.start(cycle, cast.branch_a)
    values = dict.fromkeys((c.pk for c in criteria(review)), None)
    first = next(iter(values))
    values[first] = Decimal(15)
    review.record(cast.committee_a, 1, values)
    review.refresh_from_db()
    assert review.total is None and review.grade == ""
    assert review.score_values() == {first: Decimal(15)}


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, Grade.GOOD),
        (90, Grade.GOOD),
        (89.5, Grade.FAIRLY_GOOD),
        (80, Grade.FAIRLY_GOOD),
        (60, Grade.AVERAGE),
        (59.99, Grade.POOR),
        (0, Grade.POOR),
    ],
)
def test_default_bands(total, grade):
    assert GradeBands().grade(Decimal(str(total)), Decimal(100)) == grade


def test_bands_are_configurable_and_compare_percentages(campaign):
    bands = GradeBands.objects.create(campaign=campaign, good_from=95, fairly_good_from=85, average_from=70)
    assert bands.grade(Decimal(90), Decimal(100)) == Grade.FAIRLY_GOOD
    assert bands.grade(Decimal(38), Decimal(40)) == Grade.GOOD  # 95 %
    assert GradeBands.of(campaign) == bands


def test_bands_must_descend(campaign):
    with pytest.raises(ValidationError):
        GradeBands(campaign=campaign, good_from=80, fairly_good_from=85, average_from=60).full_clean()


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("20.01"), Decimal(100)])
def test_scores_outside_the_weight_are_refused_and_nothing_is_stored(cast, cycle, bad):
    review = OrganizationReview.start(cycle, cast.branch_a)
    values = full_marks(review)
    values[next(iter(values))] = bad
    with pytest.raises(ValidationError) as refused:
        review.record(cast.committee_a, 1, values)
    assert "0" in str(refused.value) and "20" in str(refused.value)
    assert not OrganizationReview.objects.exists()


def test_entries_lock_after_the_due_date_until_reopened(cast, past_cycle):
    review = OrganizationReview.start(past_cycle, cast.branch_a)
    with pytest.raises(ValidationError):
        review.record(cast.committee_a, 1, full_marks(review))
    Reopening.grant(cast.office, past_cycle, cast.branch_a, Reopening.Kind.SUPERIOR, days(3), "补录")
    review.record(cast.committee_a, 1, full_marks(review))
    assert OrganizationReview.objects.get().total == Decimal(100)
    # the organization's own entries stay locked: that reopening was for the superior's score
    member_review = MemberReview.start(past_cycle, cast.member_a)
    with pytest.raises(ValidationError):
        member_review.record(cast.secretary_a, 1, full_marks(member_review))
    # and the reopening ends
    assert not past_cycle.accepts_entries(cast.branch_a, Reopening.Kind.SUPERIOR, on=days(4))


def test_reopening_needs_a_locked_cycle_a_reason_and_a_near_date(cast, cycle, past_cycle):
    with pytest.raises(ValidationError):
        Reopening.grant(cast.office, cycle, cast.branch_a, Reopening.Kind.OWN, days(3), "补录")
    with pytest.raises(ValidationError):
        Reopening.grant(cast.office, past_cycle, cast.branch_a, Reopening.Kind.OWN, days(3), "  ")
    with pytest.raises(ValidationError):
        Reopening.grant(cast.office, past_cycle, cast.branch_a, Reopening.Kind.OWN, days(-1), "补录")
    with pytest.raises(ValidationError):
        Reopening.grant(cast.office, past_cycle, cast.branch_a, Reopening.Kind.OWN, days(40), "补录")
    assert not Reopening.objects.exists()
    Reopening.grant(cast.committee_a, past_cycle, cast.branch_a, Reopening.Kind.OWN, days(3), "补录")
    assert AuditEntry.objects.filter(object_type="evaluations.Reopening").count() == 1


def test_who_reopens(cast):
    assert Reopening.granting_organization(cast.branch_a, Reopening.Kind.OWN) == cast.town_a
    assert Reopening.granting_organization(cast.branch_a, Reopening.Kind.SUPERIOR) == cast.city
    assert Reopening.granting_organization(cast.town_a, Reopening.Kind.SUPERIOR) == cast.city


def test_two_officers_never_overwrite_each_other(cast, cycle):
    first = OrganizationReview.start(cycle, cast.branch_a)
    second = OrganizationReview.start(cycle, cast.branch_a)
    first.record(cast.committee_a, 1, full_marks(first))
    with pytest.raises(StaleEdit):  # both started from an empty review
        second.record(cast.office, 1, full_marks(second, minus=5))
    stored = OrganizationReview.objects.get()
    stale = OrganizationReview.objects.get()
    stored.record(cast.committee_a, stored.version, full_marks(stored, minus=1))
    with pytest.raises(StaleEdit):
        stale.record(cast.office, stale.version, full_marks(stale, minus=7))
    assert OrganizationReview.objects.get().total == Decimal(99)


def test_score_changes_are_audited_old_to_new(cast, cycle):
    review = OrganizationReview.start(cycle, cast.branch_a)
    review.record(cast.committee_a, 1, full_marks(review))
    review.record(cast.committee_a, review.version, full_marks(review, minus=Decimal("2.5")), {"problems": "台账不全"})
    entry = AuditEntry.objects.filter(object_type="evaluations.OrganizationReview").latest("id")
    first = criteria(review)[0].title
    assert entry.changes == {first: ["20", "17.5"], "problems": ["", "台账不全"]}
    assert entry.actor == cast.committee_a


def test_member_reviews_use_the_member_criteria(cast, cycle):
    review = MemberReview.start(cycle, cast.member_a)
    assert review.criteria_set.target == "member"
    review.record(cast.secretary_a, 1, {c.pk: Decimal(10) for c in criteria(review)}, {"comment": "需加强学习"})
    review.refresh_from_db()
    assert review.grade == Grade.POOR and review.comment == "需加强学习"


def test_the_top_organization_has_no_superior_review(cast, cycle):
    with pytest.raises(ValidationError):
        OrganizationReview.start(cycle, cast.city)


def test_not_yet_open(cast, campaign):
    from campaigns.models import Milestone

    Milestone.objects.create(campaign=campaign, kind="review", title="明年讲评", opens_on=days(50), due_on=days(80))
    upcoming = ReviewCycle.objects.of_campaign(campaign).get(milestone__title="明年讲评")
    review = OrganizationReview.start(upcoming, cast.branch_a)
    with pytest.raises(ValidationError) as refused:
        review.record(cast.committee_a, 1, full_marks(review))
    assert str(days(50)) in str(refused.value) or datetime.date.isoformat(days(50)) in str(refused.value)
