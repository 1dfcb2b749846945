"""The demo's own reviews (evaluations/demo_branch.py): done in a few branches of 松陵镇, not in the secretary's,
consistent with the rules the pages enforce, deterministic and idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from campaigns.models import Campaign, Meeting
from evaluations import demo_branch
from evaluations.models import GradeBands, MemberReport, MemberReview, ReviewCycle, SelfAssessment, SelfReview
from portal.models import Organization

from ..portal.test_seed_demo import wipe

SMALL = {"orgs": 60, "members": 600}  # the size of the browser tests' demo


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, stdout=StringIO(), **SMALL)
    campaign = Campaign.objects.get()
    demo_branch.seed(campaign)  # (again, when seed_demo does it already: idempotent)
    return campaign


def snapshot():
    reviews = SelfReview.objects.order_by("organization__code")
    return {
        "reviews": list(
            reviews.values_list("organization__code", "meeting__held_on", "meeting__attendance", "summary")
        ),
        "reports": list(
            MemberReport.objects.order_by("member__name", "pk").values_list("member__name", "absent", "text")
        ),
        "scores": list(
            MemberReview.objects.order_by("member__name", "pk").values_list("member__name", "total", "grade")
        ),
    }


def test_a_few_branches_of_the_town_have_done_their_review_but_not_the_secretarys(demo):
    cycle = ReviewCycle.objects.current(demo)
    assert cycle.state() == "open"
    reviews = SelfReview.objects.filter(cycle=cycle).select_related("organization", "meeting")
    town = Organization.objects.get(code=demo_branch.TOWN)
    assert 2 <= len(reviews) <= 1 + demo_branch.OTHERS
    assert {r.organization.parent_id for r in reviews} == {town.pk}
    assert demo_branch.NEIGHBOUR in {r.organization.code for r in reviews}
    assert demo_branch.DEMO_BRANCH not in {r.organization.code for r in reviews}
    assert not Meeting.objects.filter(kind=Meeting.Kind.REVIEW, organization__code=demo_branch.DEMO_BRANCH).exists()
    bands = GradeBands.of(demo)
    for review in reviews:
        org, meeting = review.organization, review.meeting
        roll = list(org.members.filter(active=True))
        assert meeting.kind == Meeting.Kind.REVIEW and meeting.members_total == len(roll)
        assert cycle.opens_on <= meeting.held_on <= cycle.due_on and meeting.staff_representatives > 0
        reports = review.reports.all()
        assert reports.count() == len(roll)
        assert reports.filter(absent=True).count() == meeting.members_total - meeting.attendance
        criteria = list(demo.criteria_for("organization", org.sector).criteria.all())
        assessments = SelfAssessment.objects.filter(self_review=review)
        assert assessments.count() == len(criteria) and review.summary
        assert all(0 <= a.value <= a.criterion.weight for a in assessments)
        for member_review in MemberReview.objects.filter(cycle=cycle, organization=org).prefetch_related("scores"):
            assert member_review.criteria_set == demo.criteria_for("member", org.sector)
            values = member_review.score_values()
            assert len(values) == member_review.criteria_set.criteria.count()
            assert member_review.total == sum(values.values(), Decimal(0))
            assert member_review.grade == bands.grade(member_review.total, Decimal(100))
        assert MemberReview.objects.filter(cycle=cycle, organization=org).count() == len(roll)
    # the other sectors' member criteria sets (五个表率 / 五个先锋) occur where the town has such branches
    assert MemberReview.objects.aggregate(n=Sum("total"))["n"] > 0


def test_the_demo_reviews_are_deterministic_and_idempotent(demo):
    first = snapshot()
    assert demo_branch.seed(demo) == 0
    assert snapshot() == first
    SelfReview.objects.all().delete()  # their criteria and meetings are protected from the campaign's deletion
    MemberReview.objects.all().delete()
    wipe()
    call_command("seed_demo", force=True, stdout=StringIO(), **SMALL)
    demo_branch.seed(Campaign.objects.get())
    assert snapshot() == first


def test_the_secretary_finds_the_work_and_the_committee_sees_the_town(demo):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    secretary, committee = Client(), Client()
    secretary.force_login(users.get(username="secretary"))
    committee.force_login(users.get(username="committee"))
    branch = Organization.objects.get(code=demo_branch.DEMO_BRANCH)
    page = secretary.get(f"/reviews/own/{branch.pk}/")
    assert page.status_code == 200 and page.context["meeting"] is None and page.context["can_change"]
    town = Organization.objects.get(code=demo_branch.TOWN)
    page = committee.get(f"/reviews/own/{town.pk}/")
    done = [s for s in page.context["subordinates"] if s.meeting]
    assert len(done) == SelfReview.objects.count()
