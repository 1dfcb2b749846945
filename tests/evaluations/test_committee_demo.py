"""The demo's superior reviews (evaluations/demo.py): a closed cycle fully scored in 松陵镇 and partly elsewhere,
the open cycle begun so that the ``committee`` account has work; deterministic and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign
from evaluations import demo
from evaluations.models import MemberReview, OrganizationReview, OrganizationScore, Reopening, ReviewCycle, SelfReview
from portal.models import Organization

from ..portal.test_seed_demo import wipe

SMALL = {"orgs": 60, "members": 600}  # the size of the browser tests' demo


def seed():
    call_command("seed_demo", force=True, stdout=StringIO(), **SMALL)
    campaign = Campaign.objects.get()
    demo.seed(campaign)  # (again, when seed_demo does it already: idempotent)
    return campaign


@pytest.fixture
def campaign(db):
    return seed()


def snapshot():
    reviews = OrganizationReview.objects.order_by("cycle__milestone__due_on", "organization__code")
    return {
        "reviews": list(
            reviews.values_list(
                "cycle__milestone__title",
                "organization__code",
                "reviewer__code",
                "total",
                "grade",
                "scored_by__username",
                "achievements",
                "problems",
                "directions",
            )
        ),
        "scores": list(
            OrganizationScore.objects.order_by(
                "review__cycle__milestone__due_on", "review__organization__code", "criterion__order"
            ).values_list("review__organization__code", "criterion__title", "value")
        ),
        "reopenings": list(Reopening.objects.values_list("organization__code", "kind", "reason")),
    }


def test_a_closed_cycle_fully_scored_in_the_town_and_partly_elsewhere(campaign):
    past = ReviewCycle.objects.get(milestone__title=demo.PAST_TITLE)
    assert past.state() == "locked"
    town = Organization.objects.get(code=demo.TOWN)
    subordinates = set(town.children.active().values_list("pk", flat=True))
    reviews = OrganizationReview.objects.filter(cycle=past)
    in_town = reviews.filter(organization__in=subordinates)
    assert set(in_town.values_list("organization", flat=True)) == subordinates
    assert not in_town.filter(total__isnull=True).exists()
    assert not in_town.filter(achievements="").exists() and not in_town.filter(directions="").exists()
    assert set(in_town.values_list("scored_by__username", flat=True)) == {"committee", "office"}
    assert reviews.filter(organization=town, reviewer=town.parent).exists()
    elsewhere = Organization.objects.active().filter(parent__isnull=False).exclude(parent=town).exclude(pk=town.pk)
    scored = reviews.filter(organization__in=elsewhere).count()
    assert 0.3 * elsewhere.count() < scored < 0.9 * elsewhere.count()
    for review in reviews.prefetch_related("scores"):
        values = review.score_values()
        assert len(values) == review.criteria_set.criteria.count()
        assert review.total == sum(values.values())
    assert Reopening.objects.filter(cycle=past, kind="own", organization__parent=town).count() == 1


def test_the_open_cycle_leaves_work_for_the_committee_account(campaign):
    cycle = ReviewCycle.objects.current(campaign)
    assert cycle.state() == "open"
    town = Organization.objects.get(code=demo.TOWN)
    client = Client()
    client.force_login(get_user_model().objects.get(username="committee"))
    response = client.get(reverse("evaluations:score", args=[town.pk]))
    assert response.status_code == 200 and response.context["cycle"] == cycle
    rows = response.context["rows"]
    assert all(row.editable for row in rows)
    done = [row for row in rows if row.review.total is not None]
    begun = [row for row in rows if row.review.pk and row.review.total is None]
    assert done and len(begun) == 1 and len(rows) - len(done) >= 2
    assert {row.review.scored_by.username for row in done} == {"committee"}
    calibration = client.get(reverse("evaluations:calibration", args=[town.pk]), {"cycle": demo_past(campaign).pk})
    scorers = {s.name: s for s in calibration.context["calibration"].scorers}
    assert scorers["顾晓燕"].mean > scorers["陆振国"].mean  # the office, entering paper returns, is more lenient


def demo_past(campaign):
    return ReviewCycle.objects.get(milestone__campaign=campaign, milestone__title=demo.PAST_TITLE)


def test_the_demo_reviews_are_deterministic_and_idempotent(campaign):
    first = snapshot()
    demo.seed(campaign)
    assert snapshot() == first
    OrganizationReview.objects.all().delete()  # they protect their criteria sets from the campaign's deletion
    MemberReview.objects.all().delete()
    SelfReview.objects.all().delete()
    wipe()
    seed()
    assert snapshot() == first
