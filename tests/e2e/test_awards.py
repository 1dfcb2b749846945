"""Issue 6, "Done when": the award journey in the demo, all through the browser, in Chinese.

In the demo city with its award rounds (``awards.demo.seed``): the ``secretary`` of 松陵镇流虹社区党支部
nominates an eligible member of the branch as 优秀共产党员 (every rule shown with its figures), writes
the deeds and attaches material, and forwards the nomination; the ``committee`` officer of 松陵镇党委
forwards it to the city; the ``office`` puts it on the list and announces it (公示); a member of the
public objects from a phone without logging in and gets a reference; the office answers the objection;
once the announcement has ended (the dates are moved back: time passes) the office approves the round
and downloads the certificates; the public honour roll shows the award.

The staff side runs on a desktop and on a phone (``device``); the public always on a phone.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from awards import demo as award_demo
from awards.models import AwardRound, Nomination, Objection
from campaigns.models import Campaign
from portal.models import Organization

from .test_commitment_journey import confirm, watch
from .test_demo_roles import log_in

pytestmark = pytest.mark.e2e

DEEDS = "该同志带领党员志愿者常年开展为老服务，全年组织志愿活动五十余次，群众满意度高。"
OBJECTION = "听说该同志去年有一次值班缺岗，请组织核实。"
ANSWER = "经核查，该同志当日经批准请假，不属于缺岗，维持公示名单。"


def test_an_award_from_nomination_to_the_honour_roll(demo, page, device, open_page, screenshot, tmp_path):
    award_demo.seed(Campaign.objects.get())
    round = AwardRound.objects.get(title=award_demo.CURRENT)
    branch = Organization.objects.get(code=award_demo.DEMO_BRANCH)
    town = branch.parent
    problems = []

    # --- The branch nominates a member: each candidate shows the rules and figures. --------------
    secretary = watch(page, problems)
    log_in(secretary, device, "secretary", "徐丽萍")
    secretary.goto(reverse("awards:list"))
    secretary.locator(f'main a[href="{round.get_absolute_url()}"]').click()
    level = reverse("awards:level", args=[round.pk, branch.pk])
    secretary.locator(f'main a[href="{level}"]').click()
    excellent = round.categories.get(name="优秀共产党员")
    secretary.locator(f'main a[href="?category={excellent.pk}"]').click()
    expect(secretary.locator("#candidates .rule-passed").first).to_contain_text("定期讲评")
    expect(secretary.locator("#candidates .rule-failed").first).to_be_visible()  # some fail, with the reason
    row = secretary.locator("#candidates tr.candidate", has=secretary.locator("button.nominate")).first
    name = row.get_attribute("data-name")
    screenshot("awards-1-candidates")
    row.locator("button.nominate").click()
    secretary.wait_for_url("**/edit/")
    nomination = Nomination.objects.get(round=round, member__name=name)
    secretary.fill("textarea[name=deeds]", DEEDS)
    material = tmp_path / "事迹材料.pdf"
    material.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    secretary.set_input_files("input[name=attachment]", str(material))
    secretary.locator("#save-deeds").click()
    secretary.wait_for_url(f"**{nomination.get_absolute_url()}")
    expect(secretary.locator("#deeds")).to_contain_text(DEEDS[:10])
    confirm(secretary, reverse("awards:forward", args=[nomination.pk]))
    secretary.wait_for_url(f"**{nomination.get_absolute_url()}")
    nomination.refresh_from_db()
    assert (nomination.holder, nomination.attachments.get().name) == (town, "事迹材料.pdf")

    # --- The town committee forwards it to the city. ----------------------------------------------
    committee = watch(open_page(device), problems)
    log_in(committee, device, "committee", "陆振国")
    committee.goto(reverse("awards:level", args=[round.pk, town.pk]))
    committee.locator(f'#held a[href="{nomination.get_absolute_url()}"]').click()
    expect(committee.locator("#steps")).to_contain_text(branch.name)
    confirm(committee, reverse("awards:forward", args=[nomination.pk]))
    committee.wait_for_url(f"**{nomination.get_absolute_url()}")
    nomination.refresh_from_db()
    assert nomination.holder == round.organizer

    # --- The city office puts it on the list and announces the list. -------------------------------
    office = watch(open_page(device), problems)
    log_in(office, device, "office", "顾晓燕")
    office.goto(nomination.get_absolute_url())
    confirm(office, reverse("awards:shortlist", args=[nomination.pk]))
    office.wait_for_url(f"**{nomination.get_absolute_url()}")
    office.goto(round.get_absolute_url())
    office.locator("#announce").click()
    expect(office.locator("#round-state")).to_have_text("公示中")
    round.refresh_from_db()
    assert round.state == AwardRound.State.PUBLICITY

    # --- A member of the public objects, from a phone, without logging in. ------------------------
    public = watch(open_page("phone"), problems)
    public.goto(reverse("awards:announcement", args=[round.code]))
    expect(public.locator("#candidates")).to_contain_text(name)
    public.select_option("select[name=nomination]", str(nomination.pk))
    public.fill("textarea[name=body]", OBJECTION)
    public.fill("input[name=contact]", "13800009999")
    public.wait_for_timeout(3500)  # the form refuses what is quicker than a person writes
    public.locator("#send-objection").click()
    expect(public.locator("#objection-received")).to_be_visible()
    objection = Objection.objects.get(body=OBJECTION)
    expect(public.locator("#objection-received")).to_contain_text(objection.reference)
    expect(public.locator("main")).not_to_contain_text("13800009999")
    screenshot("awards-2-objection", on=public, seen_on="phone")

    # --- The office answers it; approval waits for the end of the announcement. -------------------
    office.goto(reverse("awards:objections", args=[round.pk]))
    office.locator(f'a[href="{reverse("awards:objection", args=[objection.pk])}"]').click()
    office.locator("input[name=outcome][value=dismissed]").check()
    office.fill("textarea[name=answer]", ANSWER)
    office.locator("#save-answer").click()
    office.wait_for_url(f"**{reverse('awards:objections', args=[round.pk])}")
    expect(office.locator("#objections")).to_contain_text(ANSWER)
    office.goto(round.get_absolute_url())
    expect(office.locator("#approval-errors")).to_be_visible()
    expect(office.locator("#approve")).to_be_disabled()
    # Time passes: the announcement ended yesterday.
    today = timezone.localdate()
    AwardRound.objects.filter(pk=round.pk).update(
        publicity_starts_on=today - datetime.timedelta(days=7), publicity_ends_on=today - datetime.timedelta(days=1)
    )
    office.reload()
    office.fill("input[name=decision]", "吴委〔2011〕28号")
    office.locator("#approve").click()
    expect(office.locator("#round-state")).to_have_text("已批准")
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.APPROVED and nomination.certificate_no
    certificates = office.request.get(office.locator("#certificates").get_attribute("href"))
    assert certificates.headers["content-type"] == "application/pdf"
    assert certificates.body().startswith(b"%PDF")
    screenshot("awards-3-approved", on=office)

    # --- The honour roll shows the award, with the deeds. -----------------------------------------
    public.goto(reverse("awards:honours"))
    expect(public.locator("#honours")).to_contain_text(name)
    public.locator("#honours a.honour", has_text=name).click()
    expect(public.locator("#deeds")).to_contain_text(DEEDS[:10])
    assert not problems, problems
