"""The open online channel and the suggestion box: open or not, bad input, the limits per address."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluations.mass_models import Ballot, Channel, LedgerEntry, Round

from ..portal.helpers import zh
from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import answers, close_it, days, org_questions


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_channel(participant_a):
    Round.objects.filter(pk=participant_a.round_id).update(open_channel=True, open_channel_limit=2)
    participant_a.round.refresh_from_db()
    return participant_a


def open_url(participant):
    return reverse("evaluations:mass_open", args=[participant.code])


def suggest_url(participant):
    return reverse("evaluations:mass_suggest", args=[participant.code])


def test_the_open_channel_is_off_unless_the_round_has_it(client, participant_a):
    assert client.get(open_url(participant_a)).status_code == 404
    assert client.post(open_url(participant_a), answers(participant_a)).status_code == 404
    assert not Ballot.objects.exists()


def test_the_open_channel_takes_a_ballot_without_a_code(client, open_channel):
    page = client.get(open_url(open_channel))
    assert page.status_code == 200 and "领导班子好" in page.text
    assert 'name="code"' not in page.text
    response = client.post(open_url(open_channel), answers(open_channel, choice=2))
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.channel == Ballot.Via.OPEN and ballot.answers.count() == len(org_questions(open_channel))


def test_the_open_channel_refuses_bad_input(client, open_channel):
    data = answers(open_channel)
    first = next(iter(data))
    del data[first]
    response = client.post(open_url(open_channel), {**data, "comment": "好" * 1001})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["comment"] and errors[first] == [zh("Choose one answer.")]
    assert not Ballot.objects.exists()


def test_the_open_channel_is_limited_per_address_and_day(client, open_channel):
    for _n in range(2):
        assert client.post(open_url(open_channel), answers(open_channel)).status_code == 302
    response = client.post(open_url(open_channel), answers(open_channel))
    assert response.status_code == 429
    assert zh("Please wait a moment") in response.text and int(response["Retry-After"]) > 0
    assert Ballot.objects.count() == 2
    assert client.post(open_url(open_channel), answers(open_channel), REMOTE_ADDR="10.1.2.3").status_code == 302


def test_the_open_channel_outside_the_round_dates(client, open_channel):
    Round.objects.filter(pk=open_channel.round_id).update(opens_on=days(2))
    response = client.get(open_url(open_channel))
    assert response.status_code == 200
    assert response.context["message"] == zh("The evaluation has not started yet: ballots are taken from %(date)s.") % {
        "date": days(2)
    }
    assert client.post(open_url(open_channel), answers(open_channel)).status_code == 200
    assert not Ballot.objects.exists()


def test_a_suggestion_is_an_entry_of_the_ledger(client, participant_a):
    assert client.get(suggest_url(participant_a)).status_code == 200
    response = client.post(suggest_url(participant_a), {"content": "  建议在活动室增设老年阅览角。 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:mass_done") + "?kind=suggestion"
    entry = LedgerEntry.objects.get()
    assert (entry.channel, entry.from_public, entry.entered_by, entry.content) == (
        Channel.SUGGESTION,
        True,
        None,
        "建议在活动室增设老年阅览角。",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"content": ""}, "content", "Write your opinion or suggestion."),
        ({"content": "好的"}, "content", "Write a little more, so that the organization understands what you mean."),
        ({"content": "建议多开展志愿服务", "website": "x"}, "website", "Leave this field empty, then send again."),
    ],
)
def test_a_suggestion_refuses_bad_input(client, participant_a, data, field, message):
    response = client.post(suggest_url(participant_a), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [zh(message)]
    assert not LedgerEntry.objects.exists()


def test_the_suggestion_box_is_limited_per_address(client, settings, participant_a):
    settings.MASS_SUGGESTION_RATE = (1, 3600)
    assert client.post(suggest_url(participant_a), {"content": "建议多开展志愿服务"}).status_code == 302
    response = client.post(suggest_url(participant_a), {"content": "再提一条建议"})
    assert response.status_code == 429
    assert LedgerEntry.objects.count() == 1


def test_the_suggestion_box_closes_with_the_round(client, cast, participant_a):
    close_it(participant_a.round, cast.committee_a)
    response = client.post(suggest_url(participant_a), {"content": "建议多开展志愿服务"})
    assert response.status_code == 200
    assert response.context["message"] == zh(
        "The evaluation is closed and its results are published on the organization's public board."
    )
    assert not LedgerEntry.objects.filter(channel=Channel.SUGGESTION).exists()
    assert client.get(reverse("evaluations:mass_suggest", args=["nosuchbox"])).status_code == 404
