"""Award fixtures on top of the suite-wide ``cast`` (tests/conftest.py).

``campaign`` runs over the city with the seeds' criteria and one review cycle that closed 30 days ago
(``cycle``); ``round`` is the city's award round with the default categories (``categories`` by
name: 先进基层党组织, 优秀共产党员, 优秀党务工作者), taking nominations for 10 more days, the cycle
counting for its rules. ``review`` and ``assess`` write the figures the rules read. The interface
speaks English (one test checks the Chinese default).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from awards.models import AwardRound
from campaigns.models import CriteriaSet
from campaigns.services import create_campaign
from commitments.models import Commitment, Item
from evaluations.models import GradeBands, MemberReview, OrganizationReview, ReviewCycle

TODAY = datetime.date.today()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(cast):
    return create_campaign(
        cast.office,
        name="2026年创先争优活动",
        area=cast.city,
        starts_on=days(-400),
        ends_on=days(300),
        milestones=[{"kind": "review", "title": "上半年定期讲评", "opens_on": days(-90), "due_on": days(-30)}],
    )


@pytest.fixture
def cycle(campaign):
    return ReviewCycle.objects.of_campaign(campaign).get()


def make_round(campaign, organizer, title="2026年度“一先两优”评选表彰", **fields):
    fields = {"nominations_due_on": days(10), "reviews_from": days(-60), "reviews_to": days(0), **fields}
    return AwardRound.open(AwardRound(campaign=campaign, organizer=organizer, title=title, **fields), None)


@pytest.fixture
def round(campaign, cast, cycle):
    return make_round(campaign, cast.city)


@pytest.fixture
def categories(round):
    return {c.name: c for c in round.categories.all()}


def review(cycle, total, organization=None, member=None):
    """A complete review of ``organization`` (by its superior) or ``member`` with ``total`` out of 100."""
    grade = GradeBands.of(cycle.campaign).grade(Decimal(total), 100)
    if member is not None:
        criteria_set = cycle.campaign.criteria_sets.filter(target=CriteriaSet.Target.MEMBER).first()
        return MemberReview.objects.create(
            cycle=cycle,
            member=member,
            organization=member.organization,
            criteria_set=criteria_set,
            total=Decimal(total),
            grade=grade,
        )
    criteria_set = cycle.campaign.criteria_sets.filter(target=CriteriaSet.Target.ORGANIZATION).first()
    return OrganizationReview.objects.create(
        cycle=cycle,
        organization=organization,
        reviewer=organization.parent,
        criteria_set=criteria_set,
        total=Decimal(total),
        grade=grade,
    )


def assess(campaign, fulfilled, assessed, organization=None, member=None):
    """A published commitment of ``organization`` (or ``member``) with ``assessed`` items, ``fulfilled`` of them so."""
    org = member.organization if member else organization
    commitment = Commitment.objects.create(
        campaign=campaign,
        kind=Commitment.Kind.MEMBER if member else Commitment.Kind.ORGANIZATION,
        organization=org,
        member=member,
        acceptor=org if member else org.parent,
        title="公开承诺",
        state=Commitment.State.PUBLISHED,
    )
    for i in range(assessed):
        Item.objects.create(
            commitment=commitment,
            order=i + 1,
            content="事项",
            target="目标",
            deadline=days(30),
            fulfilment=Item.Fulfilment.FULFILLED if i < fulfilled else Item.Fulfilment.PARTLY,
        )
    return commitment
