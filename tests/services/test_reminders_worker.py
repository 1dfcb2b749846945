"""Reminders and the outbox with a real worker on Redis and PostgreSQL (file e-mail backend in the worker).

- A reminder pass sent to the worker twice writes each reminder and e-mail once.
- A secretary submits a commitment while the web side's broker is a dead port: the submit succeeds,
  the notice waits in the outbox; once the broker is back the relay (run by the worker, as beat would
  have it) publishes it and the committee officer gets one e-mail, even if the delivery is sent again.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment
from portal.models import Notification, OutboxMessage, Reminder

from ..commitments.factories import make_campaign, make_commitment, meeting_of
from ..portal import reminder_world
from .conftest import wait_for

pytestmark = pytest.mark.services


def mails(worker):
    """The e-mails the worker wrote (file backend): their To: headers."""
    if not worker.mail_dir.exists():
        return []
    lines = (line for path in sorted(worker.mail_dir.iterdir()) for line in path.read_text().splitlines())
    return [line.removeprefix("To: ") for line in lines if line.startswith("To: ")]


def finished(worker, task):
    """How many runs of ``task`` the worker reports as succeeded."""
    lines = worker.log_path.read_text().splitlines()
    return sum(1 for line in lines if f"Task {task}[" in line and "succeeded" in line)


def test_a_reminder_pass_sent_twice_writes_each_reminder_and_mail_once(celery_worker_process, cast):
    worker = celery_worker_process
    reminder_world.build(cast)
    day = reminder_world.days(-7).isoformat()
    worker.send("portal.tasks.run_reminders", day)
    worker.send("portal.tasks.run_reminders", day)

    wait_for(lambda: finished(worker, "portal.tasks.run_reminders") == 2, what="both passes")
    wait_for(lambda: not OutboxMessage.objects.pending().exists(), what="the outbox to be relayed")
    wait_for(lambda: len(mails(worker)) == 3, what="three e-mails")
    wait_for(lambda: finished(worker, "portal.tasks.deliver_notification") == 3, what="the deliveries")
    assert sorted(mails(worker)) == ["lu@example.cn", "wang@example.cn", "xu@example.cn"]
    assert Reminder.objects.count() == 3
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {
        cast.secretary_a.pk,
        cast.secretary_b.pk,
        cast.committee_a.pk,
    }
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 3


def test_a_submit_during_a_broker_outage_reaches_the_officer_once_the_broker_is_back(
    celery_worker_process, cast, settings, redis_url
):
    worker = celery_worker_process
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6390/15"  # nothing listens there: Redis is "down"
    cast.committee_a.email = "lu@example.cn"
    cast.committee_a.save()
    campaign = make_campaign(cast.city)
    commitment = make_commitment(campaign, cast.branch_a, "draft")
    commitment.attach_meeting(cast.secretary_a, meeting_of(campaign, cast.branch_a))

    client = Client()
    client.force_login(cast.secretary_a)
    response = client.post(reverse("commitments:submit", args=[commitment.pk]))
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.SUBMITTED
    [message] = OutboxMessage.objects.pending()
    assert message.task == "portal.tasks.deliver_notification" and message.attempts == 1

    # Redis is back: beat's relay runs in the worker (twice, as a repeated beat would).
    worker.send("portal.tasks.relay_outbox")
    worker.send("portal.tasks.relay_outbox")
    wait_for(lambda: mails(worker) == ["lu@example.cn"], what="the officer's e-mail")
    wait_for(lambda: finished(worker, "portal.tasks.relay_outbox") == 2, what="both relays")
    [notification] = Notification.objects.all()
    assert notification.recipient == cast.committee_a and notification.emailed_at
    # The delivery sent again (a redelivery, a second worker) finds the e-mail already sent.
    worker.send("portal.tasks.deliver_notification", notification.pk)
    wait_for(lambda: finished(worker, "portal.tasks.deliver_notification") == 2, what="the second delivery")
    assert mails(worker) == ["lu@example.cn"]
    assert not OutboxMessage.objects.pending().exists()


def test_scoring_during_a_broker_outage_and_the_queued_review_reminders_go_out_once(
    celery_worker_process, cast, settings, redis_url
):
    """A committee officer scores while Redis is down; the day's reminder pass (run in-process, as
    ``run_reminders`` would) keeps its e-mails in the outbox; with Redis back they go out once."""
    from campaigns.services import create_campaign
    from evaluations.models import OrganizationReview, ReviewCycle
    from portal.reminder_pass import run_pass

    worker = celery_worker_process
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6390/15"  # nothing listens there: Redis is "down"
    cast.committee_a.email = "lu@example.cn"
    cast.committee_a.save()
    today = timezone.localdate()
    campaign = create_campaign(
        cast.office,
        name="讲评",
        area=cast.city,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=60),
        milestones=[
            {"kind": "review", "title": "上半年讲评", "opens_on": today, "due_on": today + datetime.timedelta(days=7)}
        ],
    )
    cycle = ReviewCycle.objects.of_campaign(campaign).get()
    criteria = list(campaign.criteria_for("organization", cast.branch_a.sector).criteria.all())
    data = {"organization": str(cast.branch_a.pk), f"r{cast.branch_a.pk}-version": ""}
    data.update({f"r{cast.branch_a.pk}-c{c.pk}": "18" for c in criteria})

    client = Client()
    client.force_login(cast.committee_a)
    response = client.post(reverse("evaluations:score", args=[cast.town_a.pk]) + f"?cycle={cycle.pk}", data)
    assert response.status_code == 302
    assert OrganizationReview.objects.get(organization=cast.branch_a).total == 18 * len(criteria)

    run_pass(today)  # 7 days before the due date: town_a still has branch_a2 to score
    pending = OutboxMessage.objects.pending().count()
    assert pending >= 1 and Reminder.objects.filter(recipient=cast.committee_a).exists()

    worker.send("portal.tasks.relay_outbox")
    worker.send("portal.tasks.relay_outbox")
    wait_for(lambda: finished(worker, "portal.tasks.relay_outbox") == 2, what="both relays")
    wait_for(lambda: not OutboxMessage.objects.pending().exists(), what="the outbox to be relayed")
    wait_for(lambda: "lu@example.cn" in mails(worker), what="the officer's e-mail")
    assert mails(worker).count("lu@example.cn") == 1
