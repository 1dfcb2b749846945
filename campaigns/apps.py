from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from portal.scope import register

        from .models import Campaign, ImplementationPlan, Meeting

        register(Campaign, "area")  # seen within reach of its area; members see their own area's
        register(ImplementationPlan, "organization")
        register(Meeting, "organization")
