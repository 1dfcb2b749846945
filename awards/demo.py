"""The demo's award rounds in the demo campaign (``seed(campaign)``, called by ``seed_demo``).

Two rounds of the city committee, so that every step can be tried the day the demo is built:

- **2011年度全市“一先两优”评选表彰** (nominating, due in 30 days; the first review cycle counts):
  the members of the ``secretary``'s branch 松陵镇流虹社区党支部 and of its neighbour 松陵镇鲈乡社区党支部
  have their review scores for that cycle (most good, a few not good enough, so the rules show passes
  and fails); 松陵镇's branches have theirs too. The neighbour branch has nominated two members: one
  is forwarded to 松陵镇党委 (in the ``committee`` account's hands), the other still with the branch;
  松陵镇党委 has nominated 松陵镇鲈乡社区党支部 as 先进基层党组织 and forwarded it to the city, where
  the ``office`` account has put it on the list. The demo branch itself has nominated nobody: that is
  the first step of the journey (nominate 钱志明, forward, shortlist, announce …).
- **2010年度全市“一先两优”评选表彰** (announced: the 公示 ended yesterday): three candidates on the
  list, one objection answered and one still open. The ``office`` account answers it, approves the
  round, downloads the certificates, and the honour roll shows the awards.

Deterministic and idempotent: nothing is done when the rounds exist; actors are the demo accounts.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns.models import CriteriaSet
from evaluations.models import MemberReview, OrganizationReview, ReviewCycle
from portal.demo import CITY_CODE
from portal.models import Member, Organization

from .models import AwardCategory, AwardQuota, AwardRound, Nomination, Objection

CURRENT = "2011年度全市“一先两优”评选表彰"
PAST = "2010年度全市“一先两优”评选表彰"
DEMO_BRANCH = f"{CITY_CODE}-SL-LH"
NEIGHBOUR = f"{CITY_CODE}-SL-LX"
TOWN = "松陵镇党委"
# Review totals (out of 100) by position on the roll: most pass "fairly good" (80), some do not.
MEMBER_TOTALS = (92, 88, 76, 95, 84, 90, 69, 86, 93, 81, 78, 87)
ORG_TOTALS = (91, 85, 77, 89, 94, 72)
DEEDS_MEMBER = (
    "该同志担任社区党员志愿服务队队长，带领党员志愿者常年开展为老服务和小区环境整治，"
    "全年组织志愿活动五十余次；主动联系居民户八十余户，协调解决群众急难愁盼问题二十余件，群众满意度高。"
)
DEEDS_ORG = (
    "支部围绕“五个好”目标，建立党员“一对一”联系居民户制度，公开承诺事项全部兑现；"
    "打造“邻里互助”服务品牌，群众评议满意率连续两年位居全镇前列。"
)
OBJECTION_OPEN = "该同志所在单位去年发生过安全生产事故，建议核实其是否负有责任。"
OBJECTION_ANSWERED = "听说该支部的活动记录有补写的情况，请核实。"
ANSWER = "经核查，活动记录为当时所记，原件齐全，反映情况不属实，维持公示名单。"


def _users():
    names = ("office", "committee", "secretary")
    return {u.username: u for u in get_user_model().objects.filter(username__in=names)}


def _score(review, actor, total):
    """Record ``review`` with per-criterion scores making ``total`` percent of the full weight."""
    criteria = list(review.criteria_set.criteria.all())
    values = {c.pk: (c.weight * Decimal(total) / 100).quantize(Decimal("0.5")) for c in criteria}
    review.record(actor, None, values, on=review.cycle.due_on)  # as entered by the cycle's deadline


def _scored_members(cycle, org, actor):
    members = list(Member.objects.active().filter(organization=org).order_by("name", "pk"))
    for index, member in enumerate(members):
        review = MemberReview.start(cycle, member)
        if not review.is_complete:
            _score(review, actor, MEMBER_TOTALS[index % len(MEMBER_TOTALS)])
    return members


def _scored_branches(cycle, town, actor):
    branches = list(town.children.filter(status=Organization.Status.ACTIVE).order_by("path"))
    for index, branch in enumerate(branches):
        review = OrganizationReview.start(cycle, branch)
        if not review.is_complete:
            _score(review, actor, ORG_TOTALS[index % len(ORG_TOTALS)])


def _rules(round, **rules):
    for name, values in rules.items():
        AwardCategory.objects.filter(round=round, name=name).update(**values)


@transaction.atomic
def seed(campaign):
    """The two demo rounds over ``campaign`` (see the module's docstring); None when they exist."""
    if AwardRound.objects.filter(campaign=campaign, title__in=(CURRENT, PAST)).exists():
        return None
    users = _users()
    office, committee, secretary = users["office"], users["committee"], users["secretary"]
    city = campaign.area
    town = Organization.objects.get(name=TOWN, parent=city)
    branch, neighbour = Organization.objects.get(code=DEMO_BRANCH), Organization.objects.get(code=NEIGHBOUR)
    today = timezone.localdate()
    # The awards draw on the last closed cycle (evaluations/demo.py makes one): the open cycle stays the
    # demo users' work.
    cycles = ReviewCycle.objects.of_campaign(campaign)
    cycle = (
        cycles.filter(milestone__due_on__lt=today).order_by("-milestone__due_on").first()
        or cycles.order_by("milestone__due_on").first()
    )

    current = AwardRound.open(
        AwardRound(
            campaign=campaign,
            organizer=city,
            title=CURRENT,
            nominations_due_on=today + datetime.timedelta(days=30),
            reviews_from=cycle.opens_on,
            reviews_to=cycle.due_on,
        ),
        office,
    )
    _rules(
        current,
        先进基层党组织={"min_fulfilment": None},
        优秀共产党员={"min_fulfilment": None},
    )
    categories = {c.name: c for c in current.categories.all()}
    for name, level, number in (
        ("优秀共产党员", "branch", 2),
        ("优秀共产党员", "town", 5),
        ("先进基层党组织", "town", 3),
    ):
        AwardQuota.objects.create(round=current, category=categories[name], level=level, number=number)
    AwardQuota.objects.create(round=current, category=categories["优秀共产党员"], organization=city, number=10)
    AwardQuota.objects.create(round=current, category=categories["先进基层党组织"], organization=city, number=5)

    # The smallest demo cities (seed_demo --members at its minimum) may leave the neighbour one member.
    enough = Member.objects.active().filter(organization=neighbour).count() >= 2
    if CriteriaSet.objects.filter(campaign=campaign).exists() and cycle is not None and enough:
        _scored_members(cycle, branch, secretary)
        neighbours = _scored_members(cycle, neighbour, committee)
        _scored_branches(cycle, town, committee)
        excellent = categories["优秀共产党员"]
        forwarded = Nomination.nominate(committee, current, excellent, member=neighbours[0], deeds=DEEDS_MEMBER)
        forwarded.forward(committee, forwarded.version, "支部党员大会推荐，同意上报。")
        Nomination.nominate(committee, current, excellent, member=neighbours[1], deeds=DEEDS_MEMBER)
        advanced = Nomination.nominate(
            committee, current, categories["先进基层党组织"], organization=neighbour, deeds=DEEDS_ORG
        )
        advanced.forward(committee, advanced.version, "镇党委会议研究，同意推荐。")
        advanced.refresh_from_db()
        advanced.put_on_list(office, advanced.version, "符合条件，列入公示名单。")

    _past_round(campaign, city, neighbour, office, committee, today)
    return current


def _past_round(campaign, city, neighbour, office, committee, today):
    """Last year's round, its 公示 over since yesterday, with one objection answered and one open."""
    past = AwardRound.open(
        AwardRound(
            campaign=campaign,
            organizer=city,
            title=PAST,
            nominations_due_on=today - datetime.timedelta(days=20),
            publicity_days=7,
            reviews_from=campaign.starts_on,
            reviews_to=campaign.starts_on,
        ),
        office,
    )
    AwardCategory.objects.filter(round=past).update(
        min_grade="", min_fulfilment=None, min_satisfaction=None, no_open_rectification=False
    )
    categories = {c.name: c for c in past.categories.all()}
    # Written as the earlier steps left them (the dates lie in the past, which the methods refuse).
    members = list(
        Member.objects.active().filter(organization=neighbour, status=Member.Status.FULL).order_by("pk")[2:4]
    )
    rows = [(categories["先进基层党组织"], neighbour, None, DEEDS_ORG)] + [
        (categories["优秀共产党员"], m.organization, m, DEEDS_MEMBER) for m in members
    ]
    listed = [
        Nomination.objects.create(
            round=past,
            category=category,
            organization=org,
            member=member,
            holder=city,
            deeds=deeds,
            state=Nomination.State.SHORTLISTED,
            created_by=committee,
        )
        for category, org, member, deeds in rows
    ]
    AwardRound.objects.filter(pk=past.pk).update(
        state=AwardRound.State.PUBLICITY,
        publicity_starts_on=today - datetime.timedelta(days=7),
        publicity_ends_on=today - datetime.timedelta(days=1),
    )
    past.refresh_from_db()
    answered = Objection.objects.create(
        round=past, nomination=listed[0], contact="13900001234", body=OBJECTION_ANSWERED, name="群众"
    )
    answered.answer_with(office, ANSWER, Objection.Outcome.DISMISSED)
    if len(listed) > 1:
        Objection.objects.create(
            round=past, nomination=listed[1], contact="wj-resident@example.com", body=OBJECTION_OPEN
        )


__all__ = ["seed"]
