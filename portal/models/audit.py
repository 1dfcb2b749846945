"""The audit trail: who changed what and when, and security events (logins, refused access)."""

from contextlib import suppress

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organizations import Organization


class AuditEntry(models.Model):
    class Verb(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        TRANSFER = "transfer", _("Transferred")
        DISSOLVE = "dissolve", _("Dissolved")
        IMPORT = "import", _("Imported")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        DENIED = "denied", _("Access refused")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    verb = models.CharField(_("action"), max_length=20, choices=Verb.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("organization")
    )
    organization_path = models.CharField(max_length=255, blank=True, db_index=False)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization_path"], name="portal_audit_org_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_verb_display()} {self.object_repr}"

    def _model(self):
        try:
            return apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return None

    @property
    def type_display(self):
        model = self._model()
        return model._meta.verbose_name if model else self.object_type

    def labelled_changes(self):
        """(field label in the current language, old, new) for display."""
        model = self._model()
        rows = []
        for name, change in self.changes.items():
            label = name
            if model:
                with suppress(FieldDoesNotExist):
                    label = model._meta.get_field(name).verbose_name
            old, new = change if isinstance(change, list) and len(change) == 2 else ("", change)
            rows.append((label, old, new))
        return rows
