"""The demo's own reviews: a few branches of 松陵镇 that have held their 专题组织生活会 in the open review cycle.

``seed(campaign)`` (wired into ``manage.py seed_demo``) takes the demo campaign's open review cycle and, for
the neighbour branch 松陵镇鲈乡社区党支部 and up to three more branches of 松陵镇 of other sectors (a
community, an agency, a social organization where the city has them), writes what the organization's own
review holds once it is done: the meeting (a campaigns ``Meeting`` of kind REVIEW, with staff
representatives), every member's report (one or two absent, with the reason), the self-assessment per
criterion with a summary, and every member's scores with a grade and a comment.

The ``secretary``'s branch, 松陵镇流虹社区党支部, gets none of this: recording its meeting, the reports, the
self-assessment and the member scores is what the demo (and tests/e2e/test_branch_review.py) shows.

Rows are written with ``bulk_create`` and entered, as the organizations have no accounts of their own, by
the ``office`` account (the campaign office enters their paper returns), as in ``commitments.demo``.
Deterministic (a generator seeded with ``portal.demo.SEED``; dates counted from the cycle's opening) and
idempotent: a branch whose review is already there is left alone.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns.models import CriteriaSet, Meeting
from portal.demo import CITY_CODE, SEED
from portal.models import BRANCH_LEVELS, Organization

from .models import (
    GradeBands,
    MemberReport,
    MemberReview,
    MemberScore,
    ReviewCycle,
    SelfAssessment,
    SelfReview,
)
from .self_review import roll

TOWN = f"{CITY_CODE}-SL"
DEMO_BRANCH = f"{TOWN}-LH"  # 松陵镇流虹社区党支部: left for the demo's secretary
NEIGHBOUR = f"{TOWN}-LX"  # 松陵镇鲈乡社区党支部
OTHERS = 3  # branches besides the neighbour, of other sectors where possible
HALF = Decimal("0.5")

TOPIC = "创先争优活动定期讲评专题组织生活会"
MINUTES = (
    "支部书记通报上半年开展创先争优活动和践行公开承诺的情况，对照“{org_set}”逐项作自我评价；"
    "{present}名党员逐一讲述参加活动、兑现承诺的情况，开展批评与自我批评；{staff}名职工（居民）代表列席，"
    "对支部和党员提出意见建议{suggestions}条；会议对照“{member_set}”要求对每名党员进行了评议，"
    "并明确下半年的努力方向。"
)
REPORTS = (
    "按照承诺坚持每周参加志愿服务，走访困难党员和群众{n}户，帮助解决实际问题{m}件；对照承诺，联系群众还不够经常，下半年要固定走访时间。",
    "带头学习科学发展观和岗位业务知识，完成承诺的学习篇目，在本职岗位上牵头完成{m}项重点工作；不足是学习笔记不够系统。",
    "认领的党员先锋岗已按承诺开展服务{n}次，收到群众表扬{m}次；下一步要把服务延伸到周末和节假日。",
    "结对帮扶{m}户困难家庭，协调解决就业、就医等问题；承诺的{n}件实事已完成大半，剩余的将在年底前完成。",
    "在安全生产（环境整治）中带头巡查{n}次，发现并督促整改隐患{m}处；自我评价是作用发挥还不够主动，请同志们监督。",
    "参加组织生活和志愿服务{n}次，为群众代办事项{m}件；承诺中的学习目标完成较好，服务目标还需加把劲。",
)
ABSENT = ("因病请假", "外出务工，已书面报告参加活动情况", "在外参加培训，会后补充讲述", "照顾住院家属请假")
ASSESSMENTS = (
    "班子成员坚持每月集中学习，书记带头讲党课{n}次；班子团结协作，完成了上级党组织布置的各项任务。",
    "党员教育管理措施落实，流动党员“双向管理”到位，发展党员{m}名；党员先锋模范作用发挥较好。",
    "组织生活制度和党务公开制度健全，“三会一课”按时召开，党员议事、民主管理规范有序。",
    "围绕中心工作开展创先争优，完成承诺事项{n}项中的{m}项，群众得到实惠。",
    "开展服务群众活动{n}次，群众满意度测评较好；对群众反映的问题及时回应、限期整改。",
)
SUMMARY = (
    "对照“{org_set}”要求，本支部上半年各项工作总体达到承诺目标，自评{total}分。存在的问题：部分党员参加活动不够经常，"
    "承诺事项进度不平衡。下半年将加强督促，确保承诺全部兑现。"
)
COMMENTS = {
    "good": ("模范作用突出，承诺兑现好，群众评价高。", "带头作用明显，服务群众主动热情。"),
    "fairly_good": ("能按承诺参加活动，作用发挥较好，学习还需加强。", "工作认真负责，承诺事项推进较好。"),
    "average": ("承诺兑现进度偏慢，参加组织生活不够经常，请加强。",),
    "poor": ("未能按承诺参加活动，需要支部帮助督促。",),
}


def _score(rng, weight, low, high):
    """A score of ``weight`` between ``low`` and ``high`` (fractions of it), in half points."""
    value = Decimal(weight) * Decimal(str(rng.uniform(low, high)))
    return min(Decimal(weight), (value / HALF).quantize(Decimal(1)) * HALF)


def _branches():
    """The neighbour and up to ``OTHERS`` more active branches of 松陵镇, other sectors first (by code)."""
    town = Organization.objects.filter(code=TOWN).first()
    if town is None:
        return []
    candidates = list(
        Organization.objects.active()
        .filter(parent=town, level__in=BRANCH_LEVELS)
        .exclude(code=DEMO_BRANCH)
        .order_by("code")
    )
    chosen = [o for o in candidates if o.code == NEIGHBOUR]
    sectors = {o.sector for o in chosen}
    for org in candidates:
        if len(chosen) > OTHERS:
            break
        if org not in chosen and org.sector not in sectors:
            chosen.append(org)
            sectors.add(org.sector)
    chosen += [o for o in candidates if o not in chosen][: OTHERS + 1 - len(chosen)]
    return chosen


class Writer:
    """The rows of the branches' reviews, written parents first so that every foreign key has its id."""

    def __init__(self, campaign, cycle, actor):
        self.campaign, self.cycle, self.actor = campaign, cycle, actor
        self.rng = random.Random(f"{SEED}-own-reviews")
        self.bands = GradeBands.of(campaign)
        self.today = timezone.localdate()
        self.sets = {}

    def criteria(self, target, sector):
        if (target, sector) not in self.sets:
            criteria_set = self.campaign.criteria_for(target, sector)
            self.sets[target, sector] = (criteria_set, list(criteria_set.criteria.all()) if criteria_set else [])
        return self.sets[target, sector]

    def write(self, orgs):
        rng, cycle = self.rng, self.cycle
        latest = min(self.today, cycle.due_on)
        span = max(0, (latest - cycle.opens_on).days)
        plans = []
        for org in orgs:
            members = list(roll(org))
            held_on = cycle.opens_on + datetime.timedelta(days=rng.randint(min(2, span), span))
            absent = (
                set(rng.sample(range(len(members)), min(len(members) - 1, rng.randint(1, 2)))) if members else set()
            )
            plans.append((org, members, held_on, absent))
        meetings, reviews, reports, assessments, member_reviews, scores = [], [], [], [], [], []
        for org, members, held_on, absent in plans:  # parents are saved first below: Django fills in their ids
            meeting = self.meeting(org, members, held_on, absent)
            review = SelfReview(cycle=cycle, organization=org, meeting=meeting, updated_by=self.actor)
            meetings.append(meeting)
            reviews.append(review)
            reports += self.reports(review, members, absent)
            assessments += self.assessment(review, org)
            for member in members:
                member_review, values = self.member_review(org, member, held_on)
                member_reviews.append(member_review)
                scores.append(values)
        Meeting.objects.bulk_create(meetings)
        SelfReview.objects.bulk_create(reviews)
        MemberReport.objects.bulk_create(reports)
        SelfAssessment.objects.bulk_create(assessments)
        MemberReview.objects.bulk_create(member_reviews)
        MemberScore.objects.bulk_create(
            MemberScore(review=review, criterion=criterion, value=value)
            for review, values in zip(member_reviews, scores, strict=True)
            for criterion, value in values
        )
        return len(reviews)

    def meeting(self, org, members, held_on, absent):
        rng = self.rng
        staff = rng.randint(2, 5)
        text = MINUTES.format(
            org_set=self.criteria(CriteriaSet.Target.ORGANIZATION, org.sector)[0].name,
            member_set=self.criteria(CriteriaSet.Target.MEMBER, org.sector)[0].name,
            present=len(members) - len(absent),
            staff=staff,
            suggestions=rng.randint(3, 9),
        )
        return Meeting(
            campaign=self.campaign,
            organization=org,
            kind=Meeting.Kind.REVIEW,
            held_on=held_on,
            attendance=len(members) - len(absent),
            members_total=len(members),
            staff_representatives=staff,
            topic=TOPIC,
            minutes=text,
            recorded_by=self.actor,
        )

    def reports(self, review, members, absent):
        rng = self.rng
        out = []
        for index, member in enumerate(members):
            if index in absent:
                out.append(MemberReport(self_review=review, member=member, absent=True, text=rng.choice(ABSENT)))
            else:
                text = rng.choice(REPORTS).format(n=rng.randint(3, 12), m=rng.randint(2, 8))
                out.append(MemberReport(self_review=review, member=member, text=text))
        return out

    def assessment(self, review, org):
        rng = self.rng
        criteria_set, criteria = self.criteria(CriteriaSet.Target.ORGANIZATION, org.sector)
        rows = [
            SelfAssessment(
                self_review=review,
                criterion=criterion,
                value=_score(rng, criterion.weight, 0.8, 0.97),
                text=ASSESSMENTS[index % len(ASSESSMENTS)].format(n=rng.randint(4, 12), m=rng.randint(1, 4)),
            )
            for index, criterion in enumerate(criteria)
        ]
        total = sum((row.value for row in rows), Decimal(0))
        review.summary = SUMMARY.format(org_set=criteria_set.name, total=f"{total.normalize():f}")
        return rows

    def member_review(self, org, member, held_on):
        rng = self.rng
        criteria_set, criteria = self.criteria(CriteriaSet.Target.MEMBER, org.sector)
        low = rng.choice((0.6, 0.75, 0.8, 0.85, 0.85, 0.9))
        values = [(criterion, _score(rng, criterion.weight, low, 1.0)) for criterion in criteria]
        total = sum((value for _c, value in values), Decimal(0))
        grade = self.bands.grade(total, sum((c.weight for c in criteria), Decimal(0)))
        at = timezone.make_aware(
            datetime.datetime.combine(held_on, datetime.time(rng.randint(14, 17), rng.randint(0, 59)))
        )
        review = MemberReview(
            cycle=self.cycle,
            member=member,
            organization=org,
            criteria_set=criteria_set,
            total=total,
            grade=grade,
            comment=rng.choice(COMMENTS[grade]),
            scored_by=self.actor,
            scored_at=min(at, timezone.now()),
        )
        return review, values


@transaction.atomic
def seed(campaign):
    """Give a few branches of 松陵镇 a finished own review in ``campaign``'s open review cycle.

    Returns how many reviews were written (0 when there is no open cycle or they are all there already).
    """
    cycle = ReviewCycle.objects.current(campaign)
    if cycle is None or cycle.state() != "open":
        return 0
    done = set(SelfReview.objects.filter(cycle=cycle).values_list("organization_id", flat=True))
    orgs = [org for org in _branches() if org.pk not in done and campaign.includes(org)]
    if not orgs:
        return 0
    actor = get_user_model().objects.filter(username="office").first()
    return Writer(campaign, cycle, actor).write(orgs)
