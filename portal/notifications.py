"""Notifications: write them with the action that causes them, count the unread ones, deliver the copies.

``notify(users, title, ...)`` writes the in-app notifications in the caller's transaction and, through
the outbox (``portal/outbox.py``), queues the task that sends their e-mail (and SMS) copies: a broker
outage delays the copies, never the action. Messages are stored in the site's language (Chinese):
the recipients' own language is not known when someone else's action writes them.

The bell's unread count is cached per user (``unread_count``): filled at login, dropped whenever
the user's notifications change, so a page costs no query for it while nothing changed. With a
shared cache (``CACHE_URL``, production) a notification written by a worker shows at once; with the
per-process default it shows within ``UNREAD_CACHE_SECONDS``.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import outbox, sms
from .models import Member, Notification

UNREAD_CACHE_SECONDS = 300
DELIVER_TASK = "portal.tasks.deliver_notification"


def site_language():
    """Render lazy texts for a message under the site's language (Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(recipients, title, body="", url="", by_sms=False, publish=True):
    """One notification per distinct active recipient, and their delivery queued in the outbox.

    Call it inside the action's transaction: the notifications and their outbox messages commit or
    roll back with it. ``publish=False`` leaves the delivery to the next relay (the reminder pass
    relays at its end). Returns the notifications written.
    """
    users = list({user.pk: user for user in recipients if user.is_active}.values())
    if not users:
        return []
    with site_language():
        title, body = str(title)[:200], str(body)
    now = timezone.now()
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            Notification(recipient=user, title=title, body=body, url=url, by_sms=by_sms, created_at=now)
            for user in users
        )
        messages = [outbox.enqueue(DELIVER_TASK, row.pk, publish=False) for row in rows]
        if publish:
            pks = [message.pk for message in messages]
            transaction.on_commit(lambda: outbox.relay(pks=pks))
    forget_unread(user.pk for user in users)
    return rows


# --- the bell -----------------------------------------------------------------------------------


def _cache_key(user_id):
    return f"portal:notifications:unread:{user_id}"


def unread_count(user):
    """The user's unread notifications: from the cache, else one COUNT on the partial index."""
    if not user.is_authenticated:
        return 0
    key = _cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.of(user).unread().count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread(user_ids):
    """Drop the cached counts now and again after the commit (a page in between may cache the old count)."""
    keys = [_cache_key(pk) for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


@receiver(user_logged_in)
def _count_at_login(sender, user, **kwargs):
    cache.set(_cache_key(user.pk), Notification.objects.of(user).unread().count(), UNREAD_CACHE_SECONDS)


def mark_read(user, notification):
    """Mark one of the user's own notifications read (again: no change)."""
    Notification.objects.of(user).filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread([user.pk])


def mark_all_read(user):
    """Mark all the user's notifications read; returns how many were unread."""
    count = Notification.objects.of(user).unread().update(read_at=timezone.now())
    forget_unread([user.pk])
    return count


# --- delivery of the copies (the task portal.tasks.deliver_notification) ------------------------


class DeliveryFailed(Exception):
    """A channel refused the message; the task retries later (the channel was released)."""


def phone_of(user):
    """The mobile number of the user's own member record, if any (the portal keeps no other)."""
    return Member.objects.filter(user=user, active=True).exclude(phone="").values_list("phone", flat=True).first() or ""


def _claim(notification, field):
    """Take one channel of one notification: only the first caller gets True, whatever runs twice."""
    return bool(
        Notification.objects.filter(pk=notification.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    )


def _release(notification, field, error):
    Notification.objects.filter(pk=notification.pk).update(
        **{field: None}, delivery_error=f"{error.__class__.__name__}: {error}"[:500]
    )


def deliver(notification_id):
    """Send the e-mail copy (when the user has an address) and the SMS (when asked and a number is known).

    Each channel is claimed before sending, so a repeated or concurrent delivery sends nothing twice.
    A channel that fails is released and ``DeliveryFailed`` raised, for the task to retry.
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return
    user = notification.recipient
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
    if user.email and _claim(notification, "emailed_at"):
        with site_language():
            subject = f"[{settings.PORTAL_NAME}] {notification.title}"
            lines = [notification.body, _("Open: %(url)s") % {"url": link} if link else ""]
        try:
            send_mail(subject, "\n\n".join(line for line in lines if line), None, [user.email])
        except Exception as error:
            _release(notification, "emailed_at", error)
            raise DeliveryFailed(str(error)) from error
    phone = phone_of(user) if notification.by_sms else ""
    if phone and _claim(notification, "texted_at"):
        try:
            sms.send(phone, f"{notification.title} {link}".strip())
        except Exception as error:
            _release(notification, "texted_at", error)
            raise DeliveryFailed(str(error)) from error
