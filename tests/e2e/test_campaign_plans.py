"""The campaign pages in the browser: office staff adjust a criteria set's weights (the total follows as
they type, static/campaigns/criteria.js), a branch secretary saves a plan as a draft, then files it with
an attachment, and downloads it again. On a desktop and on a phone, with no script error and nothing
refused by the Content-Security-Policy.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import ImplementationPlan
from tests.campaigns.conftest import make_campaign

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, username):
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:home')}")


def watch(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    return errors


def test_office_staff_see_the_total_weight_as_they_type(transactional_db, cast, page, screenshot):
    campaign = make_campaign(cast.city)
    criteria_set = campaign.criteria_sets.get(target="organization", sector="")
    errors = watch(page)
    log_in(page, "office")
    page.goto(reverse("campaigns:criteria_edit", args=[criteria_set.pk]))
    total = page.locator("#weight-total")
    expect(total).to_have_text("100")
    page.fill("input[name=criteria-0-weight]", "30")
    expect(total).to_have_text("110")
    expect(page.locator("#weight-warning")).not_to_be_empty()
    page.check("input[name=criteria-1-DELETE]")
    expect(total).to_have_text("90")
    page.fill("input[name=criteria-1-weight]", "5")  # a removed row does not count
    expect(total).to_have_text("90")
    page.uncheck("input[name=criteria-1-DELETE]")
    page.fill("input[name=criteria-1-weight]", "10")
    expect(total).to_have_text("100")
    expect(page.locator("#weight-warning")).to_be_empty()
    screenshot("campaign-criteria")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{campaign.get_absolute_url()}#criteria")
    assert [float(c.weight) for c in criteria_set.criteria.order_by("order")] == [30, 10, 20, 20, 20]
    assert errors == []


def test_a_secretary_drafts_files_and_downloads_the_plan(transactional_db, cast, page, screenshot, tmp_path, settings):
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**private, "OPTIONS": {**private.get("OPTIONS", {}), "location": tmp_path}},
    }
    campaign = make_campaign(cast.city)
    errors = watch(page)
    log_in(page, "secretary_a")
    page.goto(campaign.get_absolute_url())
    page.locator(f'a[href="{reverse("campaigns:plan", args=[campaign.pk, cast.branch_a.pk])}"]').click()
    page.locator(f'a[href="{reverse("campaigns:plan_edit", args=[campaign.pk, cast.branch_a.pk])}"]').click()

    page.fill("textarea[name=text]", "一、目标：创建“五个好”党支部。")
    page.locator("button[name=action][value=draft]").click()
    expect(page.locator("#plan-status")).to_have_text("草稿")
    plan = ImplementationPlan.objects.get()
    assert not plan.is_filed

    page.goto(reverse("campaigns:plan_edit", args=[campaign.pk, cast.branch_a.pk]))
    page.fill("textarea[name=text]", "一、目标：创建“五个好”党支部。\n二、措施：设立党员示范楼院。")
    page.check(f"input[name=carriers][value='{campaign.carriers.get(name='党员示范楼院').pk}']")
    page.set_input_files(
        "input[name=attachment]", files=[{"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot("campaign-plan-form")
    page.locator("button[name=action][value=file]").click()
    expect(page.locator("#plan-status")).to_have_text("已报送")
    screenshot("campaign-plan")
    plan.refresh_from_db()
    assert plan.is_filed and plan.attachments.get().name == "实施方案.pdf"

    with page.expect_download() as download:
        page.locator("main a", has_text="实施方案.pdf").first.click()
    path = tmp_path / "downloaded.pdf"
    download.value.save_as(path)
    assert path.read_bytes() == PDF
    assert errors == []
