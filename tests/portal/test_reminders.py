"""Reminders: the right people on the right days, never twice, nobody who acted; escalation digests.

The clock is moved with ``time_machine``; each day runs the pass the way beat would (``run_reminders``).
The world: tests/portal/reminder_world.py (a commitment-filing deadline ``DUE`` over the cast's city).
"""

import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from campaigns.models import Milestone
from commitments.models import Commitment
from portal import reminder_pass, sms
from portal.models import Notification, Reminder

from ..commitments.factories import make_commitment
from . import reminder_world
from .reminder_world import DUE, at, days


@pytest.fixture
def rw(cast, settings):
    settings.SMS_BACKEND = "portal.sms.LocmemBackend"
    sms.outbox.clear()
    return reminder_world.build(cast)


def reminded(user):
    """The reminders ``user`` received, as notifications (not those of other causes)."""
    return Notification.objects.filter(recipient=user, reminder__isnull=False).order_by("pk")


def run_days(first, last):
    """Run the daily pass on each day from ``first`` to ``last`` (offsets from DUE), as beat at 07:30."""
    for offset in range(first, last + 1):
        with time_machine.travel(at(days(offset)), tick=False):
            call_command("run_reminders", stdout=io.StringIO())


def zh(text, **params):
    with translation.override("zh-hans"):
        return _(text) % params if params else _(text)


def test_reminders_go_out_seven_and_one_day_before_and_once_when_overdue(rw):
    run_days(-10, 5)

    days_sent = sorted(
        Reminder.objects.filter(recipient=rw.secretary_a).values_list("day", "kind"), key=lambda row: row[0]
    )
    assert days_sent == [(days(-7), "before"), (days(-1), "before"), (days(1), "overdue")]
    titles = [n.title for n in reminded(rw.secretary_a)]
    assert titles[0].startswith(zh("[%(days)d days left]", days=7))
    assert titles[1].startswith(zh("[Due tomorrow]"))
    assert titles[2].startswith(zh("[Overdue]"))
    assert all("甲村党支部" in title for title in titles)
    # The town's own commitment is its committee officer's to file: the same three days for them.
    own = Reminder.objects.filter(recipient=rw.committee_a).exclude(kind=Reminder.Kind.ESCALATION)
    assert sorted(own.values_list("day", flat=True)) == [days(-7), days(-1), days(1)]
    assert set(own.values_list("organization", flat=True)) == {rw.town_a.pk}


def test_the_reminder_says_what_and_where_in_chinese(rw):
    with time_machine.travel(at(days(-7)), tick=False):
        reminder_pass.run_pass()
    [notification] = reminded(rw.secretary_a)
    assert "组织" in notification.title  # "file the organization's commitment", in Chinese
    assert notification.url == f"/commitments/new/{rw.branch_a.pk}/?campaign={rw.campaign.pk}"
    assert DUE.isoformat() in notification.body
    assert rw.campaign.name in notification.body


def test_nobody_who_acted_is_reminded(rw):
    with time_machine.travel(at(days(-7)), tick=False):
        reminder_pass.run_pass()
    assert reminded(rw.secretary_b).count() == 1
    reminder_world.file_everything(rw, rw.branch_b, [rw.member_b])
    run_days(-6, 3)
    assert reminded(rw.secretary_b).count() == 1  # only the one from before it filed
    late = Notification.objects.get(recipient=rw.office, reminder__kind=Reminder.Kind.ESCALATION)
    assert "乙村党支部" not in late.body  # branch_b is not late: its superior hears nothing of it


def test_filing_only_the_organizations_commitment_still_leaves_the_members(rw):
    make_commitment(rw.campaign, rw.branch_a, Commitment.State.SUBMITTED, actor=rw.office)
    with time_machine.travel(at(days(-1)), tick=False):
        reminder_pass.run_pass()
    [notification] = reminded(rw.secretary_a)
    assert "2" in notification.title  # member_a and the secretary's own member record
    assert notification.url == f"/commitments/missing/{rw.branch_a.pk}/?campaign={rw.campaign.pk}"


def test_a_draft_or_returned_commitment_is_not_filed(rw):
    draft = make_commitment(rw.campaign, rw.branch_a, Commitment.State.RETURNED, actor=rw.office)
    with time_machine.travel(at(days(-1)), tick=False):
        reminder_pass.run_pass()
    [notification] = reminded(rw.secretary_a)
    assert notification.url == f"/commitments/{draft.pk}/"  # straight to the commitment to correct


def test_running_the_pass_twice_sends_nothing_twice(rw):
    first = reminder_pass.run_pass(days(1))
    notifications, mails, texts = Notification.objects.count(), len(mail.outbox), len(sms.outbox)
    second = reminder_pass.run_pass(days(1))
    assert first.sent > 0 and first.escalations == 2
    assert (second.sent, second.escalations) == (0, 0)
    assert second.already_sent == first.sent + first.escalations
    assert (Notification.objects.count(), len(mail.outbox), len(sms.outbox)) == (notifications, mails, texts)


def test_a_concurrent_pass_that_wrote_first_wins_by_the_unique_record(rw, monkeypatch):
    """Two passes read "nothing sent yet" at once: the second one's inserts hit the constraint, nothing is sent."""
    first = reminder_pass.run_pass(days(-7))
    mails = len(mail.outbox)
    monkeypatch.setattr(reminder_pass, "_written", lambda day, planned: set())  # it has not seen the first's rows
    second = reminder_pass.run_pass(days(-7))
    assert second.sent == 0 and second.already_sent == first.sent
    assert Reminder.objects.count() == first.sent
    assert len(mail.outbox) == mails


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_pass_at_once_send_each_reminder_once(cast, settings):
    """Two real transactions in parallel (PostgreSQL): the unique record decides, not timing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the parallel case needs PostgreSQL")
    reminder_world.build(cast)
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            barrier.wait()
            results.append(reminder_pass.run_pass(days(1)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    written = sum(r.sent + r.escalations for r in results)
    assert written == Reminder.objects.count() == Notification.objects.filter(reminder__isnull=False).count()
    assert sum(r.already_sent for r in results) == written  # what one wrote, the other found
    assert len(mail.outbox) == written  # every recipient here has an address: one mail per reminder


def test_escalation_is_one_digest_per_superior_officer_listing_the_late_subordinates(rw):
    reminder_world.file_everything(rw, rw.branch_b, [rw.member_b])
    run_days(0, 2)
    [digest] = Notification.objects.filter(recipient=rw.committee_a, reminder__kind=Reminder.Kind.ESCALATION)
    assert digest.title.startswith(zh("[Overdue]"))
    assert "2" in digest.title  # two late subordinates
    assert "甲村党支部" in digest.body and "甲二村党支部" in digest.body
    assert "乙" not in digest.body  # another town's organizations are not this officer's
    assert digest.url == f"/orgs/{rw.town_a.pk}/"
    [city_digest] = Notification.objects.filter(recipient=rw.office, reminder__kind=Reminder.Kind.ESCALATION)
    assert "甲镇党委" in city_digest.body and "乙镇党委" in city_digest.body
    assert "甲村党支部" not in city_digest.body  # the city hears of its direct subordinates
    # Nobody else is told, and only on the day after the deadline.
    escalations = Reminder.objects.filter(kind=Reminder.Kind.ESCALATION)
    assert set(escalations.values_list("recipient", "day")) == {(rw.committee_a.pk, days(1)), (rw.office.pk, days(1))}


def test_the_digest_lists_every_late_deadline_of_every_source(rw):
    Milestone.objects.create(
        campaign=rw.campaign,
        kind=Milestone.Kind.PROGRESS_UPDATE,
        title="上半年进展更新",
        opens_on=days(-20),
        due_on=DUE,
    )
    make_commitment(rw.campaign, rw.branch_a2, Commitment.State.PUBLISHED, actor=rw.office)
    reminder_pass.run_pass(days(1))
    [digest] = Notification.objects.filter(recipient=rw.committee_a, reminder__kind=Reminder.Kind.ESCALATION)
    lines = digest.body.splitlines()
    assert len([line for line in lines if line.startswith("甲二村党支部")]) == 2  # filing (members) and progress


def test_reminders_are_mailed_and_texted(rw):
    reminder_pass.run_pass(days(-7))
    [message] = [m for m in mail.outbox if m.to == ["xu@example.cn"]]
    [notification] = reminded(rw.secretary_a)
    assert notification.title in message.subject
    assert f"/commitments/new/{rw.branch_a.pk}/" in message.body
    assert [phone for phone, _text in sms.outbox] == ["13800000001"]  # the only recipient with a phone
    assert notification.title in sms.outbox[0][1]
    notification.refresh_from_db()
    assert notification.emailed_at and notification.texted_at


def test_a_failing_sms_gateway_is_retried_without_mailing_twice(rw, settings, monkeypatch):
    calls = []

    def flaky(self, phone, text):
        calls.append(phone)
        if len(calls) == 1:
            raise OSError("gateway timeout")
        sms.outbox.append((phone, text))

    monkeypatch.setattr(sms.LocmemBackend, "send", flaky)
    reminder_pass.run_pass(days(-7))
    assert len(calls) == 2  # retried (eagerly here; a worker waits a minute first)
    assert len([m for m in mail.outbox if m.to == ["xu@example.cn"]]) == 1
    assert len(sms.outbox) == 1


def test_progress_reminders_skip_commitments_with_progress_since_the_step_opened(rw):
    Milestone.objects.create(
        campaign=rw.campaign, kind=Milestone.Kind.PROGRESS_UPDATE, title="进展更新", opens_on=days(-20), due_on=DUE
    )
    published_a = make_commitment(rw.campaign, rw.branch_a, Commitment.State.PUBLISHED, actor=rw.office)
    make_commitment(rw.campaign, rw.branch_b, Commitment.State.PUBLISHED, actor=rw.office)
    with time_machine.travel(at(days(-7)), tick=False):
        item = published_a.items.get()
        item.post_progress(rw.secretary_a, "完成一半", 50)
        reminder_pass.run_pass()
    progress = Reminder.objects.filter(key__startswith="commitments.progress")
    assert list(progress.values_list("recipient", flat=True)) == [rw.secretary_b.pk]
    [notification] = Notification.objects.filter(reminder__in=progress)
    assert notification.url == f"/commitments/?org=BR-B&campaign={rw.campaign.pk}&state=published"


def test_a_step_not_yet_open_reminds_nobody(rw):
    Milestone.objects.filter(pk=rw.filing.pk).update(opens_on=days(-3))
    assert reminder_pass.run_pass(days(-7)).sent == 0
    assert reminder_pass.run_pass(days(-1)).sent > 0


def test_the_days_before_are_a_setting(rw, settings):
    settings.REMINDER_DAYS_BEFORE = (3,)
    run_days(-8, 0)
    assert sorted(set(Reminder.objects.values_list("day", flat=True))) == [days(-3)]


def test_run_reminders_takes_a_date_and_refuses_a_bad_one(rw):
    out = []
    call_command("run_reminders", "--date", days(-7).isoformat(), stdout=type("W", (), {"write": out.append})())
    assert Reminder.objects.filter(day=days(-7)).exists()
    assert days(-7).isoformat() in out[0]
    with pytest.raises(CommandError):
        call_command("run_reminders", "--date", "2026-13-01")


def test_an_inactive_user_gets_nothing(rw):
    rw.secretary_a.is_active = False
    rw.secretary_a.save()
    reminder_pass.run_pass(days(-7))
    assert not Reminder.objects.filter(recipient=rw.secretary_a).exists()


def test_reminder_days_before_must_be_numbers(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import portal.settings

    monkeypatch.setenv("REMINDER_DAYS_BEFORE", "7,tomorrow")
    with pytest.raises(ImproperlyConfigured):
        importlib.reload(portal.settings)
    monkeypatch.delenv("REMINDER_DAYS_BEFORE")
    importlib.reload(portal.settings)


def test_reminder_dates_are_local(rw):
    """At 23:30 on the 22nd in Shanghai it is still the 22nd, whatever UTC says."""
    with time_machine.travel(at(days(-8), 23, 59), tick=False):
        call_command("run_reminders", stdout=io.StringIO())
    assert not Reminder.objects.exists()
    with time_machine.travel(at(days(-7), 0, 1), tick=False):
        call_command("run_reminders", stdout=io.StringIO())
    assert Reminder.objects.filter(day=days(-7)).exists()
