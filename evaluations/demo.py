"""The demo's superior reviews (讲评 / 领导点评): a closed cycle fully scored in 松陵镇, and the open one begun.

``seed(campaign)`` (wired into ``manage.py seed_demo``) writes, in the demo campaign:

- **a closed cycle**: when the campaign has no review cycle that has closed yet, a review step
  "上年度下半年定期讲评（领导点评）" that opened about 200 days ago and closed about 170 days ago. In it
  every active subordinate of 松陵镇党委 is scored with the three comments — by the ``committee``
  account, a quarter of them by the ``office`` account, which enters paper returns and scores a little
  more leniently (the calibration view shows it) — and 松陵镇党委 itself by the city (``office``).
  Elsewhere about three organizations in five are scored, by ``office``. One reopening of a
  branch's own entries, granted by ``committee``, is recorded.
- **the open cycle** (the schedule's first review step, open now): in 松陵镇 every third subordinate is
  already scored by ``committee`` through ``OrganizationReview.record`` (so the audit trail has them),
  one more is half done, and the rest wait: that is the ``committee`` account's work in the demo (and
  tests/e2e/test_review_scoring.py's). Elsewhere about one organization in five is scored.

Scores follow each organization's quality (drawn once per organization) with a little noise per
criterion, in half points, against the criteria set of its sector. Rows are written with ``bulk_create``
a thousand organizations at a time, so ``seed_demo --orgs 100000`` stays quick. Deterministic (a
generator seeded with ``portal.demo.SEED``; dates counted from today) and idempotent: nothing is written
when the campaign already has organization reviews.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import reset_queries, transaction
from django.utils import timezone

from campaigns.models import CriteriaSet, Milestone
from portal.demo import CITY_CODE, SEED
from portal.models import Organization

from .models import GradeBands, OrganizationReview, OrganizationScore, Reopening, ReviewCycle

TOWN = f"{CITY_CODE}-SL"
PAST_TITLE = "上年度下半年定期讲评（领导点评）"
PAST_OPENS, PAST_DUE = -200, -170  # days from today
CHUNK = 1000
BATCH = 2000
HALF = Decimal("0.5")
PAST_SHARE, OPEN_SHARE = 0.6, 0.2  # organizations scored outside 松陵镇
LENIENT_FROM = 0.88  # the office scores 松陵镇's branches from this share of the full score up (committee: 0.68)

ACHIEVEMENTS = (
    "班子团结，书记带头讲党课，“三会一课”坚持得好，公开承诺事项推进有序。",
    "围绕中心工作开展创先争优，党员先锋岗作用明显，群众满意度较高。",
    "党务公开栏按时更新，承诺事项和办理情况及时公开，接受群众监督。",
    "组织党员志愿服务常态化，结对帮扶困难群众取得实效。",
    "发展党员工作规范，流动党员“双向管理”落实到位。",
    "专题组织生活会准备充分，党员人人讲述、相互评议，效果较好。",
    "结合本单位实际创新活动载体，形成了有特色的党建品牌。",
    "对群众反映的问题建立台账、限期办结，群众评价好。",
)
PROBLEMS = (
    "部分承诺事项进度偏慢，个别事项目标不够量化。",
    "党员参加组织生活不够经常，流动党员联系还有薄弱环节。",
    "活动记录和台账资料不够完整，佐证材料收集不及时。",
    "服务群众的方式还比较单一，职工（居民）代表参与不多。",
    "班子成员学习不够系统，理论联系实际还有差距。",
    "对青年党员的教育培养措施还不够具体。",
)
DIRECTIONS = (
    "对照承诺逐项排出时间表，确保年底前全部兑现。",
    "坚持“三会一课”，落实党员联系服务群众制度，扩大群众参与。",
    "规范活动台账，及时收集整理进展情况和佐证材料。",
    "进一步创新活动载体，把创先争优与中心工作紧密结合。",
    "加强班子自身建设，提高抓党建、促发展的能力。",
    "加大发展党员和教育管理力度，发挥党员先锋模范作用。",
)
REOPEN_REASON = "汛期防汛任务重，支部专题组织生活会推迟召开，申请补录"


def _users():
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("committee", "office"))}
    return users.get("committee"), users.get("office")


def _criteria(campaign):
    """{sector or "": (criteria set, [criteria], full weight)} of the campaign's organization sets."""
    sets = CriteriaSet.objects.filter(campaign=campaign, target=CriteriaSet.Target.ORGANIZATION).prefetch_related(
        "criteria"
    )
    out = {}
    for criteria_set in sets:
        criteria = list(criteria_set.criteria.all())
        out[criteria_set.sector] = (criteria_set, criteria, sum((c.weight for c in criteria), Decimal(0)))
    return out


def _scores(rng, criteria, quality):
    """One score per criterion: the organization's quality with some noise, in half points, within 0…weight."""
    values = []
    for criterion in criteria:
        share = min(1.0, max(0.3, quality + rng.gauss(0, 0.04)))
        value = (Decimal(str(share)) * criterion.weight / HALF).quantize(Decimal(1)) * HALF
        values.append(min(value, criterion.weight))
    return values


def _comments(rng):
    return {
        "achievements": rng.choice(ACHIEVEMENTS),
        "problems": rng.choice(PROBLEMS),
        "directions": rng.choice(DIRECTIONS),
    }


def _moment(day, rng):
    moment = datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    return timezone.make_aware(moment)


class Writer:
    """Collects reviews of one cycle and writes them, with their scores, in batches."""

    def __init__(self, cycle, sets, bands):
        self.cycle, self.sets, self.bands = cycle, sets, bands
        self.reviews, self.values = [], {}

    def add(self, org, actor, values, comments, when):
        criteria_set, criteria, full = self.sets.get(org.sector) or self.sets[""]
        total = sum(values, Decimal(0))
        self.reviews.append(
            OrganizationReview(
                cycle=self.cycle,
                organization_id=org.pk,
                reviewer_id=org.parent_id,
                criteria_set=criteria_set,
                total=total,
                grade=self.bands.grade(total, full),
                scored_by=actor,
                scored_at=when,
                **comments,
            )
        )
        self.values[org.pk] = list(zip(criteria, values, strict=True))

    def flush(self):
        if not self.reviews:
            return
        OrganizationReview.objects.bulk_create(self.reviews, batch_size=BATCH)
        ids = dict(
            OrganizationReview.objects.filter(cycle=self.cycle, organization_id__in=list(self.values)).values_list(
                "organization_id", "pk"
            )
        )
        OrganizationScore.objects.bulk_create(
            (
                OrganizationScore(review_id=ids[org_pk], criterion=criterion, value=value)
                for org_pk, pairs in self.values.items()
                for criterion, value in pairs
            ),
            batch_size=BATCH,
        )
        self.reviews, self.values = [], {}
        reset_queries()  # DEBUG keeps every query: not a province's worth


def _past_cycle(campaign, today):
    cycles = list(ReviewCycle.objects.of_campaign(campaign).order_by("milestone__due_on"))
    locked = [c for c in cycles if c.state(today) == "locked"]
    if locked:
        return locked[-1]
    step = Milestone.objects.create(
        campaign=campaign,
        kind=Milestone.Kind.REVIEW,
        title=PAST_TITLE,
        opens_on=today + datetime.timedelta(days=PAST_OPENS),
        due_on=today + datetime.timedelta(days=PAST_DUE),
    )
    return ReviewCycle.objects.create(milestone=step)


def seed(campaign):
    """The demo campaign's superior reviews (see the module's docstring); nothing when it has some already."""
    if OrganizationReview.objects.filter(cycle__milestone__campaign=campaign).exists():
        return
    today = timezone.localdate()
    committee, office = _users()
    sets = _criteria(campaign)
    if "" not in sets:
        return
    bands = GradeBands.of(campaign)
    rng = random.Random(f"{SEED}-reviews")
    with transaction.atomic():
        past = _past_cycle(campaign, today)
        current = ReviewCycle.objects.current(campaign, today)
        open_cycle = current if current and current.state(today) == "open" else None
        town = Organization.objects.filter(code=TOWN).first()
        _seed_past(rng, past, sets, bands, town, committee, office)
        if open_cycle:
            _seed_open(rng, open_cycle, sets, bands, town, committee, office, today)
        if town and committee:
            _reopen_one(past, town, committee, today)


def _organizations(campaign_area):
    """Every active organization of the area that has a superior, in the order of the tree, in chunks."""
    organizations = (
        Organization.objects.active()
        .filter(path__startswith=campaign_area.path, parent__isnull=False)
        .only("pk", "parent_id", "sector", "path", "name")
    )
    last = ""
    while True:
        chunk = list(organizations.filter(path__gt=last).order_by("path")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].path


def _in_town(town, org):
    return town is not None and org.parent_id == town.pk


def _seed_past(rng, cycle, sets, bands, town, committee, office):
    writer = Writer(cycle, sets, bands)
    days = (cycle.due_on - cycle.opens_on).days
    for chunk in _organizations(cycle.campaign.area):
        for org in chunk:
            quality = rng.uniform(0.68, 0.97)
            when = _moment(cycle.opens_on + datetime.timedelta(days=rng.randrange(days + 1)), rng)
            criteria = (sets.get(org.sector) or sets[""])[1]
            if _in_town(town, org):
                by_office = rng.random() < 0.25
                actor = office if by_office else committee
                if by_office:  # paper returns entered by the office, scored more generously
                    quality = rng.uniform(LENIENT_FROM, 0.98)
                values = _scores(rng, criteria, quality)
            elif rng.random() < PAST_SHARE or (town and org.pk == town.pk):
                actor, values = office, _scores(rng, criteria, quality)
            else:
                continue
            writer.add(org, actor, values, _comments(rng), when)
        writer.flush()


def _seed_open(rng, cycle, sets, bands, town, committee, office, today):
    """Outside 松陵镇, a share scored in bulk; in 松陵镇, every third subordinate scored and one half done, through
    the model (audited), the rest left to the ``committee`` account."""
    writer = Writer(cycle, sets, bands)
    days = max(0, (today - cycle.opens_on).days)
    subordinates = []
    for chunk in _organizations(cycle.campaign.area):
        for org in chunk:
            quality = rng.uniform(0.68, 0.97)
            if _in_town(town, org):
                subordinates.append((org, quality))
            elif rng.random() < OPEN_SHARE:
                criteria = (sets.get(org.sector) or sets[""])[1]
                when = _moment(cycle.opens_on + datetime.timedelta(days=rng.randrange(days + 1)), rng)
                writer.add(org, office, _scores(rng, criteria, quality), _comments(rng), when)
        writer.flush()
    if committee is None:
        return
    subordinates.sort(key=lambda pair: (pair[0].name, pair[0].pk))
    for index, (org, quality) in enumerate(subordinates):
        if index % 3 and index != 1:
            continue
        org.parent = town
        review = OrganizationReview.start(cycle, org)
        criteria = list(review.criteria_set.criteria.all())
        values = _scores(rng, criteria, quality)
        if index == 1:  # half done: the first criteria scored, no comments yet
            scores = {c.pk: (v if i < 2 else None) for i, (c, v) in enumerate(zip(criteria, values, strict=True))}
            review.record(committee, 1, scores)
        else:
            review.record(committee, 1, {c.pk: v for c, v in zip(criteria, values, strict=True)}, _comments(rng))


def _reopen_one(cycle, town, committee, today):
    """One branch of 松陵镇 (not the secretary's) had its own entries of the closed cycle reopened."""
    branch = town.children.active().exclude(code=f"{TOWN}-LH").order_by("-name", "pk").first()
    if branch:
        Reopening.grant(
            committee, cycle, branch, Reopening.Kind.OWN, today + datetime.timedelta(days=10), REOPEN_REASON, on=today
        )
