"""Eligibility of award candidates, computed from the portal's data, with the numbers behind each rule.

For a category (its rules, see ``AwardCategory``) and a list of candidates (organizations or members),
``evaluate`` returns one ``Candidate`` per nominee with a ``RuleResult`` per rule that applies:

- **review grade / total**: in every review cycle of the round's period (cycles due between
  ``reviews_from`` and ``reviews_to``) the candidate's review (the superior's ``OrganizationReview``,
  or the branch's ``MemberReview``) is complete with at least the grade / total. No cycle in the
  period: not applicable. A cycle without a complete review fails the rule.
- **commitment fulfilment**: items assessed "fulfilled" ÷ items assessed, over the candidate's own
  commitments in the campaign (an organization's: its organization commitments), at least the rate.
  Nothing assessed fails the rule.
- **satisfaction**: the overall 满意率 of the candidate's latest closed mass evaluation in the
  campaign (:func:`mass_results`); not evaluated fails the rule.
- **open rectification**: rectification items of the candidate not yet rectified: none, or it fails.
- **full member**, **party role**: from the member record.

Each query covers all the candidates at once (a fixed number of queries for any page of candidates).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from commitments.models import Item
from evaluations.models import Grade, MemberReview, OrganizationReview, ReviewCycle, plain
from portal.models import Member

from .models import GRADE_RANK


@dataclass
class RuleResult:
    key: str
    label: str  # the rule, e.g. "review grade at least fairly good"
    value: str  # the candidate's figures, e.g. "上半年: 92 (好)"
    passed: bool | None  # None: not applicable (no data source, no cycle)


@dataclass
class Candidate:
    organization: object
    member: object = None
    results: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # for ranking: score, fulfilment, satisfaction

    @property
    def name(self):
        return self.member.name if self.member else self.organization.name

    @property
    def pk(self):
        return (self.member or self.organization).pk

    @property
    def failed(self):
        return [r for r in self.results if r.passed is False]

    @property
    def eligible(self):
        return not self.failed


def _rate(part, whole):
    return round(Decimal(100) * part / whole, 1) if whole else None


def mass_results(campaign, organizations, members):
    """Mass-evaluation figures of the candidates in the campaign, or None without a mass-evaluation module.

    Returns ``(satisfaction, open_rectifications)``: {("org"|"member", pk): 满意率 in %} from the overall
    published result (all questions pooled) of the latest closed evaluation round that evaluated them,
    and {("org"|"member", pk): rectification items not yet rectified (open or reported)}. Two queries
    for satisfaction and two for rectifications, whatever the number of candidates.
    """
    try:
        from evaluations.mass_models import Rectification, Result, Round, percent
    except ImportError:  # pragma: no cover - the mass evaluation is part of the portal
        return None
    results = Result.objects.filter(
        participant__round__campaign=campaign, participant__round__state=Round.State.CLOSED, question__isnull=True
    ).order_by("participant__round__closes_on", "pk")  # the latest round's figure wins
    satisfaction = {}
    rows = results.filter(member__isnull=True, participant__organization__in=organizations).values_list(
        "participant__organization_id", "satisfied", "valid"
    )
    for pk, satisfied, valid in rows if organizations else ():
        satisfaction[("org", pk)] = percent(satisfied, valid)
    rows = results.filter(member__in=members).values_list("member_id", "satisfied", "valid")
    for pk, satisfied, valid in rows if members else ():
        satisfaction[("member", pk)] = percent(satisfied, valid)
    pending = Rectification.objects.filter(participant__round__campaign=campaign).exclude(
        state=Rectification.State.DONE
    )
    rectifications = {}
    if organizations:
        rows = (
            pending.filter(member__isnull=True, participant__organization__in=organizations)
            .values_list("participant__organization_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        rectifications.update({("org", pk): n for pk, n in rows})
    if members:
        rows = pending.filter(member__in=members).values_list("member_id").annotate(n=Count("pk")).order_by()
        rectifications.update({("member", pk): n for pk, n in rows})
    return satisfaction, rectifications


def _cycles(round):
    return list(
        ReviewCycle.objects.filter(
            milestone__campaign=round.campaign, milestone__due_on__range=(round.reviews_from, round.reviews_to)
        )
        .select_related("milestone")
        .order_by("milestone__due_on")
    )


def _reviews(category, cycles, candidates):
    """{(cycle pk, candidate pk): (total, grade)} of the complete reviews."""
    if not cycles:
        return {}
    if category.for_members:
        rows = MemberReview.objects.filter(cycle__in=cycles, member__in=[c.member for c in candidates])
        key = "member_id"
    else:
        rows = OrganizationReview.objects.filter(
            cycle__in=cycles, organization__in=[c.organization for c in candidates]
        )
        key = "organization_id"
    rows = rows.filter(total__isnull=False).values_list("cycle_id", key, "total", "grade")
    return {(cycle, who): (total, grade) for cycle, who, total, grade in rows}


def _fulfilment(category, campaign, candidates):
    """{candidate pk: (fulfilled, assessed)} over the candidate's own commitments in the campaign."""
    items = Item.objects.filter(commitment__campaign=campaign).exclude(fulfilment="")
    if category.for_members:
        items = items.filter(commitment__member__in=[c.member for c in candidates])
        key = "commitment__member"
    else:
        items = items.filter(
            commitment__organization__in=[c.organization for c in candidates], commitment__member__isnull=True
        )
        key = "commitment__organization"
    rows = items.values(key).annotate(
        assessed=Count("pk"), fulfilled=Count("pk", filter=Q(fulfilment=Item.Fulfilment.FULFILLED))
    )
    return {row[key]: (row["fulfilled"], row["assessed"]) for row in rows.order_by()}


def _review_rules(category, cycles, reviews, candidate):
    out = []
    if not (category.min_grade or category.min_score is not None):
        return out
    per_cycle = [(cycle, reviews.get((cycle.pk, candidate.pk))) for cycle in cycles]
    shown = "；".join(
        f"{cycle.title}: {plain(r[0])} ({Grade(r[1]).label if r[1] else '—'})"
        if r
        else f"{cycle.title}: {_('not reviewed')}"
        for cycle, r in per_cycle
    ) or _("no review cycle in the period")
    totals = [r[0] for _cycle, r in per_cycle if r]
    if totals:
        candidate.figures["score"] = sum(totals) / len(totals)
    if category.min_grade:
        label = _("review grade at least “%(grade)s”") % {"grade": Grade(category.min_grade).label}
        if not cycles:
            passed = None
        else:
            need = GRADE_RANK[category.min_grade]
            passed = all(r and r[1] and GRADE_RANK[r[1]] >= need for _cycle, r in per_cycle)
        out.append(RuleResult("grade", label, shown, passed))
    if category.min_score is not None:
        label = _("review total at least %(score)s") % {"score": plain(category.min_score)}
        passed = None if not cycles else all(r and r[0] >= category.min_score for _cycle, r in per_cycle)
        out.append(RuleResult("score", label, shown, passed))
    return out


def evaluate(category, candidates):
    """Fill in ``results`` and ``figures`` of each ``Candidate`` (a list) for ``category``; returns the list."""
    if not candidates:
        return candidates
    round = category.round
    cycles = _cycles(round) if (category.min_grade or category.min_score is not None) else []
    reviews = _reviews(category, cycles, candidates)
    fulfilment = _fulfilment(category, round.campaign, candidates) if category.min_fulfilment is not None else {}
    wants_mass = category.min_satisfaction is not None or category.no_open_rectification
    mass = None
    if wants_mass:
        mass = mass_results(
            round.campaign,
            [] if category.for_members else [c.organization for c in candidates],
            [c.member for c in candidates] if category.for_members else [],
        )
    kind = "member" if category.for_members else "org"
    for candidate in candidates:
        results = _review_rules(category, cycles, reviews, candidate)
        if category.min_fulfilment is not None:
            fulfilled, assessed = fulfilment.get(candidate.pk, (0, 0))
            rate = _rate(fulfilled, assessed)
            candidate.figures["fulfilment"] = rate
            value = (
                _("%(rate)s%% (%(fulfilled)d of %(assessed)d assessed items fulfilled)")
                % {"rate": plain(rate), "fulfilled": fulfilled, "assessed": assessed}
                if assessed
                else _("no assessed commitment items")
            )
            label = _("commitment fulfilment at least %(rate)s%%") % {"rate": plain(category.min_fulfilment)}
            results.append(RuleResult("fulfilment", label, value, rate is not None and rate >= category.min_fulfilment))
        if category.min_satisfaction is not None:
            label = _("satisfaction at least %(rate)s%%") % {"rate": plain(category.min_satisfaction)}
            if mass is None:
                results.append(RuleResult("satisfaction", label, _("no mass-evaluation results yet"), None))
            else:
                rate = mass[0].get((kind, candidate.pk))
                candidate.figures["satisfaction"] = rate
                value = f"{plain(rate)}%" if rate is not None else _("not evaluated")
                results.append(
                    RuleResult("satisfaction", label, value, rate is not None and rate >= category.min_satisfaction)
                )
        if category.no_open_rectification:
            label = _("no open rectification")
            if mass is None:
                results.append(RuleResult("rectification", label, _("no mass-evaluation results yet"), None))
            else:
                count = mass[1].get((kind, candidate.pk), 0)
                value = _("%(count)d open") % {"count": count}
                results.append(RuleResult("rectification", label, value, count == 0))
        if category.for_members:
            member = candidate.member
            if category.full_members_only:
                ok = member.status == Member.Status.FULL and member.active
                results.append(RuleResult("full_member", _("full member"), member.get_status_display(), ok))
            if category.party_role_required:
                results.append(
                    RuleResult("party_role", _("holds a party role"), member.get_role_display(), member.role != "")
                )
        candidate.results = results
    return candidates


def evaluate_one(category, organization=None, member=None):
    return evaluate(category, [Candidate(organization or member.organization, member)])[0]


SORT_KEYS = {
    "score": lambda c: c.figures.get("score"),
    "fulfilment": lambda c: c.figures.get("fulfilment"),
    "satisfaction": lambda c: c.figures.get("satisfaction"),
}


def ranked(candidates, key):
    """Candidates sorted by a figure, highest first (those without it last), then eligible first and by name."""
    figure = SORT_KEYS.get(key)
    if figure is None:
        return sorted(candidates, key=lambda c: (not c.eligible, c.name))
    return sorted(candidates, key=lambda c: (figure(c) is None, -(figure(c) or 0), not c.eligible, c.name))
