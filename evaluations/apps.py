from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        from portal.scope import register

        from .models import MemberReview, OrganizationReview, Reopening, ReviewCycle, SelfReview

        register(ReviewCycle, "milestone__campaign__area", view_action="campaign.view", seen_from_below=True)
        # Seen within the reviewed organization's reach; scored within its reviewer's (the superior).
        register(
            OrganizationReview, "organization", action_lookups={"review.score": "reviewer"}, view_action="review.view"
        )
        register(MemberReview, "organization", member_lookup="member", view_action="member_review.view")
        register(SelfReview, "organization", view_action="self_review.view")
        register(Reopening, "organization", view_action="review.view")
