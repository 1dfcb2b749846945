"""List pages run a fixed number of SQL queries whatever the size of the data.

Each page is loaded with the area holding 3 and then 60 of everything it lists (members,
subordinate organizations, units, warnings, change-log entries); the count is asserted exactly,
so that a new per-row query (a missing select_related, a count in a loop) fails here. The counts
include the request's own queries: the session, the user, the user's roles and member record,
and saving the session again (idle expiry).
"""

import pytest
from django.urls import reverse

from portal.models import AuditEntry, Member, Unit

from ..factories import MemberFactory, OrganizationFactory, UnitFactory

SIZES = [3, 60]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}-rows")
def area(request, cast):
    """town_a with ``n`` more branches (each with a member and a unit), and ``n`` more members in branch_a.

    Built on the plain ``cast``, not on ``world``: objects other features add to the world (a campaign, say)
    would change what the pages show and so their counts.
    """
    world = cast
    n = request.param
    for i in range(n):
        branch = OrganizationFactory(name=f"新区{i:03}党支部", code=f"XQ-{i:03}", parent=world.town_a)
        MemberFactory(organization=branch, mobile=i % 2 == 0)
        UnitFactory(
            organization=branch,
            party_members=i % 5,
            above_scale=i % 3 == 0,
            coverage=list(Unit.Coverage.values)[i % 4],
        )
        MemberFactory(organization=world.branch_a, status=list(Member.Status.values)[i % 2], role="worker")
        AuditEntry.objects.create(
            verb=AuditEntry.Verb.UPDATE,
            object_type="portal.Organization",
            object_id=str(branch.pk),
            object_repr=branch.name,
            organization=branch,
            organization_path=branch.path,
            changes={"name": ["旧", branch.name]},
        )
    return world


# page → (URL of the page in the area, the number of queries it runs as committee_a).
PAGES = {
    "home": (lambda w: reverse("portal:home"), 18),  # with the area dashboard (no campaign: no commitment figures)
    "member_list": (lambda w: reverse("portal:member_list"), 9),
    "member_list_filtered": (lambda w: reverse("portal:member_list") + "?org=TOWN-A&status=full&role=any", 10),
    "org_tree": (lambda w: reverse("portal:org_tree"), 8),
    "org_search": (lambda w: reverse("portal:org_tree") + "?q=新区&level=branch", 9),
    "org_children": (lambda w: reverse("portal:org_children", args=[w.town_a.pk]), 10),
    "org_detail_committee": (lambda w: w.town_a.get_absolute_url(), 16),
    "org_detail_branch": (lambda w: w.branch_a.get_absolute_url(), 17),
    "warnings": (lambda w: reverse("portal:warnings"), 11),
    "audit_log": (lambda w: reverse("portal:org_audit", args=[w.town_a.pk]), 10),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_a_fixed_number_of_queries(client, area, page, django_assert_num_queries):
    url, queries = PAGES[page]
    client.force_login(area.committee_a)
    with django_assert_num_queries(queries):
        response = client.get(url(area))
    assert response.status_code == 200


def test_the_pages_do_list_the_grown_data(client, area):
    """The counts above are only meaningful if the pages show the rows; check that they do."""
    n = Member.objects.filter(organization=area.branch_a).count() - 1
    client.force_login(area.committee_a)
    assert client.get(reverse("portal:member_list")).context["page"].paginator.count == 2 + 2 * n
    assert len(client.get(reverse("portal:org_children", args=[area.town_a.pk])).context["nodes"]) == 2 + n
    detail = client.get(area.town_a.get_absolute_url()).context
    assert (len(detail["subordinates"]), len(detail["units"])) == (2 + n, n)
    assert client.get(reverse("portal:warnings")).context["page"].paginator.count == 1 + n  # branch_a2 and the new
