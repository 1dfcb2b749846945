"""Mass evaluation (群众评议): rounds, the questionnaire, one-time ballot codes, anonymous ballots, paper
ballots, the ledger (台帐) and rectification (整改). Seeds 000/001 §四(三), 004 §四(四).

A committee opens a ``Round`` (yearly; its dates come from the campaign's EVALUATION step) for the
organizations of its subtree (``Participant``, one per organization) and, inside each, for its members.
The questionnaire is one satisfaction question per criterion (``Question``, copied from the campaign's
criteria sets per sector, for organizations and for members) on a scale of ``Option`` s (满意 / 基本满意 /
不满意 by default; each option counts as satisfied, neutral, dissatisfied or as no answer), plus free text.
It is edited while the round is a draft and frozen once the round is opened.

Channels: the online questionnaire with one-time ballot codes (``BallotCode``); paper ballots counted and
entered afterwards by staff (``PaperBatch``: who, when, how many, the tallies); an optional open channel
for the organization's public (``Ballot`` with ``channel=open``, rate-limited per address); and the
other channels of the seeds — suggestion box, hotline, symposium (座谈会), supervisors (监督员) — as
``LedgerEntry`` rows with date, channel, content and handling. Closing the round tallies the results
(``Result``: counts and 满意率 per criterion and overall, per organization and member), registers them in
the ledger, publishes them on the organization's public board, and opens a ``Rectification`` wherever
the dissatisfied share of a criterion passes the round's threshold (“多数群众不满意”).

Anonymity of the online ballot — the design
-------------------------------------------
The aim: once cast, a ballot cannot be linked to its code, nor so to the person who was handed the slip.

- **Codes.** ``codes.new_code`` draws 130 random bits (``secrets``) and writes them as 26 Crockford
  base-32 characters plus two check characters, shown in groups of four (``K7QM-2XHD-…``) and as a QR code
  on the printed slip. Only the SHA-256 ``digest`` of the code is stored; the plain codes exist once, in
  the PDF returned by the request that made them (``CodeBatch``; a lost PDF is voided and made again).
  At 130 bits, guessing a code is hopeless, so an unsalted hash is enough.
- **No join, in the schema.** ``BallotCode`` (the used-code mark) and ``Ballot`` (the anonymous ballot)
  share no column: the ballot stores no code id, no digest, no batch; the code stores no ballot id. The
  ballot's only link is to the participant (organization and round), which the code has too and which
  every ballot of that organization shares.
- **No join by time or order.** Neither row has a timestamp: the code's ``used`` mark is a boolean set
  without a time (as LimeSurvey's anonymized mode records that a token was used, not when), and the
  ballot has no creation time at all (the round's dates say when it was cast, to the round). Ballots and
  answers have random UUID keys instead of a sequence, so their order says nothing either; pages and
  exports show ballots only as counts, and free-text comments ordered by that random key.
- **Nothing about the voter.** No IP address, user agent, session, user or audit entry is written for a
  ballot. The rate limit counts hits per address in the cache, in a counter that expires with its window
  and names no ballot. The code travels in the QR link's *fragment* (``/v/#CODE``), which browsers never
  send to the server, and from there in the body of a POST, so it never reaches a URL in a server log.
- **One code, one ballot.** The ballot is stored in the same transaction as a conditional UPDATE that
  claims the code (``used = false → true``); a second, concurrent use of the code finds it claimed and
  stores nothing (``services.cast_ballot``; tested with parallel requests on PostgreSQL).
- **What this cannot hide.** The database server's own bookkeeping — transaction ids (PostgreSQL's
  ``xmin`` of the claimed code and of the new ballot are the same until rows are rewritten), physical row
  order, the write-ahead log, and a statement log if an operator turns one on — is outside what the
  application stores; keep ``log_statement`` off and database access to administrators. Closing a round
  rewrites its used-code marks in one statement, which gives them all one new transaction id.

Paper ballots are counted by hand and entered as tallies per question (``PaperCount``), not one by one:
nothing of a single paper ballot is stored.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CriteriaSet, Criterion, Milestone
from portal.models import Member, Organization, Sector, VersionedModel


def percent(part, whole):
    """``part`` of ``whole`` in percent, to one decimal place (half up); None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Target(models.TextChoices):
    ORGANIZATION = CriteriaSet.Target.ORGANIZATION.value, _("The organization")
    MEMBER = CriteriaSet.Target.MEMBER.value, _("Its members")


class Channel(models.TextChoices):
    """Where an opinion came from: the ballots' channels and the ledger's."""

    QUESTIONNAIRE = "questionnaire", _("Questionnaire (results)")
    PAPER = "paper", _("Paper ballots")
    SUGGESTION = "suggestion", _("Suggestion box")
    HOTLINE = "hotline", _("Hotline")
    SYMPOSIUM = "symposium", _("Symposium")
    SUPERVISOR = "supervisor", _("Supervisor")


# The channels staff record by hand in the ledger (the others are written by the portal).
RECORDED_CHANNELS = (Channel.SUGGESTION, Channel.HOTLINE, Channel.SYMPOSIUM, Channel.SUPERVISOR)


class RoundQuerySet(models.QuerySet):
    def accepting(self, on=None):
        """Rounds that take online ballots on ``on`` (today): opened, and the date within their dates."""
        on = on or timezone.localdate()
        return self.filter(state=Round.State.OPEN, opens_on__lte=on, closes_on__gte=on)


class Round(VersionedModel):
    """One mass evaluation run by a committee over the organizations of its subtree."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Opened")
        CLOSED = "closed", _("Closed, results published")

    class Reach(models.TextChoices):
        CHILDREN = "children", _("Its direct subordinate organizations")
        SUBTREE = "subtree", _("Every organization of its subtree")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="evaluation_rounds", verbose_name=_("campaign"))
    milestone = models.ForeignKey(
        Milestone, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("schedule step")
    )
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("organized by"))
    title = models.CharField(_("title"), max_length=100)
    opens_on = models.DateField(_("ballots from"))
    closes_on = models.DateField(_("ballots until"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    reach = models.CharField(_("evaluated organizations"), max_length=10, choices=Reach.choices, default=Reach.SUBTREE)
    evaluate_members = models.BooleanField(
        _("members are evaluated too"), default=True, help_text=_("The ballot asks about each member as well.")
    )
    open_channel = models.BooleanField(
        _("open online channel"),
        default=False,
        help_text=_("Anyone may fill in the questionnaire from the organization's public board, without a code."),
    )
    open_channel_limit = models.PositiveSmallIntegerField(_("open-channel ballots per address and day"), default=3)
    rectify_threshold = models.DecimalField(
        _("rectification threshold: dissatisfied share in percent"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        help_text=_("A criterion on which more than this share of valid answers is dissatisfied gets a rectification."),
    )
    min_valid = models.PositiveIntegerField(
        _("valid answers needed for a rectification"),
        default=5,
        help_text=_("Below this many valid answers a criterion's share is not taken as the public's view."),
    )
    rectify_days = models.PositiveSmallIntegerField(_("days to rectify"), default=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="evaluations_round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(rectify_threshold__gte=0) & Q(rectify_threshold__lte=100),
                name="evaluations_round_threshold_percent",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluations:mass_round", args=[self.pk])

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The last day of balloting must not be before the first.")})
        if self.rectify_threshold is not None and not 0 <= self.rectify_threshold <= 100:
            raise ValidationError({"rectify_threshold": _("Enter a percentage from 0 to 100.")})

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    def phase(self, on=None):
        """Where the round stands on ``on``: draft, scheduled, open, ended (not closed yet) or closed."""
        on = on or timezone.localdate()
        if self.state != self.State.OPEN:
            return self.state
        if on < self.opens_on:
            return "scheduled"
        return "open" if on <= self.closes_on else "ended"

    def accepts_ballots(self, on=None):
        return self.phase(on) == "open"

    def questions_for(self, target, sector, questions=None):
        """The round's questions about ``target`` for an organization of ``sector``: its sector's, else the general
        ones (``questions``: the round's questions, when already loaded)."""
        questions = [q for q in (questions if questions is not None else self.questions.all()) if q.target == target]
        own = [q for q in questions if q.sector == sector]
        return own or [q for q in questions if q.sector == ""]


class Option(models.Model):
    """One answer of the round's satisfaction scale and how it counts."""

    class Kind(models.TextChoices):
        SATISFIED = "satisfied", _("Counts as satisfied")
        NEUTRAL = "neutral", _("Valid, neither")
        DISSATISFIED = "dissatisfied", _("Counts as dissatisfied")
        ABSTAIN = "abstain", _("Not a valid answer (e.g. “don't know”)")

    round = models.ForeignKey(Round, models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("answer"), max_length=20)
    kind = models.CharField(_("counts as"), max_length=15, choices=Kind.choices)

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["round", "order", "pk"]

    def __str__(self):
        return self.label


class Question(models.Model):
    """A satisfaction question of the round: one per criterion, for organizations or members of a sector."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="questions")
    target = models.CharField(_("about"), max_length=20, choices=Target.choices)
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=Sector.choices,
        blank=True,
        help_text=_("Empty: for every sector without questions of its own."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("question"), max_length=200)
    criterion = models.ForeignKey(
        Criterion, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("criterion")
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["round", "target", "sector", "order", "pk"]

    def __str__(self):
        return self.text


class Participant(models.Model):
    """An organization evaluated in a round, with its public code and, once closed, its turnout."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="participants")
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="evaluations", verbose_name=_("organization")
    )
    code = models.CharField(max_length=16, unique=True)  # opaque: the open channel's and suggestion box's address
    # Written when the round closes (before: computed live, see mass_tally).
    codes_issued = models.PositiveIntegerField(_("codes issued"), default=0)
    ballots_online = models.PositiveIntegerField(_("online ballots"), default=0)
    ballots_open = models.PositiveIntegerField(_("open-channel ballots"), default=0)
    ballots_paper = models.PositiveIntegerField(_("paper ballots"), default=0)

    class Meta:
        verbose_name = _("evaluated organization")
        verbose_name_plural = _("evaluated organizations")
        ordering = ["round", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="evaluations_participant_once"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.round}"

    def get_absolute_url(self):
        return reverse("evaluations:mass_participant", args=[self.pk])

    @property
    def turnout(self):
        """Codes used per code issued, in percent (online channel)."""
        return percent(self.ballots_online, self.codes_issued)

    @property
    def ballots(self):
        return self.ballots_online + self.ballots_open + self.ballots_paper


class CodeBatch(models.Model):
    """N ballot codes made at once for one organization and printed as slips (who, when, how many)."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="code_batches")
    count = models.PositiveIntegerField(_("number of codes"))
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("batch of ballot codes")
        verbose_name_plural = _("batches of ballot codes")
        ordering = ["participant", "generated_at", "pk"]

    def __str__(self):
        return f"{self.participant} · {self.count}"


class BallotCode(models.Model):
    """The used-code mark: the hash of a one-time code and whether it was used — no time, no ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(CodeBatch, models.CASCADE, related_name="codes")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the normalized code, hex
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")

    def __str__(self):
        return self.digest[:8]


class Ballot(models.Model):
    """One anonymous ballot: its organization, its channel, its free text. Nothing else (see the module docstring)."""

    class Via(models.TextChoices):
        CODE = "code", _("Online, with a code")
        OPEN = "open", _("Open online channel")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="ballots")
    channel = models.CharField(max_length=10, choices=Via.choices)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self):
        return str(self.participant)


class Answer(models.Model):
    """One answer of a ballot: a question about the organization (``member`` empty) or about one member."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.RESTRICT, related_name="+")
    member = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+")
    option = models.ForeignKey(Option, models.RESTRICT, related_name="+")

    def __str__(self):
        return f"{self.question}: {self.option}"


class PaperBatch(models.Model):
    """Paper ballots counted by hand and entered as tallies: about the organization or one member."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="paper_batches")
    member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("about the member")
    )
    ballots = models.PositiveIntegerField(_("paper ballots in the batch"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("batch of paper ballots")
        verbose_name_plural = _("batches of paper ballots")
        ordering = ["participant", "entered_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ballots__gt=0), name="evaluations_paperbatch_not_empty")]

    def __str__(self):
        return f"{self.participant} · {self.ballots}"


class PaperCount(models.Model):
    batch = models.ForeignKey(PaperBatch, models.CASCADE, related_name="counts")
    question = models.ForeignKey(Question, models.RESTRICT, related_name="+")
    option = models.ForeignKey(Option, models.RESTRICT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "question", "option"], name="evaluations_papercount_once"),
        ]

    def __str__(self):
        return f"{self.question} · {self.option}: {self.count}"


class Result(models.Model):
    """A published figure, written when the round closes: one question (or, ``question`` empty, all of them
    pooled) about the organization or one member, with the count of each answer as it was labelled."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="results")
    member = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+")
    question = models.ForeignKey(Question, models.CASCADE, null=True, blank=True, related_name="+")
    counts = models.JSONField(default=list)  # [{"label": "满意", "kind": "satisfied", "n": 12}, …]
    valid = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["participant", "member__name", "member_id", "question__order", "question_id"]

    def __str__(self):
        return f"{self.participant}: {self.rate}"

    @property
    def rate(self):
        """满意率: satisfied answers per valid answer, in percent."""
        return percent(self.satisfied, self.valid)

    @property
    def dissatisfied_share(self):
        return percent(self.dissatisfied, self.valid)


class LedgerEntry(VersionedModel):
    """A line of the evaluation ledger (专项台帐): an opinion from any channel, or a registered result."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="ledger")
    member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("about the member")
    )
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices)
    received_on = models.DateField(_("date"))
    content = models.TextField(_("content"))
    handling = models.TextField(_("handling"), blank=True)
    valid = models.PositiveIntegerField(_("valid answers"), null=True, blank=True)  # registered results only
    rate = models.DecimalField(_("satisfaction rate (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    from_public = models.BooleanField(default=False)  # dropped in the online suggestion box
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["participant", "channel"], name="evaluations_ledger_channel")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.received_on}"

    def get_absolute_url(self):
        return reverse("evaluations:mass_entry", args=[self.pk])


class Rectification(VersionedModel):
    """整改: a problem the public raised, with who is responsible, a deadline, the measures and the report.

    Opened (automatically when a criterion's dissatisfied share passes the round's threshold, or by the
    superior from a ledger entry), its measures and completion report are written by the organization;
    the superior accepts the report (done) or returns it. Its problem, measures, deadline and state are
    shown on the organization's public board.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Being rectified")
        REPORTED = "reported", _("Completion reported")
        DONE = "done", _("Rectified")

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="rectifications")
    member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    question = models.ForeignKey(Question, models.SET_NULL, null=True, blank=True, related_name="+")
    entry = models.ForeignKey(
        LedgerEntry, models.SET_NULL, null=True, blank=True, related_name="rectifications", verbose_name=_("from")
    )
    problem = models.TextField(_("problem"), help_text=_("Shown on the public board."))
    owner = models.CharField(_("responsible"), max_length=50, help_text=_("Who answers for the rectification."))
    deadline = models.DateField(_("deadline"))
    measures = models.TextField(_("measures"), blank=True, help_text=_("Shown on the public board."))
    report = models.TextField(_("completion report"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("rectified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="evaluations_rect_due")]

    def __str__(self):
        return self.problem[:60]

    def get_absolute_url(self):
        return reverse("evaluations:mass_rectification", args=[self.pk])

    @property
    def organization(self):
        return self.participant.organization

    def is_overdue(self, on=None):
        return self.state != self.State.DONE and self.deadline < (on or timezone.localdate())
