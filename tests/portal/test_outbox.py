"""The transactional outbox: a broker outage never fails a user's action; queued work goes out once.

"Broker down" is the real thing here: Celery configured for Redis on a port where nothing listens
(127.0.0.1:6390), so publishing is refused. "Broker back" replaces the publisher by one that records
what it publishes (the real Redis is exercised in tests/services/test_reminders_worker.py).
"""

import threading
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from commitments.models import Commitment
from portal import outbox
from portal.models import ExportJob, Notification, OutboxMessage
from portal.tasks import deliver_notification

from ..commitments.factories import make_campaign, make_commitment, meeting_of

DEAD_BROKER = "redis://127.0.0.1:6390/0"


@pytest.fixture
def broker_down(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = DEAD_BROKER


@pytest.fixture
def broker_back(monkeypatch):
    """The broker answers again: what the relay publishes is recorded (task name, args)."""
    published = []

    @contextmanager
    def publisher():
        yield lambda message: published.append((message.task, list(message.args)))

    monkeypatch.setattr(outbox, "_publisher", publisher)
    return published


def test_an_export_starts_while_the_broker_is_down(client, cast, broker_down, django_capture_on_commit_callbacks):
    client.force_login(cast.office)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:export_start", args=["member_roll"]), {"organization": cast.city.code})
    assert time.monotonic() - started < 5  # refused at once, no retry loop
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING
    [message] = OutboxMessage.objects.all()
    assert (message.task, message.args, message.sent_at) == ("portal.tasks.run_export", [job.pk], None)
    assert message.attempts == 1 and "6390" in message.last_error


def test_the_relay_publishes_a_waiting_message_once(cast, broker_down, broker_back):
    with transaction.atomic():
        message = outbox.enqueue("portal.tasks.run_export", 41, publish=False)
    assert outbox.relay() == 1
    assert broker_back == [("portal.tasks.run_export", [41])]
    assert outbox.relay() == 0  # running the relay again sends nothing more
    assert broker_back == [("portal.tasks.run_export", [41])]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_the_relay_stops_at_the_first_refusal_and_keeps_the_order(cast, broker_down):
    for pk in (1, 2, 3):
        outbox.enqueue("portal.tasks.run_export", pk, publish=False)
    assert outbox.relay() == 0
    attempts = list(OutboxMessage.objects.order_by("pk").values_list("attempts", flat=True))
    assert attempts == [1, 0, 0]  # one try for the first; the rest wait behind it


def test_a_submitted_commitment_notifies_once_the_broker_is_back(
    client, cast, broker_down, monkeypatch, settings, django_capture_on_commit_callbacks
):
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
    assert commitment.state == Commitment.State.SUBMITTED  # the action succeeded
    [notification] = Notification.objects.all()  # the bell shows it already
    [message] = OutboxMessage.objects.pending()
    assert (message.task, message.args) == ("portal.tasks.deliver_notification", [notification.pk])
    assert mail.outbox == []

    # The broker is back: the relay runs the delivery (in-process here), once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert [m.to for m in mail.outbox] == [["lu@example.cn"]]
    deliver_notification.apply(args=[notification.pk])  # a redelivered task finds the channel taken
    assert len(mail.outbox) == 1


def test_without_a_broker_the_work_runs_in_process_right_after_the_commit(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.office)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("portal:export_start", args=["member_roll"]), {"organization": cast.city.code})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the export's own notice runs after it too
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert not OutboxMessage.objects.pending().exists()


def test_a_rolled_back_action_leaves_no_message(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("portal.tasks.run_export", 7)
        raise RuntimeError("the action failed")
    assert not OutboxMessage.objects.exists()


def test_a_failing_task_run_in_process_does_not_fail_the_caller(cast, settings, monkeypatch, caplog):
    outbox.enqueue("portal.tasks.deliver_notification", 999999, publish=False)  # no such notification: a no-op
    monkeypatch.setattr("portal.notifications.deliver", lambda pk: 1 / 0)
    assert outbox.relay() == 1
    [message] = OutboxMessage.objects.all()
    assert message.sent_at and "ZeroDivisionError" in message.last_error


def test_old_published_messages_are_purged_but_pending_ones_stay(cast, broker_back, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = outbox.enqueue("portal.tasks.run_export", 1, publish=False)
    outbox.relay()
    waiting = outbox.enqueue("portal.tasks.run_export", 2, publish=False)
    OutboxMessage.objects.update(created_at="2020-01-01T00:00:00Z")
    OutboxMessage.objects.filter(pk=sent.pk).update(sent_at="2020-01-02T00:00:00Z")
    assert outbox.purge() == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_retries_wait_less_than_the_visibility_timeout(settings):
    """acks_late tasks: a retry countdown beyond Redis' visibility timeout would hand them to a second worker."""
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_RETRY_MAX_SECONDS
    assert deliver_notification.acks_late and deliver_notification.max_retries == 5


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_publish_each_message_once(cast, settings, broker_back):
    """A relay holding the rows (row locks, PostgreSQL) makes the other skip them, not wait or repeat."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for pk in range(5):
        outbox.enqueue("portal.tasks.run_export", pk, publish=False)
    inside, release = threading.Event(), threading.Event()
    original = outbox._publisher

    @contextmanager
    def slow_publisher():
        with original() as publish:

            def wait_then_publish(message):
                inside.set()
                release.wait(10)
                publish(message)

            yield wait_then_publish

    counts = []

    def first_relay():
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(outbox, "_publisher", slow_publisher)
                counts.append(outbox.relay())
        finally:
            connection.close()

    thread = threading.Thread(target=first_relay)
    thread.start()
    assert inside.wait(10)
    assert outbox.relay() == 0  # every row is locked by the first relay: skipped, not waited for
    release.set()
    thread.join()
    assert counts == [5]
    assert sorted(args[0] for _task, args in broker_back) == [0, 1, 2, 3, 4]


def test_administrators_see_the_waiting_messages_in_the_admin(client, cast, broker_down):
    from django.contrib.auth import get_user_model

    outbox.enqueue("portal.tasks.run_export", 3, publish=False)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345")
    client.force_login(root)
    page = client.get(reverse("admin:portal_outboxmessage_changelist") + "?sent_at__isempty=1")
    assert page.status_code == 200
    assert "portal.tasks.run_export" in page.content.decode()
    assert client.get(reverse("admin:portal_outboxmessage_add")).status_code == 403
