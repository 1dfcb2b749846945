"""Notifications to one user (the bell), and the record that makes each reminder go out once.

A ``Notification`` is the in-app message; its e-mail and SMS copies are sent by a task
(``portal.tasks.deliver_notification``) that claims each channel with a conditional UPDATE
(``emailed_at``/``texted_at`` still empty), so a redelivered or repeated task sends nothing twice.

A ``Reminder`` is written *before* anything is sent, under a unique constraint on (recipient,
event key, kind, day): a second scheduling pass on the same day, a retried task or a second worker
finds the row taken and sends nothing (``portal/reminder_pass.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        """A user's own notifications: nobody sees another's."""
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    by_sms = models.BooleanField(_("also by SMS"), default=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    texted_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivery_error = models.CharField(max_length=500, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="portal_notification_list"),
            # The bell's count: one small index of the unread rows only.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="portal_notification_unread"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class Reminder(models.Model):
    """One reminder to one person about one event on one day; written before it is sent."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Late subordinates")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(_("event"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("day"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    organization = models.ForeignKey(
        "portal.Organization", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("organization")
    )
    notification = models.OneToOneField(Notification, models.SET_NULL, null=True, blank=True, related_name="reminder")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key", "kind", "day"], name="portal_reminder_once_per_day"),
        ]

    def __str__(self):
        return f"{self.key} · {self.get_kind_display()} · {self.day}"
