"""The superior's review pages keep a fixed number of queries as the number of subordinates grows."""

import pytest
from django.urls import reverse

from commitments.models import Commitment
from evaluations.models import Reopening

from ..commitments.factories import bulk_commitments
from ..factories import OrganizationFactory
from .committee import scored, scored_in_the_past, self_review
from .conftest import days

SIZES = [2, 14]


def grow(cast, cycle, past_cycle, campaign, size):
    """``size`` more branches under town_a (every third an agency: another criteria set), each with a published
    commitment of two items, a self-review with self-scores, a score in both cycles (every other one complete),
    and a reopening of its own entries in the locked cycle."""
    branches = [
        OrganizationFactory(
            name=f"新支部{i:03d}", code=f"NEW-{i}", parent=cast.town_a, sector="agency" if i % 3 == 0 else "rural"
        )
        for i in range(size)
    ]
    bulk_commitments(campaign, branches, Commitment.State.PUBLISHED)
    for i, branch in enumerate(branches):
        self_review(cycle, branch, f"{branch.name}的自评", [18, 17, 16])
        scored(cycle, branch, cast.committee_a, [18, 18, 17, 16, 15 if i % 2 else None])
        scored_in_the_past(past_cycle, branch, cast.committee_a, [18, 18, 17, 16, 15])
        Reopening.grant(cast.committee_a, past_cycle, branch, Reopening.Kind.OWN, days(3), "补录")
    return branches


# Queries per page, measured. Every page: session and user (2), the scope's roles and member record (2), and
# saving the session after the response (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release = 3).
BASE = 7
# The organization (with its superior); the cycles of the campaigns covering it (missing cycles, the list), the
# current one picked from that list when none is asked for.
CYCLES = 3
EXPECTED = {
    # count and page of subordinates, criteria sets with their criteria (2), reviews with their scores (2),
    # self-reviews with their self-scores (2), commitment figures (3), reopenings, grade bands, scored count
    "score": BASE + CYCLES + 14,
    # the locked cycle: the same, but its self-reviews are none, so there are no self-scores to fetch
    "score_locked": BASE + CYCLES + 13,
    # ranking: count and page, grade distribution, unscored (count, first names)
    "ranking": BASE + CYCLES + 5,
    # calibration: overall, per scorer, per criterion
    "calibration": BASE + CYCLES + 3,
}


def urls(cast, past_cycle):
    return {
        "score": reverse("evaluations:score", args=[cast.town_a.pk]),
        "score_locked": reverse("evaluations:score", args=[cast.town_a.pk]) + f"?cycle={past_cycle.pk}",
        "ranking": reverse("evaluations:ranking", args=[cast.town_a.pk]),
        "calibration": reverse("evaluations:calibration", args=[cast.town_a.pk]),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_fixed_query_count(client, cast, campaign, cycle, past_cycle, django_assert_num_queries, size, page):
    grow(cast, cycle, past_cycle, campaign, size)
    client.force_login(cast.committee_a)
    url = urls(cast, past_cycle)[page]
    client.get(url)  # the cycles are made on the first visit
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(url)
    assert response.status_code == 200
    if page.startswith("score"):
        assert len(response.context["rows"]) == size + 2


@pytest.mark.parametrize("size", SIZES)
def test_the_results_of_an_organization_keep_a_fixed_number_of_queries(
    client, cast, campaign, cycle, past_cycle, django_assert_num_queries, size
):
    branches = grow(cast, cycle, past_cycle, campaign, size)
    client.force_login(cast.committee_a)
    url = reverse("evaluations:organization_results", args=[branches[0].pk])
    client.get(url)
    # organization, cycles (2), reviews with scores and criteria (3), self-reviews, member figures, member count
    with django_assert_num_queries(BASE + 1 + 2 + 3 + 3):
        response = client.get(url)
    assert len(response.context["entries"]) == 2


@pytest.mark.parametrize("size", SIZES)
def test_saving_a_row_keeps_a_fixed_number_of_queries(
    client, cast, campaign, cycle, past_cycle, django_assert_num_queries, size
):
    from .committee import criteria_of, row_data

    grow(cast, cycle, past_cycle, campaign, size)
    client.force_login(cast.committee_a)
    url = reverse("evaluations:score", args=[cast.town_a.pk]) + f"?cycle={cycle.pk}"
    client.get(url)
    data = row_data(cast.branch_a, criteria_of(campaign, cast.branch_a), [18, 18, 18, 18, 18])
    # The organization, its cycles (2), the row's organization, the review to start (review, criteria set),
    # its criteria, recording it (criteria, savepoints, the review, one insert per criterion, the audit entry),
    # and the row shown again with the count: whatever the number of subordinates.
    with django_assert_num_queries(BASE + 31):
        response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"is-saved" in response.content
