from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from portal.scope import register

        from .models import Article, AwardRound, Nomination, NominationAttachment, Objection

        # A round is seen by the staff inside its organizer's subtree and managed within the organizer's reach.
        register(AwardRound, "organizer", view_action="award.view", seen_from_below=True)
        # A nomination is seen within its nominee's reach; its holder (the level it has reached) moves it on.
        register(
            Nomination,
            "organization",
            action_lookups={
                "nomination.handle": "holder",
                "award.manage": "round__organizer",
                "article.change": "round__organizer",
            },
            view_action="nomination.view",
        )
        register(NominationAttachment, "nomination__organization", view_action="nomination.view")
        register(Objection, "round__organizer", view_action="objection.view")
        register(
            Article,
            "nomination__organization",
            action_lookups={"article.change": "nomination__round__organizer"},
            view_action="nomination.view",
        )
