"""The dashboard (home page): the area's figures by subordinate and by sector, against the hand-computed
area of conftest.py, its scope, its charts, and a fixed number of queries whatever the area's size."""

import pytest
from django.urls import reverse

from commitments.models import Commitment
from portal import area_keys, dashboard
from portal.scope import Scope

from ..commitments.factories import bulk_commitments
from ..factories import MemberFactory, OrganizationFactory, UnitFactory


def home(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("portal:home"), params)
    assert response.status_code == 200
    return response


def commitments(f):
    c = f.commitments
    return (
        (c.organizations_filed, c.organizations, c.filed_rate),
        (c.members_filed, c.members, c.members_rate),
        (
            c.items,
            c.progress,
        ),
        (c.fulfilled, c.assessed, c.fulfilled_rate),
    )


def coverage(f):
    v = f.coverage
    return (v.organized, v.can_form, v.organization_rate), (v.work_covered, v.rest, v.work_rate), f.warnings


def test_the_figures_by_subordinate_are_the_hand_computed_ones(client, area):
    context = home(client, area.committee_a).context
    assert context["area_root"] == area.town_a
    assert context["campaign"] == area.campaign
    rows = {row.label: row for row in context["area_rows"]}
    assert list(rows) == ["甲镇党委", "甲二村党支部", "甲村党支部"]  # itself first, then by name
    assert rows["甲镇党委"].own
    assert commitments(rows["甲镇党委"].figures) == ((0, 0, None), (0, 0, None), (1, 50.0), (0, 0, None))
    assert commitments(rows["甲村党支部"].figures) == ((1, 1, 100.0), (1, 3, 33.3), (2, 70.0), (1, 2, 50.0))
    assert commitments(rows["甲二村党支部"].figures) == ((0, 1, 0.0), (0, 1, 0.0), (0, None), (0, 0, None))
    assert coverage(rows["甲村党支部"].figures) == ((1, 1, 100.0), (1, 1, 100.0), 0)
    assert coverage(rows["甲二村党支部"].figures) == ((0, 1, 0.0), (0, 1, 0.0), 2)
    total = context["area_total"]
    assert commitments(total) == ((1, 2, 50.0), (1, 4, 25.0), (3, 63.3), (1, 2, 50.0))
    assert coverage(total) == ((1, 2, 50.0), (1, 2, 50.0), 2)
    assert (total.organization_warnings, total.unit_warnings) == (1, 1)


def test_the_figures_by_sector(client, area):
    rows = {row.label: row.figures for row in home(client, area.committee_a).context["sector_rows"]}
    assert list(rows) == ["农村", "街道社区"]  # in the order of the sectors' list
    assert commitments(rows["街道社区"]) == ((1, 1, 100.0), (1, 3, 33.3), (3, 63.3), (1, 2, 50.0))
    assert coverage(rows["街道社区"]) == ((1, 1, 100.0), (1, 1, 100.0), 0)
    assert commitments(rows["农村"]) == ((0, 1, 0.0), (0, 1, 0.0), (0, None), (0, 0, None))
    assert coverage(rows["农村"]) == ((0, 1, 0.0), (0, 1, 0.0), 2)


def test_the_page_shows_the_figures_as_tables_and_charts(client, area):
    page = home(client, area.committee_a).content.decode()
    assert '<div class="stat" id="area-filed">50.0%</div>' in page
    assert '<div class="stat" id="area-progress">63.3%</div>' in page
    assert '<div class="stat" id="area-warnings">2</div>' in page
    assert page.count('<svg class="chart"') == 3  # commitments by subordinate and by sector, coverage
    assert "<script" not in page.split('id="dashboard"')[1].split("</section>")[0]
    assert " style=" not in page  # the Content-Security-Policy forbids inline styles


def test_an_organization_name_is_text_in_the_charts(client, area):
    area.branch_a.name = "<script>alert(1)</script>甲村"
    area.branch_a.save()
    page = home(client, area.committee_a).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;甲村" in page


def test_the_office_drills_down_from_the_city_and_the_figures_stay_the_same(client, area):
    city = home(client, area.office).context
    assert city["area_root"] == area.city
    assert [row.label for row in city["area_rows"]] == ["测试市委", "乙镇党委", "甲镇党委"]
    assert commitments(city["area_total"])[0] == (3, 5, 60.0)  # town_a, branch_a, branch_b filed; town_b, a2 not
    town = home(client, area.office, org=area.town_a.pk, campaign=area.campaign.pk).context
    assert commitments(town["area_total"]) == commitments(home(client, area.committee_a).context["area_total"])
    assert f"?org={area.town_a.pk}&amp;campaign={area.campaign.pk}" in home(client, area.office).content.decode()


def test_the_dashboard_stays_within_the_users_scope(client, area):
    client.force_login(area.committee_a)
    assert client.get(reverse("portal:home"), {"org": area.town_b.pk}).status_code == 404
    assert client.get(reverse("portal:home"), {"org": area.other_city.pk}).status_code == 404
    assert client.get(reverse("portal:home"), {"org": "x"}).status_code == 404
    figures = dashboard.total(
        dashboard.grouped(Scope(area.secretary_b), area.town_a, area.campaign, area_keys.organization_key)
    )
    assert commitments(figures) == ((0, 0, None), (0, 0, None), (0, None), (0, 0, None))
    assert coverage(figures) == ((0, 0, None), (0, 0, None), 0)
    secretary = home(client, area.secretary_a).context  # a branch: its own row and nothing below
    assert [row.label for row in secretary["area_rows"]] == ["甲村党支部"]
    assert commitments(secretary["area_total"])[2] == (2, 70.0)


def test_a_member_gets_no_figures(client, area):
    context = home(client, area.member_user).context
    assert "area_root" not in context
    client.force_login(area.member_user)
    assert client.get(reverse("portal:home"), {"org": area.branch_a.pk}).status_code == 200  # ignored


def test_without_a_campaign_coverage_and_warnings_are_still_shown(client, area):
    Commitment.objects.all().delete()
    area.campaign.delete()
    response = home(client, area.committee_a)
    assert response.context["campaign"] is None
    assert coverage(response.context["area_total"]) == ((1, 2, 50.0), (1, 2, 50.0), 2)
    assert response.content.decode().count('<svg class="chart"') == 1


@pytest.mark.parametrize("extra", [0, 40])
def test_the_dashboard_runs_a_fixed_number_of_queries(client, area, extra, django_assert_num_queries):
    branches = [
        OrganizationFactory(name=f"新区{i:03}党支部", code=f"XQ-{i:03}", parent=area.town_a, sector="rural")
        for i in range(extra)
    ]
    for i, branch in enumerate(branches):
        MemberFactory(organization=branch)
        UnitFactory(organization=branch, party_members=i % 5, coverage=["single", "none", "work", "joint"][i % 4])
    bulk_commitments(area.campaign, branches, Commitment.State.PUBLISHED)
    client.force_login(area.committee_a)
    with django_assert_num_queries(26):  # with review cycles (2) and the mass evaluation's year (1)
        response = client.get(reverse("portal:home"))
    assert len(response.context["area_rows"]) == 1 + min(2 + extra, 30)  # a page of subordinates
    assert response.context["area_total"].commitments.organizations == 2 + extra
