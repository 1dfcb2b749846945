from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from commitments.forms import CampaignChoiceForm
from commitments.views.staff import campaigns_for, chosen_campaign
from evaluations.models import Grade
from evaluations.views.cycles import chosen_cycle

from .. import dashboard
from ..charts import bar_chart
from ..figures_cache import refresh_url, wants_refresh
from ..home_figures import cached_area_figures, cached_scope_figures, campaign_cycles
from ..models import Organization, Sector
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
        figures, computed_at = cached_scope_figures(scope, refresh=wants_refresh(request))
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


def area(request, root):
    """The figures of ``root``'s subtree by subordinate (a page of them) and by sector, with their charts."""
    scope = request.scope
    campaigns = campaigns_for(scope, root)
    campaign = chosen_campaign(request, campaigns)
    cycles = campaign_cycles(campaign)
    cycle = chosen_cycle(request, cycles)
    (year, groups, sectors), computed_at = cached_area_figures(
        scope, root, campaign, cycle, refresh=wants_refresh(request)
    )
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
