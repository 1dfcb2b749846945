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
        self._ready_mass_evaluation(register)

    @staticmethod
    def _ready_mass_evaluation(register):
        """Mass evaluation (mass_models): scope, exporters, reminder sources."""
        from . import mass_exporters, mass_reminders  # noqa: F401  (they register themselves)
        from . import mass_models as m

        superior = "organization__parent"  # an evaluated organization's superior decides these
        register(m.Round, "organization", view_action="evaluation.view", seen_from_below=True)
        register(
            m.Participant,
            "organization",
            view_action="evaluation.view",
            action_lookups=dict.fromkeys(("evaluation.codes", "evaluation.enter", "rectification.open"), superior),
        )
        register(
            m.CodeBatch,
            "participant__organization",
            view_action="evaluation.view",
            action_lookups={"evaluation.codes": f"participant__{superior}"},
        )
        register(m.LedgerEntry, "participant__organization", view_action="evaluation.view")
        register(
            m.Rectification,
            "participant__organization",
            view_action="rectification.view",
            action_lookups={"rectification.accept": f"participant__{superior}"},
        )
