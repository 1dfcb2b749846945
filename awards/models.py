"""Awards (评选表彰, 一先两优): rounds, categories with eligibility rules, quotas, bottom-up nominations,
公示 with public objections, approval, certificates, the honour roll and exemplary-deeds articles.

A round (``AwardRound``) belongs to a campaign and to the organization that awards (``organizer``, e.g.
the city committee: the award's level). Nominations rise level by level (逐级) towards the organizer:

- a branch nominates its members (member categories); a committee nominates its direct subordinate
  organizations (先进基层党组织) and its own members. The nominating organization *holds* the
  nomination (``holder``);
- the holder adds its deeds summary (先进事迹) and material, then forwards the nomination to its own
  superior within its quota (``AwardQuota``: per level or per named committee), or declines it; the
  superior now holds it and does the same, up to the organizer;
- the organizer shortlists within its own quota, publishes the list for ``publicity_days`` (公示: a
  public page and a printable notice) during which anyone may object (``Objection``, contact required,
  never shown); every objection is answered before approval, and approval comes only after the period.

Every state change is a method here with its guards, recorded in the audit trail and, for a
nomination, in its steps (``NominationStep``: who did what at which level, with their opinion).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from evaluations.models import Grade
from portal.models import AuditEntry, Level, Member, Organization, PrivateAttachment, StaleEdit, VersionedModel
from portal.storage import private_path, private_storage

GRADE_RANK = {Grade.POOR: 1, Grade.AVERAGE: 2, Grade.FAIRLY_GOOD: 3, Grade.GOOD: 4}


def new_code():
    return secrets.token_urlsafe(9)


def reference_code():
    """A short reference for an objector: no 0/O or 1/I to misread."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Target(models.TextChoices):
    ORGANIZATION = "organization", _("Organizations")
    MEMBER = "member", _("Members")


class AwardRound(VersionedModel):
    class State(models.TextChoices):
        NOMINATING = "nominating", _("Nominating")
        PUBLICITY = "publicity", _("Public announcement")
        DECIDED = "decided", _("Approved")

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="award_rounds", verbose_name=_("campaign"))
    organizer = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="award_rounds",
        verbose_name=_("awarding organization"),
        help_text=_("The committee that awards; nominations rise level by level up to it."),
    )
    title = models.CharField(_("title"), max_length=150)
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    nominations_due_on = models.DateField(_("nominations due on"))
    publicity_days = models.PositiveSmallIntegerField(
        _("days of public announcement"), default=7, help_text=_("How long the candidate list is published (公示).")
    )
    reviews_from = models.DateField(
        _("review cycles from"), help_text=_("Review cycles due in this period count for the eligibility rules.")
    )
    reviews_to = models.DateField(_("review cycles to"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NOMINATING)
    publicity_starts_on = models.DateField(_("announced from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("announced until"), null=True, blank=True)
    decided_on = models.DateField(_("approved on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")
        ordering = ["-nominations_due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_to__gte=models.F("reviews_from")), name="awards_round_review_period"
            ),
            models.CheckConstraint(condition=Q(publicity_days__gte=1), name="awards_round_publicity_days"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("awards:detail", args=[self.pk])

    @property
    def audit_organization(self):
        return self.organizer

    @classmethod
    def open(cls, round, actor, categories=None):
        """Save the new ``round`` with its categories (default: 一先两优 with the seeds' rules), recorded."""
        with transaction.atomic():
            round.created_by = actor
            round.save()
            for order, (name, target, rules) in enumerate(categories or DEFAULT_CATEGORIES, start=1):
                AwardCategory.objects.create(round=round, order=order, name=name, target=target, **rules)
            record(actor, round, {"title": ["", round.title]}, AuditEntry.Verb.CREATE)
        return round

    def clean(self):
        errors = {}
        if self.reviews_from and self.reviews_to and self.reviews_to < self.reviews_from:
            errors["reviews_to"] = _("The period ends before it starts.")
        if self.publicity_days is not None and self.publicity_days < 1:
            errors["publicity_days"] = _("Announce the list for at least one day.")
        if self.organizer_id and self.campaign_id and not self.campaign.includes(self.organizer):
            errors["organizer"] = _("The awarding organization must lie inside the campaign's area.")
        if errors:
            raise ValidationError(errors)

    def is_nominating(self, on=None):
        return self.state == self.State.NOMINATING and (on or timezone.localdate()) <= self.nominations_due_on

    def publicity_open(self, on=None):
        """Whether the public may object today: the announcement is running."""
        on = on or timezone.localdate()
        return self.state == self.State.PUBLICITY and self.publicity_starts_on <= on <= self.publicity_ends_on

    def quota_for(self, category, organization):
        """How many nominations of ``category`` ``organization`` may forward (the organizer: shortlist), or None."""
        quotas = {(q.organization_id, q.level): q.number for q in self._quotas(category)}
        named = quotas.get((organization.pk, ""))
        return named if named is not None else quotas.get((None, organization.level))

    def _quotas(self, category):
        cache = getattr(self, "_quota_cache", None)
        if cache is None:
            cache = self._quota_cache = {}
            for quota in self.quotas.all():
                cache.setdefault(quota.category_id, []).append(quota)
        return cache.get(category.pk, [])

    def quota_used(self, category, organization):
        """How much of its quota ``organization`` has used: forwarded nominations (the organizer: on the list)."""
        if organization.pk == self.organizer_id:
            return self.shortlist().filter(category=category).count()
        return Nomination.objects.forwarded_by(organization, category).filter(round=self).count()

    def listed(self):
        """What the public sees: the list during the announcement, the awards once approved."""
        state = Nomination.State.SHORTLISTED if self.state == self.State.PUBLICITY else Nomination.State.APPROVED
        return (
            self.nominations.filter(state=state)
            .select_related("category", "organization", "member")
            .order_by("category__order", "organization__path", "member__name", "pk")
        )

    def shortlist(self):
        return self.nominations.filter(state__in=(Nomination.State.SHORTLISTED, Nomination.State.APPROVED))

    def open_objections(self):
        return self.objections.filter(answered_at__isnull=True)

    # --- state changes ---------------------------------------------------------------------------

    def start_publicity(self, actor, on=None):
        """Publish the shortlist for ``publicity_days`` from ``on`` (today): the public may object until the end."""
        on = on or timezone.localdate()
        if self.state != self.State.NOMINATING:
            raise ValidationError(_("The list has already been announced."))
        if not self.shortlist().exists():
            raise ValidationError(_("Shortlist at least one nomination before announcing the list."))
        with transaction.atomic():
            updated = AwardRound.objects.filter(pk=self.pk, state=self.State.NOMINATING).update(
                state=self.State.PUBLICITY,
                publicity_starts_on=on,
                publicity_ends_on=on + timedelta(days=self.publicity_days - 1),
                version=models.F("version") + 1,
            )
            if not updated:
                raise StaleEdit()
            self.refresh_from_db()
            record(actor, self, {"state": [str(self.State.NOMINATING.label), str(self.get_state_display())]})

    def approval_errors(self, on=None):
        """Why the round cannot be approved on ``on`` (today), as messages; empty when it can."""
        on = on or timezone.localdate()
        if self.state == self.State.DECIDED:
            return [_("The round is approved already.")]
        if self.state != self.State.PUBLICITY:
            return [_("Announce the list (公示) before approving it.")]
        errors = []
        if on <= self.publicity_ends_on:
            errors.append(
                _("The public announcement runs until %(date)s: approve from the day after.")
                % {"date": self.publicity_ends_on.isoformat()}
            )
        if open_count := self.open_objections().count():
            errors.append(
                _("%(count)d objections are not answered yet: answer every objection before approving.")
                % {"count": open_count}
            )
        return errors

    def approve(self, actor, decision="", on=None):
        """Approve the shortlist: its nominations become awards with a certificate number, dated ``on``."""
        on = on or timezone.localdate()
        if errors := self.approval_errors(on):
            raise ValidationError(errors)
        with transaction.atomic():
            if not AwardRound.objects.filter(pk=self.pk, state=self.State.PUBLICITY).update(
                state=self.State.DECIDED,
                decided_on=on,
                decided_by=actor,
                decision=decision.strip(),
                version=models.F("version") + 1,
            ):
                raise StaleEdit()
            shortlisted = list(
                self.nominations.filter(state=Nomination.State.SHORTLISTED).order_by("category__order", "pk")
            )
            for number, nomination in enumerate(shortlisted, start=1):
                nomination.state = Nomination.State.APPROVED
                nomination.certificate_no = f"{on:%Y}-{self.pk:03d}-{number:03d}"
                nomination.version += 1
                NominationStep.objects.create(
                    nomination=nomination, organization=self.organizer, action=NominationStep.Action.APPROVED, by=actor
                )
            Nomination.objects.bulk_update(shortlisted, ["state", "certificate_no", "version"])
            self.refresh_from_db()
            record(
                actor,
                self,
                {
                    "state": [str(self.State.PUBLICITY.label), str(self.get_state_display())],
                    "awards": ["", len(shortlisted)],
                },
            )


def record(actor, obj, changes, verb=AuditEntry.Verb.UPDATE, organization=None):
    from portal.audit import record as audit

    audit(actor, obj, verb, changes, organization=organization or obj.audit_organization)


class AwardCategory(VersionedModel):
    """One kind of award in a round (先进基层党组织 …) and its eligibility rules; a blank rule is not applied."""

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="categories")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=60)
    target = models.CharField(_("awarded to"), max_length=20, choices=Target.choices)
    min_grade = models.CharField(
        _("lowest review grade"),
        max_length=20,
        choices=Grade.choices,
        blank=True,
        help_text=_("In every review cycle of the period."),
    )
    min_score = models.DecimalField(
        _("lowest review total"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In every review cycle of the period."),
    )
    min_satisfaction = models.DecimalField(
        _("lowest satisfaction rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("From the mass evaluation (群众评议)."),
    )
    min_fulfilment = models.DecimalField(
        _("lowest commitment fulfilment rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Items assessed “fulfilled” among the assessed items of the candidate's commitments."),
    )
    no_open_rectification = models.BooleanField(_("no open rectification"), default=False)
    full_members_only = models.BooleanField(_("full members only"), default=False)
    party_role_required = models.BooleanField(
        _("party role required"),
        default=False,
        help_text=_("For party affairs workers: secretaries, committee members, workers."),
    )

    class Meta:
        verbose_name = _("award category")
        verbose_name_plural = _("award categories")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="awards_category_unique_name"),
            models.CheckConstraint(
                condition=(Q(min_satisfaction__isnull=True) | Q(min_satisfaction__gte=0, min_satisfaction__lte=100))
                & (Q(min_fulfilment__isnull=True) | Q(min_fulfilment__gte=0, min_fulfilment__lte=100)),
                name="awards_category_rates_are_percentages",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def for_members(self):
        return self.target == Target.MEMBER

    RULE_FIELDS = (
        "name",
        "order",
        "min_grade",
        "min_score",
        "min_fulfilment",
        "min_satisfaction",
        "no_open_rectification",
        "full_members_only",
        "party_role_required",
    )

    def save_rules(self, actor, expected_version):
        """Save the name and rules (set on the instance); version-checked, the changed rules recorded old → new."""
        from portal.audit import diff, snapshot

        stored = AwardCategory.objects.get(pk=self.pk)
        with transaction.atomic():
            self.save_checked(expected_version)
            changes = diff(snapshot(stored, self.RULE_FIELDS), snapshot(self, self.RULE_FIELDS))
            if changes:
                record(actor, self, changes, organization=self.round.organizer)

    def clean(self):
        errors = {}
        for name in ("min_satisfaction", "min_fulfilment"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                errors[name] = _("A rate is a percentage from 0 to 100.")
        if self.target == Target.ORGANIZATION and (self.full_members_only or self.party_role_required):
            errors["full_members_only"] = _("Membership rules apply to members only: clear them for organizations.")
        if errors:
            raise ValidationError(errors)


DEFAULT_CATEGORIES = (
    # name, target, rules
    (
        "先进基层党组织",
        Target.ORGANIZATION,
        {"min_grade": Grade.FAIRLY_GOOD, "min_satisfaction": 80, "min_fulfilment": 80, "no_open_rectification": True},
    ),
    ("优秀共产党员", Target.MEMBER, {"min_grade": Grade.FAIRLY_GOOD, "min_fulfilment": 80, "full_members_only": True}),
    (
        "优秀党务工作者",
        Target.MEMBER,
        {"min_grade": Grade.FAIRLY_GOOD, "full_members_only": True, "party_role_required": True},
    ),
)


class AwardQuota(VersionedModel):
    """How many nominations of a category one organization may forward: every organization of a level, or one
    named committee (which overrides its level's number). At the organizer: how many it may shortlist."""

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="quotas")
    category = models.ForeignKey(AwardCategory, models.CASCADE, related_name="quotas", verbose_name=_("category"))
    level = models.CharField(_("every organization of the level"), max_length=20, choices=Level.choices, blank=True)
    organization = models.ForeignKey(
        Organization, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("or one organization")
    )
    number = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["category__order", "level", "organization__path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="") & Q(organization__isnull=False)) | (~Q(level="") & Q(organization__isnull=True)),
                name="awards_quota_level_or_organization",
            ),
            models.UniqueConstraint(
                fields=["category", "level"], condition=~Q(level=""), name="awards_quota_one_per_level"
            ),
            models.UniqueConstraint(
                fields=["category", "organization"],
                condition=Q(organization__isnull=False),
                name="awards_quota_one_per_organization",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.number}"

    @property
    def label(self):
        return f"{self.category} · {self.organization or self.get_level_display()}"

    @classmethod
    def add(cls, actor, round, category, number, level="", organization=None):
        """A new quota; refused when the category has one for that level or organization (change it instead)
        and when it is lower than what is already forwarded (or on the list) under it."""
        quota = cls(round=round, category=category, level=level or "", organization=organization, number=number)
        existing = cls.objects.filter(category=category)
        existing = existing.filter(level=level) if level else existing.filter(organization=organization)
        if existing.exists():
            raise ValidationError(_("This quota is set already: change its number in the table."))
        with transaction.atomic():
            quota._check_usage(number)
            try:
                with transaction.atomic():
                    quota.save()
            except IntegrityError:  # set at the same moment by someone else
                raise ValidationError(_("This quota is set already: change its number in the table.")) from None
            record(actor, round, {"quota": ["", str(quota)]})
        return quota

    def change_number(self, actor, expected_version, number):
        """Set the number; version-checked (a concurrent edit is never overwritten silently), never below
        what is already forwarded (or on the list) under the quota, recorded old → new."""
        with transaction.atomic():
            AwardQuota.objects.select_for_update().filter(pk=self.pk).order_by().first()  # forward() waits for us
            stored = AwardQuota.objects.filter(pk=self.pk).values_list("number", "version").first()
            if stored is None or stored[1] != int(expected_version):
                raise StaleEdit()
            self._check_usage(number)
            self.number = number
            self.save_checked(expected_version, update_fields=["number"])
            if stored[0] != number:
                record(actor, self.round, {"quota": [f"{self.label}: {stored[0]}", str(self)]})

    def _check_usage(self, number):
        name, used = self.most_used()
        if number < used:
            raise ValidationError(
                {
                    "number": _(
                        "%(org)s has already used %(used)d of this quota (forwarded or on the list): "
                        "the quota cannot be lower than %(used)d."
                    )
                    % {"org": name, "used": used}
                }
            )

    def most_used(self):
        """(name, count) of the organization that has used most of this quota, as the quota checks count:
        nominations it forwarded, or at the awarding organization those on the list; (None, 0) if none."""
        round, category = self.round, self.category
        if self.organization_id:
            return self.organization.name, round.quota_used(category, self.organization)
        named = AwardQuota.objects.filter(category=category, organization__isnull=False).values("organization")
        row = (
            NominationStep.objects.filter(
                action=NominationStep.Action.FORWARDED, nomination__category=category, organization__level=self.level
            )
            .exclude(organization__in=named)
            .values("organization__name")
            .annotate(used=models.Count("nomination", distinct=True))
            .order_by("-used", "organization__name")
            .first()
        )
        best = (row["organization__name"], row["used"]) if row else (None, 0)
        organizer = round.organizer
        if organizer.level == self.level and not named.filter(organization=organizer).exists():
            used = round.quota_used(category, organizer)
            if used > best[1]:
                best = (organizer.name, used)
        return best


class NominationQuerySet(models.QuerySet):
    def forwarded_by(self, organization, category):
        return self.filter(
            category=category, steps__organization=organization, steps__action=NominationStep.Action.FORWARDED
        )

    def honoured(self):
        return self.filter(state=Nomination.State.APPROVED)


class Nomination(VersionedModel):
    class State(models.TextChoices):
        NOMINATED = "nominated", _("In the nomination")
        DECLINED = "declined", _("Not forwarded")
        SHORTLISTED = "shortlisted", _("On the list")
        REJECTED = "rejected", _("Withdrawn after an objection")
        APPROVED = "approved", _("Awarded")

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="nominations")
    category = models.ForeignKey(AwardCategory, models.PROTECT, related_name="nominations", verbose_name=_("category"))
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="award_nominations",
        verbose_name=_("organization"),
        help_text=_("The nominated organization, or the nominated member's organization."),
    )
    member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="award_nominations", verbose_name=_("member")
    )
    holder = models.ForeignKey(Organization, models.PROTECT, related_name="held_nominations", verbose_name=_("with"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NOMINATED)
    deeds = models.TextField(_("deeds summary (先进事迹)"), blank=True)
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    certificate_no = models.CharField(_("certificate no."), max_length=30, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["category__order", "organization__path", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "member"], condition=Q(member__isnull=False), name="awards_nomination_member_once"
            ),
            models.UniqueConstraint(
                fields=["category", "organization"],
                condition=Q(member__isnull=True),
                name="awards_nomination_organization_once",
            ),
        ]

    def __str__(self):
        return f"{self.nominee_name} · {self.category}"

    def get_absolute_url(self):
        return reverse("awards:nomination", args=[self.pk])

    @property
    def nominee_name(self):
        return self.member.name if self.member_id else self.organization.name

    @property
    def audit_organization(self):
        return self.organization

    @property
    def at_top(self):
        return self.holder_id == self.round.organizer_id

    @staticmethod
    def nominating_organization(category, organization=None, member=None):
        """Who nominates: a member's own organization; an organization's superior."""
        if category.for_members:
            return member.organization
        return organization.parent

    @classmethod
    def nominate(cls, actor, round, category, *, organization=None, member=None, deeds="", candidate=None, on=None):
        """Nominate a member (member categories) or an organization; ``candidate`` is its eligibility.

        Refused while the round does not take nominations, for a nominee outside the round or of the
        wrong kind, for one that fails an eligibility rule, and for a second nomination in the category.
        """
        if category.round_id != round.pk:
            raise ValidationError(_("The category is not one of this round's."))
        if not round.is_nominating(on):
            raise ValidationError(_("Nominations closed on %(date)s.") % {"date": round.nominations_due_on.isoformat()})
        if category.for_members:
            if member is None or not member.active:
                raise ValidationError(_("Choose a member on the roll."))
            organization = member.organization
        else:
            if organization is None or member is not None:
                raise ValidationError(_("This category awards organizations: choose an organization."))
            if organization.pk == round.organizer_id:
                raise ValidationError(_("The awarding organization cannot nominate itself."))
        if organization.status != Organization.Status.ACTIVE:
            raise ValidationError(_("A dissolved organization cannot be nominated."))
        if not organization.path.startswith(round.organizer.path):
            raise ValidationError(_("The nominee is outside the area of this round."))
        if candidate is not None and not candidate.eligible:
            raise ValidationError(
                _("%(name)s does not meet the rules: %(rules)s.")
                % {"name": candidate.name, "rules": "；".join(str(r.label) for r in candidate.failed)}
            )
        holder = cls.nominating_organization(category, organization, member)
        nomination = cls(
            round=round,
            category=category,
            organization=organization,
            member=member,
            holder=holder,
            deeds=deeds.strip(),
            created_by=actor,
        )
        try:
            with transaction.atomic():
                nomination.save()
                NominationStep.objects.create(
                    nomination=nomination, organization=holder, action=NominationStep.Action.NOMINATED, by=actor
                )
                record(
                    actor, nomination, {"nominated": ["", f"{holder.name} → {category.name}"]}, AuditEntry.Verb.CREATE
                )
        except IntegrityError:
            raise ValidationError(
                _("%(name)s is nominated in this category already.") % {"name": nomination.nominee_name}
            ) from None
        return nomination

    def _check_held(self, on=None):
        if self.state != self.State.NOMINATED:
            raise ValidationError(
                _("This nomination is no longer open: %(state)s.") % {"state": self.get_state_display()}
            )
        if self.round.state != AwardRound.State.NOMINATING:
            raise ValidationError(_("The round's list has been announced: nominations no longer move."))

    def edit_deeds(self, actor, expected_version, deeds):
        """Save the deeds summary; version-checked so that two editors never overwrite each other."""
        self._check_held()
        before = Nomination.objects.filter(pk=self.pk).values_list("deeds", flat=True).first() or ""
        self.deeds = deeds.strip()
        with transaction.atomic():
            self.save_checked(expected_version, update_fields=["deeds"])
            if before != self.deeds:
                record(actor, self, {"deeds": [before[:100], self.deeds[:100]]})

    def quota_used(self, organization):
        return self.round.quota_used(self.category, organization)

    def quota_error(self, organization):
        quota = self.round.quota_for(self.category, organization)
        if quota is not None and self.quota_used(organization) >= quota:
            return _("The quota of %(org)s for %(category)s is %(quota)d and it is used up.") % {
                "org": organization.name,
                "category": self.category.name,
                "quota": quota,
            }
        return None

    def _lock_holder(self):
        """Serialize quota checks of one organization, and with changes of the category's quotas (PostgreSQL row
        locks; SQLite serializes writes anyway); the quotas are then read afresh."""
        Organization.objects.select_for_update().filter(pk=self.holder_id).first()
        # No ordering: the default one joins the (nullable) organization, and FOR UPDATE refuses outer joins.
        list(AwardQuota.objects.select_for_update().filter(category=self.category_id).order_by().values_list("pk"))
        self.round._quota_cache = None

    def forward(self, actor, expected_version, opinion="", on=None):
        """Send the nomination from its holder to the holder's superior, within the holder's quota."""
        self._check_held(on)
        if not self.round.is_nominating(on):
            raise ValidationError(
                _("Nominations closed on %(date)s.") % {"date": self.round.nominations_due_on.isoformat()}
            )
        if self.at_top:
            raise ValidationError(_("The nomination is with the awarding organization: shortlist it instead."))
        holder = self.holder
        with transaction.atomic():
            self._lock_holder()
            if error := self.quota_error(holder):
                raise ValidationError(error)
            self.holder = holder.parent
            self.save_checked(expected_version, update_fields=["holder"])
            NominationStep.objects.create(
                nomination=self,
                organization=holder,
                action=NominationStep.Action.FORWARDED,
                opinion=opinion.strip(),
                by=actor,
            )
            record(actor, self, {"with": [holder.name, self.holder.name]})

    def decline(self, actor, expected_version, reason):
        """The holder does not forward the nomination; the reason is recorded."""
        self._check_held()
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the nomination is not forwarded; the reason is recorded.")})
        with transaction.atomic():
            self.state = self.State.DECLINED
            self.save_checked(expected_version, update_fields=["state"])
            NominationStep.objects.create(
                nomination=self,
                organization=self.holder,
                action=NominationStep.Action.DECLINED,
                opinion=reason.strip(),
                by=actor,
            )
            record(actor, self, {"state": [str(self.State.NOMINATED.label), str(self.get_state_display())]})

    def put_on_list(self, actor, expected_version, opinion=""):
        """The organizer puts the nomination on the list to be announced, within its own quota."""
        self._check_held()
        if not self.at_top:
            raise ValidationError(_("Only the awarding organization puts nominations on the list."))
        with transaction.atomic():
            self._lock_holder()
            if error := self.quota_error(self.holder):
                raise ValidationError(error)
            self.state = self.State.SHORTLISTED
            self.save_checked(expected_version, update_fields=["state"])
            NominationStep.objects.create(
                nomination=self,
                organization=self.holder,
                action=NominationStep.Action.SHORTLISTED,
                opinion=opinion.strip(),
                by=actor,
            )
            record(actor, self, {"state": [str(self.State.NOMINATED.label), str(self.get_state_display())]})

    def add_attachment(self, actor, upload):
        """Store a file (checked by the form) with the nomination, marked with the holder's level."""
        return NominationAttachment.add(self, actor, upload, organization=self.holder)


class NominationStep(models.Model):
    """One level's act on a nomination: nominated, forwarded with its opinion, declined, shortlisted …"""

    class Action(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        FORWARDED = "forwarded", _("Forwarded to the superior")
        DECLINED = "declined", _("Not forwarded")
        SHORTLISTED = "shortlisted", _("Put on the list")
        REJECTED = "rejected", _("Withdrawn after an objection")
        APPROVED = "approved", _("Awarded")

    nomination = models.ForeignKey(Nomination, models.CASCADE, related_name="steps")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("level"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["organization", "action"], name="awards_step_org_action")]

    def __str__(self):
        return f"{self.organization} · {self.get_action_display()}"


class NominationAttachment(PrivateAttachment):
    """Material of a nomination, in the private storage: downloaded only through a scoped view."""

    owner_field = "nomination"
    private_folder = "awards"

    nomination = models.ForeignKey(Nomination, models.CASCADE, related_name="attachments")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("level"))


class Objection(models.Model):
    """A member of the public's objection to a candidate during the 公示; the contact is never shown publicly."""

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("Checked: the candidate stays on the list")
        UPHELD = "upheld", _("Upheld: the candidate is withdrawn")

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="objections")
    nomination = models.ForeignKey(Nomination, models.CASCADE, related_name="objections", verbose_name=_("candidate"))
    reference = models.CharField(max_length=12, unique=True, default=reference_code, editable=False)
    name = models.CharField(_("your name (optional)"), max_length=50, blank=True)
    contact = models.CharField(
        _("phone or e-mail"), max_length=100, help_text=_("Required, so that we can answer you. Never published.")
    )
    body = models.TextField(_("objection"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["answered_at", "created_at", "pk"]

    def __str__(self):
        return f"{self.reference} · {self.nomination}"

    PUBLIC_FIELDS = ("reference", "created_at", "outcome", "answer", "answered_at", "round__title", "nomination")

    @classmethod
    def look_up(cls, reference):
        """The objection with ``reference`` as its objector may see it (no contact, no text, no other
        objection, nothing of the nominee but the name on the public list), or None."""
        reference = (reference or "").strip().upper()
        if not reference:
            return None
        return (
            cls.objects.select_related("round", "nomination__member", "nomination__organization")
            .only(
                *cls.PUBLIC_FIELDS,
                "nomination__member__name",
                "nomination__organization__name",
            )
            .filter(reference=reference)
            .first()
        )

    @property
    def audit_organization(self):
        return self.round.organizer

    @classmethod
    def file(cls, round, nomination, *, name, contact, body, on=None):
        if not round.publicity_open(on):
            raise ValidationError(_("Objections are taken only while the list is announced."))
        if nomination.round_id != round.pk or nomination.state != Nomination.State.SHORTLISTED:
            raise ValidationError(_("Choose a candidate of the announced list."))
        return cls.objects.create(round=round, nomination=nomination, name=name, contact=contact, body=body)

    def answer_with(self, actor, answer, outcome):
        """Record the answer (before approval); an upheld objection withdraws the candidate from the list."""
        if self.answered_at:
            raise ValidationError(_("This objection has been answered already."))
        if self.round.state != AwardRound.State.PUBLICITY:
            raise ValidationError(_("Objections are answered during the public announcement, before approval."))
        if not (answer or "").strip():
            raise ValidationError({"answer": _("Write the answer; it is recorded with the decision.")})
        if outcome not in self.Outcome.values:
            raise ValidationError({"outcome": _("Choose whether the candidate stays on the list.")})
        with transaction.atomic():
            if not Objection.objects.filter(pk=self.pk, answered_at__isnull=True).update(
                answer=answer.strip(), outcome=outcome, answered_by=actor, answered_at=timezone.now()
            ):
                raise StaleEdit()
            self.refresh_from_db()
            nomination = self.nomination
            if outcome == self.Outcome.UPHELD and nomination.state == Nomination.State.SHORTLISTED:
                Nomination.objects.filter(pk=nomination.pk).update(
                    state=Nomination.State.REJECTED, version=models.F("version") + 1
                )
                NominationStep.objects.create(
                    nomination=nomination,
                    organization=self.round.organizer,
                    action=NominationStep.Action.REJECTED,
                    opinion=self.answer,
                    by=actor,
                )
            record(actor, self, {"answer": ["", f"{self.get_outcome_display()}: {self.answer[:100]}"]})


class ArticleQuerySet(models.QuerySet):
    def public(self):
        """What the public reads: published articles of approved awards."""
        return self.filter(published=True, nomination__state=Nomination.State.APPROVED)


class Article(VersionedModel):
    """An exemplary-deeds article (典型宣传) about an award, with photos; public once published."""

    nomination = models.OneToOneField(Nomination, models.CASCADE, related_name="article")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exemplary-deeds article")
        verbose_name_plural = _("exemplary-deeds articles")
        indexes = [models.Index(fields=["-published_at"], name="awards_article_published_at")]

    objects = ArticleQuerySet.as_manager()

    def __str__(self):
        return self.title

    @property
    def audit_organization(self):
        return self.nomination.organization

    def save_edit(self, actor, expected_version):
        if self.nomination.state != Nomination.State.APPROVED:
            raise ValidationError(_("Articles are written about awards that have been approved."))
        before = Article.objects.filter(pk=self.pk).values("title", "published").first() if self.pk else None
        self.updated_by = actor
        if self.published and not (before or {}).get("published"):
            self.published_at = timezone.now()  # (again when published anew after a withdrawal)
        with transaction.atomic():
            if self.pk is None:
                try:
                    with transaction.atomic():
                        self.save()
                except IntegrityError:
                    raise StaleEdit() from None
            else:
                self.save_checked(expected_version)
            after = {"title": self.title, "published": self.published}
            changes = {
                k: [str((before or {}).get(k, "")), str(v)] for k, v in after.items() if (before or {}).get(k) != v
            }
            record(actor, self, changes, AuditEntry.Verb.UPDATE if before else AuditEntry.Verb.CREATE)


class ArticlePhoto(models.Model):
    private_folder = "awards/photos"  # (``private_path``)

    article = models.ForeignKey(Article, models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=private_path, storage=private_storage, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or self.file.name
