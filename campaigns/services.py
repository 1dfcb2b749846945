"""Creating and editing campaigns: defaults, the schedule, criteria and carriers, audited, in one transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import diff, record, snapshot
from portal.models import AuditEntry

from . import agreement_defaults, defaults
from .models import (
    ActivityCarrier,
    Campaign,
    CriteriaSet,
    Criterion,
    Milestone,
    Phase,
    TargetAgreement,
    TransitionError,
)

CAMPAIGN_FIELDS = ["name", "area", "starts_on", "ends_on", "description"]


def add_defaults(campaign):
    """Give ``campaign`` the seeds' criteria sets and activity carriers (campaigns/defaults.py)."""
    for target, sector, name, criteria in defaults.CRITERIA_SETS:
        criteria_set = CriteriaSet.objects.create(campaign=campaign, target=target, sector=sector, name=name)
        Criterion.objects.bulk_create(
            Criterion(criteria_set=criteria_set, order=i, title=title, description=text, weight=defaults.DEFAULT_WEIGHT)
            for i, (title, text) in enumerate(criteria, start=1)
        )
    ActivityCarrier.objects.bulk_create(
        ActivityCarrier(campaign=campaign, sector=sector, name=name, description=text)
        for sector, name, text in defaults.CARRIERS
    )


def schedule_errors(starts_on, ends_on, phases, steps):
    """The date problems of a campaign's phases and steps: a list of (object, field or None, message).

    Each phase and step must lie inside the campaign's dates (their own start/end order is checked by
    their ``clean``), and phases must not overlap: the 三个时段 follow one another.
    """
    errors = []
    for obj in [*phases, *steps]:
        errors += [(obj, field, message) for field, message in obj.within_errors(starts_on, ends_on).items()]
    dated = sorted((p for p in phases if p.starts_on and p.ends_on), key=lambda p: p.starts_on)
    for earlier, later in zip(dated, dated[1:], strict=False):
        if later.starts_on <= earlier.ends_on:
            message = _("This phase overlaps “%(other)s” (until %(date)s): a phase starts after the one before ends.")
            errors.append((later, "starts_on", message % {"other": earlier.name, "date": earlier.ends_on.isoformat()}))
    return errors


def _summary(rows, fmt):
    return "; ".join(fmt(row) for row in rows)


def _schedule_state(campaign):
    return {
        "phases": _summary(campaign.phases.order_by("starts_on"), lambda p: f"{p.name} {p.starts_on}–{p.ends_on}"),
        "schedule": _summary(campaign.milestones.all(), lambda m: f"{m.title} {m.opens_on}–{m.due_on}"),
    }


def _renumber_phases(campaign):
    for order, phase in enumerate(campaign.phases.order_by("starts_on", "pk"), start=1):
        if phase.order != order:
            Phase.objects.filter(pk=phase.pk).update(order=order)


def create_campaign(actor, name, area, starts_on, ends_on, description="", phases=(), milestones=()):
    """Create a campaign with the default criteria sets and carriers, and optionally its schedule.

    ``phases``: dicts of name, theme, starts_on, ends_on; ``milestones``: dicts of kind, title,
    opens_on, due_on. Raises ``ValidationError`` (nothing created) when the dates do not fit.
    """
    campaign = Campaign(
        name=name,
        area=area,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    campaign.full_clean(exclude=["created_by"])
    phase_objs = [Phase(campaign=campaign, order=i, **p) for i, p in enumerate(phases, start=1)]
    step_objs = [Milestone(campaign=campaign, **m) for m in milestones]
    for obj in [*phase_objs, *step_objs]:
        obj.full_clean(exclude=["campaign"])
    if problems := schedule_errors(starts_on, ends_on, phase_objs, step_objs):
        raise ValidationError([f"{obj}: {message}" for obj, _field, message in problems])
    with transaction.atomic():
        campaign.save()
        add_defaults(campaign)
        for obj in [*phase_objs, *step_objs]:
            obj.campaign = campaign
            obj.save()
        _renumber_phases(campaign)
        changes = diff({}, {**snapshot(campaign, CAMPAIGN_FIELDS), **_schedule_state(campaign)})
        record(actor, campaign, AuditEntry.Verb.CREATE, changes, organization=area)
    return campaign


def _rows(formset):
    """The filled-in, not deleted rows of a validated formset, as dicts of its model fields."""
    return [
        {name: form.cleaned_data[name] for name in formset.form._meta.fields if name != formset.fk.name}
        for form in formset.forms
        if form.has_changed() and form not in formset.deleted_forms
    ]


@transaction.atomic
def save_campaign(actor, form, phases, steps):
    """Save the campaign form with its phase and schedule formsets (all validated).

    A new campaign is made by ``create_campaign`` (with the defaults); an edit is version-checked and
    raises ``StaleEdit`` when someone saved the campaign since the form was loaded.
    """
    if form.instance.pk is None:
        data = {name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS}
        return create_campaign(actor, **data, phases=_rows(phases), milestones=_rows(steps))
    stored = Campaign.objects.get(pk=form.instance.pk)
    before = {**snapshot(stored, CAMPAIGN_FIELDS), **_schedule_state(stored)}
    campaign = form.save(commit=False)
    campaign.save_checked(form.cleaned_data["version"])
    for formset in (phases, steps):
        _save_formset(formset, campaign, _("“%(name)s” is referred to by later work already and cannot be removed."))
    _renumber_phases(campaign)
    if changes := diff(before, {**snapshot(campaign, CAMPAIGN_FIELDS), **_schedule_state(campaign)}):
        record(actor, campaign, AuditEntry.Verb.UPDATE, changes, organization=campaign.area)
    return campaign


def references(obj):
    """How many rows of other models point at ``obj`` (commitment items, plans, later scores …)."""
    total = 0
    for relation in obj._meta.related_objects:
        if relation.one_to_one:
            total += relation.related_model._default_manager.filter(**{relation.field.name: obj}).count()
        else:
            total += getattr(obj, relation.get_accessor_name()).count()
    return total


def _save_formset(formset, parent, in_use_message):
    """Save an inline formset of ``parent``; deleting a row something refers to is a ``ValidationError``."""
    formset.instance = parent
    formset.save(commit=False)
    _delete_unused(formset.deleted_objects, in_use_message)
    for obj in [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]:
        setattr(obj, formset.fk.name, parent)
        obj.save()


def _delete_unused(objects, message):
    """Delete ``objects`` unless something refers to one of them: then ``ValidationError`` (``message`` % name)."""
    used = [obj for obj in objects if references(obj)]
    if used:
        raise ValidationError([message % {"name": obj} for obj in used])
    for obj in objects:
        obj.delete()


@transaction.atomic
def save_criteria(actor, form, formset):
    """Save a criteria set's name and its criteria (version-checked on the set).

    A criterion already used (by a commitment item, a score …) is not removed: ``ValidationError``.
    """
    criteria_set = form.instance
    before = _criteria_state(CriteriaSet.objects.get(pk=criteria_set.pk))
    criteria_set = form.save(commit=False)
    criteria_set.save_checked(form.cleaned_data["version"], update_fields=["name"])
    _save_formset(
        formset,
        criteria_set,
        _("“%(name)s” is used by commitments or scores already and cannot be removed; edit its text instead."),
    )
    after = _criteria_state(criteria_set)
    if changes := diff(before, after):
        record(actor, criteria_set.campaign, AuditEntry.Verb.UPDATE, changes, organization=criteria_set.campaign.area)
    return criteria_set


def _criteria_state(criteria_set):
    criteria = "; ".join(f"{c.order}. {c.title} ({c.weight:g})" for c in criteria_set.criteria.all())
    return {f"criteria_set {criteria_set.pk}": f"{criteria_set.name}: {criteria}"}


@transaction.atomic
def create_criteria_set(actor, campaign, target, sector, name):
    """A new set for ``sector``, starting from a copy of the general set's criteria for the same target."""
    criteria_set = CriteriaSet(campaign=campaign, target=target, sector=sector, name=name)
    criteria_set.full_clean()
    criteria_set.save()
    general = campaign.criteria_sets.filter(target=target, sector="").first()
    if general and general.pk != criteria_set.pk:
        Criterion.objects.bulk_create(
            Criterion(
                criteria_set=criteria_set, order=c.order, title=c.title, description=c.description, weight=c.weight
            )
            for c in general.criteria.all()
        )
    record(actor, campaign, AuditEntry.Verb.UPDATE, diff({}, _criteria_state(criteria_set)), organization=campaign.area)
    return criteria_set


@transaction.atomic
def delete_criteria_set(actor, criteria_set):
    """Remove a set with its criteria, unless one of them is used already (``ValidationError``)."""
    campaign = criteria_set.campaign
    before = _criteria_state(criteria_set)
    _delete_unused(
        list(criteria_set.criteria.all()),
        _("“%(name)s” is used by commitments or scores already, so the set cannot be removed."),
    )
    criteria_set.delete()
    changes = {key: [value, ""] for key, value in before.items()}
    record(actor, campaign, AuditEntry.Verb.UPDATE, changes, organization=campaign.area)


@transaction.atomic
def save_carriers(actor, campaign, version, formset):
    """Save the campaign's activity carriers; the campaign's version guards against a concurrent edit.

    A carrier adopted by a plan or a commitment item is not removed: ``ValidationError``.
    """
    before = _carrier_state(campaign)
    campaign.claim_version(version)
    _save_formset(
        formset, campaign, _("“%(name)s” has been adopted by plans or commitments already and cannot be removed.")
    )
    if changes := diff(before, _carrier_state(campaign)):
        record(actor, campaign, AuditEntry.Verb.UPDATE, changes, organization=campaign.area)


def _carrier_state(campaign):
    return {"carriers": "; ".join(f"{c.get_sector_display() or '*'} {c.name}" for c in campaign.carriers.all())}


# --- the demo ----------------------------------------------------------------------------------

# The steps of the demo schedule: (kind, title, opens, due) in days from today.
DEMO_STEPS = (
    (Milestone.Kind.REVIEW, "上年度下半年定期讲评（领导点评）", -200, -170),  # closed: its results feed the awards
    (Milestone.Kind.PLAN, "动员部署：制定实施方案", -60, 30),
    (Milestone.Kind.COMMITMENT_FILING, "公开承诺：承诺事项报送", -30, 60),
    (Milestone.Kind.PROGRESS_UPDATE, "承诺事项进展报告", -30, 90),
    (Milestone.Kind.REVIEW, "上半年定期讲评（领导点评）", -14, 45),
    (Milestone.Kind.EVALUATION, "年度群众评议", -14, 75),
    (Milestone.Kind.FULFILMENT, "承诺兑现评定", -7, 120),
    (Milestone.Kind.AWARD, "“一先两优”评选表彰", -7, 150),
    (Milestone.Kind.REVIEW, "下半年定期讲评（领导点评）", 166, 210),
)
DEMO_RUNS_ON_FOR = 365  # days after today the demo campaign still runs


def create_demo_campaign(area, actor=None):
    """The demo campaign "2010–2012年创先争优活动" over ``area``; returns the existing one if there is one.

    The campaign keeps its history: it starts on 1 June 2010 and has the three periods (三个时段) of
    seeds 000/001 §四 with the themes of seed 004 §四 (迎接建党90周年, then 迎接党的十八大). Its
    *schedule*, however, is dated relative to today, and the campaign runs until a year from today:
    the demo is used years after 2012, and the later flows (filing plans and commitments, progress,
    fulfilment, reviews, mass evaluation, awards) work only while their step is open. So every step of
    ``DEMO_STEPS`` but the first and the last review is open on the day the demo is built and for weeks after,
    and ``Campaign.objects.running()`` includes the demo campaign.
    """
    existing = Campaign.objects.filter(name=defaults.DEMO_NAME, area=area).first()
    if existing:
        return existing
    today = timezone.localdate()
    phases = [
        {"name": name, "theme": theme, "starts_on": datetime.date(*start), "ends_on": datetime.date(*end)}
        for name, theme, start, end in defaults.DEMO_PHASES
    ]
    steps = [
        {
            "kind": kind,
            "title": title,
            "opens_on": today + datetime.timedelta(days=opens),
            "due_on": today + datetime.timedelta(days=due),
        }
        for kind, title, opens, due in DEMO_STEPS
    ]
    return create_campaign(
        actor,
        name=defaults.DEMO_NAME,
        area=area,
        starts_on=datetime.date(*defaults.DEMO_STARTS_ON),
        ends_on=max(phases[-1]["ends_on"], today + datetime.timedelta(days=DEMO_RUNS_ON_FOR)),
        description=defaults.DEMO_DESCRIPTION,
        phases=phases,
        milestones=steps,
    )


# --- target agreements -------------------------------------------------------------------------

AGREEMENT_FIELDS = ["title", "mid_year_due", "year_end_due", "bonus_cap"]


def _agreement_state(agreement):
    return {**snapshot(agreement, AGREEMENT_FIELDS), "indicators": agreement.indicator_summary()}


@transaction.atomic
def save_agreement(actor, form, formset=None):
    """Save an agreement's header form and, for a draft, its indicator formset (both validated).

    Version-checked on the agreement (``StaleEdit``); refused (``TransitionError``) once it is scored,
    and for the indicators once it is issued. Audited with what changed.
    """
    stored = TargetAgreement.objects.get(pk=form.instance.pk)
    if stored.status == TargetAgreement.Status.SCORED:
        raise TransitionError(_("The agreement is scored: it can no longer change."))
    if formset is not None:
        stored.ensure_draft()
    before = _agreement_state(stored)
    agreement = form.save(commit=False)
    agreement.updated_at = timezone.now()
    agreement.save_checked(form.cleaned_data["version"], update_fields=[*AGREEMENT_FIELDS, "updated_at"])
    if formset is not None:
        _save_formset(formset, agreement, _("“%(name)s” has reports already and cannot be removed."))
    if changes := diff(before, _agreement_state(agreement)):
        record(actor, agreement, AuditEntry.Verb.UPDATE, changes, organization=agreement.subordinate)
    return agreement


def start_agreements(actor, issuer, subordinates, year, template):
    """Draft one agreement per committee of ``subordinates`` from ``template`` (agreement_defaults)."""
    mid_year_due, year_end_due = agreement_defaults.default_deadlines(year)
    rows = agreement_defaults.indicator_rows(template)
    title = agreement_defaults.title_for(template, year)
    with transaction.atomic():
        return [
            TargetAgreement.start(actor, issuer, subordinate, year, title, mid_year_due, year_end_due, indicators=rows)
            for subordinate in subordinates
        ]
