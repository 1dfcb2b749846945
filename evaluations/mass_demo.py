"""The demo's mass evaluation (群众评议) in 松陵镇: ``seed(campaign)``, wired into ``manage.py seed_demo``.

Two rounds of 松陵镇党委 over the organizations of its subtree, in the demo campaign:

- **an earlier round, closed** ("松陵镇党委上半年群众评议": balloting from about 120 to 95 days ago, closed 94
  days ago), its results published on every evaluated organization's public board and registered in the
  ledger. Up to ``SHOWN`` organizations have ballots (online with codes, and paper ballots for the
  neighbour branch 鲈乡社区), mostly satisfied; on the demo branch 流虹社区 most people were dissatisfied
  with one criterion, so closing opened one rectification, whose measures the branch has written: it is in
  progress on the branch's board, with its deadline a month ahead (the ``secretary`` account reports its
  completion, the ``committee`` account accepts it).
- **the current round, open now** ("松陵镇党委年度群众评议", the dates of the campaign's evaluation step, with the
  open online channel): 30 codes made for the demo branch, 12 of them used (some ballots say something about
  members, some have a comment), a batch of paper ballots entered for the neighbour branch, and ledger
  entries from the hotline, a symposium, a supervisor and the online suggestion box. The ``committee``
  account closes it (or tests/e2e/test_mass_evaluation.py opens a round of its own).

The current round goes through ``mass_services`` as the portal would (its audit trail included); the
earlier round's ballots, cast in the past, are written directly in the same form ``cast_ballot`` gives
them. Deterministic (choices drawn from a generator seeded with ``portal.demo.SEED``; dates counted from
today; only the codes' hashes are random, as they must be) and idempotent: nothing is written when the
campaign already has a round of 松陵镇党委.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.demo import CITY_CODE, SEED
from portal.models import Member, Organization

from . import mass_codes
from . import mass_services as services
from .mass_models import (
    Answer,
    Ballot,
    BallotCode,
    Channel,
    CodeBatch,
    LedgerEntry,
    PaperBatch,
    PaperCount,
    Rectification,
    Round,
    Target,
)

TOWN = f"{CITY_CODE}-SL"
DEMO_BRANCH = f"{TOWN}-LH"  # 松陵镇流虹社区党支部: the demo secretary's branch
NEIGHBOUR = f"{TOWN}-LX"  # 松陵镇鲈乡社区党支部
SHOWN = 12  # organizations with ballots in the earlier round
PAST_OPENS, PAST_CLOSES, PAST_CLOSED = -120, -95, -94  # days from today
RECTIFY_DAYS = 125  # the earlier round's rectification is due about a month from today
SATISFIED, BASIC, DISSATISFIED = 0, 1, 2
MOOD = (0.62, 0.30)  # the usual chances of 满意 and 基本满意 (the rest 不满意)
UNHAPPY = (0.15, 0.20)  # the demo branch's weak criterion in the earlier round
COMMENTS = (
    "希望支部多组织党员到小区开展志愿服务。",
    "书记工作很负责，小区环境比去年好多了。",
    "党务公开栏更新及时，希望把承诺进展写得更具体些。",
    "老年人办事还是不方便，希望党员多上门服务。",
    "",
    "",
)
MEASURES = (
    "一、每月第一个周六开展“党员进楼道”走访，听取居民意见并建立台账；二、设立党员代办点，为老年居民代办事项；"
    "三、办理情况每月在党务公开栏公布。"
)
ENTRIES = (
    (
        DEMO_BRANCH,
        Channel.HOTLINE,
        -6,
        "居民来电反映3号楼楼道灯长期不亮，老人夜间出行不便。",
        "已联系物业更换，次日修复，回访居民满意。",
    ),
    (NEIGHBOUR, Channel.SYMPOSIUM, -4, "居民代表座谈会：希望支部牵头解决小区停车难问题。", ""),
    (
        DEMO_BRANCH,
        Channel.SUPERVISOR,
        -3,
        "监督员反馈：党员志愿服务次数未在公开栏更新。",
        "已更新公开栏，今后每周五更新。",
    ),
)
SUGGESTIONS = (
    (DEMO_BRANCH, "建议在社区活动室增设老年人阅览角，由党员志愿者轮流值守。"),
    (NEIGHBOUR, "希望党员带头做好垃圾分类宣传。"),
)


def seed(campaign):
    """The demo's two rounds of 松陵镇党委 in ``campaign`` (see the module's docstring); None if there are some."""
    town = Organization.objects.filter(code=TOWN).first()
    if town is None or Round.objects.filter(campaign=campaign, organization=town).exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("committee", "office", "secretary"))}
    committee = users.get("committee")
    rng = random.Random(f"{SEED}-mass-evaluation")
    today = timezone.localdate()
    with transaction.atomic():
        _earlier_round(rng, campaign, town, committee, users.get("secretary"), today)
        return _current_round(rng, campaign, town, committee, today)


def _choice(rng, mood=MOOD):
    draw = rng.random()
    return SATISFIED if draw < mood[0] else BASIC if draw < mood[0] + mood[1] else DISSATISFIED


def _participants(round):
    return list(round.participants.select_related("organization", "round").order_by("organization__path"))


def _earlier_round(rng, campaign, town, committee, secretary, today):
    day = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
    round = services.create_round(
        committee,
        campaign,
        town,
        title=f"{town.name}上半年群众评议",
        opens_on=max(day(PAST_OPENS), campaign.starts_on),
        closes_on=max(day(PAST_CLOSES), campaign.starts_on),
        rectify_days=RECTIFY_DAYS,
    )
    services.open_round(committee, round, round.version)
    round.refresh_from_db()
    options = list(round.options.order_by("order"))
    questions = list(round.questions.all())
    participants = _participants(round)
    for p in participants[:SHOWN]:
        org_questions = round.questions_for(Target.ORGANIZATION, p.organization.sector, questions)
        member_questions = round.questions_for(Target.MEMBER, p.organization.sector, questions)
        members = list(Member.objects.filter(organization=p.organization, active=True).order_by("name", "pk")[:3])
        votes = []
        for n in range(rng.randrange(14, 26)):
            weak = p.organization.code == DEMO_BRANCH
            answers = [
                (q, None, options[_choice(rng, UNHAPPY if weak and i == len(org_questions) - 1 else MOOD)])
                for i, q in enumerate(org_questions)
            ]
            if n % 3 == 0:
                for member in members:
                    answers += [(q, member, options[_choice(rng)]) for q in member_questions]
            votes.append((answers, COMMENTS[rng.randrange(len(COMMENTS))]))
        _write_ballots(p, committee, votes, round.closes_on, extra_codes=rng.randrange(3, 9))
        if p.organization.code == NEIGHBOUR:
            _write_paper(p, committee, org_questions, options, rng, day(PAST_CLOSES))
    round.refresh_from_db()
    services.close_round(committee, round, round.version, on=day(PAST_CLOSED))
    closed_at = timezone.make_aware(datetime.datetime.combine(day(PAST_CLOSED), datetime.time(17)))
    Rectification.objects.filter(participant__round=round).update(opened_at=closed_at)
    LedgerEntry.objects.filter(participant__round=round).update(entered_at=closed_at)
    for item in Rectification.objects.filter(participant__round=round, participant__organization__code=DEMO_BRANCH):
        services.save_progress(secretary, item, item.version, MEASURES, "")
    return round


def _write_ballots(participant, actor, votes, cast_on, extra_codes):
    """Ballots cast in the past, written as ``cast_ballot`` writes them: the codes claimed, nothing joining them."""
    made_at = timezone.make_aware(datetime.datetime.combine(participant.round.opens_on, datetime.time(9)))
    batch = CodeBatch.objects.create(participant=participant, count=len(votes) + extra_codes, generated_by=actor)
    CodeBatch.objects.filter(pk=batch.pk).update(generated_at=made_at)
    BallotCode.objects.bulk_create(
        BallotCode(
            batch=batch,
            participant=participant,
            digest=mass_codes.digest(mass_codes.new_code()),
            used=i < len(votes),
        )
        for i in range(len(votes) + extra_codes)
    )
    ballots = [Ballot(participant=participant, channel=Ballot.Via.CODE, comment=comment) for _a, comment in votes]
    Ballot.objects.bulk_create(ballots)
    Answer.objects.bulk_create(
        Answer(ballot=ballot, question=q, member=m, option=o)
        for ballot, (answers, _comment) in zip(ballots, votes, strict=True)
        for q, m, o in answers
    )


def _write_paper(participant, actor, questions, options, rng, entered_on):
    ballots = 20
    counts = {}
    for q in questions:
        chosen = [_choice(rng) for _n in range(ballots - 1)]  # one ballot left each question blank
        for index in range(len(options)):
            counts[(q, options[index])] = chosen.count(index)
    batch = PaperBatch.objects.create(participant=participant, ballots=ballots, entered_by=actor, note="居民会议纸质票")
    PaperBatch.objects.filter(pk=batch.pk).update(
        entered_at=timezone.make_aware(datetime.datetime.combine(entered_on, datetime.time(16)))
    )
    PaperCount.objects.bulk_create(
        PaperCount(batch=batch, question=q, option=o, count=n) for (q, o), n in counts.items()
    )


def _current_round(rng, campaign, town, committee, today):
    round = services.create_round(
        committee, campaign, town, **services.round_defaults(campaign, town), open_channel=True
    )
    services.open_round(committee, round, round.version)
    round.refresh_from_db()
    participants = {p.organization.code: p for p in _participants(round)}
    options = list(round.options.order_by("order"))
    branch = participants.get(DEMO_BRANCH)
    if branch is not None and round.accepts_ballots(today):
        codes = services.generate_codes(committee, branch, 30)[1]
        members = list(Member.objects.filter(organization=branch.organization, active=True).order_by("name", "pk")[:2])
        org_questions = round.questions_for(Target.ORGANIZATION, branch.organization.sector)
        member_questions = round.questions_for(Target.MEMBER, branch.organization.sector)
        for n, code in enumerate(codes[:12]):
            answers = [(q, None, options[_choice(rng)]) for q in org_questions]
            if n % 4 == 0:
                answers += [(q, m, options[_choice(rng)]) for m in members for q in member_questions]
            services.cast_ballot(code, branch, answers, COMMENTS[rng.randrange(len(COMMENTS))])
    neighbour = participants.get(NEIGHBOUR)
    if neighbour is not None:
        questions = round.questions_for(Target.ORGANIZATION, neighbour.organization.sector)
        counts = {(q, options[i]): n for q in questions for i, n in enumerate((16, 7, 2))}
        services.enter_paper(committee, neighbour, None, 25, counts, "党员大会后居民代表现场填写")
    for code, channel, days_ago, content, handling in ENTRIES:
        if code in participants:
            when = max(today + datetime.timedelta(days=days_ago), round.opens_on)
            services.record_entry(committee, participants[code], channel, when, content, handling)
    for code, content in SUGGESTIONS:
        if code in participants and round.accepts_ballots(today):
            services.suggest(participants[code], content)
    return round
