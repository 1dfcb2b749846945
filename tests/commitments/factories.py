"""Factories of the commitment tests: a campaign with its criteria, and commitments in any state."""

import datetime

import factory
from django.utils import timezone

from campaigns.models import ActivityCarrier, Campaign, CriteriaSet, Criterion, Meeting, Milestone
from commitments.models import Commitment, Event, Item


def today():
    return timezone.localdate()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"创先争优活动{n}")
    starts_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=365))


def make_campaign(area, **kwargs):
    """A running campaign over ``area`` with 五个好 / 五带头, one carrier and a fulfilment step not yet open."""
    campaign = CampaignFactory(area=area, **kwargs)
    for target, name, titles in (
        (
            CriteriaSet.Target.ORGANIZATION,
            "五个好",
            ["领导班子好", "党员队伍好", "工作机制好", "发展业绩好", "群众反映好"],
        ),
        (
            CriteriaSet.Target.MEMBER,
            "五带头",
            ["带头学习提高", "带头争创佳绩", "带头服务群众", "带头遵纪守法", "带头弘扬正气"],
        ),
    ):
        criteria_set = CriteriaSet.objects.create(campaign=campaign, target=target, name=name)
        Criterion.objects.bulk_create(
            Criterion(criteria_set=criteria_set, order=i, title=title) for i, title in enumerate(titles, 1)
        )
    ActivityCarrier.objects.create(campaign=campaign, name="党员先锋岗")
    Milestone.objects.create(
        campaign=campaign,
        kind=Milestone.Kind.FULFILMENT,
        title="承诺兑现评议",
        opens_on=today() + datetime.timedelta(days=200),
        due_on=today() + datetime.timedelta(days=230),
    )
    return campaign


def open_assessment(campaign):
    campaign.milestones.filter(kind=Milestone.Kind.FULFILMENT).update(opens_on=today() - datetime.timedelta(days=1))


def criterion(campaign, target="organization"):
    return Criterion.objects.filter(criteria_set__campaign=campaign, criteria_set__target=target).order_by("order")[0]


def meeting_of(campaign, organization, **kwargs):
    fields = {
        "held_on": today() - datetime.timedelta(days=3),
        "attendance": 20,
        "members_total": 22,
        "staff_representatives": 2,
        "topic": "讨论创先争优公开承诺",
    }
    return Meeting.objects.create(campaign=campaign, organization=organization, **{**fields, **kwargs})


def add_item(commitment, weight=1, progress=0, fulfilment="", **kwargs):
    target = "member" if commitment.kind == Commitment.Kind.MEMBER else "organization"
    fields = {
        "content": "开展党员志愿服务",
        "target": "每季度不少于2次",
        "deadline": today() + datetime.timedelta(days=90),
        "criterion": criterion(commitment.campaign, target),
        "weight": weight,
        "progress": progress,
        "fulfilment": fulfilment,
    }
    return Item.objects.create(commitment=commitment, order=commitment.items.count() + 1, **{**fields, **kwargs})


STATE_STEPS = {
    Commitment.State.DRAFT: [],
    Commitment.State.SUBMITTED: ["submit"],
    Commitment.State.RETURNED: ["submit", "return"],
    Commitment.State.ACCEPTED: ["submit", "accept"],
    Commitment.State.PUBLISHED: ["submit", "accept", "publish"],
}


def make_commitment(campaign, organization=None, state="draft", member=None, items=1, audience="superior", actor=None):
    """A commitment brought to ``state`` through the model's own transitions (so its history is real).

    ``items``: how many items, or a list of ``add_item`` keyword arguments (weight, progress, fulfilment).
    """
    commitment = Commitment.start(
        actor, campaign, organization, audience, f"{(member or organization).name}的承诺", member=member
    )
    for fields in [{}] * items if isinstance(items, int) else items:
        add_item(commitment, **fields)
    for step in STATE_STEPS[state]:
        if step == "submit":
            if commitment.kind == Commitment.Kind.ORGANIZATION:
                commitment.attach_meeting(actor, meeting_of(campaign, commitment.organization))
            commitment.submit(actor)
        elif step == "return":
            commitment.return_for_changes(actor, "目标不够具体")
        else:
            getattr(commitment, step)(actor)
    return commitment


def bulk_commitments(campaign, organizations, state, items=2):
    """Many commitments quickly (for query counts): rows written directly, one per organization."""
    now = timezone.now()
    made = Commitment.objects.bulk_create(
        Commitment(
            campaign=campaign,
            kind=Commitment.Kind.ORGANIZATION,
            organization=org,
            acceptor_id=org.parent_id,
            title=f"{org.name}的承诺",
            state=state,
            submitted_at=now,
        )
        for org in organizations
    )
    crit = criterion(campaign)
    Item.objects.bulk_create(
        Item(
            commitment=c,
            order=i,
            content="承诺事项",
            target="目标",
            deadline=today(),
            criterion=crit,
            weight=i,
            progress=10 * i,
        )
        for c in made
        for i in range(1, items + 1)
    )
    Event.objects.bulk_create(Event(commitment=c, from_state="draft", to_state=state) for c in made)
    return made
