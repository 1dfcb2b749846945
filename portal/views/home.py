from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from commitments.forms import CampaignChoiceForm
from commitments.views.staff import campaigns_for, chosen_campaign
from evaluations.models import Grade, ReviewCycle
from evaluations.views.cycles import chosen_cycle

from .. import area_keys, dashboard
from ..charts import bar_chart
from ..coverage import coverage_for
from ..figures_cache import cached_figures, refresh_url
from ..models import Member, Organization, Sector, Unit
from ..rules import unit_warning_filter, warning_filter
from .organizations import scope_roots

SUBORDINATES_PER_PAGE = 30


@login_required
def home(request):
    """The dashboard of the user's scope: a fixed number of aggregate queries whatever its size, kept for a
    few minutes (``portal.figures_cache``)."""
    scope = request.scope
    roots = list(scope_roots(scope))
    context = {"roots": roots, "member": scope.member}
    if scope.can("warnings.view"):
        figures, computed_at = cached_figures(request, "scope", [], lambda: scope_figures(scope))
        context.update(
            figures,
            figures_at=computed_at,
            figures_cache_minutes=settings.FIGURES_CACHE_SECONDS // 60,
            refresh_url=refresh_url(request),
        )
        if "org" in request.GET:
            context.update(area(request, scope.get(Organization.objects.all(), "warnings.view", pk=request.GET["org"])))
        elif roots:
            context.update(area(request, roots[0]))
    return render(request, "portal/home.html", context)


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


def area(request, root):
    """The figures of ``root``'s subtree by subordinate (a page of them) and by sector, with their charts."""
    scope = request.scope
    campaigns = campaigns_for(scope, root)
    campaign = chosen_campaign(request, campaigns)
    cycles = list(ReviewCycle.objects.of_campaign(campaign).order_by("milestone__due_on")) if campaign else []
    cycle = chosen_cycle(request, cycles)

    def figures():
        year = dashboard.evaluation_year(scope, root, campaign) if campaign else None
        key = area_keys.subordinate_and_sector_key(root)
        return year, *dashboard.split(dashboard.grouped(scope, root, campaign, key, cycle=cycle, year=year))

    parameters = [root.pk, campaign and campaign.pk, cycle and cycle.pk]
    (year, groups, sectors), computed_at = cached_figures(request, "area", parameters, figures)
    children = scope.organizations().filter(parent=root).active().order_by("name", "pk")
    page = Paginator(children, SUBORDINATES_PER_PAGE).get_page(request.GET.get("page"))
    rows = dashboard.subordinate_rows(root, page, groups)
    sector_rows = dashboard.sector_rows(sectors, Sector.choices)
    total = dashboard.total(groups)
    commitment_series = [_("Filed"), _("Progress"), _("Fulfilled")]
    coverage_series = [_("Organization coverage"), _("Work coverage")]

    def commitment_values(row):
        c = row.figures.commitments
        return (c.filed_rate, c.progress, c.fulfilled_rate)

    def coverage_values(row):
        return (row.figures.coverage.organization_rate, row.figures.coverage.work_rate)

    def satisfaction_rate(row):
        rate = row.figures.satisfaction.rate
        return None if rate is None else float(rate)

    charts = {
        "coverage": bar_chart(
            _("Coverage by subordinate organization"),
            coverage_series,
            [(r.label, coverage_values(r)) for r in rows],
        ),
    }
    if campaign:
        charts["subordinates"] = bar_chart(
            _("Commitments by subordinate organization"),
            commitment_series,
            [(r.label, commitment_values(r)) for r in rows],
        )
        charts["sectors"] = bar_chart(
            _("Commitments by sector"), commitment_series, [(r.label, commitment_values(r)) for r in sector_rows]
        )
    if cycle:
        charts["grades"] = bar_chart(
            _("Review grades of the area"),
            [_("Share of the organizations scored")],
            [(str(share.label), [share.percent]) for share in total.reviews.shares],
        )
    if year:
        charts["satisfaction"] = bar_chart(
            _("Satisfaction by subordinate organization"),
            [_("Satisfaction rate")],
            [(r.label, [satisfaction_rate(r)]) for r in rows],
        )
    return {
        "area_root": root,
        "campaign": campaign,
        "campaign_form": CampaignChoiceForm(initial={"campaign": campaign}, campaigns=campaigns) if campaign else None,
        "area_total": total,
        "area_rows": rows,
        "sector_rows": sector_rows,
        "page": page,
        "charts": charts,
        "cycles": cycles,
        "cycle": cycle,
        "grades": Grade.choices,
        "evaluation_year": year,
        "area_figures_at": computed_at,
    }
