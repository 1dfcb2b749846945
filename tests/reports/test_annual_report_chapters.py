"""Chapters 5 (mass evaluation) and 6 (awards) of the annual report: hand-computed figures printed in the PDF,
only the area's, the scope's, the campaign's and the year's, with a query count that does not grow.

On the ``area`` of conftest.py (town_a's 2026 report, by committee_a), with today 2026-11-23 in mind only for
overdue rectifications (deadlines are far in the past or the future):

Mass evaluation, 甲镇2026年度群众评议 (closed, ballots 2026-11-01 → 2026-11-20, threshold 30 %, 5 valid needed):
    branch_a   ballots 10 online, 2 open, 3 paper; overall 20 valid, 18 satisfied, 1 dissatisfied → 90.0 %, 5.0 %
    branch_a2  ballots 5 online, 0 open, 1 paper;  overall 6 valid, 2 satisfied, 3 dissatisfied → 33.3 %, 50.0 %
               (over the 30 % threshold with 6 ≥ 5 valid answers: flagged)
    pooled     26 valid, 20 satisfied → 76.9 %; 4 dissatisfied → 15.4 %; ballots 15 + 2 + 4 = 21
    question and member rows (100 valid, none satisfied) are not pooled again
    ledger     branch_a 2 hotline, 1 suggestion; branch_a2 1 symposium → 4 opinions (the registered result
               and the paper entry are not opinions)
    rectifications  branch_a2: one open and overdue, one done (its deadline past, not overdue);
                     branch_a: one reported, due next year → 3, 1 rectified, 1 overdue
甲镇2026年第二轮评议 (opened, closes 2026-12-31): in progress, no figures.
Not counted: town_b's round (branch_b, outside the area), a round closed in 2025, a round of another campaign.

Awards, 测试市2026年评选表彰 (city, approved 2026-10-10):
    优秀共产党员    张三 (branch_a) awarded, 1 objection dismissed; 钱七 withdrawn after an upheld objection;
                    李四 (branch_a2) not forwarded; 王五 (branch_b) awarded but outside the area
                    → nominations 3, on the list 2, awarded 1, objections 2, upheld 1
    先进基层党组织  branch_a2 awarded, nominated by town_a → 1, 1, 1, 0, 0
Not counted: a round approved in 2025, a round still nominating, a round of another campaign.
"""

import datetime
import re
import shutil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from awards import results as award_results
from awards.models import AwardCategory, AwardRound, Nomination, NominationStep, Objection
from campaigns.exporters import AnnualReport
from evaluations import mass_results
from evaluations.mass_models import Channel, LedgerEntry, Participant, Question, Rectification, Result, Round, Target
from portal.models import Organization
from portal.scope import Scope

from ..commitments.factories import CampaignFactory
from ..factories import MemberFactory, OrganizationFactory
from .test_annual_report import poppler, report_job, run

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

D = datetime.date
PAST, FUTURE = D(2020, 1, 1), D(2099, 1, 1)


def mass_round(campaign, org, title, closes_on, state=Round.State.CLOSED, **fields):
    return Round.objects.create(
        campaign=campaign,
        organization=org,
        title=title,
        opens_on=closes_on - datetime.timedelta(days=19),
        closes_on=closes_on,
        state=state,
        **fields,
    )


def evaluated(round, org, valid=0, satisfied=0, dissatisfied=0, online=0, open=0, paper=0):
    participant = Participant.objects.create(
        round=round,
        organization=org,
        code=f"p{round.pk}-{org.pk}",
        ballots_online=online,
        ballots_open=open,
        ballots_paper=paper,
    )
    if round.state == Round.State.CLOSED:
        Result.objects.create(participant=participant, valid=valid, satisfied=satisfied, dissatisfied=dissatisfied)
    return participant


def entry(participant, channel, n=1):
    for _ in range(n):
        LedgerEntry.objects.create(participant=participant, channel=channel, received_on=D(2026, 11, 5), content="意见")


def rectification(participant, state, deadline):
    return Rectification.objects.create(
        participant=participant, problem="问题", owner="书记", deadline=deadline, state=state
    )


def award_round(campaign, org, title, state, decided_on=None, publicity_starts_on=None):
    round = AwardRound.open(
        AwardRound(
            campaign=campaign,
            organizer=org,
            title=title,
            nominations_due_on=D(2026, 9, 1),
            reviews_from=D(2025, 1, 1),
            reviews_to=D(2026, 6, 30),
        ),
        None,
        categories=[("优秀共产党员", "member", {}), ("先进基层党组织", "organization", {})],
    )
    AwardRound.objects.filter(pk=round.pk).update(
        state=state, decided_on=decided_on, publicity_starts_on=publicity_starts_on or decided_on
    )
    return round


def nominate(round, category_name, state, by, member=None, organization=None, objections=()):
    category = AwardCategory.objects.get(round=round, name=category_name)
    nomination = Nomination.objects.create(
        round=round,
        category=category,
        member=member,
        organization=member.organization if member else organization,
        holder=round.organizer,
        state=state,
        certificate_no="2026-001" if state == Nomination.State.APPROVED else "",
    )
    NominationStep.objects.create(nomination=nomination, organization=by, action=NominationStep.Action.NOMINATED)
    for outcome in objections:
        Objection.objects.create(
            round=round, nomination=nomination, contact="13800000000", body="请核实", outcome=outcome
        )
    return nomination


@pytest.fixture
def chapters(area):
    c, other = area.campaign, CampaignFactory(area=area.city, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31))
    # Mass evaluation
    r1 = mass_round(c, area.town_a, "甲镇2026年度群众评议", D(2026, 11, 20), rectify_threshold=30, min_valid=5)
    a = evaluated(r1, area.branch_a, 20, 18, 1, online=10, open=2, paper=3)
    a2 = evaluated(r1, area.branch_a2, 6, 2, 3, online=5, paper=1)
    question = Question.objects.create(round=r1, target=Target.ORGANIZATION, text="领导班子好")
    Result.objects.create(participant=a, question=question, valid=100, dissatisfied=100)
    Result.objects.create(participant=a, member=area.member_a, valid=100, dissatisfied=100)
    entry(a, Channel.HOTLINE, 2)
    entry(a, Channel.SUGGESTION)
    entry(a2, Channel.SYMPOSIUM)
    entry(a, Channel.QUESTIONNAIRE)
    entry(a2, Channel.PAPER)
    rectification(a2, Rectification.State.OPEN, PAST)
    rectification(a2, Rectification.State.DONE, PAST)
    rectification(a, Rectification.State.REPORTED, FUTURE)
    r2 = mass_round(c, area.town_a, "甲镇2026年第二轮评议", D(2026, 12, 31), state=Round.State.OPEN)
    evaluated(r2, area.branch_a)
    evaluated(r2, area.branch_a2)
    rb = mass_round(c, area.town_b, "乙镇2026年度群众评议", D(2026, 11, 20))
    rectification(evaluated(rb, area.branch_b, 10, 0, 10, online=99), Rectification.State.OPEN, PAST)
    for campaign, title, closes_on in (
        (c, "甲镇2025年度群众评议", D(2025, 11, 20)),
        (other, "别的活动评议", D(2026, 11, 20)),
    ):
        p = evaluated(mass_round(campaign, area.town_a, title, closes_on), area.branch_a, 10, 0, 10, online=99)
        entry(p, Channel.HOTLINE, 5)
        rectification(p, Rectification.State.OPEN, PAST)
    # Awards
    qian = MemberFactory(name="钱七", organization=area.branch_a)
    ar = award_round(c, area.city, "测试市2026年评选表彰", AwardRound.State.DECIDED, D(2026, 10, 10))
    dismissed, upheld = Objection.Outcome.DISMISSED, Objection.Outcome.UPHELD
    nominate(ar, "优秀共产党员", Nomination.State.APPROVED, area.branch_a, member=area.member_a, objections=[dismissed])
    nominate(ar, "优秀共产党员", Nomination.State.REJECTED, area.branch_a, member=qian, objections=[upheld])
    nominate(ar, "优秀共产党员", Nomination.State.DECLINED, area.branch_a2, member=area.member_a2)
    nominate(ar, "优秀共产党员", Nomination.State.APPROVED, area.branch_b, member=area.member_b, objections=[upheld])
    nominate(ar, "先进基层党组织", Nomination.State.APPROVED, area.town_a, organization=area.branch_a2)
    for campaign, title, state, decided in (
        (c, "测试市2025年评选表彰", AwardRound.State.DECIDED, D(2025, 10, 10)),
        (c, "测试市2026年第二批", AwardRound.State.NOMINATING, None),
        (other, "别的活动表彰", AwardRound.State.DECIDED, D(2026, 10, 10)),
    ):
        old = award_round(campaign, area.city, title, state, decided)
        nominate(old, "优秀共产党员", Nomination.State.APPROVED, area.branch_a, member=qian, objections=[upheld])
    return area


def flat(area, tmp_path, **kwargs):
    """The report of ``area`` in Chinese as pdftotext reads it, whitespace runs made one space."""
    return re.sub(
        r"\s+", " ", poppler(tmp_path, run(report_job(area, language="zh-hans", **kwargs)), "pdftotext", "-raw")
    )


def zh(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_the_mass_evaluation_chapter_prints_the_areas_figures(chapters, tmp_path):
    text = flat(chapters, tmp_path)
    chapter = text[text.rindex(zh("5. Mass evaluation")) : text.rindex(zh("6. Awards"))]
    assert "76.9%" in chapter and "20 / 26" in chapter  # the satisfaction rate of the year
    assert "2026-11-01 – 2026-11-20 2 15 2 4 76.9% (20/26) 15.4%" in chapter  # titles may wrap in their cell
    assert "2026-12-31 2 " + zh("In progress: results are published when the round closes") in chapter
    assert "21" in chapter.split(zh("Ballots"))[1][:4]
    assert "甲村党支部 1 20 90.0%" in chapter and "甲二村党支部 1 6 33.3%" in chapter  # by subordinate
    lowest = chapter[chapter.index("甲二村党支部 6 33.3% 50.0% " + zh("yes")) :]
    assert lowest.index("甲村党支部 20 90.0% 5.0%") < lowest.index(zh("Opinions and rectifications"))
    assert "甲镇2026年度群众评议 1 2 1 0 1 1 1 1" in chapter  # suggestion, hotline, symposium, supervisor; states
    assert "乙村" not in chapter and "2025年度" not in chapter and "别的活动" not in chapter
    assert "99" not in chapter


def test_the_awards_chapter_prints_the_areas_nominations_and_honours(chapters, tmp_path):
    text = flat(chapters, tmp_path)
    chapter = text[text.rindex(zh("6. Awards")) :]
    assert "优秀共产党员 3 2 1 2 1" in chapter
    assert "先进基层党组织 1 1 1 0 0" in chapter
    city = zh("City committee")
    assert f"张三（甲村党支部） 优秀共产党员 甲村党支部 {city}" in chapter
    assert f"甲二村党支部 先进基层党组织 甲镇党委 {city}" in chapter
    assert "王五" not in chapter and "钱七" not in chapter.split(zh("Honoured organizations and members"))[-1]
    assert "2025年" not in chapter and "第二批" not in chapter and "别的活动" not in chapter


def test_a_year_without_rounds_says_so_in_chinese(chapters, tmp_path):
    text = flat(chapters, tmp_path, year=2027)
    assert zh("No mass evaluation of the area closed its ballots in %(year)s.") % {"year": 2027} in text
    assert zh("No award round of the campaign was announced or approved in %(year)s.") % {"year": 2027} in text


def test_only_what_the_scope_reaches_counts(chapters, django_assert_num_queries):
    """secretary_a reaches branch_a only: town_a's area as secretary_a sees it is branch_a's figures."""
    scope, c = Scope(chapters.secretary_a), chapters.campaign
    assert scope.grants
    with django_assert_num_queries(8):
        evaluations = mass_results.annual(scope, chapters.town_a, c, 2026)
    [closed, _open] = evaluations["rounds"]
    assert (closed["organizations"], closed["valid"], str(closed["rate"])) == (1, 20, "90.0")
    assert closed["rectifications"]["total"] == 1 and evaluations["total"]["opinions"] == 3
    with django_assert_num_queries(4):
        awards = award_results.annual(scope, chapters.town_a, c, 2026)
    assert (awards["nominations"], awards["honoured_total"]) == (2, 1)
    assert [h["name"] for h in awards["honoured"]] == ["张三"]
    assert mass_results.annual(Scope(chapters.secretary_b), chapters.town_a, c, 2026) is None


def more_organizations(area, n):
    r1 = Round.objects.get(title="甲镇2026年度群众评议")
    ar = AwardRound.objects.get(title="测试市2026年评选表彰")
    for i in range(n):
        org = OrganizationFactory(name=f"新支部{i}", code=f"NEW-{i}", parent=area.town_a)
        p = evaluated(r1, org, 10, 5 + i % 5, 1, online=3)
        entry(p, Channel.HOTLINE)
        rectification(p, Rectification.State.OPEN, PAST)
        nominate(
            ar,
            "先进基层党组织",
            Nomination.State.APPROVED,
            area.town_a,
            organization=org,
            objections=[Objection.Outcome.UPHELD],
        )
        nominate(ar, "优秀共产党员", Nomination.State.APPROVED, org, member=MemberFactory(organization=org))


def queries_of_data(area):
    job = report_job(area)
    with translation.override(job.language), CaptureQueriesContext(connection) as captured:
        AnnualReport(job).data()
    return len(captured.captured_queries)


def test_the_chapters_cost_the_same_queries_whatever_the_areas_size(chapters):
    small = queries_of_data(chapters)
    more_organizations(chapters, 12)
    assert Organization.objects.filter(path__startswith=chapters.town_a.path).count() == 15
    assert queries_of_data(chapters) == small
