"""The demo accounts' bells after ``seed_demo`` (portal/demo.py ``build_demo_notifications``)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from portal.demo import build_demo_notifications
from portal.models import Notification, Reminder

User = get_user_model()


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, orgs=60, members=600, stdout=StringIO())


def bell_of(username):
    return list(Notification.objects.filter(recipient__username=username).order_by("pk").values_list("title", "url"))


def test_the_demo_secretary_and_committee_find_notifications(demo, client):
    secretary = bell_of("secretary")
    assert any("/commitments/new/" in url for _title, url in secretary)  # her branch's own commitment to file
    assert any("钱志明" in title for title, _url in secretary)  # the member's commitment she accepts
    assert bell_of("committee")  # commitments of 松陵镇's organizations submitted to the town
    assert not Reminder.objects.exists()  # the real reminders of the coming days still go out
    client.force_login(User.objects.get(username="secretary"))
    page = client.get(reverse("portal:notifications"))
    assert page.status_code == 200
    assert 'id="bell-count"' in page.content.decode()


def test_a_second_run_adds_nothing(demo):
    before = Notification.objects.count()
    build_demo_notifications()
    assert Notification.objects.count() == before
