"""List, queue, roll-up and missing-members pages keep a fixed number of queries as the data grows."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Evidence

from ..factories import MemberFactory, OrganizationFactory
from .factories import bulk_commitments, make_commitment

pytestmark = pytest.mark.django_db

SIZES = [2, 25]


def grow(fx, size):
    """``size`` more branches under town_a, each with a submitted commitment of two items, and a published
    one with a member's commitment; members without a commitment in branch_a."""
    branches = [
        OrganizationFactory(name=f"新支部{i:03d}", code=f"NEW-{i}", parent=fx.town_a, sector="rural")
        for i in range(size)
    ]
    bulk_commitments(fx.campaign, branches, Commitment.State.SUBMITTED)
    published = [OrganizationFactory(name=f"公开支部{i:03d}", code=f"PUB-{i}", parent=fx.town_a) for i in range(size)]
    bulk_commitments(fx.campaign, published, Commitment.State.PUBLISHED)
    for i in range(size):
        member = MemberFactory(name=f"未承诺{i:03d}", organization=fx.branch_a)
        if i % 2:
            make_commitment(fx.campaign, member=member, state="published")
    return branches


# Queries per page, measured. Every page: session and user (2), the scope's roles and member record (2),
# and saving the session after the response (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release = 3).
BASE = 7
EXPECTED = {
    # count and page of commitments, the user's roots, the campaign filter's choices
    "list": BASE + 4,
    # count and page of the queue; the area's top, its newest campaign, its children, 3 aggregates
    "queue": BASE + 8,
    # organization, ancestors, chosen campaign, 3 aggregates (by subordinate and sector at once), children
    # count and page, campaign select (2)
    "rollup": BASE + 10,
    # organization, chosen campaign, campaign choices, member count, missing count and page
    "missing": BASE + 6,
}


def urls(fx):
    return {
        "list": reverse("commitments:list"),
        "queue": reverse("commitments:queue"),
        "rollup": reverse("commitments:rollup_org", args=[fx.town_a.pk]),
        "missing": reverse("commitments:missing", args=[fx.branch_a.pk]),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_fixed_query_count(client, fx, django_assert_num_queries, size, page):
    grow(fx, size)
    client.force_login(fx.committee_a)
    url = urls(fx)[page]
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_show_the_grown_data(client, fx, size):
    grow(fx, size)
    client.force_login(fx.committee_a)
    pages = {name: client.get(url) for name, url in urls(fx).items()}
    assert pages["list"].context["page"].paginator.count == 2 * size + size // 2
    assert pages["queue"].context["page"].paginator.count == size
    assert len(pages["rollup"].context["rows"]) == 2 * size + 2
    assert pages["missing"].context["page"].paginator.count == size - size // 2 + 1  # and member_a


@pytest.mark.parametrize("items", [1, 6])
def test_the_commitment_page_keeps_a_fixed_number_of_queries(client, fx, django_assert_num_queries, items):
    commitment = make_commitment(fx.campaign, fx.branch_a, "published", items=items)
    for item in commitment.items.all():
        for step in (30, 60):
            update = item.post_progress(fx.secretary_a, "进展", step)
            Evidence.objects.create(
                update=update, file="evidence/x.pdf", name="x.pdf", content_type="application/pdf", size=9
            )
    client.force_login(fx.committee_a)
    # commitment (with its progress), fulfilment step open?, items, updates, evidence, events
    with django_assert_num_queries(BASE + 6):
        response = client.get(commitment.get_absolute_url())
    assert len(response.context["items"]) == items
