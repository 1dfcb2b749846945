"""One scheduling pass of reminders: for a day, ask every deadline source and remind the people who must act.

Run daily by beat (``portal.tasks.run_reminders``, 07:30 Asia/Shanghai) or by hand,
``python manage.py run_reminders [--date YYYY-MM-DD]`` (the embedded default has no beat).

For a deadline due on ``D`` the pass sends on day ``d``:

- a reminder ``D - d`` days before, for each number of ``settings.REMINDER_DAYS_BEFORE`` (7 and 1);
- an overdue reminder on ``D + 1``, once: it does not repeat on the following days (the escalation
  has told the superior by then, and repeating daily would teach people to ignore the bell);
- on ``D + 1`` also the escalation: every committee officer and office staff member of the late
  organization's superior (``Deadline.escalate_to``) gets ONE digest for the day listing all their
  late subordinates, whatever the source.

Exactly once: every message is a ``Reminder`` row under the unique constraint (recipient, event key,
kind, day), inserted in the same transaction as its notification and outbox message and before
anything is sent. A second pass on the same day (beat firing twice, a retried task, two workers)
hits the constraint and writes nothing; the copies go out through the outbox, whose relay and
delivery task claim their work once. A day the pass did not run is not caught up automatically:
run ``run_reminders --date`` for it.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import notifications, outbox, reminders
from .models import Organization, Reminder, Role, RoleAssignment

ESCALATION_KEY = "escalation"  # one digest per officer and day: the key names no single event


@dataclass
class PassResult:
    day: str
    deadlines: int = 0  # open deadlines due on a reminder date
    sent: int = 0  # reminders written now (each with its notification)
    already_sent: int = 0  # found written by an earlier or concurrent pass
    escalations: int = 0  # digests written now
    published: int = 0  # outbox messages published at the end

    def as_dict(self):
        return asdict(self)


@dataclass
class Planned:
    recipient: object
    key: str
    kind: str
    organization: object
    due_on: object
    title: str
    body: str
    url: str


def run_pass(day=None):
    day = day or timezone.localdate()
    window = reminders.Window.for_day(day)
    result = PassResult(day=day.isoformat())
    with notifications.site_language():
        planned, late = [], defaultdict(list)
        for source in reminders.sources().values():
            for deadline in source(window):
                kind = window.kind_for(deadline.due_on)
                if kind is None:
                    continue
                result.deadlines += 1
                title, body = message_for(window, kind, deadline)
                planned += [
                    Planned(user, deadline.key, kind, deadline.organization, deadline.due_on, title, body, deadline.url)
                    for user in deadline.recipients
                    if user.is_active
                ]
                if kind == Reminder.Kind.OVERDUE:
                    late[deadline.escalation_organization_id()].append(deadline)
        digests = _digests(late)
        result.sent = _write(day, planned, result)
        result.escalations = _write(day, digests, result)
    result.published = outbox.relay()
    outbox.purge()
    return result


def message_for(window, kind, deadline):
    """The title and body of a reminder of ``kind`` about ``deadline`` on ``window.day`` (in the active language)."""
    if kind == Reminder.Kind.OVERDUE:
        prefix = _("[Overdue]")
    else:
        days = (deadline.due_on - window.day).days
        prefix = _("[Due tomorrow]") if days == 1 else _("[%(days)d days left]") % {"days": days}
    due = _("Due on %(date)s.") % {"date": deadline.due_on.isoformat()}
    body = "\n".join(str(part) for part in (deadline.body, due) if part)
    return f"{prefix} {deadline.title}", body


def _digests(late):
    """One digest per officer of a superior organization with late subordinates: ``[Planned]``."""
    if not late:
        return []
    superiors = Organization.objects.in_bulk([pk for pk in late if pk is not None])
    officers = (
        RoleAssignment.objects.filter(
            organization_id__in=list(superiors), role__in=(Role.COMMITTEE, Role.OFFICE), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id", "organization__path")
    )
    by_officer = defaultdict(list)
    users = {}
    for assignment in officers:
        users[assignment.user_id] = assignment.user
        if assignment.organization_id not in by_officer[assignment.user_id]:
            by_officer[assignment.user_id].append(assignment.organization_id)
    digests = []
    for user_id, org_ids in by_officer.items():
        deadlines = sorted(
            (d for pk in org_ids for d in late[pk]), key=lambda d: (d.organization.path, d.due_on, d.key)
        )
        organizations = {d.organization.pk for d in deadlines}
        title = ngettext(
            "%(count)d subordinate organization is late",
            "%(count)d subordinate organizations are late",
            len(organizations),
        ) % {"count": len(organizations)}
        lines = [
            _("%(organization)s: %(what)s (due on %(date)s)")
            % {"organization": d.organization.name, "what": d.title, "date": d.due_on.isoformat()}
            for d in deadlines
        ]
        superior = superiors[org_ids[0]]
        digests.append(
            Planned(
                users[user_id],
                ESCALATION_KEY,
                Reminder.Kind.ESCALATION,
                superior,
                None,
                f"{_('[Overdue]')} {title}",
                "\n".join(lines),
                reverse("portal:org_detail", args=[superior.pk]),
            )
        )
    return digests


def _written(day, planned):
    """(recipient, key, kind) of the reminders already written for ``day``: skipped without trying."""
    users = {p.recipient.pk for p in planned}
    return set(Reminder.objects.filter(day=day, recipient_id__in=users).values_list("recipient_id", "key", "kind"))


def _write(day, planned, result):
    """Write each reminder with its notification, once: the unique constraint decides, not timing.

    Returns how many were written now; those found written count in ``result.already_sent``.
    """
    if not planned:
        return 0
    done, written = _written(day, planned), 0
    for p in planned:
        mark = (p.recipient.pk, p.key, p.kind)
        if mark in done:
            result.already_sent += 1
            continue
        done.add(mark)
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    recipient=p.recipient, key=p.key, kind=p.kind, day=day, due_on=p.due_on, organization=p.organization
                )
                [notification] = notifications.notify([p.recipient], p.title, p.body, p.url, by_sms=True, publish=False)
                Reminder.objects.filter(pk=reminder.pk).update(notification=notification)
        except IntegrityError:  # a concurrent pass wrote it between our read and our insert
            result.already_sent += 1
            continue
        written += 1
    return written
