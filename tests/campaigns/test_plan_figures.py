"""The implementation-plan figures of the campaign page, against a dataset counted by hand; query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import ImplementationPlan
from portal.models import Organization, Role

from ..factories import OrganizationFactory, UserFactory, grant
from .conftest import make_campaign


def plan(campaign, org, filed):
    created = ImplementationPlan.objects.create(campaign=campaign, organization=org, text="方案" if filed else "")
    if filed:
        ImplementationPlan.objects.filter(pk=created.pk).update(filed_at=created.updated_at)
    return created


@pytest.fixture
def dataset(cast, town_campaign, campaign):
    """town_campaign runs over town_a: 8 active organizations, 3 filed plans, 1 draft.

    town_a ─┬─ branch_a  filed        ├─ b3 filed       ├─ b6 —
            ├─ branch_a2 draft        ├─ b4 filed       ├─ b7 —
            │                         ├─ b5 —           └─ b8 dissolved, filed (not counted)
    The city campaign has filed plans of branch_a and branch_b: they do not count for town_campaign.
    """
    extra = {n: OrganizationFactory(name=f"甲镇第{n}支部", code=f"BR-A{n}", parent=cast.town_a) for n in range(3, 9)}
    Organization.objects.filter(pk=extra[8].pk).update(status=Organization.Status.DISSOLVED)
    for org in (cast.branch_a, extra[3], extra[4], extra[8]):
        plan(town_campaign, org, filed=True)
    plan(town_campaign, cast.branch_a2, filed=False)
    plan(campaign, cast.branch_a, filed=True)  # another campaign: not counted
    plan(campaign, cast.branch_b, filed=True)
    cast.extra = extra
    return cast


def figures(client, campaign, **query):
    response = client.get(campaign.get_absolute_url(), query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", ["office", "committee_a", "admin"])
def test_the_filing_rate_of_the_area(client, dataset, town_campaign, role):
    client.force_login(getattr(dataset, role))
    response = figures(client, town_campaign)
    assert response.context["plan_figures"] == {"total": 8, "filed": 3, "percent": 37.5}
    page = response.content.decode()
    assert "3 of 8 organizations in your part of the area have filed their plan" in page
    assert '<span class="stat" id="plan-rate">37.5%</span>' in page
    assert response.context["plan_page"].paginator.count == 8


def test_a_secretary_sees_the_rate_of_their_own_branch(client, dataset, town_campaign):
    client.force_login(dataset.secretary_a)
    assert figures(client, town_campaign).context["plan_figures"] == {"total": 1, "filed": 1, "percent": 100.0}
    secretary_5 = grant(UserFactory(username="secretary_5"), Role.SECRETARY, dataset.extra[5])
    client.force_login(secretary_5)
    response = figures(client, town_campaign)
    assert response.context["plan_figures"] == {"total": 1, "filed": 0, "percent": 0.0}
    assert [org.name for org in response.context["plan_page"]] == ["甲镇第5支部"]


def test_the_city_campaign_counts_the_whole_city(client, dataset, campaign):
    client.force_login(dataset.office)
    # city, town_a, town_b, branch_a, branch_a2, branch_b, b3 … b7 (b8 is dissolved): 11; filed: branch_a, branch_b.
    assert figures(client, campaign).context["plan_figures"] == {"total": 11, "filed": 2, "percent": 18.2}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "filed"}, ["甲村党支部", "甲镇第3支部", "甲镇第4支部"]),
        ({"status": "draft"}, ["甲二村党支部"]),
        ({"status": "missing"}, ["甲镇党委", "甲镇第5支部", "甲镇第6支部", "甲镇第7支部"]),
        ({"q": "BR-A6"}, ["甲镇第6支部"]),
    ],
)
def test_the_plan_list_filters(client, dataset, town_campaign, query, expected):
    client.force_login(dataset.committee_a)
    response = figures(client, town_campaign, **query)
    assert sorted(org.name for org in response.context["plan_page"]) == sorted(expected)
    assert response.context["plan_figures"]["percent"] == 37.5  # the figure is of the whole area


def test_the_plan_list_shows_each_state(client, dataset, town_campaign):
    client.force_login(dataset.office)
    rows = {org.name: org for org in figures(client, town_campaign).context["plan_page"]}
    assert rows["甲村党支部"].plan_filed_at is not None
    assert rows["甲二村党支部"].plan_pk and rows["甲二村党支部"].plan_filed_at is None
    assert rows["甲镇第5支部"].plan_pk is None


# --- fixed query counts ---------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_campaign_list_keeps_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.secretary_a)
    make_campaign(cast.city, name="活动1")
    small = count_queries(client, reverse("campaigns:list"))
    for n in range(2, 12):
        make_campaign(cast.town_a if n % 2 else cast.city, name=f"活动{n}")
    with django_assert_num_queries(small):
        response = client.get(reverse("campaigns:list"))
    assert len(response.context["page"]) == 11
    # session, user, roles, member; count, page, phases; the session's save (3 with its savepoint)
    assert small == 10


def test_the_campaign_page_keeps_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    campaign = make_campaign(cast.city)
    client.force_login(cast.office)
    small = count_queries(client, campaign.get_absolute_url())
    for n in range(40):
        org = OrganizationFactory(parent=cast.town_b)
        if n % 3:
            plan(campaign, org, filed=n % 2 == 0)
    with django_assert_num_queries(small):
        response = client.get(campaign.get_absolute_url())
    assert response.context["plan_figures"]["total"] == 46
    # session, user, roles, member, campaign; plan figures, count, page; phases, steps, criteria sets,
    # criteria, carriers; the session's save (3 with its savepoint)
    assert small == 16
