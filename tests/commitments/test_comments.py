"""The public's comments and supervision reports: accepted with a reference number, refused when abusive."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from commitments.forms_board import PublicCommentForm
from commitments.models import Board, Comment

from ..portal.helpers import zh
from .board_data import HIDDEN_STATES, add_comment, comment_data, form_token, make_campaign, make_commitment


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def board(cast):
    return Board.for_organization(cast.branch_a)


@pytest.fixture
def published(cast, board):
    return make_commitment(make_campaign(cast.city), cast.branch_a, "published", cast.committee_a)


def url(board, commitment):
    return reverse("commitments:board_commitment", args=[board.code, commitment.pk])


def test_a_comment_is_stored_pending_and_the_commenter_gets_a_reference(client, board, published):
    response = client.post(url(board, published), comment_data(kind="report", contact="13800001234"))
    comment = Comment.objects.get()
    assert (comment.status, comment.kind, comment.contact) == ("pending", "report", "13800001234")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('commitments:comment_lookup')}?ref={comment.reference}&new=1"
    page = client.get(response["Location"]).text
    assert comment.reference in page and zh(Comment.Status.PENDING.label) in page
    assert "希望尽快完成道路硬化" not in client.get(reverse("commitments:board", args=[board.code])).text


def test_name_and_contact_are_optional(client, board, published):
    client.post(url(board, published), comment_data(name="", contact=""))
    assert str(Comment.objects.get().public_name) == zh("A member of the public")


def test_an_email_is_a_valid_contact_and_anything_else_is_refused(client, board, published):
    response = client.post(url(board, published), comment_data(contact="随便写写"))
    assert zh("Enter a phone number or an e-mail address, or leave it empty.") in response.text
    assert not Comment.objects.exists()
    client.post(url(board, published), comment_data(contact="wang@example.com"))
    assert Comment.objects.get().contact == "wang@example.com"


def test_past_the_rate_limit_the_answer_is_429_and_nothing_is_stored(client, board, published):
    for _n in range(5):
        assert client.post(url(board, published), comment_data()).status_code == 302
    response = client.post(url(board, published), comment_data(body="第六条评论"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.templates[0].name == "commitments/comment_ratelimited.html"
    assert zh("Please wait a moment") in response.text
    assert "第六条评论" in response.text  # given back, to copy
    assert Comment.objects.count() == 5
    # another address is not held back by this one
    other = client.post(url(board, published), comment_data(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    assert Comment.objects.count() == 6


def test_the_rate_limit_counts_refused_tries_too(client, board, published):
    for _n in range(5):
        client.post(url(board, published), comment_data(body=""))
    assert client.post(url(board, published), comment_data()).status_code == 429
    assert not Comment.objects.exists()


def test_the_rate_limit_window_passes(client, board, published):
    for _n in range(5):
        client.post(url(board, published), comment_data())
    with time_machine.travel(time.time() + 601, tick=False):
        data = comment_data()
        assert client.post(url(board, published), data).status_code == 302
    assert Comment.objects.count() == 6


def test_a_filled_honeypot_is_refused(client, board, published):
    response = client.post(url(board, published), comment_data(website="http://spam.example"))
    assert response.status_code == 200
    message = "Your comment was not accepted: the field “%(label)s” was filled in. Empty it and send again."
    assert zh(message, label=zh("Leave this field empty")) in response.text
    assert not Comment.objects.exists()


def test_a_form_sent_too_fast_is_refused(client, board, published):
    response = client.post(url(board, published), comment_data(started=form_token(seconds_ago=1)))
    assert zh("That was quicker than anyone can write. Wait a few seconds, then send it again.") in response.text
    assert not Comment.objects.exists()


def test_a_form_without_a_valid_timestamp_is_refused_and_given_a_new_one(client, board, published):
    response = client.post(url(board, published), comment_data(started="forged"))
    assert zh("The form could not be checked. Send it again.") in response.text
    assert not Comment.objects.exists()
    fresh = response.context["form"]["started"].value()
    assert fresh != "forged"
    with time_machine.travel(time.time() + 10, tick=False):
        assert client.post(url(board, published), comment_data(started=fresh)).status_code == 302


def test_a_stale_form_is_refused_with_the_text_kept(client, board, published):
    stale = form_token(seconds_ago=PublicCommentForm.MAX_AGE + 60)
    response = client.post(url(board, published), comment_data(started=stale, body="写了很久的意见"))
    assert zh("The form was open for a long time. Check your text and send it again.") in response.text
    assert "写了很久的意见" in response.text
    assert not Comment.objects.exists()


def test_a_body_too_long_is_a_form_error(client, board, published):
    response = client.post(url(board, published), comment_data(body="长" * 1001))
    message = "Keep it to %(limit_value)d characters (it has %(show_value)d)."
    assert zh(message, limit_value=1000, show_value=1001) in response.text
    assert not Comment.objects.exists()
    assert client.post(url(board, published), comment_data(body="长" * 1000)).status_code == 302


def test_an_empty_body_is_a_form_error(client, board, published):
    response = client.post(url(board, published), comment_data(body="  "))
    assert zh("Write your comment.") in response.text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_no_comment_on_an_unpublished_commitment(client, cast, board, state):
    commitment = make_commitment(make_campaign(cast.city), cast.branch_a, state, cast.committee_a)
    assert client.post(url(board, commitment), comment_data()).status_code == 404
    assert not Comment.objects.exists()


def test_no_comment_through_another_organizations_board(client, cast, published):
    other_board = Board.for_organization(cast.branch_a2)
    assert client.post(url(other_board, published), comment_data()).status_code == 404
    assert not Comment.objects.exists()


def test_the_model_refuses_a_comment_on_an_unpublished_commitment(cast):
    from commitments.models import TransitionError

    commitment = make_commitment(make_campaign(cast.city), cast.branch_a, "accepted", cast.committee_a)
    with pytest.raises(TransitionError):
        commitment.add_public_comment(body="不应收到")
    assert not Comment.objects.exists()


# --- looking up a reply by reference ----------------------------------------------------------


def lookup(client, reference, **extra):
    return client.get(reverse("commitments:comment_lookup"), {"ref": reference}, **extra)


def test_the_lookup_shows_status_and_reply_and_nothing_else(client, published):
    comment = add_comment(published, status=Comment.Status.REJECTED, body="我的意见原文", reply="已电话回复您")
    response = lookup(client, comment.reference.lower())  # case does not matter
    text = response.text
    assert comment.reference in text and zh(Comment.Status.REJECTED.label) in text and "已电话回复您" in text
    assert "我的意见原文" not in text and "13900001111" not in text and "张小明" not in text
    assert published.title not in text


def test_an_unknown_reference_says_so(client, db):
    response = lookup(client, "NOSUCHREF")
    assert response.status_code == 200
    message = (
        "No comment has the reference number “%(reference)s”. Check the number (10 letters and digits) and try again."
    )
    assert zh(message, reference="NOSUCHREF") in response.text


def test_the_lookup_is_rate_limited(client, published):
    comment = add_comment(published)
    for _n in range(30):
        lookup(client, "GUESS")
    response = lookup(client, comment.reference)
    assert response.status_code == 429
    assert zh(Comment.Status.PENDING.label) not in response.text  # the status is not revealed


def test_the_lookup_page_without_a_reference_is_a_form(client, db):
    response = client.get(reverse("commitments:comment_lookup"))
    assert response.status_code == 200
    assert 'name="ref"' in response.text
