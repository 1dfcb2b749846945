"""Periodic reviews (定期讲评 / 领导点评): cycles, the branch's own review, scores and grades.

A campaign's review cycles are the REVIEW steps of its schedule (``ReviewCycle`` extends one
``Milestone``: its dates are the schedule's). In each cycle

- every organization reviews itself at a 专题组织生活会 (``SelfReview``: the meeting, each member's
  report, a self-assessment per criterion) and scores its members (``MemberReview``) against the
  member criteria set of its sector;
- the superior organization scores each direct subordinate (``OrganizationReview``) against the
  organization criteria set, with the three comments the seeds name, and a grade from the
  campaign's ``GradeBands``.

Entries lock after the cycle's due date; a superior may reopen them for one organization for a few
days (``Reopening``, recorded). Score changes are audited, and reviews are version-checked, so two
officers scoring the same organization never overwrite each other silently.

Scores refer to their criteria (and a self-review to its meeting) with RESTRICT: a criterion that has
scores cannot be deleted by itself, while deleting a whole campaign takes its reviews along.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CriteriaSet, Criterion, Meeting, Milestone
from portal.models import Member, Organization, StaleEdit, VersionedModel


def plain(number):
    """A Decimal as people write it: 20 rather than 20.00, 17.5 rather than 17.50; None as ""."""
    return "" if number is None else f"{Decimal(number).normalize():f}"


class Grade(models.TextChoices):
    GOOD = "good", _("Good")
    FAIRLY_GOOD = "fairly_good", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


class GradeBands(models.Model):
    """The campaign's grade bands: the lowest total (out of the set's full weight, scaled to 100) of each grade."""

    campaign = models.OneToOneField(Campaign, models.CASCADE, related_name="grade_bands")
    good_from = models.DecimalField(_("“good” from"), max_digits=5, decimal_places=2, default=Decimal(90))
    fairly_good_from = models.DecimalField(_("“fairly good” from"), max_digits=5, decimal_places=2, default=Decimal(80))
    average_from = models.DecimalField(_("“average” from"), max_digits=5, decimal_places=2, default=Decimal(60))

    class Meta:
        verbose_name = _("grade bands")
        verbose_name_plural = _("grade bands")
        constraints = [
            models.CheckConstraint(
                condition=Q(good_from__gt=models.F("fairly_good_from"))
                & Q(fairly_good_from__gt=models.F("average_from"))
                & Q(average_from__gte=0)
                & Q(good_from__lte=100),
                name="evaluations_gradebands_descending",
            ),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.good_from}/{self.fairly_good_from}/{self.average_from}"

    def clean(self):
        if None in (self.good_from, self.fairly_good_from, self.average_from):
            return
        if not (100 >= self.good_from > self.fairly_good_from > self.average_from >= 0):
            raise ValidationError(
                _("The bands must descend: 100 ≥ “good” > “fairly good” > “average” ≥ 0. Check the three numbers.")
            )

    @classmethod
    def of(cls, campaign):
        """The campaign's bands; the defaults (90/80/60) when the office has not set any."""
        bands = getattr(campaign, "_grade_bands", None)
        if bands is None:
            bands = cls.objects.filter(campaign=campaign).first() or cls(campaign=campaign)
            campaign._grade_bands = bands
        return bands

    def grade(self, total, full):
        """The grade of ``total`` out of ``full`` points (compared as a percentage of ``full``)."""
        if total is None or not full:
            return ""
        percent = Decimal(total) * 100 / Decimal(full)
        if percent >= self.good_from:
            return Grade.GOOD
        if percent >= self.fairly_good_from:
            return Grade.FAIRLY_GOOD
        if percent >= self.average_from:
            return Grade.AVERAGE
        return Grade.POOR


class ReviewCycleQuerySet(models.QuerySet):
    def of_campaign(self, campaign):
        """The campaign's cycles, made for each REVIEW step of its schedule that has none yet."""
        _make_missing(Milestone.objects.filter(campaign=campaign))
        return self.filter(milestone__campaign=campaign).select_related("milestone__campaign")

    def covering(self, scope, org):
        """[cycles] of the campaigns covering ``org`` that the user sees: newest campaign first, each campaign's
        by due date; made for each REVIEW step of those campaigns that has none yet (one query for all)."""
        campaigns = Campaign.objects.covering(org)
        _make_missing(Milestone.objects.filter(campaign__in=campaigns))
        cycles = scope.filter(self.filter(milestone__campaign__in=campaigns), "campaign.view")
        return list(
            cycles.select_related("milestone__campaign__area").order_by(
                "-milestone__campaign__starts_on",
                "milestone__campaign__name",
                "milestone__campaign_id",
                "milestone__due_on",
            )
        )

    def current(self, campaign, on=None):
        """The cycle open on ``on`` (today), else the last one already due, else the first one."""
        return current_cycle(list(self.of_campaign(campaign).order_by("milestone__due_on")), on)


def _make_missing(steps):
    missing = steps.filter(kind=Milestone.Kind.REVIEW, review_cycle__isnull=True)
    ReviewCycle.objects.bulk_create([ReviewCycle(milestone=m) for m in missing], ignore_conflicts=True)


def current_cycle(cycles, on=None):
    """Of the first campaign's cycles in ``cycles`` (each campaign's in the order of their due dates, the newest
    campaign first, as ``covering`` gives them): the one open on ``on`` (today), else the last one already
    opened, else the first one; None when there is none."""
    if not cycles:
        return None
    on = on or timezone.localdate()
    newest = [c for c in cycles if c.milestone.campaign_id == cycles[0].milestone.campaign_id]
    opened = [c for c in newest if c.opens_on <= on]
    return next((c for c in opened if on <= c.due_on), opened[-1] if opened else newest[0])


class ReviewCycle(models.Model):
    """A half-yearly review cycle: a REVIEW step of the campaign's schedule."""

    milestone = models.OneToOneField(Milestone, models.CASCADE, related_name="review_cycle")

    objects = ReviewCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["milestone__due_on"]

    def __str__(self):
        return self.milestone.title

    def get_absolute_url(self):
        return reverse("evaluations:cycle", args=[self.pk])

    @property
    def campaign(self):
        return self.milestone.campaign

    @property
    def title(self):
        return self.milestone.title

    @property
    def opens_on(self):
        return self.milestone.opens_on

    @property
    def due_on(self):
        return self.milestone.due_on

    def state(self, on=None):
        on = on or timezone.localdate()
        if on < self.opens_on:
            return "upcoming"
        return "open" if on <= self.due_on else "locked"

    def accepts_entries(self, organization, kind, on=None):
        """Whether entries of ``kind`` (a ``Reopening.Kind``) for ``organization`` are taken on ``on``."""
        on = on or timezone.localdate()
        if on < self.opens_on:
            return False
        if on <= self.due_on:
            return True
        return self.reopenings.filter(organization=organization, kind=kind, until__gte=on).exists()

    def check_open(self, organization, kind, on=None):
        """Raise a ``ValidationError`` saying why entries are not taken, unless they are."""
        if self.accepts_entries(organization, kind, on):
            return
        if (on or timezone.localdate()) < self.opens_on:
            raise ValidationError(
                _("The review cycle opens on %(date)s: entries are taken from then.") % {"date": self.opens_on}
            )
        raise ValidationError(
            _(
                "The review cycle closed on %(date)s and its entries are locked. Ask the superior organization "
                "to reopen them for you."
            )
            % {"date": self.due_on}
        )


class Reopening(models.Model):
    """A superior's decision to take late entries of one organization in a locked cycle, until a date."""

    class Kind(models.TextChoices):
        OWN = "own", _("The organization's own review and member scores")
        SUPERIOR = "superior", _("The superior's score of the organization")

    cycle = models.ForeignKey(ReviewCycle, models.CASCADE, related_name="reopenings")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="+", verbose_name=_("organization"))
    kind = models.CharField(_("entries"), max_length=10, choices=Kind.choices)
    until = models.DateField(_("open until"))
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.cycle} · {self.organization} · {self.until}"

    @classmethod
    def grant(cls, actor, cycle, organization, kind, until, reason, on=None):
        """Reopen ``organization``'s entries of ``kind`` in the locked ``cycle`` until ``until``; recorded.

        The caller has checked, through the scope, that ``actor`` may reopen on
        ``granting_organization(organization, kind)``.
        """
        from portal.audit import record
        from portal.models import AuditEntry

        on = on or timezone.localdate()
        reason = (reason or "").strip()
        if cycle.state(on) != "locked":
            raise ValidationError(_("The review cycle is still open: there is nothing to reopen."))
        if not reason:
            raise ValidationError({"reason": _("Say why the entries are reopened; the reason is recorded.")})
        if until is None or until < on:
            raise ValidationError({"until": _("Choose a date from today on until which late entries are taken.")})
        if (until - on).days > 31:
            raise ValidationError({"until": _("Reopen for at most 31 days.")})
        with transaction.atomic():
            reopening = cls.objects.create(
                cycle=cycle, organization=organization, kind=kind, until=until, reason=reason, granted_by=actor
            )
            record(
                actor,
                reopening,
                AuditEntry.Verb.UPDATE,
                {"reopened": [str(cycle), f"{reopening.get_kind_display()} → {until:%Y-%m-%d}: {reason}"]},
                organization=organization,
            )
        return reopening

    @staticmethod
    def granting_organization(organization, kind):
        """Whose officers may reopen: the superior of whoever makes the entries.

        The organization's own entries are made by its staff, so its superior reopens them; the score of
        the organization is made by its superior, so the superior's superior reopens it (at the top of the
        tree, where there is none, the superior itself, through its office staff or an administrator).
        """
        superior = organization.parent or organization
        if kind == Reopening.Kind.SUPERIOR:
            return superior.parent or superior
        return superior


class ScoredReview(VersionedModel):
    """What organization and member reviews share: per-criterion scores, a total, a grade, who scored."""

    criteria_set = models.ForeignKey(CriteriaSet, models.RESTRICT, related_name="+", verbose_name=_("criteria set"))
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    scored_at = models.DateTimeField(null=True, blank=True)

    # The comment fields a scorer fills in, and the reopening kind that unlocks the entry (subclasses).
    comment_fields = ()
    entry_kind = None

    class Meta:
        abstract = True

    @property
    def is_complete(self):
        return self.total is not None

    @property
    def entering_organization(self):
        """The organization whose entries these are, for locking and reopening."""
        return self.organization

    def score_values(self):
        """{criterion id: Decimal} of the stored scores."""
        return {s.criterion_id: s.value for s in self.scores.all()}

    def record(self, actor, expected_version, values, comments=None, on=None):
        """Store the scores ``values`` ({criterion id: Decimal or None}) and the comments, all or nothing.

        Refused with a ``ValidationError`` while the cycle does not take the entry (not open yet, or
        locked and not reopened) and for a score outside 0…weight; ``StaleEdit`` when someone saved the
        review since ``expected_version`` was read (for a new review: since the page was loaded). An
        empty value clears a score. The total and the grade are set once every criterion has a score.
        Changed scores and comments go to the audit trail, old → new.
        """
        from portal.audit import record
        from portal.models import AuditEntry

        self.cycle.check_open(self.entering_organization, self.entry_kind, on)
        criteria = list(self.criteria_set.criteria.all())
        values = {c.pk: values.get(c.pk) for c in criteria}
        errors = [
            _("%(criterion)s: enter a score from 0 to %(weight)s.") % {"criterion": c.title, "weight": plain(c.weight)}
            for c in criteria
            if values[c.pk] is not None and not 0 <= values[c.pk] <= c.weight
        ]
        if errors:
            raise ValidationError(errors)
        before = self._audit_state(criteria, self.score_values()) if self.pk else {}
        for name, value in (comments or {}).items():
            setattr(self, name, value.strip())
        if all(v is not None for v in values.values()):
            self.total = sum(values.values(), Decimal(0))
            full = sum((c.weight for c in criteria), Decimal(0))
            self.grade = GradeBands.of(self.cycle.campaign).grade(self.total, full)
        else:
            self.total, self.grade = None, ""
        self.scored_by, self.scored_at = actor, timezone.now()
        with transaction.atomic():
            if self.pk is None:
                try:
                    with transaction.atomic():
                        self.save()
                except IntegrityError:
                    raise StaleEdit() from None
            else:
                self.save_checked(expected_version)
            self._store_scores(values)
            after = self._audit_state(criteria, values)
            if changes := {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}:
                verb = AuditEntry.Verb.UPDATE if before else AuditEntry.Verb.CREATE
                record(actor, self, verb, changes, organization=self.organization)

    def _store_scores(self, values):
        scores = self.scores
        scores.filter(criterion_id__in=[pk for pk, v in values.items() if v is None]).delete()
        stored = {s.criterion_id: s for s in scores.all()}
        changed = []
        for pk, value in values.items():
            if value is None:
                continue
            if pk in stored:
                if stored[pk].value != value:
                    stored[pk].value = value
                    changed.append(stored[pk])
            else:
                scores.create(criterion_id=pk, value=value)
        scores.model.objects.bulk_update(changed, ["value"])

    def _audit_state(self, criteria, values):
        state = {c.title: plain(values.get(c.pk)) for c in criteria}
        state.update({name: getattr(self, name) for name in self.comment_fields})
        return state


class OrganizationReview(ScoredReview):
    """The superior's review (讲评 / 领导点评) of one subordinate organization in a cycle."""

    cycle = models.ForeignKey(ReviewCycle, models.CASCADE, related_name="organization_reviews")
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="reviews", verbose_name=_("organization")
    )
    reviewer = models.ForeignKey(
        Organization, models.PROTECT, related_name="reviews_given", verbose_name=_("reviewed by")
    )
    achievements = models.TextField(_("achievements"), blank=True, help_text=_("肯定成绩: what went well."))
    problems = models.TextField(_("problems"), blank=True, help_text=_("指出问题: what is lacking."))
    directions = models.TextField(_("directions"), blank=True, help_text=_("努力方向: what to work on next."))

    comment_fields = ("achievements", "problems", "directions")
    entry_kind = Reopening.Kind.SUPERIOR

    class Meta:
        verbose_name = _("organization review")
        verbose_name_plural = _("organization reviews")
        ordering = ["cycle", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="evaluations_orgreview_one_per_cycle"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.cycle}"

    def get_absolute_url(self):
        return reverse("evaluations:organization_results", args=[self.organization_id])

    @classmethod
    def start(cls, cycle, organization):
        """The stored review of ``organization`` in ``cycle``, or a new unsaved one scored by its superior."""
        review = cls.objects.filter(cycle=cycle, organization=organization).select_related("criteria_set").first()
        if review:
            return review
        if organization.parent is None:
            raise ValidationError(_("The top organization has no superior to review it."))
        criteria_set = cycle.campaign.criteria_for(CriteriaSet.Target.ORGANIZATION, organization.sector)
        if criteria_set is None:
            raise ValidationError(_("The campaign has no criteria for organizations of this sector. Ask the office."))
        return cls(cycle=cycle, organization=organization, reviewer=organization.parent, criteria_set=criteria_set)


class MemberReview(ScoredReview):
    """The organization's review of one of its members in a cycle (against 五带头 / 五个先锋 / 五个表率)."""

    cycle = models.ForeignKey(ReviewCycle, models.CASCADE, related_name="member_reviews")
    member = models.ForeignKey(Member, models.CASCADE, related_name="reviews", verbose_name=_("member"))
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="member_reviews", verbose_name=_("organization")
    )
    comment = models.TextField(_("comment"), blank=True)

    comment_fields = ("comment",)
    entry_kind = Reopening.Kind.OWN

    class Meta:
        verbose_name = _("member review")
        verbose_name_plural = _("member reviews")
        ordering = ["cycle", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member"], name="evaluations_memberreview_one_per_cycle"),
        ]

    def __str__(self):
        return f"{self.member} · {self.cycle}"

    @classmethod
    def start(cls, cycle, member):
        """The stored review of ``member`` in ``cycle``, or a new unsaved one by the member's organization."""
        review = cls.objects.filter(cycle=cycle, member=member).select_related("criteria_set").first()
        if review:
            return review
        org = member.organization
        criteria_set = cycle.campaign.criteria_for(CriteriaSet.Target.MEMBER, org.sector)
        if criteria_set is None:
            raise ValidationError(_("The campaign has no criteria for members of this sector. Ask the office."))
        return cls(cycle=cycle, member=member, organization=org, criteria_set=criteria_set)


class Score(models.Model):
    """One criterion's score: from 0 to the criterion's weight."""

    criterion = models.ForeignKey(Criterion, models.RESTRICT, related_name="+", verbose_name=_("criterion"))
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class OrganizationScore(Score):
    review = models.ForeignKey(OrganizationReview, models.CASCADE, related_name="scores")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="evaluations_orgscore_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0), name="evaluations_orgscore_not_negative"),
        ]


class MemberScore(Score):
    review = models.ForeignKey(MemberReview, models.CASCADE, related_name="scores")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="evaluations_memberscore_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0), name="evaluations_memberscore_not_negative"),
        ]


class SelfReview(VersionedModel):
    """An organization's own review in a cycle: the 专题组织生活会, members' reports, its self-assessment."""

    cycle = models.ForeignKey(ReviewCycle, models.CASCADE, related_name="self_reviews")
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="self_reviews", verbose_name=_("organization")
    )
    meeting = models.OneToOneField(
        Meeting, models.RESTRICT, null=True, blank=True, related_name="self_review", verbose_name=_("meeting")
    )
    summary = models.TextField(_("summary of the self-assessment"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-review")
        verbose_name_plural = _("self-reviews")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="evaluations_selfreview_one_per_cycle"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.cycle}"


class SelfAssessment(models.Model):
    """The organization's view of itself on one criterion of its set: a self-score and what it did."""

    self_review = models.ForeignKey(SelfReview, models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, models.RESTRICT, related_name="+", verbose_name=_("criterion"))
    value = models.DecimalField(_("self-score"), max_digits=6, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("what we did"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["self_review", "criterion"], name="evaluations_selfassessment_unique"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class MemberReport(models.Model):
    """What a member told the 专题组织生活会 about keeping their commitment; or that they were absent (the
    text then says why, if known)."""

    self_review = models.ForeignKey(SelfReview, models.CASCADE, related_name="reports")
    member = models.ForeignKey(Member, models.CASCADE, related_name="review_reports", verbose_name=_("member"))
    text = models.TextField(_("report"), blank=True)
    absent = models.BooleanField(_("absent"), default=False)

    class Meta:
        ordering = ["member__name"]
        constraints = [
            models.UniqueConstraint(fields=["self_review", "member"], name="evaluations_memberreport_unique"),
            models.CheckConstraint(
                condition=Q(absent=True) | ~Q(text=""), name="evaluations_memberreport_text_unless_absent"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.text[:30]}"


from .mass_models import (  # noqa: E402,F401  (mass evaluation: rounds, ballots, ledger, rectification)
    Answer,
    Ballot,
    BallotCode,
    CodeBatch,
    LedgerEntry,
    Option,
    PaperBatch,
    PaperCount,
    Participant,
    Question,
    Rectification,
    Result,
    Round,
)
