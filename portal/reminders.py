"""The deadline registry: every app declares its open deadlines here, the reminder pass does the rest.

An app declares its deadlines in ``<app>/reminders.py`` (imported when the apps are ready, like
``<app>/exporters.py``) with a *source*: a function that, given the :class:`Window` of one
scheduling pass, yields a :class:`Deadline` for every organization that still has to act::

    from portal import reminders

    @reminders.register("evaluations.review")
    def review_scores(window):
        for cycle in ReviewCycle.objects.filter(deadline__in=window.due_dates):
            late = list(organizations_still_unscored(cycle))
            people = reminders.acting_users(late)  # {organization pk: [users]}, one query
            for org in late:
                yield reminders.Deadline(
                    key=f"evaluations.review:{cycle.pk}:{org.pk}",
                    due_on=cycle.deadline,
                    organization=org,
                    recipients=people[org.pk],
                    title=_("Score the review of %(org)s") % {"org": org.name},  # a lazy or plain str
                    url=reverse("evaluations:score", args=[cycle.pk, org.pk]),
                )

The contract of a source:

- **Only what is still missing.** Yield one deadline per organization (or per member, per item:
  whatever one reminder is about) whose action is *not done* on ``window.day``. Someone who has acted
  must not be in ``recipients``; an organization that has acted must not be yielded at all.
- **Only the due dates asked for.** ``window.due_dates`` are the due dates that get a message on
  ``window.day``: those ``settings.REMINDER_DAYS_BEFORE`` days ahead, and yesterday (overdue). Filter
  on them in SQL (``due_on__in=window.due_dates``); the pass ignores any other due date anyway.
- **A stable key.** ``key`` names the event and the organization, never the day or the wording:
  ``"<app>.<kind>:<object pk>:<organization pk>"``. The pass records ``(recipient, key, kind of
  reminder, day)`` under a unique constraint, so the same key on the same day never reaches the same
  person twice, however often the pass runs.
- **Recipients may be empty.** An organization with nobody to remind (no login) is still yielded:
  it is still late, and the escalation to its superior lists it. :func:`acting_users` gives the
  usual people who act for an organization.
- **Title and URL.** ``title`` is one line saying what to do, wrapped in ``gettext_lazy`` or built
  with ``gettext`` under the recipient's language (the pass renders each message in Chinese, the
  site's language). ``url`` is a path (``reverse(...)``) where the recipient acts.
- **Escalation.** When the deadline has passed (``due_on == window.day - 1``), the committee officers
  and office staff of ``escalate_to`` (default: the organization's superior) get one digest per day
  that lists all their late subordinates, whatever source they came from. Set ``escalate_to`` to another
  organization when the one that follows the work is not the direct superior.

What the pass sends on a day ``d`` for a deadline due on ``D`` (see ``portal/reminder_pass.py``):
a reminder when ``D - d`` is one of ``REMINDER_DAYS_BEFORE`` (default 7 and 1 days before), one
overdue reminder on ``D + 1`` (it does not repeat), and on that same day the escalation digest.
Each as an in-app notification, an e-mail when the user has an address, and an SMS when the user's
member record has a phone number.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings

REMINDER_DAYS_BEFORE_DEFAULT = (7, 1)


@dataclass(frozen=True)
class Window:
    """One scheduling pass: the day it runs for and the due dates that get a message on that day."""

    day: date
    days_before: tuple[int, ...] = REMINDER_DAYS_BEFORE_DEFAULT

    @classmethod
    def for_day(cls, day):
        days = getattr(settings, "REMINDER_DAYS_BEFORE", REMINDER_DAYS_BEFORE_DEFAULT)
        return cls(day, tuple(sorted({int(n) for n in days if int(n) > 0}, reverse=True)))

    @cached_property
    def overdue_date(self):
        """Deadlines due on this date passed yesterday: their overdue reminder and escalation go out today."""
        return self.day - timedelta(days=1)

    @cached_property
    def due_dates(self):
        """Every due date that gets a message today (ahead of time or overdue), for ``due_on__in``."""
        return frozenset({self.day + timedelta(days=n) for n in self.days_before} | {self.overdue_date})

    def kind_for(self, due_on):
        """The kind of reminder a deadline due on ``due_on`` gets today, or None."""
        if due_on == self.overdue_date:
            return "overdue"
        if due_on in self.due_dates:
            return "before"
        return None


@dataclass
class Deadline:
    """One action still missing: who must act, by when, where, and who hears when it is late."""

    key: str  # stable event key, e.g. "commitments.filing:<milestone pk>:<organization pk>"
    due_on: date
    organization: object  # portal.models.Organization that must act
    recipients: Sequence  # users who must act and have not acted yet (may be empty)
    title: str  # what to do, one line (a lazy translation or a str)
    url: str  # a path where the recipient acts
    body: str = ""  # optional detail under the title
    escalate_to: object = None  # Organization whose officers hear when it is late; None: the superior
    extra: dict = field(default_factory=dict)  # free for the source; not used by the pass

    def escalation_organization_id(self):
        return self.escalate_to.pk if self.escalate_to is not None else self.organization.parent_id


Source = Callable[[Window], Iterable[Deadline]]
REGISTRY: dict[str, Source] = {}


def register(name):
    """Decorator: ``@reminders.register("<app>.<kind>")`` on a function ``source(window)``."""

    def decorate(source):
        if name in REGISTRY:
            raise ValueError(f"reminder source {name!r} is registered twice")
        REGISTRY[name] = source
        return source

    return decorate


def sources():
    return dict(sorted(REGISTRY.items()))


def milestones_due(window, kind):
    """The campaign steps of ``kind`` (a ``Milestone.Kind``) already open that get a message in ``window``."""
    from campaigns.models import Milestone

    return (
        Milestone.objects.filter(kind=kind, due_on__in=window.due_dates, opens_on__lte=window.day)
        .select_related("campaign__area")
        .order_by("pk")
    )


CHUNK = 2000


def organizations_with_people(ids, **annotations):
    """``(organization, [users who act for it])`` for the organizations of ``ids``, in path order, a chunk
    of ``CHUNK`` at a time (two queries a chunk): a province's late organizations are not loaded at once."""
    from .models import Organization

    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        orgs = list(
            Organization.objects.filter(pk__in=ids[start : start + CHUNK]).annotate(**annotations).order_by("path")
        )
        people = acting_users(orgs)
        for org in orgs:
            yield org, people[org.pk]


def acting_users(organizations):
    """``{organization pk: [users]}``: who acts for each organization (one query for any number).

    The organization's branch secretaries; for a committee (a town, a district …) also its own
    committee officers, who act for it. Only active users.
    """
    from .models import COMMITTEE_LEVELS, Role, RoleAssignment

    organizations = list(organizations)
    by_org = {org.pk: [] for org in organizations}
    committees = {org.pk for org in organizations if org.level in COMMITTEE_LEVELS}
    assignments = (
        RoleAssignment.objects.filter(organization_id__in=list(by_org), role__in=(Role.SECRETARY, Role.COMMITTEE))
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("organization_id", "user_id")
    )
    for assignment in assignments:
        if assignment.role == Role.SECRETARY or assignment.organization_id in committees:
            users = by_org[assignment.organization_id]
            if assignment.user not in users:
                users.append(assignment.user)
    return by_org


__all__ = [
    "REGISTRY",
    "Deadline",
    "Source",
    "Window",
    "acting_users",
    "milestones_due",
    "organizations_with_people",
    "register",
    "sources",
]
