"""The mass evaluation's deadlines for the reminder pass (interface: ``portal/reminders.py``).

Imported from ``evaluations.apps`` (the pass discovers ``<app>/reminders.py``, a name another part of the
evaluations app may take).

- ``evaluations.round`` — an opened round's last day of balloting: every evaluated organization with no
  ballot at all yet (no online ballot, no paper ballots entered) is reminded, so that its slips are handed
  out or its paper ballots entered; the organizer hears of those still without any when the day has passed.
- ``evaluations.rectification`` — a rectification's deadline: every rectification whose completion is not
  reported yet (open, or returned); the evaluated organization's superior hears when it is overdue.

The people reminded act for the organization (``reminders.acting_users``).
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import reminders

from .mass_models import Ballot, PaperBatch, Participant, Rectification, Round

CHUNK = 2000


def _with_people(rows, organization_of):
    people = reminders.acting_users({organization_of(r).pk: organization_of(r) for r in rows}.values())
    for row in rows:
        yield row, people[organization_of(row).pk]


def _chunks(queryset):
    last = 0
    while chunk := list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        last = chunk[-1].pk
        yield chunk


@reminders.register("evaluations.round")
def round_ballots(window):
    rounds = Round.objects.filter(state=Round.State.OPEN, closes_on__in=window.due_dates, opens_on__lte=window.day)
    for round in rounds.select_related("organization").order_by("pk"):
        silent = (
            Participant.objects.filter(round=round)
            .exclude(Exists(Ballot.objects.filter(participant=OuterRef("pk"))))
            .exclude(Exists(PaperBatch.objects.filter(participant=OuterRef("pk"))))
            .select_related("organization")
        )
        for chunk in _chunks(silent):
            for participant, people in _with_people(chunk, lambda p: p.organization):
                yield reminders.Deadline(
                    key=f"evaluations.round:{round.pk}:{participant.organization_id}",
                    due_on=round.closes_on,
                    organization=participant.organization,
                    recipients=people,
                    title=_("Mass evaluation of %(org)s: no ballot yet, balloting ends on %(date)s")
                    % {"org": participant.organization.name, "date": round.closes_on},
                    url=reverse("evaluations:mass_participant", args=[participant.pk]),
                    escalate_to=round.organization,
                )


@reminders.register("evaluations.rectification")
def rectifications(window):
    due = Rectification.objects.filter(state=Rectification.State.OPEN, deadline__in=window.due_dates).select_related(
        "participant__organization__parent"
    )
    for chunk in _chunks(due):
        for item, people in _with_people(chunk, lambda r: r.participant.organization):
            organization = item.participant.organization
            yield reminders.Deadline(
                key=f"evaluations.rectification:{item.pk}:{organization.pk}",
                due_on=item.deadline,
                organization=organization,
                recipients=people,
                title=_("Rectification due on %(date)s: %(problem)s")
                % {"date": item.deadline, "problem": item.problem[:60]},
                url=item.get_absolute_url(),
            )
