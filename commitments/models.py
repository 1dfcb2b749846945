"""Public commitments (公开承诺): items, the filing flow, progress with evidence, fulfilment, comments.

Flow, enforced here and nowhere else::

    draft ──submit──▶ submitted ──accept──▶ accepted ──publish──▶ published
      ▲                   │
      └──── returned ◀──return (with a reason)

Submitting an organization's commitment requires the general meeting of members that discussed it.
The acceptor is the superior organization for an organization's commitment and the member's own
organization for a member's; it is stored (``acceptor``) so that queues are one indexed query.
Published commitments take progress updates; the acceptor assesses each item's fulfilment once the
campaign's fulfilment-assessment step has opened. Every transition is an ``Event``.
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import ActivityCarrier, Campaign, Criterion, Meeting, Milestone
from portal.models import Member, Organization, VersionedModel

from . import notices


class TransitionError(ValidationError):
    """A state change the flow does not allow; the message says why, in the user's language."""


def weighted_progress(prefix=""):
    """Σ(progress × weight) / Σ(weight) over items reached through ``prefix`` (SQL)."""
    weight = F(f"{prefix}weight")
    total = Sum(ExpressionWrapper(F(f"{prefix}progress") * weight, output_field=DecimalField()))
    return total, Sum(weight)


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Commitment.State.PUBLISHED)

    def with_progress(self):
        """Annotate ``progress`` (0-100, weighted by item weight) in SQL.

        Correlated subqueries, not a join with GROUP BY: a list ordered and cut to a page computes the
        progress of that page's rows only (PostgreSQL evaluates them after the sort and the limit), where
        grouping would aggregate the items of every commitment in the area first."""
        items = Item.objects.filter(commitment=OuterRef("pk")).order_by().values("commitment")
        total, weights = weighted_progress()
        return self.annotate(
            progress_sum=Subquery(items.annotate(total=total).values("total")),
            weight_sum=Subquery(items.annotate(weights=weights).values("weights")),
        )

    def on_board(self, organization):
        """What ``organization``'s public board shows: its own and its members' published commitments."""
        return self.published().filter(organization=organization)

    def item_summary(self):
        """Over these commitments' items: the weighted progress and how many items were assessed how (one query)."""
        total, weights = weighted_progress("items__")
        kinds = {
            "fulfilled": Item.Fulfilment.FULFILLED,
            "partly": Item.Fulfilment.PARTLY,
            "not_fulfilled": Item.Fulfilment.NOT,
        }
        counts = {name: Count("items", filter=Q(items__fulfilment=value)) for name, value in kinds.items()}
        row = self.order_by().aggregate(total=total, weights=weights, item_count=Count("items"), **counts)
        total, weights = row.pop("total"), row.pop("weights")
        return {"progress": round(float(total) / float(weights), 1) if weights else 0.0, **row}

    def with_comment_count(self):
        """Annotate ``comment_count``, the approved public comments (a subquery, like ``with_progress``)."""
        approved = (
            Comment.objects.filter(commitment=OuterRef("pk"), status=Comment.Status.APPROVED)
            .values("commitment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(comment_count=Coalesce(Subquery(approved), 0))


class Commitment(VersionedModel):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization's commitment")
        MEMBER = "member", _("Member's commitment")

    class Audience(models.TextChoices):
        SUPERIOR = "superior", _("To the superior organization")
        PUBLIC = "public", _("To the public")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")
        PUBLISHED = "published", _("Published")

    EDITABLE = (State.DRAFT, State.RETURNED)
    FILED = (State.SUBMITTED, State.ACCEPTED, State.PUBLISHED)  # "filed": at least submitted, not returned

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="commitments", verbose_name=_("campaign"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(_("made to"), max_length=20, choices=Audience.choices, default=Audience.SUPERIOR)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="commitments", verbose_name=_("organization")
    )
    member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="commitments", verbose_name=_("member")
    )
    acceptor = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="commitments_to_accept",
        editable=False,
        verbose_name=_("accepted by"),
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    meeting = models.ForeignKey(
        Meeting,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("general meeting that discussed it"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["acceptor", "state"], name="commitments_acceptor_state"),
            models.Index(fields=["organization", "campaign", "state"], name="commitments_org_campaign_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="organization", member__isnull=True) | Q(kind="member", member__isnull=False),
                name="commitments_commitment_member_iff_member_kind",
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization", "audience"],
                condition=Q(kind="organization"),
                name="commitments_commitment_one_per_org_audience",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member", "audience"],
                condition=Q(kind="member"),
                name="commitments_commitment_one_per_member_audience",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("commitments:detail", args=[self.pk])

    @property
    def owner_name(self):
        return self.member.name if self.member_id else self.organization.name

    @property
    def is_editable(self):
        return self.state in self.EDITABLE

    def ensure_editable(self):
        """Items and texts change only while the commitment is a draft or returned."""
        if not self.is_editable:
            raise TransitionError(
                _("This commitment is %(state)s: it can no longer be edited.") % {"state": self.get_state_display()}
            )

    @classmethod
    def start(cls, actor, campaign, organization, audience, title, member=None):
        """Create the draft of an organization's commitment (or, with ``member``, of a member's)."""
        kind = cls.Kind.MEMBER if member else cls.Kind.ORGANIZATION
        if member:
            if not member.active:
                raise TransitionError(_("The member is no longer on the roll."))
            organization = member.organization
        if organization.status != organization.Status.ACTIVE:
            raise TransitionError(_("A dissolved organization makes no commitment."))
        if not campaign.includes(organization):
            raise TransitionError(_("The organization is outside the campaign's area."))
        if kind == cls.Kind.ORGANIZATION and organization.parent_id is None:
            raise TransitionError(_("The top organization has no superior to make a commitment to."))
        existing = cls.objects.filter(campaign=campaign, audience=audience, kind=kind)
        existing = existing.filter(member=member) if member else existing.filter(organization=organization)
        if existing.exists():
            raise TransitionError(_("There is already such a commitment for this campaign: open it instead."))
        commitment = cls(
            campaign=campaign,
            kind=kind,
            audience=audience,
            organization=organization,
            member=member,
            title=title,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                commitment.save()
                Event.objects.create(
                    commitment=commitment, from_state=cls.State.DRAFT, to_state=cls.State.DRAFT, actor=actor
                )
        except IntegrityError:  # the same commitment started concurrently: the unique constraints decide
            raise TransitionError(_("There is already such a commitment for this campaign: open it instead.")) from None
        return commitment

    def attach_meeting(self, actor, meeting):
        """Record which general meeting of members discussed this (organization's) commitment."""
        self.ensure_editable()
        if self.kind != self.Kind.ORGANIZATION:
            raise TransitionError(_("Only an organization's commitment is discussed at its general meeting."))
        self._check_meeting(meeting)
        with transaction.atomic():
            updated = Commitment.objects.filter(pk=self.pk, state__in=self.EDITABLE).update(meeting=meeting)
            if not updated:
                raise TransitionError(_("Someone else changed this commitment just now. Reload the page."))
            Event.objects.create(
                commitment=self, from_state=self.state, to_state=self.state, actor=actor, note=str(meeting)
            )
        self.meeting = meeting

    def _check_meeting(self, meeting):
        if meeting.organization_id != self.organization_id or meeting.campaign_id != self.campaign_id:
            raise TransitionError(_("The meeting must be one of this organization in this campaign."))
        if meeting.kind != Meeting.Kind.GENERAL_ASSEMBLY:
            raise TransitionError(_("The commitment must be discussed at a general meeting of members."))

    @staticmethod
    def acceptor_for(kind, organization):
        """Who accepts: the superior organization, or for a member the member's own organization."""
        return organization if kind == Commitment.Kind.MEMBER else organization.parent

    def save(self, *args, **kwargs):
        if self.member_id and not self.organization_id:
            self.organization_id = self.member.organization_id
        if not self.acceptor_id:
            acceptor = self.acceptor_for(self.kind, self.organization)
            if acceptor is None:
                raise ValidationError(_("The top organization has no superior to make a commitment to."))
            self.acceptor = acceptor
        super().save(*args, **kwargs)

    @property
    def progress(self):
        """Weighted mean of the items' progress, 0-100 (uses the SQL annotation when present)."""
        if hasattr(self, "progress_sum"):
            total, weights = self.progress_sum, self.weight_sum
        else:
            total, weights = self.items.aggregate(t=weighted_progress()[0], w=weighted_progress()[1]).values()
        return round(float(total) / float(weights), 1) if weights else 0.0

    # --- transitions -----------------------------------------------------------------------------

    def _transition(self, actor, allowed_from, to, note="", **fields):
        """Move to ``to`` with one conditional UPDATE, so concurrent transitions cannot both win."""
        if self.state not in allowed_from:
            raise TransitionError(
                _("This commitment is %(state)s; it cannot be %(action)s now.")
                % {"state": self.get_state_display(), "action": self.State(to).label}
            )
        with transaction.atomic():
            updated = Commitment.objects.filter(pk=self.pk, state=self.state).update(
                state=to, version=F("version") + 1, updated_at=timezone.now(), **fields
            )
            if not updated:
                raise TransitionError(_("Someone else changed this commitment just now. Reload the page."))
            Event.objects.create(commitment=self, from_state=self.state, to_state=to, actor=actor, note=note)
        self.refresh_from_db()

    def submit(self, actor, meeting=None):
        meeting = meeting or self.meeting
        if not self.items.exists():
            raise TransitionError(_("Add at least one item before submitting."))
        if self.kind == self.Kind.ORGANIZATION:
            if meeting is None:
                raise TransitionError(_("Record the general meeting of members that discussed the commitment first."))
            self._check_meeting(meeting)
        with transaction.atomic():
            self._transition(
                actor,
                self.EDITABLE,
                self.State.SUBMITTED,
                meeting=meeting,
                submitted_at=timezone.now(),
                return_reason="",
            )
            notices.commitment_submitted(self, actor)  # delivered through the outbox: never fails the submit

    def accept(self, actor):
        self._transition(actor, (self.State.SUBMITTED,), self.State.ACCEPTED, accepted_at=timezone.now())

    def return_for_changes(self, actor, reason):
        reason = (reason or "").strip()
        if not reason:
            raise TransitionError(_("Say why the commitment is returned, so that it can be corrected."))
        self._transition(actor, (self.State.SUBMITTED,), self.State.RETURNED, note=reason, return_reason=reason)

    def publish(self, actor):
        self._transition(actor, (self.State.ACCEPTED,), self.State.PUBLISHED, published_at=timezone.now())

    def add_public_comment(self, **fields):
        """A comment or supervision report from the public; taken only while the commitment is published."""
        if self.state != self.State.PUBLISHED:
            raise TransitionError(_("Comments are taken only on published commitments."))
        return Comment.objects.create(commitment=self, **fields)

    def assessment_open(self, on=None):
        on = on or timezone.localdate()
        return self.campaign.milestones.filter(kind=Milestone.Kind.FULFILMENT, opens_on__lte=on).exists()


class Item(models.Model):
    """A commitment item (承诺事项): what, a measurable target, a deadline, the criterion it serves."""

    class Fulfilment(models.TextChoices):
        FULFILLED = "fulfilled", _("Fulfilled")
        PARTLY = "partly", _("Partly fulfilled")
        NOT = "not", _("Not fulfilled")

    commitment = models.ForeignKey(Commitment, models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    content = models.TextField(_("what we commit to"), max_length=1000)
    target = models.CharField(_("measurable target"), max_length=300)
    deadline = models.DateField(_("deadline"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, null=True, blank=True, verbose_name=_("criterion"))
    carrier = models.ForeignKey(
        ActivityCarrier, models.SET_NULL, null=True, blank=True, verbose_name=_("activity carrier")
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    fulfilment = models.CharField(_("fulfilment"), max_length=20, choices=Fulfilment.choices, blank=True)
    fulfilment_comment = models.TextField(_("assessment comment"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("commitment item")
        verbose_name_plural = _("commitment items")
        ordering = ["commitment", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="commitments_item_progress_le_100"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="commitments_item_weight_positive"),
        ]

    def __str__(self):
        return self.content[:50]

    def post_progress(self, actor, text, progress):
        """Record a progress update on a published commitment; evidence files attach to the update."""
        commitment = self.commitment
        if commitment.state != Commitment.State.PUBLISHED:
            raise TransitionError(_("Progress can be reported only on a published commitment."))
        if not 0 <= progress <= 100:
            raise TransitionError(_("Progress is a percentage from 0 to 100."))
        with transaction.atomic():
            update = ProgressUpdate.objects.create(item=self, text=text, progress=progress, created_by=actor)
            Item.objects.filter(pk=self.pk).update(progress=progress)
            Commitment.objects.filter(pk=commitment.pk).update(updated_at=timezone.now())
            Event.objects.create(
                commitment=commitment,
                from_state=commitment.state,
                to_state=commitment.state,
                actor=actor,
                note=f"{self}: {self.progress}% → {progress}%",
            )
        self.progress = progress
        return update

    def assess(self, actor, fulfilment, comment=""):
        commitment = self.commitment
        if commitment.state != Commitment.State.PUBLISHED:
            raise TransitionError(_("Only a published commitment can be assessed."))
        if not commitment.assessment_open():
            raise TransitionError(_("The campaign's fulfilment assessment has not opened yet."))
        if fulfilment not in self.Fulfilment.values:
            raise TransitionError(_("Choose fulfilled, partly fulfilled or not fulfilled."))
        with transaction.atomic():
            previous = self.get_fulfilment_display() or "—"
            Item.objects.filter(pk=self.pk).update(
                fulfilment=fulfilment, fulfilment_comment=comment, assessed_by=actor, assessed_at=timezone.now()
            )
            self.refresh_from_db()
            Event.objects.create(
                commitment=commitment,
                from_state=commitment.state,
                to_state=commitment.state,
                actor=actor,
                note=f"{self}: {previous} → {self.get_fulfilment_display()}",
            )


def evidence_path(instance, filename):
    """An unguessable name: the uploader's file name is kept only in ``Evidence.name``."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"evidence/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class ProgressUpdateQuerySet(models.QuerySet):
    def public(self):
        """Updates the public board may show: those of published commitments."""
        return self.filter(item__commitment__state=Commitment.State.PUBLISHED)


class ProgressUpdate(models.Model):
    item = models.ForeignKey(Item, models.CASCADE, related_name="updates")
    text = models.TextField(_("what was done"), max_length=2000)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:50]


class EvidenceQuerySet(models.QuerySet):
    def public(self):
        """Evidence the public board may show: that of published commitments."""
        return self.filter(update__item__commitment__state=Commitment.State.PUBLISHED)


class Evidence(models.Model):
    """A photo or file attached to a progress update; size and type are checked by the upload form.

    Staff download it through a scope-checked view (``get_absolute_url``, ``thumbnail_url``); the
    public board serves that of published commitments (``EvidenceQuerySet.public``). Photos are stored
    re-encoded without their metadata, with a small JPEG ``thumbnail`` for lists.
    """

    update = models.ForeignKey(ProgressUpdate, models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    thumbnail = models.FileField(upload_to=evidence_path, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("commitments:evidence", args=[self.pk])

    @property
    def thumbnail_url(self):
        return f"{self.get_absolute_url()}?thumb=1"


class Event(models.Model):
    """One step of a commitment's history: who moved it from which state to which, and when."""

    commitment = models.ForeignKey(Commitment, models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=Commitment.State.choices)
    to_state = models.CharField(max_length=20, choices=Commitment.State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


def board_code():
    return secrets.token_urlsafe(6)


class Board(models.Model):
    """An organization's public board (党务公开栏): its short public address, never its pk."""

    organization = models.OneToOneField(Organization, models.CASCADE, related_name="board")
    code = models.CharField(max_length=16, unique=True, default=board_code)

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("commitments:board", args=[self.code])

    @classmethod
    def for_organization(cls, organization):
        board, _created = cls.objects.get_or_create(organization=organization)
        return board


def comment_reference():
    return secrets.token_hex(5).upper()


class CommentQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def shown(self):
        """What the public sees: approved comments on published commitments."""
        return self.filter(status=Comment.Status.APPROVED, commitment__state=Commitment.State.PUBLISHED)


class Comment(models.Model):
    """A comment or supervision report from the public; shown only once moderated, never with contact data."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REPORT = "report", _("Supervision report")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Shown")
        REJECTED = "rejected", _("Not shown")

    commitment = models.ForeignKey(Commitment, models.CASCADE, related_name="comments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    name = models.CharField(_("name (optional)"), max_length=30, blank=True)
    contact = models.CharField(_("phone or e-mail (optional, never shown)"), max_length=100, blank=True)
    body = models.TextField(_("comment"), max_length=1000)
    reference = models.CharField(max_length=12, unique=True, default=comment_reference)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    reply = models.TextField(_("reply"), blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reference

    @property
    def public_name(self):
        """The name as shown publicly: masked after its first character."""
        return (self.name[0] + "*" * (len(self.name) - 1)) if self.name else _("A member of the public")

    def moderate(self, actor, approve, reply=""):
        """Approve (show) or reject a pending comment, once: a second moderator is refused, not overwriting."""
        from portal.audit import record
        from portal.models import AuditEntry

        fields = {
            "status": self.Status.APPROVED if approve else self.Status.REJECTED,
            "reply": reply.strip(),
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        }
        with transaction.atomic():
            if not Comment.objects.filter(pk=self.pk, status=self.Status.PENDING).update(**fields):
                raise TransitionError(_("This comment has already been moderated by someone else."))
            before = self.get_status_display()
            for name, value in fields.items():
                setattr(self, name, value)
            record(
                actor,
                self,
                AuditEntry.Verb.UPDATE,
                {"status": [str(before), str(self.get_status_display())]},
                organization=self.commitment.organization,
            )
