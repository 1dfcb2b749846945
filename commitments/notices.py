"""Notifications the commitment flow sends (in the transition's transaction, delivered through the outbox)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal import notifications, reminders


def commitment_submitted(commitment, actor):
    """Tell the people who accept ``commitment`` (the acceptor's officers or secretaries) that it waits for them."""
    acceptor = commitment.acceptor
    actor_pk = actor.pk if actor else None
    people = [user for user in reminders.acting_users([acceptor])[acceptor.pk] if user.pk != actor_pk]
    with notifications.site_language():
        title = _("%(owner)s submitted a commitment for acceptance") % {"owner": commitment.owner_name}
        body = _("%(title)s · %(campaign)s") % {"title": commitment.title, "campaign": commitment.campaign.name}
    return notifications.notify(people, title, body, reverse("commitments:detail", args=[commitment.pk]))
