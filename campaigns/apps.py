from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ISSUER_ACTIONS = ("agreement.issue", "agreement.score")  # checked on the issuing committee


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from portal.scope import register

        from .models import (
            Campaign,
            CriteriaSet,
            ImplementationPlan,
            Indicator,
            IndicatorReport,
            Meeting,
            PlanAttachment,
            TargetAgreement,
        )

        # A campaign is managed within reach of its area and seen by everyone inside the area as well.
        register(Campaign, "area", seen_from_below=True)
        register(CriteriaSet, "campaign__area", view_action="campaign.view", seen_from_below=True)
        register(ImplementationPlan, "organization", view_action="plan.view")
        register(PlanAttachment, "plan__organization", view_action="plan.view")
        register(Meeting, "organization")
        # A target agreement is seen and reported within its subordinate's reach (the issuer reaches it too:
        # the subordinate lies below it); issued and scored within the issuer's.
        register(
            TargetAgreement,
            "subordinate",
            action_lookups=dict.fromkeys(ISSUER_ACTIONS, "issuer"),
            view_action="agreement.view",
        )
        register(
            Indicator,
            "agreement__subordinate",
            action_lookups=dict.fromkeys(ISSUER_ACTIONS, "agreement__issuer"),
            view_action="agreement.view",
        )
        register(
            IndicatorReport,
            "indicator__agreement__subordinate",
            action_lookups=dict.fromkeys(ISSUER_ACTIONS, "indicator__agreement__issuer"),
            view_action="agreement.view",
        )
