"""Mass evaluation results computed in SQL: satisfaction of an area by group, and the annual report's chapter.

Every figure comes from the published ``Result`` rows (written when a round closes, see
``mass_services.close_round``) and from the rounds' participants, ledgers and rectifications, through the
scope, in a fixed number of grouped queries whatever the number of organizations. The counting rules are
``mass_tally``'s: the 满意率 of a group is the satisfied answers over the valid answers of its
organizations' overall results (about the organization, all questions pooled), in percent with one
decimal place rounded half up (``mass_models.percent``); an organization with no valid answer adds none.
"""

from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Q, Sum, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from portal.area_keys import subordinate_key

from .mass_models import RECORDED_CHANNELS, Channel, LedgerEntry, Participant, Rectification, Result, Round, percent


@dataclass
class Satisfaction:
    """The pooled overall results of a group of organizations."""

    organizations: int = 0
    valid: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    # 满意率 and the dissatisfied share, in percent (None without a valid answer): a published result's rule
    rate = Result.rate
    dissatisfied_share = Result.dissatisfied_share


def overall(results):
    """``results`` narrowed to the organizations' overall figures: about the organization, all questions pooled."""
    return results.filter(member__isnull=True, question__isnull=True)


def _grouped(results, expression):
    rows = (
        overall(results)
        .annotate(group=expression)
        .values("group")
        .annotate(
            organizations=Count("participant__organization", distinct=True),
            valid=Sum("valid"),
            satisfied=Sum("satisfied"),
            dissatisfied=Sum("dissatisfied"),
        )
        .order_by()
    )
    return {
        row["group"]: Satisfaction(
            row["organizations"], row["valid"] or 0, row["satisfied"] or 0, row["dissatisfied"] or 0
        )
        for row in rows
    }


def satisfaction_grouped(results, key):
    """``{group key: Satisfaction}`` of ``results`` (a ``Result`` queryset the caller has narrowed: its rounds,
    its area, through the scope), grouped by ``key("participant__organization__")`` as in
    ``portal.area_keys`` (e.g. ``subordinate_and_sector_key(root)``). Only the organizations' overall results
    count (member and question empty); an organization evaluated in two rounds counts once in
    ``organizations`` and with both rounds' answers. One query."""
    return _grouped(results, key("participant__organization__"))


LOWEST = 10  # organizations listed per round in the annual report, the lowest rate first


def _passes_threshold(round, figure):
    """The rectification rule (``mass_services._publish``) applied to an organization's pooled answers."""
    share = percent(figure["dissatisfied"], figure["valid"])
    return figure["valid"] >= round["min_valid"] and share is not None and share > round["rectify_threshold"]


def annual(scope, root, campaign, year):
    """The mass evaluation chapter of the annual report of ``root``'s subtree: the campaign's rounds whose
    ballots close in ``year`` and that evaluate organizations of the area, each with its organizations,
    ballots, satisfaction (pooled over the organizations' overall results), its lowest-rated organizations,
    the opinions of its ledger by channel and its rectifications by state; and the satisfaction by direct
    subordinate of ``root`` over the year's closed rounds.

    A round still open has no results (they are published when it closes): it is listed as in progress,
    without ballots and rates. None when no round evaluates the area in ``year``. Eight queries.
    """
    participants = scope.filter(
        Participant.objects.filter(
            round__campaign=campaign, round__closes_on__year=year, organization__path__startswith=root.path
        ).exclude(round__state=Round.State.DRAFT),
        "evaluation.view",
    )
    rounds = list(
        scope.filter(Round.objects.filter(pk__in=participants.values("round_id")), "evaluation.view")
        .order_by("closes_on", "opens_on", "pk")
        .values("pk", "title", "opens_on", "closes_on", "state", "rectify_threshold", "min_valid")
    )
    if not rounds:
        return None
    ids = [r["pk"] for r in rounds]
    participants = participants.filter(round__in=ids)
    turnout = {
        row.pop("round"): row
        for row in participants.values("round")
        .annotate(
            organizations=Count("pk"),
            online=Sum("ballots_online"),
            open=Sum("ballots_open"),
            paper=Sum("ballots_paper"),
        )
        .order_by()
    }
    results = overall(Result.objects.filter(participant__in=participants.values("pk")))
    closed = results.filter(participant__round__state=Round.State.CLOSED)
    satisfaction = _grouped(closed, F("participant__round"))
    rate_order = Cast("satisfied", FloatField()) / F("valid")
    lowest = (
        closed.filter(valid__gt=0)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=F("participant__round"),
                order_by=[rate_order.asc(), F("participant__organization__path").asc()],
            )
        )
        .filter(position__lte=LOWEST)
        .order_by("participant__round", "position")
        .values("participant__round", "participant__organization__name", "valid", "satisfied", "dissatisfied")
    )
    worst = {}
    for row in lowest:
        worst.setdefault(row.pop("participant__round"), []).append(row)
    entries = scope.filter(
        LedgerEntry.objects.filter(participant__in=participants.values("pk"), channel__in=RECORDED_CHANNELS),
        "evaluation.view",
    )
    opinions = {}
    for row in entries.values("participant__round", "channel").annotate(n=Count("pk")).order_by():
        opinions.setdefault(row["participant__round"], {})[row["channel"]] = row["n"]
    today = timezone.localdate()
    rectifications = {
        row.pop("participant__round"): row
        for row in scope.filter(
            Rectification.objects.filter(participant__in=participants.values("pk")), "rectification.view"
        )
        .values("participant__round")
        .annotate(
            total=Count("pk"),
            **{state.value: Count("pk", filter=Q(state=state)) for state in Rectification.State},
            overdue=Count("pk", filter=~Q(state=Rectification.State.DONE) & Q(deadline__lt=today)),
        )
        .order_by()
    }
    channels = [(value, str(label)) for value, label in Channel.choices if value in RECORDED_CHANNELS]
    out = []
    for r in rounds:
        done = r["state"] == Round.State.CLOSED
        figures = satisfaction.get(r["pk"], Satisfaction())
        ballots = turnout.get(r["pk"], {})
        counted = rectifications.get(r["pk"], {})
        out.append(
            {
                "title": r["title"],
                "opens_on": r["opens_on"],
                "closes_on": r["closes_on"],
                "closed": done,
                "organizations": ballots.get("organizations", 0),
                "ballots": {
                    "online": ballots.get("online") or 0,
                    "open": ballots.get("open") or 0,
                    "paper": ballots.get("paper") or 0,
                    "total": sum(ballots.get(k) or 0 for k in ("online", "open", "paper")),
                }
                if done
                else None,
                "valid": figures.valid,
                "satisfied": figures.satisfied,
                "rate": figures.rate if done else None,
                "dissatisfied_share": figures.dissatisfied_share if done else None,
                "threshold": f"{r['rectify_threshold'].normalize():f}",
                "lowest": [
                    {
                        "name": row["participant__organization__name"],
                        "valid": row["valid"],
                        "rate": percent(row["satisfied"], row["valid"]),
                        "dissatisfied_share": percent(row["dissatisfied"], row["valid"]),
                        "flagged": _passes_threshold(r, row),
                    }
                    for row in worst.get(r["pk"], [])
                ],
                "opinions": [
                    {"channel": label, "count": opinions.get(r["pk"], {}).get(value, 0)} for value, label in channels
                ],
                "rectifications": {
                    "total": counted.get("total", 0),
                    **{state.value: counted.get(state.value, 0) for state in Rectification.State},
                    "overdue": counted.get("overdue", 0),
                },
            }
        )
    by_subordinate = satisfaction_grouped(closed, subordinate_key(root))
    children = scope.organizations().filter(parent=root).active().order_by("name", "pk").values_list("path", "name")
    subordinates = [(root.path, root.name, True), *((path, name, False) for path, name in children)]
    pooled = Satisfaction(
        valid=sum(f.valid for f in satisfaction.values()),
        satisfied=sum(f.satisfied for f in satisfaction.values()),
        dissatisfied=sum(f.dissatisfied for f in satisfaction.values()),
    )
    return {
        "rounds": out,
        "closed": sum(r["closed"] for r in out),
        "total": {
            "ballots": sum(r["ballots"]["total"] for r in out if r["ballots"]),
            "valid": pooled.valid,
            "satisfied": pooled.satisfied,
            "rate": pooled.rate,
            "rectifications": sum(r["rectifications"]["total"] for r in out),
            "rectified": sum(r["rectifications"]["done"] for r in out),
            "overdue": sum(r["rectifications"]["overdue"] for r in out),
            "opinions": sum(o["count"] for r in out for o in r["opinions"]),
        },
        "subordinates": [
            {"name": name, "own": own, "organizations": f.organizations, "valid": f.valid, "rate": f.rate}
            for path, name, own in subordinates
            if (f := by_subordinate.get(path))
        ],
        "lowest_limit": LOWEST,
    }
