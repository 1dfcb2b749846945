"""Award figures computed in SQL for the annual report: nominations and honours of an area, by round and category.

The rounds counted are the campaign's rounds announced (公示) or approved in the year whose area overlaps the
report's (their awarding organization is the report's organization, one of its superiors or inside its
subtree). Nominations count when their nominee (the organization, or the member's organization) lies in the
report's area; everything goes through the scope, in a fixed number of queries whatever the area's size.
"""

from django.db.models import Count, OuterRef, Q, Subquery

from portal.models import Level
from portal.models.organizations import SEGMENT

from .models import AwardCategory, AwardRound, Nomination, NominationStep, Objection

HONOURED_LIMIT = 1000  # honours listed one by one; the award ledger lists any number
FIGURES = ("nominations", "listed", "approved", "objections", "upheld")
ON_THE_LIST = (Nomination.State.SHORTLISTED, Nomination.State.APPROVED, Nomination.State.REJECTED)


def _paths_above(path):
    """The paths of the organization at ``path`` and of its ancestors."""
    return [path[:i] for i in range(SEGMENT + 1, len(path) + 1, SEGMENT + 1)]


def annual(scope, root, campaign, year, limit=HONOURED_LIMIT):
    """The awards chapter of the annual report of ``root``'s subtree: per round (announced or approved in
    ``year``) and category, the area's nominations, how many reached the announced list (公示: still on it,
    awarded, or withdrawn after an objection), how many were awarded, the objections raised against them and
    those upheld; then the first ``limit`` honours of the area (nominee, category, nominating organization,
    the award's level).

    None when the campaign has no such round. Four queries.
    """
    in_year = Q(state=AwardRound.State.DECIDED, decided_on__year=year) | Q(
        state=AwardRound.State.PUBLICITY, publicity_starts_on__year=year
    )
    overlapping = Q(organizer__path__startswith=root.path) | Q(organizer__path__in=_paths_above(root.path))
    rounds = list(
        scope.filter(AwardRound.objects.filter(in_year, overlapping, campaign=campaign), "award.view")
        .order_by("decided_on", "publicity_starts_on", "pk")
        .values(
            "pk",
            "title",
            "state",
            "publicity_starts_on",
            "decided_on",
            "organizer__name",
            "organizer__level",
        )
    )
    if not rounds:
        return None
    ids = [r["pk"] for r in rounds]
    nominations = scope.filter(
        Nomination.objects.filter(round__in=ids, organization__path__startswith=root.path), "nomination.view"
    )
    upheld = Q(objections__outcome=Objection.Outcome.UPHELD)
    counts = {
        (row.pop("round"), row.pop("category")): row
        for row in nominations.values("round", "category")
        .annotate(
            nominations=Count("pk", distinct=True),
            listed=Count("pk", distinct=True, filter=Q(state__in=ON_THE_LIST)),
            approved=Count("pk", distinct=True, filter=Q(state=Nomination.State.APPROVED)),
            upheld=Count("objections", distinct=True, filter=upheld),  # before "objections" names the count
            objections=Count("objections", distinct=True),
        )
        .order_by()
    }
    categories = AwardCategory.objects.filter(round__in=ids).order_by("order", "pk").values("pk", "round", "name")
    by_round = {}
    for category in categories:
        figures = counts.get((category["round"], category["pk"]), {})
        by_round.setdefault(category["round"], []).append(
            {
                "name": category["name"],
                **{k: figures.get(k, 0) for k in FIGURES},
            }
        )
    levels = dict(Level.choices)
    states = dict(AwardRound.State.choices)
    nominated_by = NominationStep.objects.filter(
        nomination=OuterRef("pk"), action=NominationStep.Action.NOMINATED
    ).order_by("at", "pk")
    honoured = (
        nominations.filter(state=Nomination.State.APPROVED)
        .annotate(nominated_by=Subquery(nominated_by.values("organization__name")[:1]))
        .order_by("round__decided_on", "round", "category__order", "organization__path", "member__name", "pk")
        .values(
            "round__title",
            "round__organizer__level",
            "category__name",
            "member__name",
            "organization__name",
            "nominated_by",
            "certificate_no",
        )[:limit]
    )
    out = []
    for r in rounds:
        rows = by_round.get(r["pk"], [])
        out.append(
            {
                "title": r["title"],
                "organizer": r["organizer__name"],
                "level": str(levels.get(r["organizer__level"], r["organizer__level"])),
                "state": str(states[r["state"]]),
                "announced_on": r["publicity_starts_on"],
                "decided_on": r["decided_on"],
                "categories": rows,
                **{k: sum(c[k] for c in rows) for k in FIGURES},
            }
        )
    return {
        "rounds": out,
        **{k: sum(r[k] for r in out) for k in ("nominations", "listed", "objections", "upheld")},
        "honoured_total": sum(r["approved"] for r in out),
        "honoured": [
            {
                "name": row["member__name"] or row["organization__name"],
                "organization": row["organization__name"] if row["member__name"] else "",
                "category": row["category__name"],
                "round": row["round__title"],
                "nominated_by": row["nominated_by"] or "",
                "level": str(levels.get(row["round__organizer__level"], row["round__organizer__level"])),
                "certificate_no": row["certificate_no"],
            }
            for row in honoured
        ],
        "limit": limit,
    }
