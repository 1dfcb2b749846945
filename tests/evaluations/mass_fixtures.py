"""Mass evaluation fixtures on top of the suite-wide ``cast`` (tests/conftest.py); test modules import them
with ``from .mass_fixtures import *``.

``mass_campaign`` runs over the city with the seeds' criteria and an evaluation step (opened 10 days ago,
due in 20 days). ``draft`` is town_a's round in it, prepared by committee_a (ballots from 5 days ago to
20 days ahead); ``opened`` is the same round opened: branch_a and branch_a2 are evaluated
(``participant_a``, ``participant_a2``), each of the community sector (the general 五个好 and 五带头).
"""

import datetime

import pytest
from django.urls import reverse

from campaigns.services import create_campaign
from evaluations import mass_services as services
from evaluations.mass_models import Option, Participant, Round, Target

from ..factories import MemberFactory

TODAY = datetime.date.today()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def mass_campaign(cast):
    return create_campaign(
        cast.office,
        name="2026年创先争优活动",
        area=cast.city,
        starts_on=days(-400),
        ends_on=days(300),
        milestones=[{"kind": "evaluation", "title": "年度群众评议", "opens_on": days(-10), "due_on": days(20)}],
    )


def new_round(cast, campaign, org=None, **fields):
    values = {"title": "甲镇2026年度群众评议", "opens_on": days(-5), "closes_on": days(20), **fields}
    return services.create_round(cast.committee_a, campaign, org or cast.town_a, **values)


@pytest.fixture
def draft(cast, mass_campaign):
    return new_round(cast, mass_campaign)


def open_it(round, actor):
    services.open_round(actor, round, round.version)
    round.refresh_from_db()
    return round


@pytest.fixture
def opened(cast, draft):
    MemberFactory(name="赵一", organization=cast.branch_a)
    return open_it(draft, cast.committee_a)


@pytest.fixture
def participant_a(cast, opened):
    return Participant.objects.select_related("round", "organization").get(round=opened, organization=cast.branch_a)


@pytest.fixture
def participant_a2(cast, opened):
    return Participant.objects.select_related("round", "organization").get(round=opened, organization=cast.branch_a2)


def codes_for(participant, n=1, actor=None):
    _batch, codes = services.generate_codes(actor, participant, n)
    return codes


def options(round):
    return list(Option.objects.filter(round=round).order_by("order"))


def org_questions(participant):
    return participant.round.questions_for(Target.ORGANIZATION, participant.organization.sector)


def member_questions(participant):
    return participant.round.questions_for(Target.MEMBER, participant.organization.sector)


def answers(participant, choice=0, member_choices=None):
    """The POST data answering every question about the organization with the ``choice``-th option, and
    ``member_choices`` ({member: choice index}) every question about those members."""
    scale = options(participant.round)
    data = {f"q{q.pk}": str(scale[choice].pk) for q in org_questions(participant)}
    for member, index in (member_choices or {}).items():
        for q in member_questions(participant):
            data[f"m{member.pk}-q{q.pk}"] = str(scale[index].pk)
    return data


def vote(client, code, participant, choice=0, member_choices=None, **extra):
    data = {"code": code, **answers(participant, choice, member_choices), **extra}
    return client.post(reverse("evaluations:mass_ballot_submit"), data)


def cast_directly(participant, choices, member=None):
    """Ballots stored through the service, one per entry of ``choices`` (option index for every question)."""
    scale = options(participant.round)
    questions = member_questions(participant) if member else org_questions(participant)
    for choice in choices:
        code = codes_for(participant)[0]
        services.cast_ballot(code, participant, [(q, member, scale[choice]) for q in questions])


__all__ = [
    "draft",
    "mass_campaign",
    "opened",
    "participant_a",
    "participant_a2",
]


def close_it(round, actor):
    round.refresh_from_db()
    services.close_round(actor, round, round.version)
    round.refresh_from_db()
    return round


def past(round):
    """Move ``round``'s dates into the past (balloting over), without touching its state."""
    Round.objects.filter(pk=round.pk).update(opens_on=days(-30), closes_on=days(-1))
    round.refresh_from_db()
    return round
