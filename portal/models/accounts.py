"""Roles: what a user is, bound to an organization. The scope layer reads them on every request."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organizations import Organization


class Role(models.TextChoices):
    SECRETARY = "secretary", _("Branch secretary")
    COMMITTEE = "committee", _("Committee officer")
    OFFICE = "office", _("Office staff")
    ADMIN = "admin", _("Administrator")


class RoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="portal_roleassignment_unique"),
            models.CheckConstraint(
                condition=Q(role="admin") | Q(organization__isnull=False),
                name="portal_roleassignment_org_required",
            ),
        ]

    def __str__(self):
        where = self.organization.name if self.organization_id else _("whole portal")
        return f"{self.get_role_display()} · {where}"
