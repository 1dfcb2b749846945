"""The bell in the browser: the demo secretary sees her unread notifications, opens one, marks all read."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from portal.models import Notification

from .test_demo_roles import unfold_menu

pytestmark = pytest.mark.e2e


def test_the_secretary_reads_her_notifications(demo, page, device, screenshot):
    unread = Notification.objects.filter(recipient__username="secretary", read_at__isnull=True).count()
    assert unread
    page.goto(reverse("login"))
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:home')}")

    unfold_menu(page)  # on a phone the bell sits in the collapsed menu
    expect(page.locator("#bell-count")).to_contain_text(str(unread))
    page.locator("#bell").click()
    page.wait_for_url(f"**{reverse('portal:notifications')}")
    expect(page.locator("#notifications .list-group-item")).to_have_count(
        Notification.objects.filter(recipient__username="secretary").count()
    )
    screenshot("notifications")

    # "Open" on the reminder goes where the branch acts (filing its commitment) and marks it read.
    reminder = Notification.objects.filter(recipient__username="secretary", url__startswith="/commitments/new/").get()
    page.locator(f'form[action="{reverse("portal:notification_read", args=[reminder.pk])}"] button[name=open]').click()
    page.wait_for_url("**/commitments/new/**")
    reminder.refresh_from_db()
    assert reminder.read_at is not None

    page.goto(reverse("portal:notifications"))
    page.locator(f'form[action="{reverse("portal:notifications_read_all")}"] button').click()
    page.wait_for_url(f"**{reverse('portal:notifications')}*")
    expect(page.locator("#bell-count")).to_have_count(0)
    assert not Notification.objects.filter(recipient__username="secretary", read_at__isnull=True).exists()
