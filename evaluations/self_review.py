"""An organization's own review in a cycle (``SelfReview``): the 专题组织生活会, what each member reported
there about their commitment, and the organization's self-assessment per criterion (seeds 000 §四(二):
讲评要从基层党组织开始，以专题组织生活会的形式进行，每名党员要讲述参加活动的情况，并邀请职工代表参加).

Every change here

- is refused while the cycle does not take the organization's own entries (not open yet, or locked
  after its deadline and not reopened by the superior: ``ReviewCycle.check_open`` with
  ``Reopening.Kind.OWN``);
- is version-checked on the ``SelfReview``: ``StaleEdit`` when someone saved it since the page was
  loaded (for a review not yet stored: when someone else started it meanwhile);
- is all or nothing, and goes to the audit trail (old → new).

The members' scores are ``MemberReview.record`` (evaluations/models.py), which does the same for scores.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import CriteriaSet, Meeting
from portal.audit import record
from portal.models import AuditEntry, Member, StaleEdit

from .models import MemberReport, Reopening, SelfAssessment, SelfReview, plain

OWN = Reopening.Kind.OWN
MEETING_FIELDS = ("held_on", "attendance", "members_total", "staff_representatives", "topic", "minutes")
AUDIT_TEXT = 100  # characters of a long text kept in the audit trail


def roll(organization):
    """The members expected at the meeting: the full and probationary members on the organization's roll."""
    return Member.objects.filter(
        organization=organization,
        active=True,
        status__in=(Member.Status.FULL, Member.Status.PROBATIONARY),
    ).order_by("name", "pk")


def start(cycle, organization):
    """The organization's stored self-review in ``cycle``, or a new unsaved one."""
    review = SelfReview.objects.filter(cycle=cycle, organization=organization).select_related("meeting").first()
    review = review or SelfReview(cycle=cycle, organization=organization)
    review.cycle, review.organization = cycle, organization  # the objects the caller loaded already
    return review


def organization_criteria(cycle, organization):
    """The criteria set the organization assesses itself against (its sector's, else the general one)."""
    return cycle.campaign.criteria_for(CriteriaSet.Target.ORGANIZATION, organization.sector)


def meeting_date_error(cycle, held_on, on=None):
    """Why ``held_on`` cannot be the date of the cycle's meeting, or ``None``.

    The meeting is held in the cycle: from its opening, and not in the future; entries are taken until
    the deadline, so a meeting recorded in time is held before the deadline, and one recorded while the
    superior has reopened the entries may have been held since.
    """
    on = on or timezone.localdate()
    if held_on > on:
        return _("A meeting cannot be recorded before it is held: enter a date up to today.")
    if held_on < cycle.opens_on:
        return _("The meeting of this review cycle is held from its opening on %(date)s: check the date.") % {
            "date": cycle.opens_on.isoformat()
        }
    return None


def _save(review, actor, expected_version):
    """Store the self-review (new) or save it over ``expected_version`` (else ``StaleEdit``)."""
    review.updated_by, review.updated_at = actor, timezone.now()
    if review.pk is None:
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:  # someone else started the review of this cycle meanwhile
            raise StaleEdit() from None
    elif expected_version in (None, ""):  # the page was loaded before anyone had started the review
        raise StaleEdit()
    else:
        review.save_checked(expected_version)


def _audit(actor, review, existed, changes):
    if changes:
        verb = AuditEntry.Verb.UPDATE if existed else AuditEntry.Verb.CREATE
        record(actor, review, verb, changes, organization=review.organization)


def _short(text):
    return text if len(text) <= AUDIT_TEXT else f"{text[:AUDIT_TEXT]}…"


def _meeting_state(meeting):
    if meeting is None:
        return {}
    state = {name: str(getattr(meeting, name)) for name in MEETING_FIELDS}
    state["minutes"] = _short(meeting.minutes)
    return state


def record_meeting(actor, review, expected_version, fields, on=None):
    """Record (or correct) the cycle's 专题组织生活会: ``fields`` are the meeting's ``MEETING_FIELDS``.

    The meeting is a campaigns ``Meeting`` of kind REVIEW, linked from the self-review. Refused with a
    ``ValidationError`` (by field where it names one) for a date outside the cycle or in the future and
    for more members present than expected.
    """
    cycle, org = review.cycle, review.organization
    cycle.check_open(org, OWN, on)
    if error := meeting_date_error(cycle, fields["held_on"], on):
        raise ValidationError({"held_on": error})
    existed = review.pk is not None
    meeting = review.meeting or Meeting(campaign=cycle.campaign, organization=org, kind=Meeting.Kind.REVIEW)
    before = _meeting_state(review.meeting)
    for name in MEETING_FIELDS:
        setattr(meeting, name, fields[name])
    meeting.topic, meeting.minutes = meeting.topic.strip(), meeting.minutes.strip()
    meeting.recorded_by = actor
    meeting.full_clean(exclude=["recorded_by"])
    new_meeting = meeting.pk is None
    try:
        with transaction.atomic():
            meeting.save()
            review.meeting = meeting
            _save(review, actor, expected_version)
            after = _meeting_state(meeting)
            _audit(actor, review, existed, {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k) != v})
    except Exception:
        if new_meeting:
            meeting.pk = None
        raise
    return meeting


def _report_state(report):
    if report is None:
        return ""
    if report.absent:
        return f"{_('absent')}: {_short(report.text)}" if report.text else _("absent")
    return _short(report.text)


def record_reports(actor, review, expected_version, entries, on=None):
    """Store what each member reported at the meeting: ``entries`` is {member id: (absent, text)}.

    Only members on the organization's roll; the meeting must be recorded first. A member neither
    absent nor with a text has no report (a stored one is removed). All or nothing.
    """
    cycle, org = review.cycle, review.organization
    cycle.check_open(org, OWN, on)
    if review.meeting_id is None:
        raise ValidationError(_("Record the meeting first: the reports are what the members said there."))
    members = {m.pk: m for m in roll(org).filter(pk__in=list(entries))}
    if set(entries) - set(members):
        raise ValidationError(_("Some members are no longer on the roll: reload the page and enter the reports again."))
    stored = {r.member_id: r for r in review.reports.all()} if review.pk else {}
    new, changed, removed, changes = [], [], [], {}
    for pk, (absent, text) in entries.items():
        text = text.strip()
        report = stored.get(pk)
        before = _report_state(report)
        if not absent and not text:
            if report:
                removed.append(report.pk)
                changes[members[pk].name] = [before, ""]
            continue
        if report is None:
            report = MemberReport(self_review=review, member=members[pk])
            new.append(report)
        elif (report.absent, report.text) != (absent, text):
            changed.append(report)
        report.absent, report.text = absent, text
        if (after := _report_state(report)) != before:
            changes[members[pk].name] = [before, after]
    with transaction.atomic():
        _save(review, actor, expected_version)
        MemberReport.objects.filter(pk__in=removed).delete()
        for report in new:
            report.self_review = review  # a review stored just now has its id only now
        MemberReport.objects.bulk_create(new)
        MemberReport.objects.bulk_update(changed, ["absent", "text"])
        _audit(actor, review, True, changes)


def _assessment_state(assessment):
    if assessment is None:
        return ""
    value = plain(assessment.value) if assessment.value is not None else "—"
    return f"{value} · {_short(assessment.text)}" if assessment.text else value


def record_assessment(actor, review, expected_version, values, summary, on=None):
    """Store the self-assessment: ``values`` is {criterion id: (self-score or None, what was done)}.

    Each self-score lies from 0 to the criterion's weight (else a ``ValidationError`` naming every
    offending criterion, and nothing is stored); a criterion with neither score nor text has no entry.
    """
    cycle, org = review.cycle, review.organization
    cycle.check_open(org, OWN, on)
    criteria_set = organization_criteria(cycle, org)
    if criteria_set is None:
        raise ValidationError(_("The campaign has no criteria for organizations of this sector. Ask the office."))
    criteria = list(criteria_set.criteria.all())
    errors = [
        _("%(criterion)s: enter a score from 0 to %(weight)s.") % {"criterion": c.title, "weight": plain(c.weight)}
        for c in criteria
        if (value := values.get(c.pk, (None, ""))[0]) is not None and not 0 <= value <= c.weight
    ]
    if errors:
        raise ValidationError(errors)
    stored = {a.criterion_id: a for a in review.assessments.all()} if review.pk else {}
    existed = review.pk is not None
    new, changed, removed, changes = [], [], [], {}
    for criterion in criteria:
        value, text = values.get(criterion.pk, (None, ""))
        text = text.strip()
        assessment = stored.get(criterion.pk)
        before = _assessment_state(assessment)
        if value is None and not text:
            if assessment:
                removed.append(assessment.pk)
                changes[criterion.title] = [before, ""]
            continue
        if assessment is None:
            assessment = SelfAssessment(self_review=review, criterion=criterion)
            new.append(assessment)
        elif (assessment.value, assessment.text) != (value, text):
            changed.append(assessment)
        assessment.value, assessment.text = value, text
        if (after := _assessment_state(assessment)) != before:
            changes[criterion.title] = [before, after]
    summary = summary.strip()
    if summary != review.summary:
        changes["summary"] = [_short(review.summary), _short(summary)]
    review.summary = summary
    with transaction.atomic():
        _save(review, actor, expected_version)
        SelfAssessment.objects.filter(pk__in=removed).delete()
        for assessment in new:
            assessment.self_review = review
        SelfAssessment.objects.bulk_create(new)
        SelfAssessment.objects.bulk_update(changed, ["value", "text"])
        _audit(actor, review, existed, changes)


def self_total(assessments, criteria):
    """The self-assessed total once every criterion has a self-score, else ``None``."""
    values = {a.criterion_id: a.value for a in assessments}
    if not criteria or any(values.get(c.pk) is None for c in criteria):
        return None
    return sum((values[c.pk] for c in criteria), Decimal(0))


@dataclass(frozen=True)
class EntryWindow:
    """Whether the organization's own entries are taken in a cycle now, and who may reopen them."""

    state: str  # "upcoming", "open" or "locked" (ReviewCycle.state)
    accepting: bool
    reopening: Reopening | None  # the reopening that takes late entries now, if any
    superior: object  # the organization whose officers reopen (Reopening.granting_organization)


def entry_window(cycle, organization, on=None):
    """The ``EntryWindow`` of ``organization``'s own entries in ``cycle`` (as ``ReviewCycle.accepts_entries``)."""
    on = on or timezone.localdate()
    state = cycle.state(on)
    reopening = None
    if state == "locked":
        reopening = (
            cycle.reopenings.filter(organization=organization, kind=OWN, until__gte=on).order_by("-until").first()
        )
    accepting = state == "open" or reopening is not None
    return EntryWindow(state, accepting, reopening, Reopening.granting_organization(organization, OWN))
