"""Issue 5, "Done when": the mass evaluation in the demo, all through the browser.

In the demo city (``seed_demo`` and the mass evaluation's ``evaluations.mass_demo.seed``): the ``committee``
officer of 松陵镇党委 prepares a round, checks its questionnaire and opens it, then makes ballot codes for
松陵镇流虹社区党支部 and downloads the slips (PDF: the code is read from it as a person reads the slip). A
member of the public, on a phone, opens the slip's QR link — the code in the URL's fragment — and votes in
Chinese, about the branch and one of its members; no request ever carries the code in its URL. The officer
enters a batch of counted paper ballots, most of them dissatisfied with one criterion, and closes the round:
the results are on the branch's public board and in the ledger, and the rectification the results call for
is opened, with its state on the board; the branch's secretary writes its measures and reports completion.

The staff side runs on a desktop and on a phone (the ``device`` parameter); the public always on a phone.
"""

import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from campaigns import defaults
from campaigns.models import Campaign
from commitments.models import Board
from evaluations import mass_codes, mass_demo
from evaluations.mass_models import Ballot, Channel, LedgerEntry, Participant, Rectification, Result, Round
from portal.demo import CITY_CODE
from portal.models import Organization

from ..portal.helpers import zh
from .test_commitment_journey import watch
from .test_demo_roles import BRANCH, TOWN, log_in

pytestmark = pytest.mark.e2e

TITLE = "松陵镇党委年度群众评议（全镇）"
COMMENT = "希望支部多组织党员志愿者进楼道服务老人。"
MEASURES = "每月组织党员走访独居老人，建立服务台账，在公开栏公布。"


def printed_code(pdf):
    """The ballot code as a person reads it on the slip (two lines of groups of four)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = re.findall(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2,3}\b", text)
    first = [line for line in lines if line.count("-") == 3]  # the slips side by side: first lines, then second
    second = [line for line in lines if line.count("-") == 2]
    code = mass_codes.normalize(first[0] + second[0])
    assert mass_codes.well_formed(code), text
    return code


def test_a_round_from_opening_to_rectification(demo, page, device, open_page, screenshot, tmp_path):
    campaign = Campaign.objects.get(name=defaults.DEMO_NAME, area__code=CITY_CODE)
    mass_demo.seed(campaign)  # the demo's earlier and current rounds (nothing if seed_demo made them)
    branch, town = Organization.objects.get(name=BRANCH), Organization.objects.get(name=TOWN)
    problems = []
    committee = watch(page, problems)

    # --- The committee officer prepares the round and opens it. -----------------------------------
    log_in(committee, device, "committee", "陆振国")
    committee.goto(reverse("evaluations:mass_rounds"))
    create = reverse("evaluations:mass_round_create", args=[town.pk])
    committee.locator(f'main a[href="{create}"]').click()
    committee.wait_for_url(f"**{create}")
    committee.fill("#id_title", TITLE)
    committee.check("#id_open_channel")
    committee.locator("main form button[type=submit]").click()
    round = Round.objects.get(title=TITLE)
    committee.wait_for_url(f"**{round.get_absolute_url()}")
    committee.locator(f'main a[href="{reverse("evaluations:mass_questions", args=[round.pk])}"]').click()
    expect(committee.locator('main input[value="基本满意"]')).to_have_count(1)
    committee.go_back()
    committee.locator("#open-round").click()
    committee.locator("main form button[type=submit]").click()
    committee.wait_for_url(f"**{round.get_absolute_url()}")
    round.refresh_from_db()
    assert round.state == Round.State.OPEN and round.accepts_ballots()
    participant = Participant.objects.get(round=round, organization=branch)
    expect(committee.locator("#participants")).to_contain_text(BRANCH)
    screenshot("mass-1-round-opened")

    # --- Codes for the branch, printed as slips (PDF). ---------------------------------------------
    committee.locator(f'#participants a[href="{participant.get_absolute_url()}"]').click()
    committee.locator("#make-codes").click()
    committee.fill("#id_count", "2")
    with committee.expect_download() as download:
        committee.locator("#make-slips").click()
    slips = tmp_path / "slips.pdf"
    download.value.save_as(slips)
    code = printed_code(slips)
    assert participant.codes.count() == 2

    # --- A member of the public scans the QR code with a phone and votes in Chinese. -------------------
    public = watch(open_page("phone"), problems)
    requested = []
    public.on("request", lambda request: requested.append(request.url))
    link = mass_codes.ballot_url(code)
    assert link == f"{settings.SITE_URL}{reverse('evaluations:mass_ballot')}#{code}"
    qr_link = link[len(settings.SITE_URL) :]  # the slip's link, on the test server
    public.goto(qr_link)
    expect(public.locator("main h1")).to_contain_text(BRANCH)
    expect(public.locator("main")).to_contain_text("领导班子好")
    assert "#" not in public.url  # the fragment is gone from the address bar
    organization_questions = public.locator("#ballot-form > fieldset.mass-question")
    for i in range(organization_questions.count()):
        organization_questions.nth(i).locator("label", has_text=re.compile("^满意$")).click()
    member = public.locator("details.mass-member").first
    member.locator("summary").click()
    for i in range(member.locator("fieldset").count()):
        member.locator("fieldset").nth(i).locator("label", has_text="基本满意").click()
    public.fill("#id_comment", COMMENT)
    screenshot(f"mass-2-ballot-{device}-run", on=public, seen_on="phone")
    public.locator("#cast").click()
    public.wait_for_url(f"**{reverse('evaluations:mass_done')}*")
    expect(public.locator("#thanks")).to_be_visible()
    assert not [url for url in requested if code in url or mass_codes.grouped(code) in url], requested
    ballot = Ballot.objects.get(participant=participant)
    assert ballot.comment == COMMENT and ballot.answers.exclude(member=None).exists()
    public.goto(qr_link)  # the slip again: the code is used up
    expect(public.locator("#code-problem")).to_have_attribute("data-problem", "used")

    # --- The officer enters counted paper ballots: most dissatisfied with the first criterion. -------------
    committee.goto(participant.get_absolute_url())
    committee.locator("#enter-paper").click()
    committee.fill("#id_ballots", "10")
    rows = committee.locator("main table tbody tr")
    for i in range(rows.count()):
        inputs = rows.nth(i).locator("input")
        satisfied, dissatisfied = ("2", "8") if i == 0 else ("9", "1")
        inputs.nth(0).fill(satisfied)
        inputs.nth(2).fill(dissatisfied)
    committee.locator("#save-paper").click()
    committee.wait_for_url(f"**{participant.get_absolute_url()}")
    expect(committee.locator("#turnout")).to_contain_text("10")

    # --- The round closes: results on the public board and in the ledger, a rectification opened. ---------
    committee.goto(round.get_absolute_url())
    committee.locator("#close-round").click()
    committee.locator("main form button[type=submit]").click()
    committee.wait_for_url(f"**{round.get_absolute_url()}")
    round.refresh_from_db()
    assert round.state == Round.State.CLOSED
    overall = Result.objects.get(participant=participant, member=None, question=None)
    assert (
        overall.valid == 11 * Result.objects.filter(participant=participant, member=None).exclude(question=None).count()
    )
    rectification = Rectification.objects.get(participant=participant)
    assert "72.7%" in rectification.problem  # 8 of 11 valid answers dissatisfied

    committee.locator("#ledger-link").click()
    committee.select_option("#id_channel", Channel.QUESTIONNAIRE)
    committee.locator("main form button[type=submit]").click()
    registered = LedgerEntry.objects.get(participant=participant, member=None, channel=Channel.QUESTIONNAIRE)
    expect(committee.locator("#ledger-entries")).to_contain_text(BRANCH)
    expect(committee.locator(f'#ledger-entries a[href="{registered.get_absolute_url()}"]')).to_be_visible()
    screenshot("mass-3-ledger")

    board = reverse("commitments:board", args=[Board.for_organization(branch).code])
    public.goto(board)
    expect(public.locator("#mass-results")).to_contain_text(TITLE)
    expect(public.locator("#mass-overall")).to_have_text(f"{overall.rate}%")
    expect(public.locator("#mass-rectifications")).to_contain_text(rectification.problem)
    screenshot(f"mass-4-board-{device}-run", on=public, seen_on="phone")

    # --- The branch writes its measures and reports completion; the board shows the state. ------------------
    secretary = watch(open_page(device), problems)
    log_in(secretary, device, "secretary", "徐丽萍")
    secretary.goto(rectification.get_absolute_url())
    secretary.fill("#id_measures", MEASURES)
    secretary.fill("#id_report", "已走访独居老人12户，服务台账已建立。")
    secretary.check("#id_submit")
    secretary.locator("#save-rectification").click()
    secretary.wait_for_url(f"**{rectification.get_absolute_url()}")
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.REPORTED
    public.reload()  # the board is cached by the browser for a minute
    expect(public.locator("#mass-rectifications")).to_contain_text(MEASURES)
    expect(public.locator("#mass-rectifications")).to_contain_text(zh("Completion reported"))
    assert not problems, problems
