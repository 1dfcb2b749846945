"""The organization tree and the "two new" units it covers.

The tree is a materialized path: every organization stores ``path``, the fixed-width base-36
ids of its ancestors and itself (``"00000a/00000k/"``). A subtree is one indexed
``path LIKE 'prefix%'`` query (``varchar_pattern_ops`` on PostgreSQL), ordering by path gives
depth-first order, and a move rewrites the paths of the subtree in one UPDATE.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .versioned import VersionedModel

SEGMENT = 6  # base-36 digits per path segment: ids up to 2,176,782,335


def encode_segment(pk):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while pk:
        pk, rest = divmod(pk, 36)
        out = digits[rest] + out
    return out.rjust(SEGMENT, "0") + "/"


class Level(models.TextChoices):
    CITY = "city", _("City committee")
    DISTRICT = "district", _("County/district committee")
    TOWN = "town", _("Town committee")
    WORKING = "working", _("Working committee")
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Party branch")
    JOINT_BRANCH = "joint_branch", _("Joint party branch")


BRANCH_LEVELS = (Level.BRANCH, Level.JOINT_BRANCH)
COMMITTEE_LEVELS = (Level.CITY, Level.DISTRICT, Level.TOWN, Level.WORKING, Level.COMMITTEE)


class Sector(models.TextChoices):
    RURAL = "rural", _("Rural")
    COMMUNITY = "community", _("Street and community")
    AGENCY = "agency", _("Agency")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    NON_PUBLIC = "non_public", _("Non-public enterprise")
    SOCIAL = "social", _("Social organization")
    UNIVERSITY = "university", _("University")
    INSTITUTION = "institution", _("Public institution")


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Organization.Status.ACTIVE)

    def subtree(self, org):
        """The organization and all its descendants: one indexed prefix query."""
        return self.filter(path__startswith=org.path)

    def with_full_member_count(self):
        """Annotate ``full_members``, the organization's active full members: a count per organization on the
        partial index ``portal_member_full`` rather than a join of every member grouped by organization
        (100,000 organizations, 3,000,000 members: the establishment warnings in 0.4 s instead of 1.1 s)."""
        from .members import Member  # members.py imports this module

        full = (
            Member.objects.filter(organization=OuterRef("pk"), active=True, status=Member.Status.FULL)
            .order_by()
            .values("organization")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(full_members=Coalesce(Subquery(full), 0))

    def with_child_count(self):
        return self.annotate(child_count=Count("children", filter=Q(children__status="active")))


class Organization(VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Dissolved")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("short code"),
        max_length=30,
        unique=True,
        help_text=_("Letters, digits and dashes, unique in the portal, e.g. WJ-SZ-01."),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("superior organization")
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="portal_org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "name"], name="portal_org_parent_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="portal_organization_code_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:org_detail", args=[self.pk])

    @property
    def is_branch(self):
        return self.level in BRANCH_LEVELS

    def is_within(self, other):
        """True when self is ``other`` or one of its descendants."""
        return self.path.startswith(other.path)

    def ancestors(self):
        """The ancestors from the root down, in one query."""
        ids = [int(self.path[i : i + SEGMENT], 36) for i in range(0, len(self.path) - SEGMENT - 1, SEGMENT + 1)]
        return Organization.objects.filter(pk__in=ids).order_by("depth")

    def clean(self):
        if self.parent_id and self.pk and self.parent.is_within(self):
            raise ValidationError(
                {"parent": _("An organization cannot be placed under itself or its own subordinate.")}
            )
        if self.parent_id is None and self.level not in COMMITTEE_LEVELS:
            raise ValidationError(
                {"parent": _("Only a committee can stand at the top of the tree; choose a superior organization.")}
            )

    def save(self, *args, **kwargs):
        creating = self.pk is None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating:
                self.path = (self.parent.path if self.parent_id else "") + encode_segment(self.pk)
                self.depth = self.path.count("/") - 1
                Organization.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def move_to(self, new_parent):
        """Re-parent this organization: its whole subtree's paths change in one UPDATE."""
        if new_parent.is_within(self):
            raise ValidationError(_("An organization cannot be placed under itself or its own subordinate."))
        old_path = self.path
        new_path = new_parent.path + encode_segment(self.pk)
        shift = new_path.count("/") - old_path.count("/")
        with transaction.atomic():
            Organization.objects.filter(pk=self.pk).update(parent=new_parent)
            Organization.objects.filter(path__startswith=old_path).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
                depth=models.F("depth") + shift,
            )
        self.refresh_from_db()

    def dissolve(self, actor):
        """Mark the organization dissolved; it keeps its history and is never deleted."""
        from ..audit import record

        if self.status == self.Status.DISSOLVED:
            raise ValidationError(_("The organization is already dissolved."))
        if self.children.filter(status=self.Status.ACTIVE).exists():
            raise ValidationError(_("Dissolve or move its subordinate organizations first."))
        if self.members.filter(active=True).exists():
            raise ValidationError(_("Transfer its members to another organization first."))
        Organization.objects.filter(pk=self.pk).update(status=self.Status.DISSOLVED, version=models.F("version") + 1)
        self.refresh_from_db()
        record(actor, self, "dissolve", {"status": [str(self.Status.ACTIVE.label), str(self.Status.DISSOLVED.label)]})

    def establishment_warnings(self, full_members=None):
        """Warnings of seed 002's establishment rules, from the number of full members."""
        from ..rules import establishment_warnings

        if full_members is None:
            full_members = self.members.filter(status="full", active=True).count()
        return establishment_warnings(self.level, full_members)


class Unit(models.Model):
    """A "two new" organization: a non-public enterprise or a new social organization."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Non-public enterprise")
        SOCIAL = "social", _("Social organization")

    class Coverage(models.TextChoices):
        SINGLE = "single", _("Own organization")
        JOINT = "joint", _("Joint organization")
        WORK = "work", _("Work coverage (instructor or liaison)")
        NONE = "none", _("Not covered")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    above_scale = models.BooleanField(_("above designated size"), default=False)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    party_members = models.PositiveIntegerField(_("party members employed"), default=0)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="units",
        verbose_name=_("covering organization"),
        help_text=_(
            "The organization that covers the unit, or for an uncovered unit the committee responsible for it."
        ),
    )
    coverage = models.CharField(_("coverage"), max_length=10, choices=Coverage.choices, default=Coverage.NONE)
    liaison = models.CharField(_("instructor or liaison"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("two-new unit")
        verbose_name_plural = _("two-new units")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def can_form_organization(self):
        """Seed 002: three or more full members employed → the unit must form its own organization."""
        return self.party_members >= 3
