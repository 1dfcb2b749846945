"""The demo's mass evaluation in 松陵镇: a closed round with published results and a rectification, an open
one with codes, ballots, paper ballots and ledger entries; deterministic and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns import defaults
from campaigns.models import Campaign
from commitments.models import Board
from evaluations import mass_demo
from evaluations.mass_models import (
    Answer,
    Ballot,
    Channel,
    LedgerEntry,
    PaperBatch,
    PaperCount,
    Rectification,
    Result,
    Round,
)
from portal.demo import CITY_CODE


def build():
    call_command("seed_demo", orgs=60, members=600, force=True, stdout=StringIO())
    campaign = Campaign.objects.get(name=defaults.DEMO_NAME, area__code=CITY_CODE)
    mass_demo.seed(campaign)  # nothing when seed_demo has done it already
    return campaign


def state():
    """What the demo writes, without the random keys and code hashes."""
    return {
        "rounds": list(Round.objects.order_by("opens_on").values_list("title", "state", "opens_on", "closes_on")),
        "ballots": sorted(Ballot.objects.values_list("participant__organization__code", "channel", "comment")),
        "results": sorted(
            Result.objects.values_list(
                "participant__organization__code", "member__name", "question__text", "valid", "satisfied"
            ),
            key=str,
        ),
        "ledger": sorted(
            LedgerEntry.objects.values_list("participant__organization__code", "channel", "received_on", "content")
        ),
        "rectifications": list(Rectification.objects.values_list("problem", "deadline", "state", "measures")),
    }


@pytest.fixture
def demo(db):
    return build()


def test_the_demo_has_a_closed_round_and_an_open_one(demo, client):
    earlier, current = Round.objects.filter(campaign=demo).order_by("opens_on")
    assert earlier.state == Round.State.CLOSED and earlier.title == "松陵镇党委上半年群众评议"
    assert current.state == Round.State.OPEN and current.accepts_ballots() and current.open_channel
    rectification = Rectification.objects.get()
    assert rectification.participant.organization.code == mass_demo.DEMO_BRANCH
    assert rectification.state == Rectification.State.OPEN and rectification.measures
    assert not rectification.is_overdue()
    voted = Result.objects.filter(participant__round=earlier, question=None, member=None, valid__gt=0).count()
    assert voted == min(mass_demo.SHOWN, earlier.participants.count())
    assert Ballot.objects.filter(participant__round=current).count() == 12
    assert PaperBatch.objects.filter(participant__round=current).exists()
    channels = set(LedgerEntry.objects.filter(participant__round=current).values_list("channel", flat=True))
    assert {Channel.HOTLINE, Channel.SYMPOSIUM, Channel.SUPERVISOR, Channel.SUGGESTION, Channel.PAPER} <= channels

    board = Board.for_organization(rectification.participant.organization)
    page = client.get(reverse("commitments:board", args=[board.code]))
    assert 'id="mass-results"' in page.text and rectification.problem in page.text
    assert (
        reverse(
            "evaluations:mass_suggest", args=[current.participants.get(organization__code=mass_demo.DEMO_BRANCH).code]
        )
        in page.text
    )


def test_the_demo_accounts_see_it(demo, client):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for username in ("committee", "office"):
        client.force_login(users.get(username=username))
        rounds = client.get(reverse("evaluations:mass_rounds")).context["page"]
        assert {r.title for r in rounds} >= {"松陵镇党委上半年群众评议", "松陵镇党委年度群众评议"}
        assert client.get(reverse("evaluations:mass_rectifications")).context["page"].paginator.count == 1
    client.force_login(users.get(username="secretary"))
    item = Rectification.objects.get()
    assert client.get(reverse("evaluations:mass_rectification", args=[item.pk])).context["may_report"]


def test_the_demo_is_deterministic_and_idempotent(demo):
    first = state()
    assert mass_demo.seed(demo) is None
    assert state() == first
    for model in (Answer, PaperCount, Result, Rectification, Round):
        model.objects.all().delete()
    mass_demo.seed(demo)
    assert state() == first
