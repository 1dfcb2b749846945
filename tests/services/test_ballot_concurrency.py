"""One code, one ballot under concurrent requests; a round never closes under a ballot being stored.

Parallel requests from threads, each with its own database connection, against PostgreSQL (on SQLite,
which takes one writer at a time, there is no concurrency to test: these skip).
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from evaluations import mass_services as services
from evaluations.mass_models import Ballot, BallotCode, Participant, Result, Round

from ..evaluations.mass_fixtures import answers, codes_for, new_round, open_it

pytestmark = pytest.mark.services

THREADS = 8


@pytest.fixture
def concurrent(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite takes one writer at a time, there is no race to test")


@pytest.fixture
def participant(concurrent, cast):
    from campaigns.services import create_campaign

    from ..evaluations.mass_fixtures import days

    campaign = create_campaign(
        cast.office, name="并发测试活动", area=cast.city, starts_on=days(-100), ends_on=days(100)
    )
    round = open_it(new_round(cast, campaign), cast.committee_a)
    cache.clear()
    return Participant.objects.select_related("round", "organization").get(round=round, organization=cast.branch_a)


def in_parallel(*jobs):
    """Run the callables at the same moment, each in a thread with its own connection; their results."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)
    errors = []

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def submit(code, data):
    def post():
        return Client().post(reverse("evaluations:mass_ballot_submit"), {"code": code, **data}).status_code

    return post


def test_a_code_used_by_parallel_requests_gives_exactly_one_ballot(participant):
    code = codes_for(participant)[0]
    data = answers(participant)
    statuses = in_parallel(*[submit(code, data) for _n in range(THREADS)])
    assert sorted(statuses) == [200] * (THREADS - 1) + [302]  # one ballot, the others told the code is used
    assert Ballot.objects.count() == 1
    assert list(BallotCode.objects.values_list("used", flat=True)) == [True]


def test_closing_waits_for_the_ballots_being_stored(participant, cast):
    codes = codes_for(participant, THREADS)
    data = answers(participant)
    round = Round.objects.get(pk=participant.round_id)

    def close():
        services.close_round(cast.committee_a, round, round.version)
        return "closed"

    results = in_parallel(*[submit(code, data) for code in codes], close)
    assert results[-1] == "closed"
    stored = Ballot.objects.count()
    assert stored == results.count(302)
    # Every stored ballot is in the published results, none is missing and none came after the close.
    overall = Result.objects.get(participant=participant, member=None, question=None)
    assert overall.valid == stored * len(data)
    assert BallotCode.objects.filter(used=True).count() == stored
