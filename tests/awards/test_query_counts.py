"""The awards' list pages keep a fixed number of queries as the data grows (measured at two sizes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import Nomination, Objection

from ..factories import MemberFactory, OrganizationFactory
from .conftest import TODAY, assess, days, make_round, review
from .test_flow import forward

pytestmark = pytest.mark.django_db

SIZES = (2, 12)
BUDGET = 40  # a generous ceiling; what matters is that it does not grow


def grow(cast, campaign, cycle, round, categories, size):
    """``size`` more members in branch_a and branches under town_a, reviewed and assessed; nominations
    of them forwarded to the city and put on the list, each with an objection; the round then announced
    and approved (the honour roll) — all at once, the pages are measured before and after."""
    excellent, advanced = categories["优秀共产党员"], categories["先进基层党组织"]
    members = [MemberFactory(name=f"党员{i:03d}", organization=cast.branch_a) for i in range(size)]
    branches = [OrganizationFactory(name=f"支部{i:03d}", parent=cast.town_a) for i in range(size)]
    for member in members:
        review(cycle, 90, member=member)
        assess(campaign, 1, 1, member=member)
    for branch in branches:
        review(cycle, 85, organization=branch)
        assess(campaign, 1, 1, organization=branch)
    for member in members:
        nomination = Nomination.nominate(cast.secretary_a, round, excellent, member=member)
        forward(forward(nomination, cast.secretary_a), cast.committee_a)
        nomination.put_on_list(cast.office, nomination.version)
    for branch in branches:
        Nomination.nominate(cast.committee_a, round, advanced, organization=branch)
    round.start_publicity(cast.office, on=TODAY)
    for nomination in round.nominations.filter(state=Nomination.State.SHORTLISTED):
        Objection.file(round, nomination, name="", contact="13800000000", body="请核实", on=TODAY)


def pages(cast, round, categories):
    return {
        "list": (cast.office, reverse("awards:list")),
        "detail": (cast.office, reverse("awards:detail", args=[round.pk])),
        "level_members": (
            cast.secretary_a,
            reverse("awards:level", args=[round.pk, cast.branch_a.pk]) + f"?category={categories['优秀共产党员'].pk}",
        ),
        "level_orgs": (
            cast.committee_a,
            reverse("awards:level", args=[round.pk, cast.town_a.pk])
            + f"?category={categories['先进基层党组织'].pk}&sort=score",
        ),
        "objections": (cast.office, reverse("awards:objections", args=[round.pk])),
        "announcement": (None, reverse("awards:announcement", args=[round.code])),
        "honours": (None, reverse("awards:honours")),
    }


def count(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["list", "detail", "level_members", "level_orgs", "objections", "announcement"])
def test_fixed_query_count(client, cast, campaign, cycle, round, categories, page):
    user, url = pages(cast, round, categories)[page]
    grow(cast, campaign, cycle, round, categories, SIZES[0])
    small = count(client, user, url)
    grow_more(cast, campaign, cycle, round, categories, SIZES[1])
    assert count(client, user, url) == small <= BUDGET


def grow_more(cast, campaign, cycle, round, categories, size):
    """More candidates and objections once the list is announced (nominations are closed then)."""
    for i in range(size):
        member = MemberFactory(name=f"后来{i:03d}", organization=cast.branch_a)
        review(cycle, 90, member=member)
        branch = OrganizationFactory(name=f"后来支部{i:03d}", parent=cast.town_a)
        review(cycle, 88, organization=branch)
    for nomination in round.nominations.filter(state=Nomination.State.SHORTLISTED):
        for _ in range(2):
            Objection.file(round, nomination, name="", contact="x@example.com", body="再核实", on=TODAY)


def test_the_honour_roll_keeps_its_count(client, cast, campaign, cycle, round, categories):
    grow(cast, campaign, cycle, round, categories, 2)
    for objection in Objection.objects.all():
        objection.answer_with(cast.office, "已核实", Objection.Outcome.DISMISSED)
    round.approve(cast.office, on=days(7))
    small = count(client, None, reverse("awards:honours"))
    other = make_round(campaign, cast.town_a, title="甲镇评选")
    members = [MemberFactory(organization=cast.branch_a2) for _ in range(10)]
    excellent = other.categories.get(name="优秀共产党员")
    excellent.min_grade, excellent.min_fulfilment = "", None
    excellent.save()
    for member in members:
        nomination = Nomination.nominate(cast.committee_a, other, excellent, member=member)
        forward(nomination, cast.committee_a)
        nomination.put_on_list(cast.committee_a, nomination.version)
    other.start_publicity(cast.committee_a, on=TODAY)
    other.approve(cast.committee_a, on=days(7))
    assert count(client, None, reverse("awards:honours")) == small
