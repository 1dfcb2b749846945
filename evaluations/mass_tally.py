"""Counting a round: per organization and member, per question and overall, from every channel.

``tally(round, participants)`` adds up, for the given participants, the online answers (with a code and
from the open channel) and the paper tallies, in a fixed number of grouped queries whatever their
number. Each figure has the count of every answer option, the valid answers (those whose option is not
an abstention), the satisfied and the dissatisfied ones:

    满意率 (rate)            = satisfied / valid     (by default 满意 + 基本满意, see ``Option.Kind``)
    dissatisfied share       = dissatisfied / valid
    overall (per subject)    = the same over all its questions' answers pooled
    turnout (online)         = ballots cast with a code / codes issued

Percentages have one decimal place, rounded half up; with no valid answer there is no rate (None).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from portal.models import Member

from .mass_models import (
    Answer,
    Ballot,
    BallotCode,
    Option,
    PaperBatch,
    PaperCount,
    Target,
    percent,
)


@dataclass
class Figure:
    """The answers to one question (``question`` None: all questions pooled) about one subject."""

    question: object
    counts: list  # [(Option, n)] in the scale's order
    valid: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    @classmethod
    def of(cls, question, options, counter):
        counts = [(option, counter.get(option.pk, 0)) for option in options]
        figure = cls(question, counts)
        for option, n in counts:
            if option.kind != Option.Kind.ABSTAIN:
                figure.valid += n
            if option.kind == Option.Kind.SATISFIED:
                figure.satisfied += n
            elif option.kind == Option.Kind.DISSATISFIED:
                figure.dissatisfied += n
        return figure

    @property
    def rate(self):
        return percent(self.satisfied, self.valid)

    @property
    def dissatisfied_share(self):
        return percent(self.dissatisfied, self.valid)

    @property
    def answers(self):
        return sum(n for _option, n in self.counts)

    def snapshot(self):
        """The counts as stored in a ``Result``: labelled, so that the figure stands on its own."""
        return [{"label": option.label, "kind": option.kind, "n": n} for option, n in self.counts]


@dataclass
class Subject:
    """The figures about the organization (``member`` None) or one of its members."""

    member: object
    rows: list  # [Figure] per question
    overall: Figure


@dataclass
class Figures:
    participant: object
    codes_issued: int = 0
    ballots_online: int = 0
    ballots_open: int = 0
    ballots_paper: int = 0
    organization: Subject = None
    members: list = field(default_factory=list)

    @property
    def ballots(self):
        return self.ballots_online + self.ballots_open + self.ballots_paper

    @property
    def turnout(self):
        return percent(self.ballots_online, self.codes_issued)

    def subjects(self):
        return [self.organization, *self.members]


def _subject(member, questions, options, counters):
    rows = [Figure.of(q, options, counters.get(q.pk, {})) for q in questions]
    pooled = defaultdict(int)
    for q in questions:
        for option_id, n in counters.get(q.pk, {}).items():
            pooled[option_id] += n
    return Subject(member, rows, Figure.of(None, options, pooled))


def tally(round, participants):
    """{participant pk: Figures} for ``participants`` (with their organizations loaded) of ``round``."""
    participants = list(participants)
    ids = [p.pk for p in participants]
    options = list(round.options.all())
    questions = list(round.questions.all())
    # counters[participant][member or None][question] = {option: n}
    counters = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))
    answers = (
        Answer.objects.filter(ballot__participant__in=ids)
        .values_list("ballot__participant_id", "member_id", "question_id", "option_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    paper = (
        PaperCount.objects.filter(batch__participant__in=ids)
        .values_list("batch__participant_id", "batch__member_id", "question_id", "option_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for rows in (answers, paper):
        for participant_id, member_id, question_id, option_id, n in rows:
            counters[participant_id][member_id][question_id][option_id] += n
    figures = {p.pk: Figures(p) for p in participants}
    for participant_id, channel, n in (
        Ballot.objects.filter(participant__in=ids).values_list("participant_id", "channel").annotate(n=Count("pk"))
    ).order_by():
        name = "ballots_online" if channel == Ballot.Via.CODE else "ballots_open"
        setattr(figures[participant_id], name, n)
    for participant_id, n in (
        PaperBatch.objects.filter(participant__in=ids, member__isnull=True)
        .values_list("participant_id")
        .annotate(n=Sum("ballots"))
        .order_by()
    ):
        figures[participant_id].ballots_paper = n
    for participant_id, n in (
        BallotCode.objects.filter(participant__in=ids).values_list("participant_id").annotate(n=Count("pk")).order_by()
    ):
        figures[participant_id].codes_issued = n
    member_ids = {m for by_member in counters.values() for m in by_member if m is not None}
    members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids).only("name", "organization_id")}
    for p in participants:
        sector = p.organization.sector
        org_questions = round.questions_for(Target.ORGANIZATION, sector, questions)
        member_questions = round.questions_for(Target.MEMBER, sector, questions)
        by_member = counters.get(p.pk, {})
        figures[p.pk].organization = _subject(None, org_questions, options, by_member.get(None, {}))
        figures[p.pk].members = sorted(
            (
                _subject(members[member_id], member_questions, options, by_member[member_id])
                for member_id in by_member
                if member_id is not None
            ),
            key=lambda s: (s.member.name, s.member.pk),
        )
    return figures


def codes_used(participant_ids):
    """{participant pk: codes used} (the used-code marks; equal to the online ballots)."""
    rows = (
        BallotCode.objects.filter(participant__in=participant_ids)
        .values_list("participant_id")
        .annotate(n=Count("pk", filter=Q(used=True)))
        .order_by()
    )
    return dict(rows)
