"""Roll-ups on a hand-computed area: weighted progress, % filed, % members committed, % fulfilled.

Area town_a (campaign over the city)::

    town_a (community)           own commitment published: item w1 p10, not assessed
    ├─ branch_a (community)      commitment submitted (filed; its items are not published)
    │     member_a               commitment published: item w2 p20, not fulfilled
    │     赵八                   no commitment
    ├─ branch_a2 (community)     commitment draft (not filed);  member_a2 no commitment
    └─ gb (agency)               commitment published: items w1 p50 fulfilled, w3 p100 partly
       └─ gb_branch (agency)     commitment returned (not filed)
    town_b / branch_b            published commitment with items: outside the area, never counted
"""

import pytest
from django.urls import reverse

from commitments import rollups
from portal.models import Sector
from portal.scope import Scope

from ..factories import MemberFactory, OrganizationFactory
from .factories import make_commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(fx):
    fx.gb = OrganizationFactory(name="机关党总支", code="GB", level="general_branch", sector="agency", parent=fx.town_a)
    fx.gb_branch = OrganizationFactory(name="机关一支部", code="GB-1", sector="agency", parent=fx.gb)
    MemberFactory(name="赵八", organization=fx.branch_a)
    campaign = fx.campaign
    make_commitment(campaign, fx.town_a, "published", items=[{"weight": 1, "progress": 10}])
    make_commitment(
        campaign, fx.branch_a, "submitted", items=[{"weight": 5, "progress": 90, "fulfilment": "fulfilled"}]
    )
    make_commitment(
        campaign, member=fx.member_a, state="published", items=[{"weight": 2, "progress": 20, "fulfilment": "not"}]
    )
    make_commitment(campaign, fx.branch_a2, "draft")
    make_commitment(
        campaign,
        fx.gb,
        "published",
        items=[
            {"weight": 1, "progress": 50, "fulfilment": "fulfilled"},
            {"weight": 3, "progress": 100, "fulfilment": "partly"},
        ],
    )
    make_commitment(campaign, fx.gb_branch, "returned")
    make_commitment(
        campaign, fx.branch_b, "published", items=[{"weight": 9, "progress": 100, "fulfilment": "fulfilled"}]
    )
    make_commitment(campaign, member=fx.member_b, state="submitted")
    return fx


def figures(f):
    return {
        "filed": (f.organizations_filed, f.organizations, f.filed_rate),
        "members": (f.members_filed, f.members, f.members_rate),
        "progress": (f.items, f.progress),
        "fulfilled": (f.fulfilled, f.partly, f.assessed, f.fulfilled_rate),
    }


def test_by_subordinate(area):
    groups = rollups.by_subordinate(Scope(area.committee_a), area.town_a, area.campaign)
    assert set(groups) == {area.town_a.path, area.branch_a.path, area.branch_a2.path, area.gb.path}
    assert figures(groups[area.branch_a.path]) == {
        "filed": (1, 1, 100.0),
        "members": (1, 2, 50.0),
        "progress": (1, 20.0),  # only the member's published item: the branch's own is merely submitted
        "fulfilled": (0, 0, 1, 0.0),
    }
    assert figures(groups[area.branch_a2.path]) == {
        "filed": (0, 1, 0.0),
        "members": (0, 1, 0.0),
        "progress": (0, None),
        "fulfilled": (0, 0, 0, None),
    }
    assert figures(groups[area.gb.path]) == {
        "filed": (1, 2, 50.0),  # gb itself filed, its branch's commitment was returned
        "members": (0, 0, None),
        "progress": (2, 87.5),  # (50×1 + 100×3) / 4
        "fulfilled": (1, 1, 2, 50.0),
    }
    assert figures(groups[area.town_a.path]) == {  # the root's own row
        "filed": (0, 0, None),
        "members": (0, 0, None),
        "progress": (1, 10.0),
        "fulfilled": (0, 0, 0, None),
    }
    assert figures(rollups.total(groups)) == {
        "filed": (2, 4, 50.0),
        "members": (1, 3, 33.3),
        "progress": (4, 57.1),  # (10×1 + 20×2 + 50×1 + 100×3) / 7 = 400 / 7
        "fulfilled": (1, 1, 3, 33.3),
    }


def test_by_sector_counted_with_the_subordinates_in_one_pass(area):
    subordinates, sectors = rollups.by_subordinate_and_sector(Scope(area.committee_a), area.town_a, area.campaign)
    assert subordinates == rollups.by_subordinate(Scope(area.committee_a), area.town_a, area.campaign)
    assert set(sectors) == {"community", "agency"}
    assert figures(sectors["community"]) == {
        "filed": (1, 2, 50.0),
        "members": (1, 3, 33.3),
        "progress": (2, 16.7),  # (20×2 + 10×1) / 3
        "fulfilled": (0, 0, 1, 0.0),
    }
    assert figures(sectors["agency"]) == {
        "filed": (1, 2, 50.0),
        "members": (0, 0, None),
        "progress": (2, 87.5),
        "fulfilled": (1, 1, 2, 50.0),
    }


def test_one_level_lower_is_the_same_arithmetic(area):
    groups = rollups.by_subordinate(Scope(area.committee_a), area.gb, area.campaign)
    assert figures(groups[area.gb_branch.path])["filed"] == (0, 1, 0.0)
    assert figures(groups[area.gb.path])["progress"] == (2, 87.5)
    assert rollups.total(groups).filed_rate == 0.0  # below gb: only gb_branch, which has not filed


def test_the_scope_narrows_the_figures(area):
    """Whole city for the office; a committee's figures never include what it cannot reach."""
    city = rollups.total(rollups.by_subordinate(Scope(area.office), area.city, area.campaign))
    # below the city: the two towns, the four under town_a, branch_b; filed: town_a, branch_a, gb, branch_b
    assert (city.organizations_filed, city.organizations) == (4, 7)
    assert city.items == 5
    outside = rollups.total(rollups.by_subordinate(Scope(area.committee_b), area.town_a, area.campaign))
    assert (outside.organizations, outside.members, outside.items) == (0, 0, 0)


def test_the_page_drills_down(client, area):
    client.force_login(area.committee_a)
    response = client.get(reverse("commitments:rollup_org", args=[area.town_a.pk]))
    assert response.status_code == 200
    rows = {child.code: f for child, f in response.context["rows"]}
    assert list(rows) == ["GB", "BR-A2", "BR-A"]  # by name: 机关… 甲二… 甲村…
    assert rows["GB"].progress == 87.5
    assert response.context["total"].filed_rate == 50.0
    assert [label for label, _f in response.context["sectors"]] == [Sector.COMMUNITY.label, Sector.AGENCY.label]
    drill = reverse("commitments:rollup_org", args=[area.gb.pk])
    assert drill in response.content.decode()
    lower = client.get(drill, {"campaign": area.campaign.pk})
    assert [child.code for child, _f in lower.context["rows"]] == ["GB-1"]
    assert [a.pk for a in lower.context["ancestors"]] == [area.town_a.pk]  # the city is above the officer's reach
    # The landing page of a user with one area is that area's roll-up.
    assert client.get(reverse("commitments:rollup")).context["org"] == area.town_a


def test_the_queue_shows_the_filing_rates_of_the_subordinates(client, area):
    client.force_login(area.committee_a)
    response = client.get(reverse("commitments:queue"))
    rows = [(child.code, f.filed_rate) for child, f in response.context["area_rows"]]
    assert rows == [("BR-A2", 0.0), ("GB", 50.0), ("BR-A", 100.0)]  # who filed least first
    assert response.context["area_total"].fulfilled_rate == 33.3


def test_who_sees_the_roll_up(client, area):
    url = reverse("commitments:rollup_org", args=[area.town_a.pk])
    client.force_login(area.secretary_a)
    assert client.get(url).status_code == 404
    assert client.get(reverse("commitments:rollup_org", args=[area.branch_a.pk])).status_code == 200
    client.force_login(area.committee_b)
    assert client.get(url).status_code == 404
    client.force_login(area.member_user)
    assert client.get(reverse("commitments:rollup_org", args=[area.branch_a.pk])).status_code == 403
    assert client.get(reverse("commitments:rollup")).status_code == 403


def test_a_large_area_counts_the_filed_members_the_same_way(area, monkeypatch):
    """From LARGE_AREA organizations on, filed members are matched against a list instead of looked up."""
    small = rollups.by_subordinate(Scope(area.office), area.city, area.campaign)
    monkeypatch.setattr(rollups, "LARGE_AREA", 1)
    assert rollups.by_subordinate(Scope(area.office), area.city, area.campaign) == small
    assert rollups.total(small).members_filed > 0
