"""What happens in a mass evaluation: every state change, with its guards; views and tasks call these.

Staff changes are audited (``portal.audit.record``: who, when, from → to). Ballots never are: see the
anonymity design in ``mass_models``. A refused change raises ``ValidationError`` with a message that
says what to do, and changes nothing.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns.models import CriteriaSet, Milestone
from portal.audit import diff, record, snapshot
from portal.models import AuditEntry, Organization

from . import mass_codes
from .mass_models import (
    RECORDED_CHANNELS,
    Answer,
    Ballot,
    BallotCode,
    Channel,
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
    Target,
)
from .mass_tally import tally

CREATE, UPDATE = AuditEntry.Verb.CREATE, AuditEntry.Verb.UPDATE
DEFAULT_SCALE = (
    ("满意", Option.Kind.SATISFIED),
    ("基本满意", Option.Kind.SATISFIED),
    ("不满意", Option.Kind.DISSATISFIED),
)
MAX_CODES = 300  # per batch: one PDF of slips made in the request (about 10 s)
CHUNK = 500  # participants tallied at a time when a round closes
ROUND_FIELDS = (
    "title",
    "opens_on",
    "closes_on",
    "reach",
    "evaluate_members",
    "open_channel",
    "open_channel_limit",
    "rectify_threshold",
    "min_valid",
    "rectify_days",
)


class CodeProblem(Exception):
    """A ballot code that cannot be used: ``reason`` is unknown, used, scheduled, ended or closed."""

    def __init__(self, reason, round=None):
        super().__init__(reason)
        self.reason = reason
        self.round = round


def site_language():
    return translation.override(settings.LANGUAGE_CODE)


# --- Rounds and the questionnaire ---------------------------------------------------------------


def evaluation_step(campaign):
    """The campaign's mass evaluation step of the schedule (the one open now, else the next, else the last)."""
    steps = list(campaign.milestones.filter(kind=Milestone.Kind.EVALUATION).order_by("due_on"))
    today = timezone.localdate()
    return next((s for s in steps if s.due_on >= today), steps[-1] if steps else None)


def round_defaults(campaign, organization):
    """The initial values of a new round: title and dates from the campaign's evaluation step."""
    step = evaluation_step(campaign)
    if step:
        return {"title": f"{organization.name}{step.title}", "opens_on": step.opens_on, "closes_on": step.due_on}
    return {"title": f"{organization.name}群众评议", "opens_on": campaign.starts_on, "closes_on": campaign.ends_on}


def create_round(actor, campaign, organization, **fields):
    """A draft round of ``organization`` in ``campaign``, with the default scale and one question per criterion
    of each of the campaign's criteria sets (organizations and members, per sector)."""
    if not campaign.includes(organization):
        raise ValidationError(_("The organization is outside the campaign's area."))
    if not organization.children.filter(status=Organization.Status.ACTIVE).exists():
        raise ValidationError(_("The organization has no subordinate organizations to evaluate."))
    round = Round(campaign=campaign, organization=organization, created_by=actor, **fields)
    round.milestone = evaluation_step(campaign)
    round.full_clean(exclude=["created_by", "milestone"])
    if round.opens_on < campaign.starts_on or round.closes_on > campaign.ends_on:
        raise ValidationError(
            _("Ballots must be taken within the campaign (%(start)s to %(end)s).")
            % {"start": campaign.starts_on, "end": campaign.ends_on}
        )
    with transaction.atomic():
        round.save()
        Option.objects.bulk_create(
            Option(round=round, order=i, label=label, kind=kind) for i, (label, kind) in enumerate(DEFAULT_SCALE, 1)
        )
        sets = CriteriaSet.objects.filter(campaign=campaign).prefetch_related("criteria")
        Question.objects.bulk_create(
            Question(round=round, target=s.target, sector=s.sector, order=c.order, text=c.title, criterion=c)
            for s in sets
            for c in s.criteria.all()
        )
        record(actor, round, CREATE, diff({}, snapshot(round, ROUND_FIELDS)), organization=organization)
    return round


def check_draft(round):
    if not round.is_draft:
        raise ValidationError(_("The round is opened: its settings and questionnaire are frozen."))


def update_round(actor, round, expected_version, changed):
    """Save the round's settings (``changed``: the form's values) while it is a draft; version-checked."""
    check_draft(round)
    before = snapshot(Round.objects.get(pk=round.pk), ROUND_FIELDS)
    for name, value in changed.items():
        setattr(round, name, value)
    round.full_clean(exclude=["created_by", "milestone", "campaign", "organization"])
    campaign = round.campaign
    if round.opens_on < campaign.starts_on or round.closes_on > campaign.ends_on:
        raise ValidationError(
            _("Ballots must be taken within the campaign (%(start)s to %(end)s).")
            % {"start": campaign.starts_on, "end": campaign.ends_on}
        )
    with transaction.atomic():
        round.save_checked(expected_version)
        if changes := diff(before, snapshot(round, ROUND_FIELDS)):
            record(actor, round, UPDATE, changes, organization=round.organization)


def save_questionnaire(actor, round, expected_version, question_formset, option_formset):
    """Store the edited questions and scale (valid formsets) of a draft round; version-checked."""
    check_draft(round)
    before = questionnaire_text(round)
    with transaction.atomic():
        round.save_checked(expected_version, update_fields=["title"])  # claims the version
        for formset in (question_formset, option_formset):
            for obj in formset.save(commit=False):
                obj.round = round
                obj.save()
            for obj in formset.deleted_objects:
                obj.delete()
        after = questionnaire_text(round)
        if before != after:
            record(actor, round, UPDATE, {"questionnaire": [before, after]}, organization=round.organization)


def questionnaire_text(round):
    questions = "; ".join(f"{q.target}/{q.sector or '*'}/{q.order}:{q.text}" for q in round.questions.all())
    options = ", ".join(f"{o.label}({o.kind})" for o in round.options.all())
    return f"{options} | {questions}"


def questionnaire_problems(round, organizations):
    """What keeps the questionnaire from being used for ``organizations`` (messages), else []."""
    problems = []
    options = list(round.options.all())
    kinds = {o.kind for o in options}
    if len(options) < 2 or Option.Kind.SATISFIED not in kinds or Option.Kind.DISSATISFIED not in kinds:
        problems.append(_("The scale needs at least two answers, one counting as satisfied, one as dissatisfied."))
    questions = list(round.questions.all())
    sectors = {o.sector for o in organizations}
    missing = sorted(
        str(Organization(sector=s).get_sector_display())
        for s in sectors
        if not round.questions_for(Target.ORGANIZATION, s, questions)
    )
    if missing:
        problems.append(
            _("There is no question about the organization for these sectors: %(sectors)s.")
            % {"sectors": "、".join(missing)}
        )
    return problems


def evaluated_organizations(round):
    orgs = Organization.objects.active()
    if round.reach == Round.Reach.CHILDREN:
        return orgs.filter(parent=round.organization)
    return orgs.filter(path__startswith=round.organization.path).exclude(pk=round.organization.pk)


def open_round(actor, round, expected_version):
    """Freeze the questionnaire and take the organizations to evaluate: ballots are taken on the round's dates."""
    check_draft(round)
    organizations = list(evaluated_organizations(round).only("pk", "sector"))
    if not organizations:
        raise ValidationError(
            _("There is no active organization to evaluate under %(org)s.") % {"org": round.organization}
        )
    if problems := questionnaire_problems(round, organizations):
        raise ValidationError(problems)
    with transaction.atomic():
        round.state, round.opened_at = Round.State.OPEN, timezone.now()
        round.save_checked(expected_version, update_fields=["state", "opened_at"])
        Participant.objects.bulk_create(
            (Participant(round=round, organization=org, code=secrets.token_urlsafe(9)) for org in organizations),
            batch_size=2000,
        )
        record(
            actor,
            round,
            UPDATE,
            {
                "state": [str(Round.State.DRAFT.label), str(Round.State.OPEN.label)],
                "organizations": ["", str(len(organizations))],
            },
            organization=round.organization,
        )
    return len(organizations)


def _hold_open(round_id):
    """Inside a transaction: the round's state, read under a shared row lock on PostgreSQL.

    Ballots and paper tallies take the shared lock, closing takes the exclusive one (its UPDATE): a round
    is never closed while a ballot is being stored, and a ballot that waited for the close sees it closed.
    Shared locks do not wait for each other, so ballots do not queue behind one another.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM {Round._meta.db_table} WHERE id = %s FOR SHARE", [round_id])
            row = cursor.fetchone()
        return row[0] if row else None
    return Round.objects.filter(pk=round_id).values_list("state", flat=True).first()


def close_round(actor, round, expected_version, on=None):
    """Close the round: no more ballots; tally, publish the results, register them in the ledger, open the
    rectifications the results call for. Returns the number of rectifications opened.

    ``on``: the day it is closed (today; the demo closes an earlier round in the past)."""
    if round.state != Round.State.OPEN:
        raise ValidationError(_("Only an opened round can be closed."))
    today = on or timezone.localdate()
    closed_at = timezone.now() if on is None else timezone.make_aware(datetime.datetime.combine(on, datetime.time(17)))
    with transaction.atomic():
        round.state, round.closed_at = Round.State.CLOSED, closed_at
        round.save_checked(expected_version, update_fields=["state", "closed_at"])
        # One statement rewrites the round's used-code marks (see the anonymity design in mass_models).
        BallotCode.objects.filter(participant__round=round).update(used=F("used"))
        opened = 0
        participants = round.participants.select_related("organization").order_by("pk")
        last = 0
        while chunk := list(participants.filter(pk__gt=last)[:CHUNK]):
            last = chunk[-1].pk
            opened += _publish(actor, round, chunk, today)
        record(
            actor,
            round,
            UPDATE,
            {
                "state": [str(Round.State.OPEN.label), str(Round.State.CLOSED.label)],
                "rectifications": ["", str(opened)],
            },
            organization=round.organization,
        )
    return opened


def _publish(actor, round, participants, today):
    figures = tally(round, participants)
    results, entries, rectifications = [], [], []
    threshold = round.rectify_threshold
    with site_language():
        for p in participants:
            f = figures[p.pk]
            p.codes_issued, p.ballots_online, p.ballots_open, p.ballots_paper = (
                f.codes_issued,
                f.ballots_online,
                f.ballots_open,
                f.ballots_paper,
            )
            for subject in f.subjects():
                member = subject.member
                for figure in [*subject.rows, subject.overall]:
                    results.append(
                        Result(
                            participant=p,
                            member=member,
                            question=figure.question,
                            counts=figure.snapshot(),
                            valid=figure.valid,
                            satisfied=figure.satisfied,
                            dissatisfied=figure.dissatisfied,
                        )
                    )
                    share = figure.dissatisfied_share
                    if figure.question and figure.valid >= round.min_valid and share is not None and share > threshold:
                        rectifications.append(_auto_rectification(actor, round, p, member, figure, today))
                if member is None or subject.overall.valid:
                    entries.append(_registration(p, member, subject, f, today))
        Participant.objects.bulk_update(
            participants, ["codes_issued", "ballots_online", "ballots_open", "ballots_paper"], batch_size=1000
        )
        Result.objects.bulk_create(results, batch_size=2000)
        LedgerEntry.objects.bulk_create(entries, batch_size=2000)
        Rectification.objects.bulk_create(rectifications, batch_size=1000)
    return len(rectifications)


def _registration(participant, member, subject, figures, today):
    overall = subject.overall
    rate = overall.rate
    parts = "；".join(f"{row.question.text} {_rate_text(row)}" for row in subject.rows)
    if member is None:
        content = _(
            "Mass evaluation results of %(org)s: %(ballots)d ballots (%(online)d online with a code, %(open)d "
            "through the open channel, %(paper)d on paper), satisfaction rate %(rate)s. By criterion: %(parts)s."
        ) % {
            "org": participant.organization.name,
            "ballots": figures.ballots,
            "online": figures.ballots_online,
            "open": figures.ballots_open,
            "paper": figures.ballots_paper,
            "rate": _rate_text(overall),
            "parts": parts,
        }
    else:
        content = _(
            "Mass evaluation results of the member %(name)s: satisfaction rate %(rate)s. By criterion: %(parts)s."
        ) % {
            "name": member.name,
            "rate": _rate_text(overall),
            "parts": parts,
        }
    return LedgerEntry(
        participant=participant,
        member=member,
        channel=Channel.QUESTIONNAIRE,
        received_on=today,
        content=content,
        valid=overall.valid,
        rate=rate,
    )


def _rate_text(figure):
    return "—" if figure.rate is None else f"{figure.rate}%"


def _auto_rectification(actor, round, participant, member, figure, today):
    subject = member.name if member else participant.organization.name
    problem = _(
        "%(subject)s, “%(question)s”: %(share)s%% of %(valid)d valid answers dissatisfied (threshold %(threshold)s%%)."
    ) % {
        "subject": subject,
        "question": figure.question.text,
        "share": figure.dissatisfied_share,
        "valid": figure.valid,
        "threshold": f"{round.rectify_threshold.normalize():f}",
    }
    owner = member.name if member else (participant.organization.secretary_name or participant.organization.name)
    return Rectification(
        participant=participant,
        member=member,
        question=figure.question,
        problem=problem,
        owner=owner[:50],
        deadline=today + datetime.timedelta(days=round.rectify_days),
        opened_by=actor,
    )


_QUESTIONNAIRES = {}
_QUESTIONNAIRES_KEPT = 256


def questionnaire(round):
    """The questions and the scale of an opened round, ([Question], [Option]), kept in this process.

    Once a round is opened its questionnaire cannot change (``check_draft``), so a ballot need not read
    it again: keyed by the round and the moment it was opened, a kept copy is never stale.
    """
    if round.opened_at is None:
        return list(round.questions.all()), list(round.options.all())
    key = (round.pk, round.opened_at)
    if key not in _QUESTIONNAIRES:
        if len(_QUESTIONNAIRES) >= _QUESTIONNAIRES_KEPT:
            _QUESTIONNAIRES.clear()
        _QUESTIONNAIRES[key] = (list(round.questions.all()), list(round.options.all()))
    return _QUESTIONNAIRES[key]


# --- Ballot codes ------------------------------------------------------------------------------


def check_collecting(round):
    """Codes, paper ballots and ledger entries are taken from the opening of a round until it is closed."""
    if round.state == Round.State.DRAFT:
        raise ValidationError(_("Open the round first: its questionnaire must be final."))
    if round.state == Round.State.CLOSED:
        raise ValidationError(_("The round is closed and its results are published: nothing more is taken."))


def generate_codes(actor, participant, count):
    """Make ``count`` one-time codes for ``participant``: returns the batch and the plain codes, which are not
    stored (only their hashes) — print them now."""
    check_collecting(participant.round)
    if not 1 <= count <= MAX_CODES:
        raise ValidationError(_("Make from 1 to %(max)d codes at a time.") % {"max": MAX_CODES})
    codes = [mass_codes.new_code() for _n in range(count)]
    with transaction.atomic():
        batch = CodeBatch.objects.create(participant=participant, count=count, generated_by=actor)
        BallotCode.objects.bulk_create(
            BallotCode(batch=batch, participant=participant, digest=mass_codes.digest(code)) for code in codes
        )
        record(actor, batch, CREATE, {"codes": ["", str(count)]}, organization=participant.organization)
    return batch, codes


def void_batch(actor, batch):
    """Void the unused codes of a batch (a lost or spoiled print); the used ones stay counted."""
    if batch.voided_at:
        raise ValidationError(_("This batch is already voided."))
    check_collecting(batch.participant.round)
    with transaction.atomic():
        removed, _detail = batch.codes.filter(used=False).delete()
        batch.voided_at, batch.voided_by = timezone.now(), actor
        batch.save(update_fields=["voided_at", "voided_by"])
        record(actor, batch, UPDATE, {"voided codes": ["", str(removed)]}, organization=batch.participant.organization)
    return removed


def find_code(text):
    """The participant whose code ``text`` is (normalized); ``CodeProblem`` when it cannot be used now."""
    code = mass_codes.normalize(text)
    codes = BallotCode.objects.select_related("participant__round", "participant__organization")
    row = codes.filter(digest=mass_codes.digest(code)).first() if code else None
    if row is None:
        raise CodeProblem("unknown")
    round = row.participant.round
    if problem := ballot_problem(round):
        raise problem
    if row.used:
        raise CodeProblem("used", round)
    return code, row.participant


# --- Ballots (anonymous: no audit, no time, no address) -----------------------------------------


def ballot_problem(round, on=None):
    """Why ``round`` takes no ballot on ``on`` (a ``CodeProblem``), or None when it does."""
    phase = round.phase(on)
    if phase == "open":
        return None
    return CodeProblem(phase if phase in ("scheduled", "closed") else "ended", round)


def suggestion_problem(round, on=None):
    """Suggestions are taken from the first day of balloting until the round is closed."""
    phase = round.phase(on)
    if phase in ("open", "ended"):
        return None
    return CodeProblem(phase if phase in ("scheduled", "closed") else "ended", round)


def cast_ballot(code, participant, answers, comment=""):
    """Store one ballot for the one-time ``code``: the code is claimed in the same transaction.

    ``answers``: [(question, member or None, option)], checked by the form. Raises ``CodeProblem("used")``
    when the code was used meanwhile (a concurrent request won), ``CodeProblem("closed")`` when the round
    stopped taking ballots.
    """
    with transaction.atomic():
        _check_taking(participant.round)
        claimed = BallotCode.objects.filter(digest=mass_codes.digest(code), participant=participant, used=False).update(
            used=True
        )
        if not claimed:
            raise CodeProblem("used", participant.round)
        _store(participant, Ballot.Via.CODE, answers, comment)


def cast_open_ballot(participant, answers, comment=""):
    """Store one ballot of the open channel (rate-limited by the view)."""
    with transaction.atomic():
        _check_taking(participant.round)
        _store(participant, Ballot.Via.OPEN, answers, comment)


def _check_taking(round):
    """Inside the ballot's transaction: the round (locked against closing, see ``_hold_open``) takes ballots."""
    if _hold_open(round.pk) != Round.State.OPEN:
        raise CodeProblem("closed", round)
    if problem := ballot_problem(round):
        raise problem


def _store(participant, channel, answers, comment):
    ballot = Ballot.objects.create(participant=participant, channel=channel, comment=comment.strip())
    Answer.objects.bulk_create(
        Answer(ballot=ballot, question=question, member=member, option=option) for question, member, option in answers
    )


# --- Paper ballots, the ledger, suggestions ----------------------------------------------------


def enter_paper(actor, participant, member, ballots, counts, note=""):
    """Record a batch of ``ballots`` paper ballots about the organization (``member`` None) or one member:
    ``counts`` is {(question, option): n}. Each question's counts add up to at most ``ballots``."""
    round = participant.round
    check_collecting(round)
    if ballots < 1:
        raise ValidationError(_("Enter how many paper ballots the batch holds."))
    per_question = {}
    for (question, _option), n in counts.items():
        per_question[question] = per_question.get(question, 0) + n
    over = [q.text for q, total in per_question.items() if total > ballots]
    if over:
        raise ValidationError(
            _("The answers to %(questions)s add up to more than the %(n)d ballots of the batch.")
            % {"questions": "、".join(over), "n": ballots}
        )
    if not any(counts.values()):
        raise ValidationError(_("Enter the counted answers: every count is empty."))
    with transaction.atomic():
        if _hold_open(round.pk) != Round.State.OPEN:
            raise ValidationError(_("The round is closed and its results are published: nothing more is taken."))
        batch = PaperBatch.objects.create(
            participant=participant, member=member, ballots=ballots, note=note.strip(), entered_by=actor
        )
        PaperCount.objects.bulk_create(
            PaperCount(batch=batch, question=q, option=o, count=n) for (q, o), n in counts.items() if n
        )
        subject = member.name if member else participant.organization.name
        record(
            actor,
            batch,
            CREATE,
            {"paper ballots": ["", f"{subject}: {ballots}"]},
            organization=participant.organization,
        )
        if member is None:
            with site_language():
                content = _("%(n)d paper ballots entered.") % {"n": ballots}
            LedgerEntry.objects.create(
                participant=participant,
                channel=Channel.PAPER,
                received_on=timezone.localdate(),
                content=content + (f" {batch.note}" if batch.note else ""),
                entered_by=actor,
            )
    return batch


ENTRY_FIELDS = ("channel", "received_on", "content", "handling", "member")


def record_entry(actor, participant, channel, received_on, content, handling="", member=None):
    """A ledger entry from one of the channels staff record (suggestion box, hotline, symposium, supervisor)."""
    if participant.round.is_draft:
        raise ValidationError(_("Open the round first: its questionnaire must be final."))
    if channel not in RECORDED_CHANNELS:
        raise ValidationError({"channel": _("Choose one of the channels offered.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date cannot be in the future.")})
    entry = LedgerEntry(
        participant=participant,
        member=member,
        channel=channel,
        received_on=received_on,
        content=content.strip(),
        handling=handling.strip(),
        entered_by=actor,
    )
    with transaction.atomic():
        entry.save()
        record(actor, entry, CREATE, diff({}, snapshot(entry, ENTRY_FIELDS)), organization=participant.organization)
    return entry


def update_handling(actor, entry, expected_version, handling):
    before = entry.handling
    entry.handling = handling.strip()
    with transaction.atomic():
        entry.save_checked(expected_version, update_fields=["handling"])
        if before != entry.handling:
            record(
                actor,
                entry,
                UPDATE,
                {"handling": [before, entry.handling]},
                organization=entry.participant.organization,
            )


def suggest(participant, content):
    """A suggestion dropped in the online suggestion box (no account, nothing about who dropped it)."""
    if problem := suggestion_problem(participant.round):
        raise problem
    return LedgerEntry.objects.create(
        participant=participant,
        channel=Channel.SUGGESTION,
        received_on=timezone.localdate(),
        content=content.strip(),
        from_public=True,
    )


# --- Rectification -----------------------------------------------------------------------------

RECTIFICATION_FIELDS = ("problem", "owner", "deadline", "measures", "report", "state", "return_reason")


def open_rectification(actor, participant, problem, owner, deadline, member=None, entry=None):
    """Open a rectification for the organization (or one member) — from a ledger entry or a problem stated."""
    if participant.round.is_draft:
        raise ValidationError(_("Open the round first: its questionnaire must be final."))
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("Choose a deadline from today on.")})
    rectification = Rectification(
        participant=participant,
        member=member,
        entry=entry,
        problem=problem.strip(),
        owner=owner.strip(),
        deadline=deadline,
        opened_by=actor,
    )
    with transaction.atomic():
        rectification.save()
        record(
            actor,
            rectification,
            CREATE,
            diff({}, snapshot(rectification, RECTIFICATION_FIELDS)),
            organization=participant.organization,
        )
    return rectification


def _change(actor, rectification, expected_version, **values):
    before = snapshot(Rectification.objects.get(pk=rectification.pk), RECTIFICATION_FIELDS)
    for name, value in values.items():
        setattr(rectification, name, value)
    with transaction.atomic():
        rectification.save_checked(expected_version)
        if changes := diff(before, snapshot(rectification, RECTIFICATION_FIELDS)):
            record(actor, rectification, UPDATE, changes, organization=rectification.participant.organization)


def save_progress(actor, rectification, expected_version, measures, report, submit=False):
    """The organization writes its measures and the completion report; ``submit`` reports completion."""
    if rectification.state == Rectification.State.DONE:
        raise ValidationError(_("The rectification is completed and accepted: it can no longer be changed."))
    if rectification.state == Rectification.State.REPORTED:
        raise ValidationError(_("Completion is reported and waits for the superior's decision."))
    values = {"measures": measures.strip(), "report": report.strip()}
    if submit:
        if not values["measures"] or not values["report"]:
            raise ValidationError(_("Write the measures taken and the completion report before reporting completion."))
        values.update(state=Rectification.State.REPORTED, reported_at=timezone.now())
    _change(actor, rectification, expected_version, **values)


def accept_rectification(actor, rectification, expected_version):
    if rectification.state != Rectification.State.REPORTED:
        raise ValidationError(_("Only a reported completion can be accepted."))
    _change(
        actor, rectification, expected_version, state=Rectification.State.DONE, done_at=timezone.now(), return_reason=""
    )


def return_rectification(actor, rectification, expected_version, reason):
    if rectification.state != Rectification.State.REPORTED:
        raise ValidationError(_("Only a reported completion can be returned."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is still missing; the organization reads it.")})
    _change(actor, rectification, expected_version, state=Rectification.State.OPEN, return_reason=reason.strip()[:300])
