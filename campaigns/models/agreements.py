"""Target agreements (目标责任书, seed 003 §四): a committee's yearly indicators for a subordinate committee.

Flow, enforced here and nowhere else::

    draft ──issue──▶ issued ──mid-year report──▶ mid-year reported ──year-end report──▶ year-end reported
                        └──────────────── year-end report ───────────────────────────────▲      │
                                                                                    score│confirm
                                                                                         ▼
                                                                                       scored

- The issuing committee (``issuer``) drafts the agreement from a template (``agreement_defaults``),
  edits its indicators and issues it; the indicators' points must add up to 100. Issued, the
  indicators are fixed (the agreement is "signed"); the title and the report deadlines may still be
  changed by the issuer (e.g. to extend a deadline), recorded in the audit trail.
- The subordinate (``subordinate``) is a committee (党委, 党工委, 镇党委 …) anywhere below the issuer,
  a direct subordinate or deeper: seed 003's district signs with every 基层党委(工委), whatever
  the level in between. The tree is checked when the agreement is drafted.
- The subordinate's staff report each indicator's actual with evidence, once at mid-year and once at
  year-end, up to and including each report's due date; a report can be corrected (sent again)
  until the next step (the year-end report for a mid-year one, the score for a year-end one). A
  committee above the subordinate may report for it (the scope layer's rule: a superior acts within
  its reach); the audit trail says who did.
- The issuer scores the year (``agreement_scoring``) once the year-end report is in or its due date
  has passed (an indicator not reported counts as 0) and confirms the score, possibly adjusted with
  a recorded reason; it may correct a confirmed score later, with a reason.

Every change is version-checked (``VersionedModel``): of two people editing, reporting or scoring the
same agreement at once, the second is refused and told so. Every change is audited.
"""

from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from portal.models import COMMITTEE_LEVELS, AuditEntry, Organization, StaleEdit, VersionedModel
from portal.storage import private_path, private_storage

from .. import agreement_scoring as scoring
from ..agreement_scoring import plain

POINTS_TOTAL = Decimal(100)


class Period(models.TextChoices):
    MID_YEAR = "mid_year", _("Mid-year")
    YEAR_END = "year_end", _("Year-end")


class TransitionError(ValidationError):
    """A step the agreement's flow does not allow now; the message says why, in the user's language."""


class TargetAgreementQuerySet(models.QuerySet):
    def overdue(self, period, today=None):
        """Agreements whose ``period`` report is missing and past its due date."""
        today = today or timezone.localdate()
        S = TargetAgreement.Status
        if period == Period.MID_YEAR:
            return self.filter(status=S.ISSUED, mid_year_due__lt=today)
        return self.filter(status__in=[S.ISSUED, S.MID_YEAR], year_end_due__lt=today)

    def on_notice(self, today=None):
        """The notice list (通报): scored with indicators short of target, or a report overdue."""
        today = today or timezone.localdate()
        S = TargetAgreement.Status
        return self.filter(
            Q(status=S.SCORED, short_count__gt=0)
            | Q(status=S.ISSUED, mid_year_due__lt=today)
            | Q(status__in=[S.ISSUED, S.MID_YEAR], year_end_due__lt=today)
        )


class TargetAgreement(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        MID_YEAR = "mid_year", _("Mid-year reported")
        YEAR_END = "year_end", _("Year-end reported")
        SCORED = "scored", _("Scored")

    # Which reports may be sent (or sent again) in which state.
    REPORTABLE = {
        Period.MID_YEAR: (Status.ISSUED, Status.MID_YEAR),
        Period.YEAR_END: (Status.ISSUED, Status.MID_YEAR, Status.YEAR_END),
    }
    REPORTED = {Period.MID_YEAR: Status.MID_YEAR, Period.YEAR_END: Status.YEAR_END}

    year = models.PositiveSmallIntegerField(_("year"))
    issuer = models.ForeignKey(
        Organization, models.PROTECT, related_name="agreements_issued", verbose_name=_("issued by")
    )
    subordinate = models.ForeignKey(
        Organization, models.PROTECT, related_name="agreements_received", verbose_name=_("responsible organization")
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    mid_year_due = models.DateField(_("mid-year report due"))
    year_end_due = models.DateField(_("year-end report due"))
    bonus_cap = models.DecimalField(
        _("overall bonus cap"),
        max_digits=4,
        decimal_places=1,
        default=scoring.DEFAULT_BONUS_CAP,
        validators=[MinValueValidator(0)],
        help_text=_("At most this many bonus points are added to the 100, whatever the indicators earn."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    mid_year_reported_at = models.DateTimeField(_("mid-year report sent at"), null=True, blank=True)
    year_end_reported_at = models.DateTimeField(_("year-end report sent at"), null=True, blank=True)
    computed_score = models.DecimalField(_("computed score"), max_digits=5, decimal_places=1, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_reason = models.TextField(_("reason for the adjustment"), blank=True)
    short_count = models.PositiveSmallIntegerField(_("indicators short of target"), default=0)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    objects = TargetAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("target agreement")
        verbose_name_plural = _("target agreements")
        ordering = ["-year", "issuer__path", "subordinate__path"]
        indexes = [
            models.Index(fields=["issuer", "year", "status"], name="campaigns_agr_issuer_year"),
            models.Index(fields=["subordinate", "year"], name="campaigns_agr_sub_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "issuer", "subordinate"], name="campaigns_targetagreement_one_per_year"
            ),
            models.CheckConstraint(
                condition=~Q(issuer=F("subordinate")), name="campaigns_targetagreement_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(year_end_due__gt=F("mid_year_due")), name="campaigns_targetagreement_year_end_after_mid"
            ),
            models.CheckConstraint(condition=Q(bonus_cap__gte=0), name="campaigns_targetagreement_bonus_cap_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="campaigns_targetagreement_score_positive"
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.subordinate}"

    def get_absolute_url(self):
        return reverse("campaigns:agreement", args=[self.pk])

    # --- checks -------------------------------------------------------------------------------

    def clean(self):
        errors = {}
        if self.year and not 2000 <= self.year <= 2100:
            errors["year"] = _("Enter a year between 2000 and 2100.")
        if self.mid_year_due and self.year_end_due and self.year_end_due <= self.mid_year_due:
            errors["year_end_due"] = _("The year-end report is due after the mid-year report: check both dates.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_parties(issuer, subordinate):
        """The issuer is an active committee; the subordinate an active committee anywhere below it."""
        if issuer.level not in COMMITTEE_LEVELS or issuer.status != Organization.Status.ACTIVE:
            raise ValidationError(_("Only an active committee issues target agreements."))
        if subordinate.pk == issuer.pk or not subordinate.is_within(issuer):
            raise ValidationError(
                _("%(subordinate)s is not below %(issuer)s: an agreement goes to a subordinate committee.")
                % {"subordinate": subordinate.name, "issuer": issuer.name}
            )
        if subordinate.level not in COMMITTEE_LEVELS:
            raise ValidationError(
                _("%(name)s is not a committee: agreements go to subordinate committees (党委, 党工委, 镇党委 …).")
                % {"name": subordinate.name}
            )
        if subordinate.status != Organization.Status.ACTIVE:
            raise ValidationError(_("%(name)s is dissolved.") % {"name": subordinate.name})

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def maximum_score(self):
        return POINTS_TOTAL + self.bonus_cap

    def due(self, period):
        return self.mid_year_due if period == Period.MID_YEAR else self.year_end_due

    def is_past_due(self, period, today=None):
        return (today or timezone.localdate()) > self.due(period)

    def can_report(self, period, today=None):
        return self.status in self.REPORTABLE[period] and not self.is_past_due(period, today)

    def can_score(self, today=None):
        S = self.Status
        if self.status in (S.YEAR_END, S.SCORED):
            return True
        return self.status in (S.ISSUED, S.MID_YEAR) and self.is_past_due(Period.YEAR_END, today)

    def notice_reasons(self, today=None):
        """Why the agreement is on the notice list (通报), if it is: a list of messages."""
        reasons = []
        if self.status == self.Status.SCORED and self.short_count:
            reasons.append(_("%(n)s indicators short of target") % {"n": self.short_count})
        if self.status == self.Status.ISSUED and self.is_past_due(Period.MID_YEAR, today):
            reasons.append(_("mid-year report overdue"))
        if self.status in (self.Status.ISSUED, self.Status.MID_YEAR) and self.is_past_due(Period.YEAR_END, today):
            reasons.append(_("year-end report overdue"))
        return reasons

    # --- scoring ------------------------------------------------------------------------------

    def _indicators(self):
        """The indicators with their reports (prefetched ones when the caller prefetched them)."""
        return list(self.indicators.all())

    def actuals(self, period, indicators=None):
        """{indicator pk: actual} of the reports of ``period`` (prefetched reports are used)."""
        indicators = self._indicators() if indicators is None else indicators
        return {
            report.indicator_id: report.actual
            for indicator in indicators
            for report in indicator.reports.all()
            if report.period == period
        }

    def compute_score(self, indicators=None):
        """The year's score from the year-end actuals (an indicator not reported counts as 0)."""
        indicators = self._indicators() if indicators is None else indicators
        actuals = self.actuals(Period.YEAR_END, indicators)
        return scoring.score_agreement(
            [(indicator.rule(), actuals.get(indicator.pk, Decimal(0))) for indicator in indicators], self.bonus_cap
        )

    @property
    def points_total(self):
        return sum((i.points for i in self.indicators.all()), Decimal(0))

    # --- the flow -----------------------------------------------------------------------------

    @classmethod
    def start(cls, actor, issuer, subordinate, year, title, mid_year_due, year_end_due, indicators=()):
        """Draft an agreement with ``indicators`` (dicts of Indicator fields, e.g. a template's)."""
        from portal.audit import record

        if cls.objects.filter(year=year, issuer=issuer, subordinate=subordinate).exists():
            raise TransitionError(
                _("%(issuer)s has an agreement with %(subordinate)s for %(year)s already: open it instead.")
                % {"issuer": issuer.name, "subordinate": subordinate.name, "year": year}
            )
        agreement = cls(
            year=year,
            issuer=issuer,
            subordinate=subordinate,
            title=title,
            mid_year_due=mid_year_due,
            year_end_due=year_end_due,
            created_by=actor if actor and actor.is_authenticated else None,
        )
        try:
            cls.check_parties(issuer, subordinate)
        except ValidationError as error:
            raise ValidationError({"subordinate": error.messages}) from None
        agreement.full_clean(exclude=["created_by", "issued_by", "scored_by"])
        with transaction.atomic():
            agreement.save()
            Indicator.objects.bulk_create(
                Indicator(agreement=agreement, order=order, **row) for order, row in enumerate(indicators, start=1)
            )
            record(
                actor,
                agreement,
                AuditEntry.Verb.CREATE,
                {"status": ["", str(agreement.Status.DRAFT.label)], "indicators": ["", agreement.indicator_summary()]},
                organization=subordinate,
            )
        return agreement

    def indicator_summary(self):
        """The indicators in one line, for the audit trail."""
        return "; ".join(
            f"{i.name} {plain(i.target)}{i.unit} {plain(i.points)}" for i in self.indicators.order_by("order", "pk")
        )

    def _advance(self, actor, expected_version, changes, **fields):
        """Save ``fields`` version-checked (``StaleEdit`` if someone changed the agreement meanwhile), audited."""
        from portal.audit import record

        for name, value in fields.items():
            setattr(self, name, value)
        self.updated_at = timezone.now()
        self.save_checked(expected_version, update_fields=[*fields, "updated_at"])
        record(actor, self, AuditEntry.Verb.UPDATE, changes, organization=self.subordinate)

    def _status_change(self, to):
        return {"status": [str(self.get_status_display()), str(self.Status(to).label)]}

    def ensure_draft(self):
        if not self.is_draft:
            raise TransitionError(
                _("The agreement is %(status)s: its indicators can no longer change.")
                % {"status": self.get_status_display()}
            )

    def issue(self, actor, expected_version, today=None):
        """Issue (sign) the agreement: a draft whose indicators' points add up to 100."""
        self.ensure_draft()
        self.check_parties(self.issuer, self.subordinate)
        indicators = list(self.indicators.all())
        if not indicators:
            raise TransitionError(_("Add the indicators before issuing the agreement."))
        total = sum((i.points for i in indicators), Decimal(0))
        if total != POINTS_TOTAL:
            raise TransitionError(
                _(
                    "The indicators' points add up to %(total)s, not 100: adjust them so that they do, "
                    "then issue the agreement."
                )
                % {"total": plain(total)}
            )
        if self.is_past_due(Period.YEAR_END, today):
            raise TransitionError(
                _("The year-end report was due on %(date)s: set later report dates before issuing.")
                % {"date": self.year_end_due.isoformat()}
            )
        with transaction.atomic():
            self._advance(
                actor,
                expected_version,
                self._status_change(self.Status.ISSUED),
                status=self.Status.ISSUED,
                issued_at=timezone.now(),
                issued_by=actor,
            )

    def report(self, actor, expected_version, period, entries, today=None):
        """Send the ``period`` report: ``entries`` maps every indicator to (actual, evidence, upload or None).

        Refused (``TransitionError``, nothing changed) in the wrong state, after the due date, with an
        indicator missing, or with an actual that is empty, not a number or negative; an actual above 0
        needs its evidence. Files (already checked by the form) go to the private storage.
        """
        if self.status not in self.REPORTABLE[period]:
            raise TransitionError(
                _("The agreement is %(status)s: the %(period)s report cannot be sent now.")
                % {"status": self.get_status_display(), "period": Period(period).label}
            )
        if self.is_past_due(period, today):
            raise TransitionError(
                _(
                    "The %(period)s report was due on %(date)s. Ask %(issuer)s to set a later date if the report "
                    "is still to be accepted."
                )
                % {"period": Period(period).label, "date": self.due(period).isoformat(), "issuer": self.issuer.name}
            )
        indicators = list(self.indicators.all())
        missing = [i.name for i in indicators if i.pk not in entries]
        if missing:
            raise TransitionError(_("Report every indicator; missing: %(names)s.") % {"names": "、".join(missing)})
        checked = {}
        for indicator in indicators:
            actual, evidence, upload = entries[indicator.pk]
            try:
                actual = scoring.amount(actual, _("the actual of %(name)s") % {"name": indicator.name})
            except scoring.ScoringInputError as error:
                raise TransitionError(str(error)) from None
            if actual > 0 and not (evidence or "").strip():
                raise TransitionError(
                    _("Say what was done for %(name)s and where it can be checked (the evidence).")
                    % {"name": indicator.name}
                )
            checked[indicator.pk] = (actual, (evidence or "").strip(), upload)
        before = self.actuals(period, indicators)
        stamp = {Period.MID_YEAR: "mid_year_reported_at", Period.YEAR_END: "year_end_reported_at"}[period]
        to = self.status if self.status == self.REPORTED[period] else self.REPORTED[period]
        changes = {} if to == self.status else self._status_change(to)
        for indicator in indicators:
            old, new = before.get(indicator.pk), checked[indicator.pk][0]
            if old != new:
                key = f"{Period(period).label} · {indicator.name}"
                changes[str(key)] = ["" if old is None else plain(old), plain(new)]
        stored = []
        try:
            with transaction.atomic():
                self._advance(actor, expected_version, changes, status=to, **{stamp: timezone.now()})
                for indicator in indicators:
                    actual, evidence, upload = checked[indicator.pk]
                    stored += IndicatorReport.store(indicator, period, actual, evidence, upload, actor)
        except BaseException:
            for name in stored:  # files written for a refused report go again
                private_storage().delete(name)
            raise

    def confirm_score(self, actor, expected_version, adjusted=None, reason="", today=None):
        """Confirm the year's score: the computed one, or ``adjusted`` (0 – 100 + the bonus cap) with a reason.

        A confirmed score may be confirmed again (corrected); a change needs a reason as well.
        """
        if not self.can_score(today):
            if self.status in (self.Status.DRAFT,):
                raise TransitionError(_("A draft agreement is not scored: issue it first."))
            raise TransitionError(
                _("Score the agreement once the year-end report is in or its due date (%(date)s) has passed.")
                % {"date": self.year_end_due.isoformat()}
            )
        result = self.compute_score()
        computed = result.total
        reason = (reason or "").strip()
        if adjusted is None or adjusted == "":
            final = computed
        else:
            try:
                final = scoring.amount(adjusted, _("the score"))
            except scoring.ScoringInputError as error:
                raise TransitionError(str(error)) from None
            if final > self.maximum_score:
                raise TransitionError(
                    _("A score lies between 0 and %(max)s (100 and at most %(cap)s bonus points).")
                    % {"max": plain(self.maximum_score), "cap": plain(self.bonus_cap)}
                )
            final = scoring.round_score(final)
        if final != computed and not reason:
            raise TransitionError(
                _("The score differs from the computed %(computed)s: give the reason for the adjustment.")
                % {"computed": computed}
            )
        if self.status == self.Status.SCORED and final != self.score and not reason:
            raise TransitionError(_("Give the reason for changing the confirmed score."))
        changes = {} if self.status == self.Status.SCORED else self._status_change(self.Status.SCORED)
        old = "" if self.score is None else str(self.score)
        changes["score"] = [old, str(final)]
        if reason:
            changes["reason"] = ["", reason]
        if final != computed:
            changes["computed score"] = ["", str(computed)]
        with transaction.atomic():
            self._advance(
                actor,
                expected_version,
                changes,
                status=self.Status.SCORED,
                computed_score=computed,
                score=final,
                score_reason=reason,
                short_count=len(result.short),
                scored_at=timezone.now(),
                scored_by=actor,
            )
        return result

    def remove(self, actor, expected_version):
        """Delete a draft (an issued agreement is kept: it was signed)."""
        from portal.audit import record

        if not self.is_draft:
            raise TransitionError(
                _("The agreement is %(status)s: only a draft can be removed.") % {"status": self.get_status_display()}
            )
        with transaction.atomic():
            deleted = TargetAgreement.objects.filter(pk=self.pk, version=int(expected_version)).delete()[0]
            if not deleted:
                raise StaleEdit()
            record(
                actor,
                self,
                AuditEntry.Verb.UPDATE,
                {"status": [str(self.Status.DRAFT.label), str(_("Removed"))], "title": [self.title, ""]},
                organization=self.subordinate,
            )


class Indicator(models.Model):
    """One indicator of an agreement: a target in a unit, its points and how they are scored."""

    class Basis(models.TextChoices):
        UNIT = scoring.Basis.UNIT, _("per unit")
        PERCENT = scoring.Basis.PERCENT, _("per percent of the target")

    agreement = models.ForeignKey(TargetAgreement, models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("indicator"), max_length=100)
    unit = models.CharField(_("unit"), max_length=10, help_text=_("e.g. 个, 家, 篇, or a percent sign"))
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=1)
    all_or_nothing = models.BooleanField(
        _("all or nothing"), default=False, help_text=_("Full points when the target is reached, none otherwise.")
    )
    bonus_rate = models.DecimalField(
        _("bonus points"), max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    bonus_basis = models.CharField(_("bonus counted"), max_length=10, choices=Basis.choices, default=Basis.UNIT)
    bonus_cap = models.DecimalField(
        _("bonus at most"), max_digits=4, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    deduction_rate = models.DecimalField(
        _("deduction points"), max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    deduction_basis = models.CharField(_("deduction counted"), max_length=10, choices=Basis.choices, default=Basis.UNIT)
    deduction_cap = models.DecimalField(
        _("deduction at most"), max_digits=4, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["agreement", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="campaigns_indicator_points_positive"),
            models.CheckConstraint(condition=Q(target__gte=0), name="campaigns_indicator_target_not_negative"),
            models.CheckConstraint(
                condition=Q(bonus_rate__gte=0, bonus_cap__gte=0, deduction_rate__gte=0, deduction_cap__gte=0),
                name="campaigns_indicator_rules_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.points is not None and self.points <= 0:
            raise ValidationError({"points": _("Points are a positive number, e.g. 10.")})

    def rule(self):
        return scoring.Rule(
            points=self.points,
            target=self.target,
            all_or_nothing=self.all_or_nothing,
            bonus_rate=self.bonus_rate,
            bonus_basis=self.bonus_basis,
            bonus_cap=self.bonus_cap,
            deduction_rate=self.deduction_rate,
            deduction_basis=self.deduction_basis,
            deduction_cap=self.deduction_cap,
            name=self.name,
        )

    def rule_text(self):
        """The scoring rule in words, for the pages: e.g. "每超1个加1分，最多加2分；每少1个扣3分，最多扣6分"."""
        values = {"unit": self.unit}
        parts = [gettext("full points when the target is reached, none otherwise")] if self.all_or_nothing else []
        if self.bonus_rate and self.bonus_cap:
            values.update(rate=plain(self.bonus_rate), cap=plain(self.bonus_cap))
            if self.bonus_basis == self.Basis.PERCENT:
                parts.append(gettext("+%(rate)s per percent over the target, at most %(cap)s") % values)
            else:
                parts.append(gettext("+%(rate)s per %(unit)s over the target, at most %(cap)s") % values)
        if self.deduction_rate and self.deduction_cap and not self.all_or_nothing:
            values.update(rate=plain(self.deduction_rate), cap=plain(self.deduction_cap))
            if self.deduction_basis == self.Basis.PERCENT:
                parts.append(gettext("−%(rate)s per percent short of the target, at most %(cap)s") % values)
            else:
                parts.append(gettext("−%(rate)s per %(unit)s short of the target, at most %(cap)s") % values)
        return pgettext("list separator", "; ").join(parts) or gettext("points in proportion to the target")


class IndicatorReport(models.Model):
    """The actual of an indicator at mid-year or year-end, with its evidence (text, an optional private file)."""

    private_folder = "agreements"  # of the evidence files (``private_path``)

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="reports")
    period = models.CharField(_("report"), max_length=10, choices=Period.choices)
    actual = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    evidence = models.TextField(_("evidence"), blank=True)
    file = models.FileField(
        _("evidence file"), upload_to=private_path, storage=private_storage, max_length=200, blank=True
    )
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="campaigns_indicatorreport_one_per_period"),
            models.CheckConstraint(condition=Q(actual__gte=0), name="campaigns_indicatorreport_actual_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.get_period_display()}"

    @classmethod
    def store(cls, indicator, period, actual, evidence, upload, actor):
        """Write (or rewrite) the report; returns the names of the files written (to undo on failure).

        A new upload replaces the previous file, which is deleted once the change is committed.
        """
        report = cls.objects.filter(indicator=indicator, period=period).first() or cls(
            indicator=indicator, period=period
        )
        report.actual, report.evidence, report.reported_by, report.reported_at = actual, evidence, actor, timezone.now()
        written, replaced = [], None
        if upload:
            replaced = report.file.name or None
            name = PurePath(upload.name).name[:200]
            report.file.save(name, upload, save=False)
            report.file_name, report.file_size = name, upload.size
            written.append(report.file.name)
        report.save()
        if replaced:
            transaction.on_commit(lambda: private_storage().delete(replaced))
        return written
