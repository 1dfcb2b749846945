"""The mass evaluation's part of an organization's public board (``{% mass_board org %}``).

What the public may see and nothing else: while a round runs, where to take part (the suggestion box, the
open channel if the round has one); once a round is closed, its published results (``Result``: counts and
satisfaction rates per criterion and overall, for the organization and its members); the rectifications
with their measures, deadline and state. At most three queries, whatever the data.
"""

from django import template

from ..mass_models import Participant, Rectification, Result, Round

register = template.Library()


@register.inclusion_tag("evaluations/mass_board.html")
def mass_board(org):
    participants = list(
        Participant.objects.filter(organization=org)
        .exclude(round__state=Round.State.DRAFT)
        .select_related("round")
        .order_by("-round__closes_on", "-round__pk")
    )
    running = next(
        (p for p in participants if p.round.state == Round.State.OPEN and p.round.phase() != "scheduled"), None
    )
    published = next((p for p in participants if p.round.state == Round.State.CLOSED), None)
    context = {"running": running, "published": published, "organization": org}
    if published:
        results = list(Result.objects.filter(participant=published).select_related("question", "member"))
        context["org_results"] = [r for r in results if r.member_id is None and r.question_id is not None]
        context["org_overall"] = next((r for r in results if r.member_id is None and r.question_id is None), None)
        context["member_results"] = [r for r in results if r.member_id is not None and r.question_id is None]
    if participants:
        context["rectifications"] = list(
            Rectification.objects.filter(participant__in=participants)
            .select_related("participant__round", "member")
            .order_by("state", "deadline", "pk")
        )
    return context
