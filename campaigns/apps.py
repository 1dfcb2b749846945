from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from portal.scope import register

        from .models import Campaign, CriteriaSet, ImplementationPlan, Meeting, PlanAttachment

        # A campaign is managed within reach of its area and seen by everyone inside the area as well.
        register(Campaign, "area", seen_from_below=True)
        register(CriteriaSet, "campaign__area", view_action="campaign.view", seen_from_below=True)
        register(ImplementationPlan, "organization", view_action="plan.view")
        register(PlanAttachment, "plan__organization", view_action="plan.view")
        register(Meeting, "organization")
