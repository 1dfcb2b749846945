"""Review fixtures on top of the suite-wide ``cast`` (tests/conftest.py).

``campaign`` runs over the city with the seeds' criteria and two review cycles: ``cycle`` is open
(it opened 10 days ago and is due in 20), ``past_cycle`` closed 100 days ago. ``today`` is the date the
tests treat as today.
"""

import datetime

import pytest

from campaigns.services import create_campaign
from evaluations.models import ReviewCycle

TODAY = datetime.date.today()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def campaign(cast):
    return create_campaign(
        cast.office,
        name="2026年创先争优活动",
        area=cast.city,
        starts_on=days(-400),
        ends_on=days(300),
        milestones=[
            {"kind": "review", "title": "上半年定期讲评", "opens_on": days(-160), "due_on": days(-100)},
            {"kind": "review", "title": "下半年定期讲评", "opens_on": days(-10), "due_on": days(20)},
        ],
    )


@pytest.fixture
def cycles(campaign):
    return list(ReviewCycle.objects.of_campaign(campaign).order_by("milestone__due_on"))


@pytest.fixture
def cycle(cycles):
    return cycles[1]


@pytest.fixture
def past_cycle(cycles):
    return cycles[0]


def criteria(review):
    return list(review.criteria_set.criteria.all())


def full_marks(review, minus=0):
    """{criterion id: weight} with ``minus`` taken off the first criterion."""
    values = {c.pk: c.weight for c in criteria(review)}
    first = next(iter(values))
    values[first] -= minus
    return values
