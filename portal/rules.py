"""Seed 002's establishment rules, as warnings computed from the data.

- 3 to 50 full members must form a party branch; a branch of over 50 may become a general branch.
- fewer than 3 full members: join a joint branch or get an instructor, not a standalone branch.
- a unit employing 3 or more party members must form its own organization.
``warning_filter`` states the organization rules in SQL so the list of all warnings is one query.
The rule on relatives (over half related by blood or marriage) needs data the roll does not keep.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_BRANCH = 3
MAX_BRANCH = 50

MESSAGES = {
    "too_small": _(
        "Fewer than 3 full members: a standalone branch should join a joint branch with neighbouring "
        "or same-industry units, or be guided by an instructor."
    ),
    "too_large": _("More than 50 full members: the branch may be upgraded to a general branch."),
}


def establishment_warnings(level, full_members):
    warnings = []
    if level == "branch" and full_members < MIN_BRANCH:
        warnings.append(MESSAGES["too_small"])
    if level in ("branch", "joint_branch") and full_members > MAX_BRANCH:
        warnings.append(MESSAGES["too_large"])
    return warnings


def warning_filter():
    """A Q over ``level`` and an annotated ``full_members`` that selects organizations with a warning."""
    return Q(level="branch", full_members__lt=MIN_BRANCH) | Q(
        level__in=("branch", "joint_branch"), full_members__gt=MAX_BRANCH
    )


def unit_warning_filter():
    """Units employing 3 or more party members without an organization of their own."""
    return Q(party_members__gte=MIN_BRANCH) & ~Q(coverage="single")
