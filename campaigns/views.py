from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Campaign


@login_required
def campaign_list(request):
    campaigns = request.scope.filter(Campaign.objects.select_related("area"), "campaign.view")
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})
