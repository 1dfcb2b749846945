"""Issue 4, "Done when": a secretary records the meeting and scores the members, all through the browser.

In the demo city (``seed_demo``, with ``evaluations.demo_branch``: a few branches of 松陵镇 have done their
own review, the demo branch has not), the ``secretary`` of 松陵镇流虹社区党支部 opens the branch's own
review from the menu; records the 专题组织生活会 (attendance prefilled from the roll, staff
representatives); enters every member's report with one member absent; assesses the branch per criterion
(a score above the weight is refused first, with the reason); and scores every member on the scoring
screen, the first row by keyboard only (Tab between fields, Enter saves and moves on to the next member),
one row with a word instead of a number refused in place. The ``member`` then sees his own scores on a
phone, and the ``committee`` officer sees the branch's review read-only.

Runs on a desktop and on a phone (the ``device`` parameter). Assertions use data (Chinese) and element
ids and names, and the interface's messages through gettext.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Meeting
from evaluations import demo_branch
from evaluations.models import MemberReport, MemberReview, SelfAssessment, SelfReview
from evaluations.self_review import roll
from portal.models import Member, Organization

from ..portal.helpers import zh
from .test_commitment_journey import watch
from .test_demo_roles import BRANCH, log_in, open_from_dropdown

pytestmark = pytest.mark.e2e

TOPIC = "2011年上半年创先争优专题组织生活会"
MINUTES = "书记通报支部开展创先争优活动情况；每名党员讲述践行承诺情况；3名居民代表提出意见建议。"
ABSENT_REASON = "外出务工，已书面报告"
SELF_SCORES = ("18", "17.5", "19", "18", "17")
SUMMARY = "对照“五个好”逐项自查，总体达到承诺目标；下半年重点解决党员参加活动不平衡的问题。"


def scores_of(index):
    """The scores of the ``index``-th member: 20 − (0 … 4) on one criterion, 18 on the others."""
    return ["18", "19", "17.5", "18", str(20 - index % 5)]


def test_the_secretary_records_the_meeting_and_scores_the_members(demo, page, device, open_page, screenshot):
    campaign = Campaign.objects.get()
    demo_branch.seed(campaign)  # (idempotent: seed_demo may have done it)
    branch = Organization.objects.get(name=BRANCH)
    members = list(roll(branch))
    member_account = Member.objects.get(user__username="member")
    problems = []
    secretary = watch(page, problems)
    today = timezone.localdate()

    # --- The branch's own review, from the menu: nothing recorded yet. ------------------------------------
    log_in(secretary, device, "secretary", "徐丽萍")
    open_from_dropdown(secretary, "#reviews-menu", reverse("evaluations:own_start"))
    own = reverse("evaluations:own", args=[branch.pk])
    secretary.wait_for_url(f"**{own}")
    expect(secretary.locator("main h1")).to_contain_text(BRANCH)
    expect(secretary.locator("#entry-window")).to_have_attribute("data-state", "open")
    expect(secretary.locator("#link-reports")).to_have_count(0)  # after the meeting

    # --- The 专题组织生活会. -------------------------------------------------------------------------
    secretary.locator("#link-meeting").click()
    secretary.wait_for_url("**/meeting/**")
    expect(secretary.locator("#id_members_total")).to_have_value(str(len(members)))
    secretary.fill("#id_held_on", (today - datetime.timedelta(days=1)).isoformat())
    secretary.fill("#id_attendance", str(len(members) - 1))
    secretary.fill("#id_staff_representatives", "3")
    secretary.fill("#id_topic", TOPIC)
    secretary.fill("#id_minutes", MINUTES)
    screenshot("branch-review-1-meeting")
    secretary.locator("#meeting-form button[type=submit]").click()
    secretary.wait_for_url(f"**{own}?cycle=*")
    expect(secretary.locator("#step-meeting")).to_contain_text((today - datetime.timedelta(days=1)).isoformat())
    expect(secretary.locator("#meeting")).to_contain_text(TOPIC)
    review = SelfReview.objects.get(organization=branch)
    assert (review.meeting.kind, review.meeting.attendance, review.meeting.staff_representatives) == (
        Meeting.Kind.REVIEW,
        len(members) - 1,
        3,
    )

    # --- Every member's report; the first member was absent. ----------------------------------------------
    secretary.locator("#link-reports").click()
    secretary.wait_for_url("**/reports/**")
    absent, present = members[0], members[1:]
    expect(secretary.locator("#reports-form .commitment").first).to_be_visible()  # each member's commitment
    secretary.check(f"#id_absent-{absent.pk}")
    secretary.fill(f"#id_report-{absent.pk}", ABSENT_REASON)
    for member in present:
        secretary.fill(f"#id_report-{member.pk}", f"{member.name}：按承诺参加志愿服务，走访群众5户。")
    secretary.locator("#reports-form button[type=submit]").click()
    secretary.wait_for_url(f"**{own}?cycle=*")
    expect(secretary.locator("#reports")).to_contain_text(ABSENT_REASON)
    assert MemberReport.objects.filter(self_review=review, absent=False).count() == len(present)
    assert MemberReport.objects.get(self_review=review, absent=True).member == absent

    # --- The self-assessment: a score above the weight is refused, then corrected. -------------------------
    secretary.locator("#link-assessment").click()
    secretary.wait_for_url("**/assessment/**")
    score_inputs = secretary.locator("#assessment-form input.score-input")
    texts = secretary.locator("#assessment-form textarea[name^=text-]")
    expect(score_inputs).to_have_count(len(SELF_SCORES))
    score_inputs.nth(0).fill("25")
    secretary.locator("#assessment-form button[type=submit]").click()
    expect(secretary.locator("#assessment-form")).to_contain_text(
        zh("Enter a score from 0 to %(weight)s.", weight="20")
    )
    assert not SelfAssessment.objects.filter(self_review=review).exists()
    for index, value in enumerate(SELF_SCORES):
        score_inputs.nth(index).fill(value)
        texts.nth(index).fill(f"第{index + 1}项：对照要求逐项落实。")
    secretary.fill("#id_summary", SUMMARY)
    secretary.locator("#assessment-form button[type=submit]").click()
    secretary.wait_for_url(f"**{own}?cycle=*")
    expect(secretary.locator("#step-assessment")).to_contain_text("89.5")
    screenshot("branch-review-2-steps")

    # --- The member scores: the first row by keyboard only. ---------------------------------------------------
    secretary.locator("#link-scores").click()
    secretary.wait_for_url("**/members/**")
    rows = secretary.locator("#score-table tbody tr.score-row")
    expect(rows).to_have_count(len(members))
    first = members[0]
    secretary.locator(f"#member-{first.pk} input.score-input").first.click()
    for index, value in enumerate(scores_of(0)):
        if index:
            secretary.keyboard.press("Tab")
        secretary.keyboard.type(value)
    secretary.keyboard.press("Enter")
    expect(secretary.locator(f'#member-{first.pk}[data-saved="1"]')).to_have_count(1)
    expect(secretary.locator(f"#member-{first.pk} .total")).to_have_text("92.5")
    # ... and the cursor is on the next member's first score.
    second = members[1]
    assert secretary.evaluate("document.activeElement.name") == secretary.locator(
        f"#member-{second.pk} input.score-input"
    ).first.get_attribute("name")

    # A word instead of a number: refused in place, nothing saved.
    secretary.locator(f"#member-{second.pk} input.score-input").first.fill("好")
    secretary.locator(f"#member-{second.pk} button[type=submit]").click()
    expect(secretary.locator(f"#member-{second.pk}")).to_contain_text(zh("Enter a number, e.g. 18 or 17.5."))
    assert not MemberReview.objects.filter(member=second, cycle=review.cycle).exists()

    for index, member in enumerate(members[1:], start=1):
        inputs = secretary.locator(f"#member-{member.pk} input.score-input")
        for column, value in enumerate(scores_of(index)):
            inputs.nth(column).fill(value)
        secretary.fill(f"textarea[name=m{member.pk}-comment]", "带头作用发挥较好" if index % 2 else "")
        secretary.locator(f"#member-{member.pk} button[type=submit]").click()
        expect(secretary.locator(f'#member-{member.pk}[data-saved="1"]')).to_have_count(1)
    screenshot("branch-review-3-scores")
    reviews = {r.member_id: r for r in MemberReview.objects.filter(organization=branch, cycle=review.cycle)}
    assert len(reviews) == len(members)
    for index, member in enumerate(members):
        assert reviews[member.pk].total == sum(Decimal(v) for v in scores_of(index))

    # The review page: all four steps done.
    secretary.goto(own)
    expect(secretary.locator("#step-scores")).to_contain_text(str(len(members)))
    expect(secretary.locator("#score-table tbody tr")).to_have_count(len(members))

    # --- The member sees his own scores on a phone, and nobody else's. --------------------------------------
    phone = watch(open_page("phone"), problems)
    log_in(phone, "phone", "member", "钱志明")
    open_from_dropdown(phone, "#reviews-menu", reverse("evaluations:mine"))
    phone.wait_for_url("**/reviews/mine/")
    mine = reviews[member_account.pk]
    # his reviews of every cycle (the demo's awards scored last year's), this one's as just entered
    expect(phone.locator(".my-review")).to_have_count(MemberReview.objects.filter(member=member_account).count())
    expect(phone.locator(f"#review-{mine.pk} .total")).to_have_text(f"{mine.total.normalize():f}")
    other = next(m for m in members if m != member_account)
    expect(phone.locator("main")).not_to_contain_text(other.name)
    screenshot("branch-review-4-mine", on=phone, seen_on="phone")

    # --- The committee officer sees the branch's review, read-only. ----------------------------------------
    committee = watch(open_page(device), problems)
    log_in(committee, device, "committee", "陆振国")
    committee.goto(own)
    expect(committee.locator("#read-only")).to_be_visible()
    expect(committee.locator("#link-meeting")).to_have_count(0)
    expect(committee.locator("#meeting")).to_contain_text(TOPIC)
    expect(committee.locator("#link-scores")).to_have_count(0)

    assert problems == [], problems
