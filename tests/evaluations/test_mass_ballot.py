"""The public ballot with a one-time code, through HTTP: the code page, the questionnaire, casting, every
kind of unusable code, bad input, the rate limit."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluations import mass_codes
from evaluations.mass_models import Answer, Ballot, BallotCode, Round

from ..portal.helpers import zh
from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import answers, codes_for, days, member_questions, org_questions, past, vote

BALLOT = reverse("evaluations:mass_ballot")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def problem(response):
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_the_code_page_reads_the_code_from_the_fragment_by_script(client, db):
    response = client.get(BALLOT)
    assert response.status_code == 200
    assert "evaluations/mass_ballot.js" in response.text
    assert response["Cache-Control"].startswith("max-age=0")
    assert 'id="code-form"' in response.text


def test_a_valid_code_opens_the_questionnaire_of_its_organization(client, participant_a):
    code = codes_for(participant_a)[0]
    response = client.post(BALLOT, {"code": mass_codes.grouped(code).lower()})
    assert response.status_code == 200
    assert response.context["participant"] == participant_a
    assert "领导班子好" in response.text
    assert f'value="{code}"' in response.text  # posted back with the ballot, never in a URL
    assert "赵一" in response.text  # the members, to answer about optionally
    assert not BallotCode.objects.filter(used=True).exists()


def test_a_ballot_is_stored_once_and_the_code_is_used_up(client, participant_a):
    code = codes_for(participant_a)[0]
    response = vote(client, code, participant_a, choice=1, comment="希望多组织志愿服务")
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:mass_done") + "?kind=ballot"
    assert code not in response["Location"]
    ballot = Ballot.objects.get()
    assert ballot.participant == participant_a and ballot.channel == Ballot.Via.CODE
    assert ballot.comment == "希望多组织志愿服务"
    assert Answer.objects.filter(ballot=ballot, member=None).count() == len(org_questions(participant_a))
    assert BallotCode.objects.get().used

    again = vote(client, code, participant_a)
    assert again.status_code == 200
    assert problem(again) == zh(
        "This code has already been used: each code gives one ballot. Thank you for taking part."
    )
    assert Ballot.objects.count() == 1


def test_members_are_optional_and_stored_per_member(client, cast, participant_a):
    member = cast.member_a
    code = codes_for(participant_a)[0]
    assert vote(client, code, participant_a, member_choices={member: 2}).status_code == 302
    about_member = Answer.objects.filter(member=member)
    assert about_member.count() == len(member_questions(participant_a))
    assert {a.option.label for a in about_member} == {"不满意"}


def test_the_used_code_is_refused_already_on_the_code_page(client, participant_a):
    code = codes_for(participant_a)[0]
    vote(client, code, participant_a)
    response = client.post(BALLOT, {"code": code})
    assert response.status_code == 200
    assert response.context["problem"] == "used"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code printed on your ballot slip."),
        ("ABCD-1234", "This is not a ballot code: a code has %(n)d letters and digits, in groups of four."),
    ],
)
def test_malformed_codes_are_explained(client, db, typed, message):
    response = client.post(BALLOT, {"code": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        zh(message, n=mass_codes.LENGTH) if "%" in message else zh(message)
    ]


def test_a_typing_mistake_is_told_apart_from_an_unknown_code(client, participant_a):
    code = codes_for(participant_a)[0]
    wrong = code[:5] + ("X" if code[5] != "X" else "Y") + code[6:]
    typo = client.post(BALLOT, {"code": wrong})
    if mass_codes.well_formed(wrong):  # 1 in 1024: the check characters fit by chance
        assert typo.context["problem"] == "unknown"
    else:
        assert typo.context["form"].errors["code"] == [
            zh("The code has a typing mistake: compare it with your slip, character by character.")
        ]
    unknown = client.post(BALLOT, {"code": mass_codes.new_code()})
    assert unknown.status_code == 200
    assert unknown.context["problem"] == "unknown"


def test_a_round_not_open_yet_says_when_it_opens(client, participant_a):
    Round.objects.filter(pk=participant_a.round_id).update(opens_on=days(3))
    code = codes_for(participant_a)[0]
    for response in (client.post(BALLOT, {"code": code}), vote(client, code, participant_a)):
        assert response.status_code == 200
        assert response.context["problem"] == "scheduled"
        assert problem(response) == zh("The evaluation has not started yet: ballots are taken from %(date)s.") % {
            "date": days(3)
        }
    assert not Ballot.objects.exists()
    assert not BallotCode.objects.filter(used=True).exists()


def test_a_round_past_its_dates_takes_no_ballot(client, participant_a):
    code = codes_for(participant_a)[0]
    past(participant_a.round)
    response = vote(client, code, participant_a)
    assert response.context["problem"] == "ended"
    assert not Ballot.objects.exists()


def test_a_closed_round_takes_no_ballot(client, cast, participant_a):
    from .mass_fixtures import close_it

    code = codes_for(participant_a)[0]
    close_it(participant_a.round, cast.committee_a)
    response = vote(client, code, participant_a)
    assert response.context["problem"] == "closed"
    assert not Ballot.objects.exists()


def test_unanswered_questions_are_marked_and_the_code_stays_valid(client, participant_a):
    code = codes_for(participant_a)[0]
    data = {"code": code, **answers(participant_a)}
    first = f"q{org_questions(participant_a)[0].pk}"
    del data[first]
    response = client.post(reverse("evaluations:mass_ballot_submit"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[first] == [zh("Choose one answer.")]
    assert zh("Some answers need your attention: they are marked below.") in form.non_field_errors()
    assert not Ballot.objects.exists()
    assert not BallotCode.objects.filter(used=True).exists()
    assert f'value="{code}"' in response.text  # the voter corrects and sends again
    assert "赵一" in response.text  # with every member, though none was answered about


def test_a_forged_answer_is_refused(client, cast, participant_a, participant_a2):
    code = codes_for(participant_a)[0]
    data = {"code": code, **answers(participant_a)}
    first = f"q{org_questions(participant_a)[0].pk}"
    data[first] = "999999"
    response = client.post(reverse("evaluations:mass_ballot_submit"), data)
    assert response.context["form"].errors[first] == [zh("Choose one of the answers offered.")]
    # Answers about someone who is not a member of the organization are not even read.
    data = {
        "code": code,
        **answers(participant_a),
        **{f"m{cast.member_b.pk}-q{q.pk}": "1" for q in member_questions(participant_a)},
    }
    assert client.post(reverse("evaluations:mass_ballot_submit"), data).status_code == 302
    assert not Answer.objects.filter(member=cast.member_b).exists()


def test_a_long_comment_and_the_honeypot_are_refused(client, participant_a):
    code = codes_for(participant_a)[0]
    response = vote(client, code, participant_a, comment="好" * 1001)
    assert response.context["form"].errors["comment"] == [
        zh("Keep it to %(limit_value)d characters (it has %(show_value)d).") % {"limit_value": 1000, "show_value": 1001}
    ]
    response = vote(client, code, participant_a, website="http://spam.example")
    assert response.context["form"].errors["website"] == [zh("Leave this field empty, then send again.")]
    assert not Ballot.objects.exists()


def test_the_ballot_pages_are_rate_limited_per_address(client, settings, participant_a):
    settings.MASS_BALLOT_RATE = (2, 600)
    code = codes_for(participant_a)[0]
    assert client.post(BALLOT, {"code": code}).status_code == 200
    assert client.post(BALLOT, {"code": code}).status_code == 200
    response = vote(client, code, participant_a)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert zh("Please wait a moment") in response.text
    assert not Ballot.objects.exists()
    other = client.post(BALLOT, {"code": code}, REMOTE_ADDR="10.0.0.9")  # another address has its own count
    assert other.status_code == 200


def test_nothing_about_the_voter_is_kept(client, participant_a):
    from django.contrib.sessions.models import Session

    from portal.models import AuditEntry

    code = codes_for(participant_a)[0]
    audit_before = AuditEntry.objects.count()
    client.post(BALLOT, {"code": code})
    vote(client, code, participant_a)
    assert AuditEntry.objects.count() == audit_before
    assert not Session.objects.exists()
    assert "sessionid" not in client.cookies
