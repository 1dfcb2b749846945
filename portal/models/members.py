"""Party members and the history of their transfers between organizations."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organizations import Organization
from .versioned import VersionedModel


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_subtree(self, org):
        return self.filter(organization__path__startswith=org.path)


class Member(VersionedModel):
    class Status(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    class Role(models.TextChoices):
        NONE = "", _("Member")
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("Committee member")
        WORKER = "worker", _("Party affairs worker")

    class StaffKind(models.TextChoices):
        NONE = "", _("Not applicable")
        OWNER = "owner", _("Owner")
        MANAGEMENT = "management", _("Management")
        STAFF = "staff", _("Staff")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    status = models.CharField(_("membership"), max_length=20, choices=Status.choices, default=Status.FULL)
    joined_on = models.DateField(_("joined the party on"))
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="members", verbose_name=_("organization")
    )
    role = models.CharField(_("party role"), max_length=20, choices=Role.choices, blank=True, default="")
    mobile = models.BooleanField(
        _("mobile member"), default=False, help_text=_("Works or lives away from the organization.")
    )
    staff_kind = models.CharField(
        _("position in a non-public firm"), max_length=20, choices=StaffKind.choices, blank=True, default=""
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login account"),
    )
    active = models.BooleanField(_("on the roll"), default=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organization_id", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="portal_member_org_status"),
            # the roll import's check for members already on the roll (portal.roll_import.MemberImporter)
            models.Index(fields=["organization", "name"], name="portal_member_org_name"),
            # the establishment warnings' count of full members per organization (with_full_member_count)
            models.Index(fields=["organization"], condition=Q(active=True, status="full"), name="portal_member_full"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | Q(birth_date__lt=models.F("joined_on")),
                name="portal_member_born_before_joining",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:member_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.birth_date and self.joined_on and self.birth_date >= self.joined_on:
            raise ValidationError({"joined_on": _("The joining date must be after the birth date.")})
        if self.joined_on and self.joined_on > timezone.localdate():
            raise ValidationError({"joined_on": _("The joining date cannot be in the future.")})

    def transfer(self, to, actor, note=""):
        """Move the member to another organization; the transfer stays in the history."""
        from ..audit import record

        if to.pk == self.organization_id:
            raise ValueError("same organization")
        with transaction.atomic():
            previous = self.organization
            MemberTransfer.objects.create(member=self, from_org=previous, to_org=to, by=actor, note=note)
            Member.objects.filter(pk=self.pk).update(organization=to, version=models.F("version") + 1)
            self.refresh_from_db()
            record(actor, self, "transfer", {"organization": [previous.name, to.name]}, organization=previous)
            record(actor, self, "transfer", {"organization": [previous.name, to.name]}, organization=to)

    def remove_from_roll(self, actor, reason):
        """Take the member off the roll (e.g. deceased, left the party); the record and history stay."""
        from ..audit import record

        with transaction.atomic():
            Member.objects.filter(pk=self.pk).update(active=False, version=models.F("version") + 1)
            self.refresh_from_db()
            record(actor, self, "update", {"active": [str(_("yes")), str(_("no"))], "reason": ["", reason]})


class MemberTransfer(models.Model):
    member = models.ForeignKey(Member, models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("from"))
    to_org = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("to"))
    at = models.DateTimeField(_("transferred at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.member} {self.from_org} → {self.to_org}"
