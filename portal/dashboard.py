"""Figures of an area (an organization's subtree) by subordinate organization and by sector.

Used by the dashboard (``portal.views.home``) and the annual report (``campaigns.exporters``). Every
figure is an SQL aggregate grouped by a key expression (``portal.area_keys``), e.g. the path prefix of the
direct subordinate an organization lies under together with its sector: one pass over the subtree gives
both the figures by subordinate and by sector (``split``). So an area of any size costs the same number
of queries per grouping:

- commitments (``commitments.rollups``): % filed, % members committed, weighted progress, % fulfilled;
  three queries, and only when a campaign is chosen;
- 双百 coverage of the two-new units (``portal.coverage``) and the units that should have their own
  organization: one query;
- organizations breaking seed 002's establishment rules: one query (those with a warning are found by
  counting their full members in a subquery, then grouped);
- the grades of a review cycle (``evaluations.results.grades_grouped``): the complete reviews of the
  area's organizations (the root's own review, by its superior, in the root's row), one query, only
  when a cycle is given;
- the satisfaction rates (满意率) of the mass evaluation of a year (``evaluations.mass_results``): the
  published overall results of the area's organizations in the campaign's rounds closed that year, one
  query, only when a year is given (``evaluation_year`` finds the latest, one query).

All querysets go through the scope, as a view's would.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max

from commitments import rollups
from evaluations.mass_models import Participant, Result, Round
from evaluations.mass_results import Satisfaction, satisfaction_grouped
from evaluations.models import OrganizationReview
from evaluations.results import GradeFigures, grades_grouped

from . import area_keys
from .coverage import Coverage, coverage_counts, coverage_from
from .models import Organization, Unit
from .rules import unit_warning_filter, warning_filter


def _no_coverage():
    return Coverage(**dict.fromkeys(Coverage.__dataclass_fields__, 0))


def _add(figures, other):
    """Adds ``other``'s counts to ``figures`` (a dataclass of counts such as Coverage or Satisfaction).

    A town's thousands of groups are added up per request: ``__dataclass_fields__`` is read directly,
    ``dataclasses.fields()`` would build a tuple each time."""
    for name in figures.__dataclass_fields__:
        setattr(figures, name, getattr(figures, name) + getattr(other, name))


@dataclass
class AreaFigures:
    commitments: rollups.Figures = field(default_factory=rollups.Figures)
    coverage: Coverage = field(default_factory=_no_coverage)
    organization_warnings: int = 0
    unit_warnings: int = 0
    reviews: GradeFigures = field(default_factory=GradeFigures)
    satisfaction: Satisfaction = field(default_factory=Satisfaction)

    @property
    def warnings(self):
        return self.organization_warnings + self.unit_warnings

    def __iadd__(self, other):
        self.commitments += other.commitments
        _add(self.coverage, other.coverage)
        _add(self.satisfaction, other.satisfaction)
        self.organization_warnings += other.organization_warnings
        self.unit_warnings += other.unit_warnings
        self.reviews += other.reviews
        return self


def _evaluated(scope, root, campaign):
    """The participants of the area in the campaign's closed (published) mass-evaluation rounds."""
    participants = Participant.objects.filter(
        round__campaign=campaign, round__state=Round.State.CLOSED, organization__path__startswith=root.path
    )
    return scope.filter(participants, "evaluation.view")


def evaluation_year(scope, root, campaign):
    """The latest year in which a round of the campaign that evaluated the area closed (None: no such round)."""
    latest = _evaluated(scope, root, campaign).aggregate(on=Max("round__closes_on"))["on"]
    return latest and latest.year


def grouped(scope, root, campaign, key, items=None, cycle=None, year=None):
    """``{group key: AreaFigures}`` over ``root``'s subtree; ``key(prefix)`` as in ``commitments.rollups``.
    ``campaign`` None: no commitment figures. ``items``: a Q narrowing the commitment items counted.
    ``cycle``: the review cycle whose grades are counted; ``year``: the year whose mass evaluation counts
    (None: none)."""
    groups = {}

    def group(name):
        return groups.setdefault(name, AreaFigures())

    if campaign is not None:
        for name, figures in rollups.grouped(scope, root, campaign, key, items).items():
            group(name).commitments = figures
    units = scope.filter(Unit.objects.filter(organization__path__startswith=root.path), "unit.view")
    units = units.annotate(key=key("organization__")).values("key")
    for row in units.annotate(**coverage_counts(), warned=Count("pk", filter=unit_warning_filter())).order_by():
        group(row["key"]).coverage = coverage_from(row)
        group(row["key"]).unit_warnings = row["warned"]
    organizations = scope.organizations("warnings.view").active().filter(path__startswith=root.path)
    warned = organizations.with_full_member_count().filter(warning_filter()).values("pk")  # GROUP BY … HAVING
    warned = Organization.objects.filter(pk__in=warned)
    for row in warned.annotate(key=key("")).values("key").annotate(n=Count("pk")).order_by():
        group(row["key"]).organization_warnings = row["n"]
    if cycle is not None:
        reviews = OrganizationReview.objects.filter(cycle=cycle, organization__path__startswith=root.path)
        for name, figures in grades_grouped(scope.filter(reviews, "review.view"), key).items():
            group(name).reviews = figures
    if year is not None:
        participants = _evaluated(scope, root, campaign).filter(round__closes_on__year=year)
        for name, figures in satisfaction_grouped(Result.objects.filter(participant__in=participants), key).items():
            group(name).satisfaction = figures
    return groups


def total(groups):
    out = AreaFigures()
    for figures in groups.values():
        out += figures
    return out


def split(groups):
    """``({subordinate path: AreaFigures}, {sector: AreaFigures})`` from ``grouped(…, subordinate_and_sector_key)``."""
    return area_keys.split(groups, AreaFigures)


@dataclass
class Row:
    label: str
    figures: AreaFigures
    organization: Organization | None = None  # a subordinate (or the root itself); None for a sector
    own: bool = False  # the root's own row: its own members, commitments and units


def subordinate_rows(root, children, groups):
    """The root's own row, then one per child (in the order given), from the groups by subordinate path."""
    rows = [Row(root.name, groups.get(root.path, AreaFigures()), root, own=True)]
    rows += [Row(child.name, groups.get(child.path, AreaFigures()), child) for child in children]
    return rows


def sector_rows(groups, sectors):
    """One row per sector that has any figure, in the order of ``sectors`` (``Sector.choices``)."""
    return [Row(str(label), groups[value]) for value, label in sectors if value in groups]
