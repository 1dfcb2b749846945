"""Eligibility rules at their boundaries: each rule passes at its threshold and fails just below it,
and every result carries the candidate's figures."""

from decimal import Decimal

import pytest

from awards import eligibility
from awards.eligibility import Candidate, evaluate, evaluate_one, ranked
from evaluations.models import Grade
from portal.models import Member

from ..factories import MemberFactory, OrganizationFactory
from .conftest import assess, days, make_round, review

pytestmark = pytest.mark.django_db


def rules(candidate):
    return {r.key: r for r in candidate.results}


def only(category, **fields):
    """Keep only the rules named in ``fields`` on the category."""
    blank = {
        "min_grade": "",
        "min_score": None,
        "min_satisfaction": None,
        "min_fulfilment": None,
        "no_open_rectification": False,
        "full_members_only": False,
        "party_role_required": False,
    }
    for name, value in {**blank, **fields}.items():
        setattr(category, name, value)
    category.save()
    return category


@pytest.mark.parametrize(("total", "passes"), [(80, True), (Decimal("79.99"), False), (95, True), (60, False)])
def test_review_grade_at_the_band(cast, cycle, categories, total, passes):
    category = only(categories["先进基层党组织"], min_grade=Grade.FAIRLY_GOOD)
    review(cycle, total, organization=cast.branch_a)
    result = rules(evaluate_one(category, organization=cast.branch_a))["grade"]
    assert result.passed is passes
    assert "上半年定期讲评" in result.value and str(total).rstrip("0").rstrip(".") in result.value


@pytest.mark.parametrize(("total", "passes"), [(85, True), (Decimal("84.5"), False)])
def test_review_total_at_the_minimum(cast, cycle, categories, total, passes):
    category = only(categories["优秀共产党员"], min_score=85)
    review(cycle, total, member=cast.member_a)
    assert rules(evaluate_one(category, member=cast.member_a))["score"].passed is passes


def test_a_cycle_without_a_review_fails_and_says_so(cast, cycle, categories):
    category = only(categories["先进基层党组织"], min_grade=Grade.AVERAGE)
    result = rules(evaluate_one(category, organization=cast.branch_a))["grade"]
    assert result.passed is False
    assert "not reviewed" in result.value


def test_no_cycle_in_the_period_is_not_applied(cast, campaign, cycle):
    round = make_round(
        campaign,
        cast.city,
        title="无讲评期",
        reviews_from=cycle.due_on.replace(year=2000),
        reviews_to=cycle.due_on.replace(year=2001),
    )
    category = only(round.categories.get(name="先进基层党组织"), min_grade=Grade.GOOD)
    result = rules(evaluate_one(category, organization=cast.branch_a))["grade"]
    assert result.passed is None
    assert evaluate_one(category, organization=cast.branch_a).eligible


@pytest.mark.parametrize(("fulfilled", "assessed", "passes"), [(4, 5, True), (3, 4, False), (5, 5, True)])
def test_fulfilment_rate_at_the_minimum(cast, campaign, categories, fulfilled, assessed, passes):
    category = only(categories["先进基层党组织"], min_fulfilment=80)
    assess(campaign, fulfilled, assessed, organization=cast.branch_a)
    result = rules(evaluate_one(category, organization=cast.branch_a))["fulfilment"]
    assert result.passed is passes
    assert f"{fulfilled} of {assessed}" in result.value


def test_fulfilment_counts_only_the_candidates_own_commitments(cast, campaign, categories):
    category = only(categories["优秀共产党员"], min_fulfilment=80)
    assess(campaign, 0, 3, organization=cast.branch_a)  # the branch's, not the member's
    assess(campaign, 2, 2, member=cast.member_a)
    assert rules(evaluate_one(category, member=cast.member_a))["fulfilment"].passed is True
    result = rules(evaluate_one(category, member=cast.member_a2))["fulfilment"]
    assert result.passed is False and result.value == "no assessed commitment items"


def test_membership_and_role(cast, categories):
    category = only(categories["优秀党务工作者"], full_members_only=True, party_role_required=True)
    probationary = MemberFactory(organization=cast.branch_a, status=Member.Status.PROBATIONARY, role="worker")
    full_without_role = MemberFactory(organization=cast.branch_a)
    worker = MemberFactory(organization=cast.branch_a, role="secretary")
    found = {
        c.member: rules(c)
        for c in evaluate(category, [Candidate(m.organization, m) for m in (probationary, full_without_role, worker)])
    }
    assert (found[probationary]["full_member"].passed, found[probationary]["party_role"].passed) == (False, True)
    assert (found[full_without_role]["full_member"].passed, found[full_without_role]["party_role"].passed) == (
        True,
        False,
    )
    assert (found[worker]["full_member"].passed, found[worker]["party_role"].passed) == (True, True)


def mass_round(campaign, organizer, closes_in=-5, state="closed"):
    from evaluations.mass_models import Round

    return Round.objects.create(
        campaign=campaign,
        organization=organizer,
        title="年度群众评议",
        opens_on=days(closes_in - 20),
        closes_on=days(closes_in),
        state=state,
    )


def published(round, org, satisfied, valid, member=None):
    from evaluations.mass_models import Participant, Result

    participant, _ = Participant.objects.get_or_create(
        round=round, organization=org, defaults={"code": f"P{round.pk}-{org.pk}"}
    )
    return Result.objects.create(participant=participant, member=member, satisfied=satisfied, valid=valid)


def test_mass_evaluation_rules_without_an_evaluation(cast, categories):
    category = only(categories["先进基层党组织"], min_satisfaction=80, no_open_rectification=True)
    found = rules(evaluate_one(category, organization=cast.branch_a))
    assert (found["satisfaction"].passed, found["satisfaction"].value) == (False, "not evaluated")
    assert (found["rectification"].passed, found["rectification"].value) == (True, "0 open")


@pytest.mark.parametrize(("satisfied", "passes"), [(80, True), (79, False)])
def test_satisfaction_of_the_latest_closed_round_at_the_minimum(cast, campaign, categories, satisfied, passes):
    category = only(categories["先进基层党组织"], min_satisfaction=80)
    published(mass_round(campaign, cast.town_a, closes_in=-100), cast.branch_a, 10, 100)  # older: not counted
    published(mass_round(campaign, cast.town_a), cast.branch_a, satisfied, 100)
    published(mass_round(campaign, cast.town_a, closes_in=10, state="open"), cast.branch_a, 0, 100)  # still open
    result = rules(evaluate_one(category, organization=cast.branch_a))["satisfaction"]
    assert (result.passed, result.value) == (passes, f"{satisfied}%")


def test_a_members_satisfaction(cast, campaign, categories):
    category = only(categories["优秀共产党员"], min_satisfaction=90)
    round = mass_round(campaign, cast.town_a)
    published(round, cast.branch_a, 50, 100)  # the branch's own figure is not the member's
    published(round, cast.branch_a, 27, 30, member=cast.member_a)
    result = rules(evaluate_one(category, member=cast.member_a))["satisfaction"]
    assert (result.passed, result.value) == (True, "90%")


def test_an_open_rectification_fails_until_rectified(cast, campaign, categories):
    from evaluations.mass_models import Participant, Rectification

    category = only(categories["先进基层党组织"], no_open_rectification=True)
    participant = Participant.objects.create(
        round=mass_round(campaign, cast.town_a), organization=cast.branch_a, code="PX"
    )
    rectification = Rectification.objects.create(
        participant=participant, problem="问题", owner="书记", deadline=days(30)
    )
    result = rules(evaluate_one(category, organization=cast.branch_a))["rectification"]
    assert (result.passed, result.value) == (False, "1 open")
    rectification.state = Rectification.State.REPORTED
    rectification.save()
    assert rules(evaluate_one(category, organization=cast.branch_a))["rectification"].passed is False
    rectification.state = Rectification.State.DONE
    rectification.save()
    assert rules(evaluate_one(category, organization=cast.branch_a))["rectification"].passed is True


@pytest.mark.parametrize(
    ("rate", "open_items", "passes"), [(Decimal(80), 0, (True, True)), (Decimal("79.9"), 1, (False, False))]
)
def test_mass_evaluation_rules_read_through_one_function(cast, categories, monkeypatch, rate, open_items, passes):
    category = only(categories["先进基层党组织"], min_satisfaction=80, no_open_rectification=True)
    figures = ({("org", cast.branch_a.pk): rate}, {("org", cast.branch_a.pk): open_items})
    monkeypatch.setattr(eligibility, "mass_results", lambda campaign, orgs, members: figures)
    found = rules(evaluate_one(category, organization=cast.branch_a))
    assert (found["satisfaction"].passed, found["rectification"].passed) == passes


def test_ranking_by_a_figure(cast, cycle, categories):
    category = only(categories["先进基层党组织"], min_score=70)
    a3 = OrganizationFactory(name="甲三村党支部", parent=cast.town_a)
    for org, total in ((cast.branch_a, 75), (cast.branch_a2, 92)):
        review(cycle, total, organization=org)
    candidates = evaluate(category, [Candidate(o) for o in (cast.branch_a, cast.branch_a2, a3)])
    assert [c.name for c in ranked(candidates, "score")] == ["甲二村党支部", "甲村党支部", "甲三村党支部"]
    assert [c.name for c in ranked(candidates, "")][-1] == "甲三村党支部"  # not eligible: last
