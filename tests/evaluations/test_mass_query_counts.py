"""The mass evaluation's list pages keep a fixed number of queries as the data grows."""

import pytest
from django.urls import reverse

from evaluations import mass_services as services
from evaluations.mass_models import Channel, Participant

from ..factories import MemberFactory, OrganizationFactory
from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import cast_directly, close_it, days, new_round, open_it

SIZES = [2, 12]


def grow(cast, campaign, size):
    """``size`` branches more under town_a, each with two members, ballots about it and one member, a ledger entry
    and (after closing) rectifications; ``size`` rounds more; returns the grown, closed round."""
    for i in range(size):
        branch = OrganizationFactory(name=f"新支部{i:02d}", code=f"NEW-{i}", parent=cast.town_a)
        MemberFactory.create_batch(2, organization=branch)
    round = open_it(new_round(cast, campaign), cast.committee_a)
    for p in Participant.objects.filter(round=round).select_related("round", "organization"):
        cast_directly(p, [2, 2, 2, 2, 2, 0])
        member = p.organization.members.first()
        if member:
            cast_directly(p, [0], member=member)
        services.record_entry(cast.secretary_a, p, Channel.HOTLINE, days(-1), f"{p.organization.name}热线意见")
    for i in range(size):
        new_round(cast, campaign, title=f"另一轮评议{i}")
    return close_it(round, cast.committee_a)


# Queries per page, measured. Every page: session and user (2), the scope's roles and member record (2),
# and saving the session after the response (savepoint, update, release: 3).
BASE = 7
EXPECTED = {
    "rounds": BASE + 3,  # count and page of rounds (campaign, organizer, participant count joined), the user's roots
    # the round, count and page of participants; the tally: options, questions, answers, paper counts,
    # ballots, paper ballots, codes, members named
    "round": BASE + 11,
    "ledger": BASE + 3,  # the round, count and page of entries
    "rectifications": BASE + 2,  # count and page
}


def urls(round):
    return {
        "rounds": reverse("evaluations:mass_rounds"),
        "round": reverse("evaluations:mass_round", args=[round.pk]),
        "ledger": reverse("evaluations:mass_ledger", args=[round.pk]),
        "rectifications": reverse("evaluations:mass_rectifications"),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_fixed_query_count(client, cast, mass_campaign, django_assert_num_queries, size, page):
    round = grow(cast, mass_campaign, size)
    client.force_login(cast.committee_a)
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(urls(round)[page])
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_show_the_grown_data(client, cast, mass_campaign, size):
    round = grow(cast, mass_campaign, size)
    client.force_login(cast.committee_a)
    pages = {name: client.get(url) for name, url in urls(round).items()}
    assert pages["rounds"].context["page"].paginator.count == size + 1
    assert len(pages["round"].context["rows"]) == size + 2
    entries = pages["ledger"].context["page"].paginator.count
    assert entries == 3 * (size + 2)  # for each organization: the hotline, its results, its member's results
    assert pages["rectifications"].context["page"].paginator.count == 5 * (size + 2)
