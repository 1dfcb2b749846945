"""Award deadlines for the reminder pass (see portal/reminders.py for the contract).

- ``awards.nomination``: before a round's nomination deadline, every organization below the awarding
  one that still holds nominations it has neither forwarded nor declined;
- ``awards.publicity``: before the 公示 ends, the awarding organization of a round not yet approved
  (it must answer every objection and then approve).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import reminders
from portal.models import Organization

from .models import AwardRound, Nomination


@reminders.register("awards.nomination")
def nomination_deadlines(window):
    rounds = AwardRound.objects.filter(
        state=AwardRound.State.NOMINATING, nominations_due_on__in=window.due_dates
    ).select_related("organizer")
    for round in rounds:
        holders = list(
            Organization.objects.filter(
                held_nominations__round=round, held_nominations__state=Nomination.State.NOMINATED
            )
            .exclude(pk=round.organizer_id)
            .distinct()
            .order_by("path")
        )
        people = reminders.acting_users(holders)
        for org in holders:
            yield reminders.Deadline(
                key=f"awards.nomination:{round.pk}:{org.pk}",
                due_on=round.nominations_due_on,
                organization=org,
                recipients=people[org.pk],
                title=_("Forward or decline your award nominations: %(round)s") % {"round": round.title},
                url=reverse("awards:level", args=[round.pk, org.pk]),
            )


@reminders.register("awards.publicity")
def publicity_ends(window):
    rounds = AwardRound.objects.filter(
        state=AwardRound.State.PUBLICITY, publicity_ends_on__in=window.due_dates
    ).select_related("organizer")
    for round in rounds:
        org = round.organizer
        yield reminders.Deadline(
            key=f"awards.publicity:{round.pk}:{org.pk}",
            due_on=round.publicity_ends_on,
            organization=org,
            recipients=reminders.acting_users([org])[org.pk],
            title=_("The public announcement ends: answer the objections and approve %(round)s")
            % {"round": round.title},
            url=reverse("awards:detail", args=[round.pk]),
        )
