"""Review results computed in SQL: ranking, grade distribution, calibration, summaries for reports.

Every function takes a queryset of reviews the caller has already narrowed with the scope (and to a
cycle and a reviewer, or an area), and answers with a fixed number of aggregate queries whatever the
number of organizations:

- **ranking**: complete reviews ordered by total, ranked with SQL's ``RANK()`` (ties share a rank and
  the next rank skips: 1, 2, 2, 4);
- **grade distribution**: one ``GROUP BY grade``; by groups of organizations (the dashboard's
  subordinates and sectors, ``grades_grouped``): one ``GROUP BY`` of the group key;
- **calibration**: per criterion the spread of the scores over the sibling organizations (count, min,
  max, mean and standard deviation), per scorer (``scored_by``) the mean total and its deviation from
  the overall mean. The standard deviation is the population one, √(mean of x² − mean²), from
  ``AVG(x)`` and ``AVG(x * x)``: SQLite has no ``STDDEV``. A scorer whose mean total lies more than
  one standard deviation, or more than ``FLAG_POINTS`` points, from the overall mean is flagged, so
  that a lenient or a harsh scorer is seen before the cycle locks.
"""

from dataclasses import dataclass, field
from math import sqrt

from django.db.models import Avg, Count, F, Max, Min, Q, Sum, Window
from django.db.models.functions import Rank

from campaigns.models import Milestone

from .models import Grade, OrganizationReview, OrganizationScore

FLAG_POINTS = 5


def _number(value, digits=2):
    return None if value is None else round(float(value), digits)


def _deviation(mean, mean_of_squares):
    if mean is None or mean_of_squares is None:
        return None
    mean, mean_of_squares = float(mean), float(mean_of_squares)
    return sqrt(max(mean_of_squares - mean * mean, 0.0))


def _grade_counts(prefix=""):
    """Count(…) per grade, named by the grade's value, for ``annotate``/``aggregate``."""
    return {grade.value: Count("pk", filter=Q(**{f"{prefix}grade": grade.value})) for grade in Grade}


def complete(reviews):
    return reviews.filter(total__isnull=False)


def ranked(reviews):
    """The complete reviews with ``rank`` (1 = highest total; equal totals share a rank)."""
    return (
        complete(reviews)
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .order_by("rank", "organization__name", "pk")
    )


@dataclass
class GradeShare:
    grade: str
    label: str
    count: int
    percent: float | None


def grade_distribution(reviews):
    """[GradeShare] in the order of the grades (好, 较好, 一般, 差), of the complete reviews."""
    counts = complete(reviews).aggregate(**_grade_counts())
    return GradeFigures(sum(counts.values()), counts=counts).shares


@dataclass
class GradeFigures:
    """The complete reviews of a group of organizations: how many, their totals' sum and each grade's count."""

    scored: int = 0
    total_sum: float = 0.0
    counts: dict = field(default_factory=dict)  # grade value → n

    def __iadd__(self, other):
        self.scored += other.scored
        self.total_sum += other.total_sum
        for grade, n in other.counts.items():
            self.counts[grade] = self.counts.get(grade, 0) + n
        return self

    @property
    def mean(self):
        return round(self.total_sum / self.scored, 1) if self.scored else None

    @property
    def shares(self):
        """[GradeShare] in the order of the grades."""
        return [
            GradeShare(
                g.value,
                g.label,
                self.counts.get(g.value, 0),
                round(100 * self.counts.get(g.value, 0) / self.scored, 1) if self.scored else None,
            )
            for g in Grade
        ]


def grades_grouped(reviews, key):
    """``{group key: GradeFigures}`` of the complete ``reviews``, grouped by ``key("organization__")`` (an
    expression over the reviewed organization, as in ``portal.dashboard``): one query."""
    rows = (
        complete(reviews)
        .annotate(group_key=key("organization__"))
        .values("group_key")
        .annotate(scored=Count("pk"), total_sum=Sum("total"), **_grade_counts())
        .order_by()
    )
    return {
        row["group_key"]: GradeFigures(
            row["scored"], float(row["total_sum"] or 0), {g.value: row[g.value] for g in Grade}
        )
        for row in rows
    }


@dataclass
class Spread:
    """How the scores of one criterion (or the totals of one scorer) spread."""

    title: str
    count: int
    low: float | None
    high: float | None
    mean: float | None
    deviation: float | None = None  # the standard deviation of the values
    weight: float | None = None  # a criterion's full score
    criteria_set: str = ""


def criterion_spread(reviews):
    """[Spread] per criterion of the scores in ``reviews``, in the order of the sets and their criteria."""
    value = F("value")
    rows = (
        OrganizationScore.objects.filter(review__in=reviews.values("pk"))
        .values(
            "criterion_id",
            "criterion__title",
            "criterion__weight",
            "criterion__criteria_set__name",
            "criterion__criteria_set__sector",
            "criterion__order",
        )
        .annotate(n=Count("pk"), low=Min("value"), high=Max("value"), mean=Avg("value"), mean_sq=Avg(value * value))
        .order_by(
            "criterion__criteria_set__sector", "criterion__criteria_set__name", "criterion__order", "criterion_id"
        )
    )
    return [
        Spread(
            title=row["criterion__title"],
            count=row["n"],
            low=_number(row["low"]),
            high=_number(row["high"]),
            mean=_number(row["mean"]),
            deviation=_number(_deviation(row["mean"], row["mean_sq"])),
            weight=_number(row["criterion__weight"]),
            criteria_set=row["criterion__criteria_set__name"],
        )
        for row in rows
    ]


@dataclass
class ScorerSpread:
    name: str
    count: int
    mean: float | None
    low: float | None
    high: float | None
    offset: float | None  # mean − the overall mean
    flagged: bool = False


@dataclass
class Calibration:
    criteria: list
    scorers: list
    count: int = 0
    mean: float | None = None
    deviation: float | None = None
    flag_points: int = FLAG_POINTS
    flagged: list = field(default_factory=list)


def _user_name(first, last, username):
    return f"{first or ''} {last or ''}".strip() or username or ""


def calibration(reviews):
    """Per criterion and per scorer, the spread of the complete reviews' scores and totals."""
    done = complete(reviews)
    total = F("total")
    overall = done.aggregate(n=Count("pk"), mean=Avg("total"), mean_sq=Avg(total * total))
    mean = _number(overall["mean"])
    deviation = _deviation(overall["mean"], overall["mean_sq"])
    rows = (
        done.values("scored_by", "scored_by__username", "scored_by__first_name", "scored_by__last_name")
        .annotate(n=Count("pk"), mean=Avg("total"), low=Min("total"), high=Max("total"))
        .order_by("scored_by__username", "scored_by")
    )
    scorers = []
    for row in rows:
        offset = None if mean is None else round(float(row["mean"]) - mean, 2)
        flagged = len(rows) > 1 and offset is not None and (abs(offset) > (deviation or 0) or abs(offset) > FLAG_POINTS)
        name = _user_name(row["scored_by__first_name"], row["scored_by__last_name"], row["scored_by__username"])
        scorers.append(
            ScorerSpread(
                name=name,
                count=row["n"],
                mean=_number(row["mean"]),
                low=_number(row["low"]),
                high=_number(row["high"]),
                offset=offset,
                flagged=flagged,
            )
        )
    return Calibration(
        criteria=criterion_spread(done),
        scorers=scorers,
        count=overall["n"],
        mean=mean,
        deviation=_number(deviation),
        flagged=[s for s in scorers if s.flagged],
    )


def by_cycle(reviews):
    """{cycle id: {count, complete, mean, <grade>: n}} of ``reviews`` (organization or member reviews)."""
    rows = (
        reviews.values("cycle_id")
        .annotate(
            count=Count("pk"),
            complete=Count("pk", filter=Q(total__isnull=False)),
            mean=Avg("total"),
            **_grade_counts(),
        )
        .order_by()
    )
    return {row.pop("cycle_id"): {**row, "mean": _number(row["mean"], 1)} for row in rows}


def annual(scope, root, campaign, year):
    """The review chapter of the annual report of ``root``'s subtree: the campaign's cycles due in ``year``,
    each with how many organizations were scored, the average total and the grade distribution.

    None when the campaign has no review cycle due that year. Three queries.
    """
    steps = list(
        Milestone.objects.filter(campaign=campaign, kind=Milestone.Kind.REVIEW, due_on__year=year)
        .order_by("due_on", "pk")
        .values("pk", "title", "opens_on", "due_on")
    )
    if not steps:
        return None
    reviews = scope.filter(
        OrganizationReview.objects.filter(
            cycle__milestone__in=[s["pk"] for s in steps], organization__path__startswith=root.path
        ),
        "review.view",
    )
    figures = {
        row.pop("cycle__milestone"): row
        for row in reviews.values("cycle__milestone")
        .annotate(
            scored=Count("pk", filter=Q(total__isnull=False)),
            mean=Avg("total", filter=Q(total__isnull=False)),
            **_grade_counts(),
        )
        .order_by()
    }
    reviewed = scope.organizations().active().filter(path__startswith=root.path, parent__isnull=False).count()
    cycles = []
    for step in steps:
        row = figures.get(step["pk"], {})
        scored = row.get("scored", 0)
        grades = [
            {
                "grade": str(g.label),
                "count": row.get(g.value, 0),
                "percent": round(100 * row.get(g.value, 0) / scored, 1) if scored else None,
            }
            for g in Grade
        ]
        cycles.append(
            {
                "title": step["title"],
                "opens_on": step["opens_on"],
                "due_on": step["due_on"],
                "scored": scored,
                "mean": _number(row.get("mean"), 1),
                "grades": grades,
            }
        )
    return {"organizations": reviewed, "cycles": cycles}
