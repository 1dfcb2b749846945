"""Mass evaluation results computed in SQL: satisfaction of an area by group, and the annual report's chapter.

Every figure comes from the published ``Result`` rows (written when a round closes, see
``mass_services.close_round``) and from the rounds' participants, ledgers and rectifications, through the
scope, in a fixed number of grouped queries whatever the number of organizations. The counting rules are
``mass_tally``'s: the 满意率 of a group is the satisfied answers over the valid answers of its
organizations' overall results (about the organization, all questions pooled), in percent with one
decimal place rounded half up (``mass_models.percent``); an organization with no valid answer adds none.
"""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from portal.models.organizations import SEGMENT

from .mass_models import percent


@dataclass
class Satisfaction:
    """The pooled overall results of a group of organizations."""

    organizations: int = 0
    valid: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    @property
    def rate(self):
        """满意率: satisfied answers per valid answer, in percent (None without a valid answer)."""
        return percent(self.satisfied, self.valid)

    @property
    def dissatisfied_share(self):
        return percent(self.dissatisfied, self.valid)


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
    ``portal.dashboard`` (e.g. ``subordinate_and_sector_key(root)``). Only the organizations' overall results
    count (member and question empty); an organization evaluated in two rounds counts once in
    ``organizations`` and with both rounds' answers. One query."""
    return _grouped(results, key("participant__organization__"))


def subordinate_key(root):
    """The path of the direct subordinate of ``root`` an organization lies under (``root.path`` for itself)."""
    length = len(root.path) + SEGMENT + 1
    return lambda prefix: Substr(f"{prefix}path", 1, length)
