"""The dashboard's figures (the home page), computed as the page shows them and ahead by a periodic task.

``scope_figures`` are the counts of the user's whole scope; ``area_figures`` those of an area (the
subtree of one organization) by subordinate and by sector, for a campaign, a review cycle and the latest
year of mass evaluation (``portal.dashboard``). Both are kept in the shared cache (``portal.figures_cache``)
under the user's grants and their parameters.

``warm()`` (Celery beat, a little more often than the figures expire) computes the figures of every
large area (``LARGE_AREA`` organizations or more) that a user opens by default — their first root, the
newest campaign covering it, its current review cycle — once per distinct set of grants. A province's
figures take seconds to compute (README, "Performance"); smaller areas answer quickly on their own.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from commitments.views.staff import campaigns_for
from evaluations.models import ReviewCycle, current_cycle

from . import area_keys, dashboard
from .coverage import coverage_for
from .figures_cache import cached, grants_key
from .models import Member, Role, Unit
from .rules import unit_warning_filter, warning_filter
from .scope import Scope

LARGE_AREA = 5000  # organizations


def scope_figures(scope):
    """The counts of the user's whole scope shown above the area's figures."""
    units = scope.filter(Unit.objects.all(), "unit.view")
    return {
        "org_count": scope.organizations("organization.view").active().count(),
        "member_figures": scope.filter(Member.objects.filter(active=True), "member.view").aggregate(
            total=Count("pk"),
            full=Count("pk", filter=Q(status=Member.Status.FULL)),
            probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
            mobile=Count("pk", filter=Q(mobile=True)),
        ),
        "warning_count": scope.organizations("warnings.view")
        .active()
        .with_full_member_count()
        .filter(warning_filter())
        .count()
        + units.filter(unit_warning_filter()).count(),
        "coverage": coverage_for(units),
    }


def cached_scope_figures(scope, refresh=False):
    return cached(scope, "scope", [], lambda: scope_figures(scope), refresh)


def campaign_cycles(campaign):
    """The campaign's review cycles by due date (none without a campaign)."""
    return list(ReviewCycle.objects.of_campaign(campaign).order_by("milestone__due_on")) if campaign else []


def area_figures(scope, root, campaign, cycle):
    """``(year of the mass evaluation shown or None, {subordinate path: AreaFigures}, {sector: AreaFigures})``."""
    year = dashboard.evaluation_year(scope, root, campaign) if campaign else None
    key = area_keys.subordinate_and_sector_key(root)
    return year, *dashboard.split(dashboard.grouped(scope, root, campaign, key, cycle=cycle, year=year))


def cached_area_figures(scope, root, campaign, cycle, refresh=False):
    parameters = [root.pk, campaign and campaign.pk, cycle and cycle.pk]
    return cached(scope, "area", parameters, lambda: area_figures(scope, root, campaign, cycle), refresh)


def warm():
    """Compute ahead the default dashboard of each large area, once per set of grants; returns how many."""
    from .views.organizations import scope_roots

    if settings.FIGURES_CACHE_SECONDS <= 0:
        return 0
    users = get_user_model().objects.filter(is_active=True, roles__role__in=(Role.OFFICE, Role.COMMITTEE))
    done, warmed = set(), 0
    for user in users.distinct().order_by("pk").iterator():
        scope = Scope(user)
        key = grants_key(scope)
        if key in done:
            continue
        done.add(key)
        root = scope_roots(scope).first()
        if root is None or scope.organizations().filter(path__startswith=root.path).count() < LARGE_AREA:
            continue
        campaign = campaigns_for(scope, root).first()
        cached_scope_figures(scope, refresh=True)
        cached_area_figures(scope, root, campaign, current_cycle(campaign_cycles(campaign)), refresh=True)
        warmed += 1
    return warmed
