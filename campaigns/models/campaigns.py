"""Campaigns: phases, the schedule of steps, criteria sets, activity carriers, implementation plans."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEntry, Organization, PrivateAttachment, Sector, StaleEdit, VersionedModel


class CampaignQuerySet(models.QuerySet):
    def covering(self, org):
        """Campaigns whose area contains ``org``: the area's path is a prefix of the org's path."""
        prefixes = [org.path[:i] for i in range(7, len(org.path) + 1, 7)]
        return self.filter(area__path__in=prefixes)

    def running(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Campaign(VersionedModel):
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="campaigns",
        verbose_name=_("area"),
        help_text=_("The committee whose whole subtree takes part."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="campaigns_campaign_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The end date must be after the start date.")})

    def includes(self, org):
        return org.path.startswith(self.area.path)

    def criteria_for(self, target, sector):
        """The criteria set for ``target`` (organization/member) in ``sector``, else the general one."""
        sets = self.criteria_sets.filter(target=target).filter(Q(sector=sector) | Q(sector=""))
        return sorted(sets, key=lambda s: s.sector == "")[0] if sets else None

    def milestone(self, kind):
        return self.milestones.filter(kind=kind).order_by("due_on").first()

    def claim_version(self, expected_version):
        """Move the version on without changing the campaign's own fields: its carriers changed.

        One conditional UPDATE, like ``save_checked``: an editor who loaded an older version is refused.
        """
        expected_version = int(expected_version)
        if not Campaign.objects.filter(pk=self.pk, version=expected_version).update(version=expected_version + 1):
            raise StaleEdit()
        self.version = expected_version + 1

    def organizations(self):
        """The active organizations of the campaign's area: those that file an implementation plan."""
        return Organization.objects.active().filter(path__startswith=self.area.path)


class Phase(models.Model):
    """One of the campaign's periods (三个时段), each with its theme."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=100)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start date.")})

    def within_errors(self, starts_on, ends_on):
        """{field: message} where the phase leaves the campaign's dates ``starts_on``–``ends_on``."""
        errors = {}
        if self.starts_on and self.starts_on < starts_on:
            errors["starts_on"] = _("The phase starts before the campaign (%(date)s). Move it inside the campaign.") % {
                "date": starts_on.isoformat()
            }
        if self.ends_on and self.ends_on > ends_on:
            errors["ends_on"] = _("The phase ends after the campaign (%(date)s). Move it inside the campaign.") % {
                "date": ends_on.isoformat()
            }
        return errors

    def is_current(self, on=None):
        return self.starts_on <= (on or timezone.localdate()) <= self.ends_on


class Milestone(models.Model):
    """A dated step of the campaign's schedule; later features open their work from these dates."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Implementation plans due")
        COMMITMENT_FILING = "commitment_filing", _("Commitment filing deadline")
        PROGRESS_UPDATE = "progress_update", _("Progress update due")
        FULFILMENT = "fulfilment", _("Fulfilment assessment")
        REVIEW = "review", _("Review cycle")
        EVALUATION = "evaluation", _("Mass evaluation round")
        AWARD = "award", _("Award round")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="milestones")
    kind = models.CharField(_("step"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("schedule step")
        verbose_name_plural = _("schedule")
        ordering = ["campaign", "due_on", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="campaigns_milestone_due_after_open"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.due_on and self.due_on < self.opens_on:
            raise ValidationError({"due_on": _("The due date must not be before the opening date.")})

    def within_errors(self, starts_on, ends_on):
        """{field: message} where the step leaves the campaign's dates ``starts_on``–``ends_on``."""
        errors = {}
        if self.opens_on and self.opens_on < starts_on:
            errors["opens_on"] = _("The step opens before the campaign starts (%(date)s).") % {
                "date": starts_on.isoformat()
            }
        if self.due_on and self.due_on > ends_on:
            errors["due_on"] = _("The step is due after the campaign ends (%(date)s).") % {"date": ends_on.isoformat()}
        return errors

    def is_open(self, on=None):
        return self.opens_on <= (on or timezone.localdate()) <= self.due_on


class CriteriaSet(VersionedModel):
    """A named set of criteria (五个好, 五带头 …) for organizations or members, per sector."""

    class Target(models.TextChoices):
        ORGANIZATION = "organization", _("Organizations")
        MEMBER = "member", _("Members")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="criteria_sets")
    target = models.CharField(_("for"), max_length=20, choices=Target.choices)
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=Sector.choices,
        blank=True,
        help_text=_("Leave empty for the general set used by every sector without a set of its own."),
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["campaign", "target", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "target", "sector"], name="campaigns_criteriaset_one_per_sector"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def total_weight(self):
        return sum(c.weight for c in self.criteria.all())


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=20)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "order"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="campaigns_criterion_weight_positive")]

    def __str__(self):
        return self.title


class ActivityCarrier(models.Model):
    """A themed project an organization may adopt (活动载体), e.g. 党员先锋岗."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="carriers")
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=Sector.choices,
        blank=True,
        help_text=_("Leave empty when any sector may adopt it."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity carrier")
        verbose_name_plural = _("activity carriers")
        ordering = ["campaign", "sector", "name"]

    def __str__(self):
        return self.name


class ImplementationPlan(VersionedModel):
    """An organization's implementation plan (实施方案) for a campaign: step 动员部署.

    A plan is kept as a draft (its text may still be empty) until it is filed; a filed plan stays
    filed through later edits. Edits are version-checked: of two editors, the second is refused.
    """

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="plans")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="plans")
    text = models.TextField(_("plan"), blank=True)
    carriers = models.ManyToManyField(ActivityCarrier, blank=True, verbose_name=_("adopted activity carriers"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="campaigns_plan_one_per_organization"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.campaign}"

    def get_absolute_url(self):
        return reverse("campaigns:plan", args=[self.campaign_id, self.organization_id])

    @property
    def is_filed(self):
        return self.filed_at is not None

    @property
    def status_label(self):
        if self.is_filed:
            return _("Filed")
        return _("Draft") if self.pk else _("Not started")

    def adoptable_carriers(self):
        """The campaign's carriers open to the organization's sector (and those open to every sector)."""
        return self.campaign.carriers.filter(Q(sector="") | Q(sector=self.organization.sector))

    def save_edit(self, actor, expected_version, carriers, file=False):
        """Save the text (already set on the instance) and the adopted carriers; ``file`` files the plan.

        A draft may be incomplete; filing needs the text. A filed plan stays filed, so its text can no
        longer be emptied. Raises ``ValidationError`` for a refused edit and ``StaleEdit`` when someone
        saved the plan (or started it) since this editor loaded it. Nothing is changed on a refusal.
        """
        from portal.audit import record

        org = self.organization
        if org.status != Organization.Status.ACTIVE:
            raise ValidationError(_("A dissolved organization files no implementation plan."))
        if not self.campaign.includes(org):
            raise ValidationError(_("The organization is outside the campaign's area."))
        carriers = list(carriers)
        if any(c.campaign_id != self.campaign_id or c.sector not in ("", org.sector) for c in carriers):
            raise ValidationError(
                {"carriers": _("Choose carriers of this campaign that are open to the organization's sector.")}
            )
        if (file or self.is_filed) and not self.text.strip():
            raise ValidationError({"text": _("Write the plan before filing it, or save it as a draft.")})

        stored = ImplementationPlan.objects.filter(pk=self.pk).first() if self.pk else None
        before = self._audit_state(stored) if stored else {"status": "", "carriers": "", "text": ""}
        now = timezone.now()
        if file and not self.is_filed:
            self.filed_at, self.filed_by = now, actor
        self.updated_by, self.updated_at = actor, now
        with transaction.atomic():
            if self.pk is None:
                try:
                    with transaction.atomic():
                        self.save()
                except IntegrityError:
                    raise StaleEdit() from None
            else:
                self.save_checked(expected_version)
            self.carriers.set(carriers)
            after = self._audit_state(self)
            changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
            record(actor, self, AuditEntry.Verb.UPDATE if stored else AuditEntry.Verb.CREATE, changes)

    @staticmethod
    def _audit_state(plan):
        """What the audit trail records of a plan: its status, carriers and the start of its text."""
        return {
            "status": str(plan.status_label),
            "carriers": ", ".join(sorted(c.name for c in plan.carriers.all())),
            "text": plan.text[:100],
        }

    def add_attachment(self, actor, upload):
        """Store an uploaded file (already checked for type and size by the form) with the plan."""
        return PlanAttachment.add(self, actor, upload)


class PlanAttachment(PrivateAttachment):
    """A file of an implementation plan, in the private storage: downloaded only through a scoped view."""

    owner_field = "plan"
    private_folder = "plans"

    plan = models.ForeignKey(ImplementationPlan, models.CASCADE, related_name="attachments")


class Meeting(models.Model):
    """A recorded meeting of an organization: the 党员大会 that discussed commitments, a 专题组织生活会 …"""

    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", _("General meeting of members")
        REVIEW = "review", _("Special organizational-life meeting")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="meetings")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL_ASSEMBLY)
    held_on = models.DateField(_("held on"))
    attendance = models.PositiveIntegerField(_("members present"))
    members_total = models.PositiveIntegerField(_("members expected"))
    staff_representatives = models.PositiveIntegerField(_("staff representatives present"), default=0)
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance__lte=models.F("members_total")), name="campaigns_meeting_attendance_le_total"
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    def clean(self):
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("A meeting cannot be recorded before it is held.")})
        if self.attendance is not None and self.members_total is not None and self.attendance > self.members_total:
            raise ValidationError({"attendance": _("More members present than expected: check both numbers.")})
