"""The bell and the notifications page: each user's own only, marked read by POST, a fixed number of queries."""

import pytest
from django.core import mail
from django.urls import reverse

from commitments.models import Commitment
from portal import notifications
from portal.models import AuditEntry, Notification, OutboxMessage

from ..commitments.factories import make_campaign, make_commitment, meeting_of
from .helpers import zh


def note(user, title="请提交承诺", url="/commitments/", **fields):
    return Notification.objects.create(recipient=user, title=title, url=url, **fields)


def bell(response):
    """The unread count the navbar's bell shows, or 0 without a badge."""
    html = response.content.decode()
    if 'id="bell-count"' not in html:
        return 0
    return int(html.split('id="bell-count">', 1)[1].split("<", 1)[0])


def test_the_page_lists_only_the_users_own_notifications(client, cast):
    mine = note(cast.secretary_a, "给甲村的提醒")
    note(cast.secretary_b, "给乙村的提醒")
    client.force_login(cast.secretary_a)
    response = client.get(reverse("portal:notifications"))
    assert list(response.context["page"]) == [mine]
    assert "给乙村的提醒" not in response.content.decode()


def test_the_bell_counts_the_unread_and_follows_marking(client, cast):
    first, _second = note(cast.secretary_a), note(cast.secretary_a)
    note(cast.secretary_b)
    client.force_login(cast.secretary_a)
    assert bell(client.get(reverse("portal:home"))) == 2
    client.post(reverse("portal:notification_read", args=[first.pk]))
    assert bell(client.get(reverse("portal:home"))) == 1
    client.post(reverse("portal:notifications_read_all"))
    assert bell(client.get(reverse("portal:home"))) == 0


def test_a_new_notification_shows_on_the_bell_at_once(client, cast):
    client.force_login(cast.committee_a)
    assert bell(client.get(reverse("portal:home"))) == 0
    notifications.notify([cast.committee_a], "新的提醒")
    assert bell(client.get(reverse("portal:home"))) == 1


def test_marking_another_users_notification_is_404_and_changes_nothing(client, cast):
    theirs = note(cast.secretary_b)
    client.force_login(cast.secretary_a)
    response = client.post(reverse("portal:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=cast.secretary_a).exists()


def test_mark_all_read_marks_only_ones_own(client, cast):
    note(cast.secretary_a)
    theirs = note(cast.secretary_b)
    client.force_login(cast.secretary_a)
    response = client.post(reverse("portal:notifications_read_all"), {"page": "1"})
    assert response["Location"] == reverse("portal:notifications") + "?page=1"
    assert not Notification.objects.of(cast.secretary_a).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert zh("All notifications are marked as read.") in client.get(response["Location"]).content.decode()


def test_marking_is_post_only(client, cast):
    mine = note(cast.secretary_a)
    client.force_login(cast.secretary_a)
    assert client.get(reverse("portal:notification_read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("portal:notifications_read_all")).status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_open_marks_read_and_goes_to_the_page_but_never_off_site(client, cast):
    mine = note(cast.secretary_a, url=f"/orgs/{cast.branch_a.pk}/")
    foreign = note(cast.secretary_a, url="https://evil.example/")
    client.force_login(cast.secretary_a)
    response = client.post(reverse("portal:notification_read", args=[mine.pk]), {"open": "1"})
    assert response["Location"] == f"/orgs/{cast.branch_a.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    response = client.post(reverse("portal:notification_read", args=[foreign.pk]), {"open": "1"})
    assert response["Location"] == reverse("portal:notifications")


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("portal:notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("size", [3, 40])
def test_the_page_runs_a_fixed_number_of_queries(client, cast, django_assert_num_queries, size):
    for i in range(size):
        note(cast.committee_a, f"提醒{i}", read_at=None if i % 2 else "2026-01-01T00:00:00+08:00")
    client.force_login(cast.committee_a)
    # session, user, count and page of the notifications, the roles and member record (navbar), and saving
    # the session (in a savepoint: 3)
    with django_assert_num_queries(9):
        response = client.get(reverse("portal:notifications"))
    assert len(response.context["page"]) == min(size, 20)
    assert bell(response) == size // 2


def test_the_bell_costs_no_query_while_nothing_changed(client, cast, django_assert_num_queries):
    """The unread count is cached from the login on: the page's own queries only."""
    note(cast.committee_a)
    client.force_login(cast.committee_a)
    url = reverse("portal:warnings")
    client.get(url)
    with django_assert_num_queries(11):  # as in tests/portal/test_query_counts.py
        assert bell(client.get(url)) == 1


def test_submitting_a_commitment_tells_the_acceptors_officer(client, cast, django_capture_on_commit_callbacks):
    cast.committee_a.email = "lu@example.cn"
    cast.committee_a.save()
    campaign = make_campaign(cast.city)
    commitment = make_commitment(campaign, cast.branch_a, "draft")
    commitment.attach_meeting(cast.secretary_a, meeting_of(campaign, cast.branch_a))
    client.force_login(cast.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commitments:submit", args=[commitment.pk]))
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.SUBMITTED
    [notification] = Notification.objects.filter(recipient=cast.committee_a)
    assert "甲村党支部" in notification.title
    assert notification.url == reverse("commitments:detail", args=[commitment.pk])
    assert not Notification.objects.exclude(recipient=cast.committee_a).exists()  # not the secretary herself
    # Published at once (no broker here: run in-process), the e-mail copy went out.
    assert not OutboxMessage.objects.pending().exists()
    assert [m.to for m in mail.outbox] == [["lu@example.cn"]]


def test_a_refused_submit_notifies_nobody(client, cast):
    campaign = make_campaign(cast.city)
    commitment = make_commitment(campaign, cast.branch_a, "draft")  # no meeting recorded: refused
    client.force_login(cast.secretary_a)
    client.post(reverse("commitments:submit", args=[commitment.pk]))
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.DRAFT
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
