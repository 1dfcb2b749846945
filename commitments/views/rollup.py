"""A committee's view of its area: filing, progress and fulfilment by subordinate and by sector.

The figures are ``rollups``' SQL aggregates: a fixed number of queries whatever the number of
subordinates, kept for a few minutes (``portal.figures_cache``). Clicking a subordinate shows the same
page one level lower.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from portal.figures_cache import cached_figures, refresh_url
from portal.models import Organization, Sector
from portal.views.organizations import scope_roots

from .. import rollups
from ..forms import CampaignChoiceForm
from ..models import Commitment
from .staff import campaigns_for, chosen_campaign

PAGE_SIZE = 100


@login_required
def rollup(request):
    """The roll-up of the user's area: of its top organization, or a choice when the user has several."""
    scope = request.scope
    scope.require_any("commitment.accept", Commitment)
    roots = list(scope_roots(scope))
    if len(roots) == 1:
        return rollup_org(request, roots[0].pk)
    return render(request, "commitments/rollup_roots.html", {"roots": roots})


@login_required
def rollup_org(request, pk):
    scope = request.scope
    # The figures are for those who take commitments in this organization: its secretary and the committees above.
    org = scope.get(Organization.objects.all(), "commitment.accept", pk=pk)
    campaigns = campaigns_for(scope, org)
    campaign = chosen_campaign(request, campaigns)
    context = {
        "org": org,
        "ancestors": [a for a in org.ancestors() if scope.allows("commitment.accept", a)],
        "campaign": campaign,
        "form": CampaignChoiceForm(initial={"campaign": campaign}, campaigns=campaigns),
    }
    if campaign:
        (groups, sectors), computed_at = cached_figures(
            request, "rollup", [org.pk, campaign.pk], lambda: rollups.by_subordinate_and_sector(scope, org, campaign)
        )
        children = scope.organizations().filter(parent=org).active().order_by("name", "pk")
        page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            figures_at=computed_at,
            figures_cache_minutes=settings.FIGURES_CACHE_SECONDS // 60,
            refresh_url=refresh_url(request),
            page=page,
            rows=[(child, groups.get(child.path, rollups.Figures())) for child in page],
            own=groups.get(org.path, rollups.Figures()),
            total=rollups.total(groups),
            sectors=[(label, sectors[value]) for value, label in Sector.choices if value in sectors],
        )
    return render(request, "commitments/rollup.html", context)
