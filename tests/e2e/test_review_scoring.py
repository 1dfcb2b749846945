"""Issue 4, "Done when": a committee officer scores a full cycle of subordinates in the browser; the results
show per committee.

In the demo city (``seed_demo``, with ``evaluations.demo``: the open review cycle is begun in 松陵镇 — every
third subordinate scored, one half done), the ``committee`` officer of 松陵镇党委 opens the scoring screen from
the Reviews menu, and scores every subordinate still waiting by keyboard only: Tab between the boxes, Enter in
a score box saves the row in place (htmx) and moves on to the next row; the first row also gets the three
comments (Tab on to the save button, Enter). A word instead of a number is refused in place, with the reason,
and nothing is saved until it is corrected. Then the ranking shows every subordinate, equal totals sharing a
rank. On a phone the screen has no sideways scrolling.

Runs on a desktop and on a phone (the ``device`` parameter). Assertions use data (Chinese), element ids and
names, and the interface's messages through gettext.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import Campaign
from evaluations import demo as review_demo
from evaluations.models import OrganizationReview, ReviewCycle
from portal.models import Organization

from ..portal.helpers import zh
from .test_commitment_journey import watch
from .test_demo_roles import log_in, open_from_dropdown

pytestmark = pytest.mark.e2e

TOWN = "松陵镇党委"
COMMENTS = ("班子团结，承诺事项推进有序。", "部分台账资料不够完整。", "对照承诺排出时间表，确保年底兑现。")


def scores_for(index, count):
    """The ``index``-th row's scores: 18 on every criterion but the last, which is 20 − index (ties come by pairs)."""
    return ["18"] * (count - 1) + [str(20 - index // 2)]


def type_scores(page, row, values):
    """Keyboard only: focus the row's first box, then type each score and Tab to the next box."""
    first = row.locator(".score-input").first
    first.focus()
    for i, value in enumerate(values):
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value)
        if i < len(values) - 1:
            page.keyboard.press("Tab")


def test_the_committee_scores_a_full_cycle_of_its_subordinates(demo, page, device, screenshot):
    campaign = Campaign.objects.get()
    review_demo.seed(campaign)  # (idempotent: seed_demo may have done it)
    town = Organization.objects.get(name=TOWN)
    cycle = ReviewCycle.objects.current(campaign)
    subordinates = list(town.children.active().order_by("name", "pk"))
    waiting = [
        org
        for org in subordinates
        if not OrganizationReview.objects.filter(cycle=cycle, organization=org, total__isnull=False).exists()
    ]
    assert len(waiting) >= 2  # the demo leaves work to do
    problems = []
    watch(page, problems)

    log_in(page, device, "committee", "陆振国")
    open_from_dropdown(page, "#reviews-menu", reverse("evaluations:reviews"))
    page.wait_for_url(f"**{reverse('evaluations:reviews')}*")
    score_url = reverse("evaluations:score", args=[town.pk])
    page.locator(f'main a[href="{score_url}"]').click()
    page.wait_for_url(f"**{score_url}")
    expect(page.locator("#cycle-select")).to_have_value(str(cycle.pk))
    expect(page.locator("form.score-row")).to_have_count(len(subordinates))
    screenshot("review-scoring-1-screen")
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # A word instead of a number: refused in place, with the reason, and nothing saved.
    first = waiting[0]
    row = page.locator(f"#row-{first.pk}")
    count = row.locator(".score-input").count()
    type_scores(page, row, ["18"] * (count - 1) + ["十八"])
    page.keyboard.press("Enter")
    row = page.locator(f"#row-{first.pk}")
    expect(row.locator(".invalid-feedback")).to_have_text(zh("Enter a number, e.g. 18 or 17.5."))
    expect(row.locator(".score-input.is-invalid")).to_be_focused()
    assert not OrganizationReview.objects.filter(cycle=cycle, organization=first, total__isnull=False).exists()

    for index, org in enumerate(waiting):
        row = page.locator(f"#row-{org.pk}")
        count = row.locator(".score-input").count()
        values = scores_for(index, count)
        type_scores(page, row, values)
        expected_total = sum(float(v) for v in values)
        expect(row.locator(".live-total")).to_have_text(f"{expected_total:g}")
        if index == 0:  # the comments too, and the save button, all by Tab
            for comment in COMMENTS:
                page.keyboard.press("Tab")
                page.keyboard.type(comment)
            page.keyboard.press("Tab")
            expect(row.locator(".save-row")).to_be_focused()
        page.keyboard.press("Enter")
        saved = page.locator(f"#row-{org.pk}.is-saved")
        expect(saved).to_be_visible()
        expect(saved.locator(".stored-total")).to_contain_text(f"{expected_total:g}")
        if index + 1 < len(waiting):  # the focus moves on to the next row waiting
            later = [o for o in subordinates if subordinates.index(o) > subordinates.index(org)]
            next_row = page.locator(f"#row-{later[0].pk}")
            expect(next_row.locator(".score-input").first).to_be_focused()
        assert "#row-" not in page.url  # saved in place, not by a page load
    screenshot("review-scoring-2-done")
    expect(page.locator("#scored-count")).to_have_text(str(len(subordinates)))
    reviews = OrganizationReview.objects.filter(cycle=cycle, organization__in=subordinates)
    assert reviews.filter(total__isnull=False).count() == len(subordinates)
    mine = reviews.get(organization=waiting[0])
    assert (mine.achievements, mine.problems, mine.directions) == COMMENTS
    assert mine.scored_by.username == "committee"
    assert problems == [], problems

    # The ranking: every subordinate, highest total first, equal totals sharing a rank.
    ranking = reverse("evaluations:ranking", args=[town.pk])
    page.locator(f'main a[href^="{ranking}"]').first.click()
    page.wait_for_url(f"**{ranking}*")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(len(subordinates))
    ranks = [int(text) for text in page.locator("#ranking tbody td:first-child").all_inner_texts()]
    totals = [float(text) for text in page.locator("#ranking tbody td:nth-child(3)").all_inner_texts()]
    assert totals == sorted(totals, reverse=True)
    for i in range(1, len(ranks)):
        assert ranks[i] == (ranks[i - 1] if totals[i] == totals[i - 1] else i + 1)
    screenshot("review-scoring-3-ranking")
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert problems == [], problems
