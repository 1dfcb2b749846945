"""Issue 3, "leaving a half-filled form keeps a draft": a secretary starts the branch's commitment on a
phone or a desktop, types two items without saving, leaves, comes back, restores the text, saves.

The text typed is kept on the device (static/commitments/draft.js, localStorage) until the server
confirms the save. Selectors are names and data attributes, not UI labels.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commitments.models import Commitment
from tests.commitments.factories import make_campaign, today

pytestmark = pytest.mark.e2e


def log_in(page, username):
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:home')}")


def test_a_half_filled_commitment_is_kept_on_the_device(transactional_db, cast, page, device, screenshot):
    campaign = make_campaign(cast.city)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    log_in(page, "secretary_a")

    # The first save creates the draft.
    page.goto(reverse("commitments:create", args=[cast.branch_a.pk]))
    page.fill("input[name=title]", "甲村党支部公开承诺")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/edit/**")
    commitment = Commitment.objects.get()
    edit_url = reverse("commitments:edit", args=[commitment.pk])

    # Two items typed, the second in a row added on the page, then the page is left without saving.
    page.fill("textarea[name=items-0-content]", "每月走访困难群众")
    page.locator("[data-formset-add]").click()
    page.fill("textarea[name=items-1-content]", "建设党员活动室")
    page.wait_for_timeout(600)  # the copy is written a moment after typing stops
    page.goto(reverse("commitments:list"))

    # Back on the form: the kept text is offered and restored, rows included.
    page.goto(edit_url)
    banner = page.locator(f'[data-draft-banner="edit-{commitment.pk}"]')
    expect(banner).to_be_visible()
    banner.locator("[data-draft-restore]").click()
    expect(page.locator("textarea[name=items-0-content]")).to_have_value("每月走访困难群众")
    expect(page.locator("textarea[name=items-1-content]")).to_have_value("建设党员活动室")
    screenshot("commitment-draft-restored")

    for row in (0, 1):
        page.fill(f"input[name=items-{row}-target]", "全年不少于12次")
        page.fill(f"input[name=items-{row}-deadline]", today().replace(day=1).isoformat())
        page.select_option(f"select[name=items-{row}-criterion]", index=row + 1)
    page.locator("main form[data-draft] button[type=submit]").click()
    page.wait_for_url(f"**{commitment.get_absolute_url()}?saved=edit-{commitment.pk}")
    assert list(commitment.items.values_list("content", flat=True)) == ["每月走访困难群众", "建设党员活动室"]

    # Saved: the device forgets its copy, and coming back offers nothing.
    kept = page.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('portal-draft:'))")
    assert kept == []
    page.goto(edit_url)
    expect(page.locator(f'[data-draft-banner="edit-{commitment.pk}"]')).to_be_hidden()
    screenshot("commitment-edit")
    assert campaign.commitments.count() == 1
    assert errors == []  # no script error, nothing refused by the Content-Security-Policy, no missing file
