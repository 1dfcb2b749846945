from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DECIDED_BY_ACCEPTOR = ("commitment.accept", "commitment.assess")


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self):
        from portal.scope import register

        from .models import Comment, Commitment, Item

        register(
            Commitment,
            "organization",
            member_lookup="member",
            action_lookups=dict.fromkeys(DECIDED_BY_ACCEPTOR, "acceptor"),
        )
        register(
            Item,
            "commitment__organization",
            member_lookup="commitment__member",
            action_lookups=dict.fromkeys(DECIDED_BY_ACCEPTOR, "commitment__acceptor"),
        )
        register(Comment, "commitment__organization")  # moderated by the secretary or a superior
