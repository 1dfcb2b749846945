"""The 双百 coverage figures of a subtree, in one aggregate query."""

from dataclasses import dataclass, fields

from django.db.models import Count, Q

from .models import Unit

FORMED = ("single", "joint")


@dataclass
class Coverage:
    units: int
    can_form: int
    organized: int
    rest: int
    work_covered: int
    above_scale: int
    above_scale_single: int

    @staticmethod
    def rate(part, whole):
        return round(100 * part / whole, 1) if whole else None

    @property
    def organization_rate(self):
        """Share of units able to form an organization (3+ party members) that have one."""
        return self.rate(self.organized, self.can_form)

    @property
    def work_rate(self):
        """Share of the other units reached through a joint branch, an instructor or a liaison."""
        return self.rate(self.work_covered, self.rest)

    @property
    def single_rate(self):
        """Single-establishment rate of above-scale enterprises able to form their own organization."""
        return self.rate(self.above_scale_single, self.above_scale)


def coverage_counts():
    """The aggregates of ``Coverage``'s fields, aliased ``n_<field>`` (aliases must not collide with the
    Unit fields the filters name): for ``aggregate()``, or ``annotate()`` after ``values()`` for groups."""
    can_form = Q(party_members__gte=3)
    above = can_form & Q(above_scale=True, kind=Unit.Kind.ENTERPRISE)
    counts = {
        "units": Count("pk"),
        "can_form": Count("pk", filter=can_form),
        "organized": Count("pk", filter=can_form & Q(coverage__in=FORMED)),
        "rest": Count("pk", filter=~can_form),
        "work_covered": Count("pk", filter=~can_form & ~Q(coverage=Unit.Coverage.NONE)),
        "above_scale": Count("pk", filter=above),
        "above_scale_single": Count("pk", filter=above & Q(coverage=Unit.Coverage.SINGLE)),
    }
    return {f"n_{name}": count for name, count in counts.items()}


def coverage_from(row):
    """A ``Coverage`` from a row of the ``coverage_counts()`` aggregates."""
    return Coverage(**{field.name: row[f"n_{field.name}"] or 0 for field in fields(Coverage)})


def coverage_for(units):
    """``units``: a queryset of Unit already narrowed to a subtree."""
    return coverage_from(units.aggregate(**coverage_counts()))
