"""Moderating the public's comments: the organization's secretary or a superior, within their scope."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from commitments.models import Board, Comment, TransitionError
from portal.models import AuditEntry

from ..factories import MemberFactory
from ..portal.helpers import zh
from .board_data import add_comment, make_campaign, make_commitment


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def comments(cast):
    """One pending comment on a published commitment of branch_a, of a member of branch_a, and of branch_b."""
    campaign = make_campaign(cast.city)
    cast.comment_a = add_comment(
        make_commitment(campaign, cast.branch_a, "published", cast.committee_a), body="甲村的意见"
    )
    cast.comment_member_a = add_comment(
        make_commitment(campaign, cast.branch_a, "published", cast.secretary_a, member=cast.member_a),
        body="对张三的意见",
    )
    cast.comment_b = add_comment(make_commitment(campaign, cast.branch_b, "published", cast.office), body="乙村的意见")
    return cast


def queue_url():
    return reverse("commitments:moderation_queue")


def moderate_url(comment):
    return reverse("commitments:comment_moderate", args=[comment.pk])


def test_the_queue_holds_the_pending_comments_of_the_users_scope_with_contact(client, comments):
    client.force_login(comments.secretary_a)
    text = client.get(queue_url()).text
    assert "甲村的意见" in text and "对张三的意见" in text and "乙村的意见" not in text
    assert "13900001111" in text and "张小明" in text  # moderators see who wrote, to answer them

    client.force_login(comments.committee_a)
    text = client.get(queue_url()).text
    assert "甲村的意见" in text and "乙村的意见" not in text

    client.force_login(comments.office)
    text = client.get(queue_url()).text
    assert "甲村的意见" in text and "乙村的意见" in text


def test_moderated_comments_leave_the_queue(client, comments):
    comments.comment_a.moderate(comments.secretary_a, approve=True)
    client.force_login(comments.secretary_a)
    assert "甲村的意见" not in client.get(queue_url()).text


def test_outsiders_cannot_moderate(client, comments):
    client.force_login(comments.member_user)
    assert client.get(queue_url()).status_code == 403
    assert client.get(moderate_url(comments.comment_member_a)).status_code == 404
    assert client.post(moderate_url(comments.comment_a), {"decision": "approve"}).status_code == 404
    client.logout()
    response = client.post(moderate_url(comments.comment_a), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 3


def test_the_secretary_of_another_branch_gets_404(client, comments):
    client.force_login(comments.secretary_b)
    assert client.get(moderate_url(comments.comment_a)).status_code == 404
    assert client.post(moderate_url(comments.comment_a), {"decision": "approve"}).status_code == 404
    comments.comment_a.refresh_from_db()
    assert comments.comment_a.status == Comment.Status.PENDING
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=comments.secretary_b).exists()


def test_a_committee_moderates_inside_its_subtree_only(client, comments):
    client.force_login(comments.committee_a)
    assert client.get(moderate_url(comments.comment_b)).status_code == 404
    response = client.post(moderate_url(comments.comment_a), {"decision": "approve", "reply": "谢谢"})
    assert response.status_code == 302
    comments.comment_a.refresh_from_db()
    assert (comments.comment_a.status, comments.comment_a.reply) == ("approved", "谢谢")


def test_approving_shows_the_comment_with_its_reply(client, comments):
    client.force_login(comments.secretary_a)
    response = client.post(moderate_url(comments.comment_a), {"decision": "approve", "reply": "已安排落实"})
    assert response["Location"] == queue_url()
    comment = Comment.objects.get(pk=comments.comment_a.pk)
    assert comment.status == "approved" and comment.moderated_by == comments.secretary_a
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.UPDATE, object_id=str(comment.pk)).exists()
    client.logout()
    board = client.get(reverse("commitments:board", args=[Board.for_organization(comments.branch_a).code])).text
    assert "甲村的意见" in board and "已安排落实" in board and "13900001111" not in board


def test_rejecting_asks_for_confirmation_first(client, comments):
    client.force_login(comments.secretary_a)
    response = client.post(moderate_url(comments.comment_a), {"decision": "reject", "reply": "内容与承诺无关"})
    assert response.status_code == 200
    assert zh("Yes, reject it") in response.text and 'name="confirm" value="1"' in response.text
    assert Comment.objects.get(pk=comments.comment_a.pk).status == "pending"

    response = client.post(
        moderate_url(comments.comment_a), {"decision": "reject", "reply": "内容与承诺无关", "confirm": "1"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(pk=comments.comment_a.pk)
    assert (comment.status, comment.reply) == ("rejected", "内容与承诺无关")
    lookup = client.get(reverse("commitments:comment_lookup"), {"ref": comment.reference}).text
    assert zh(Comment.Status.REJECTED.label) in lookup and "内容与承诺无关" in lookup


def test_a_comment_is_moderated_once(client, comments):
    comments.comment_a.moderate(comments.committee_a, approve=False, reply="先到先得")
    client.force_login(comments.secretary_a)
    page = client.get(moderate_url(comments.comment_a)).text
    assert zh(Comment.Status.REJECTED.label) in page and 'value="approve"' not in page
    response = client.post(moderate_url(comments.comment_a), {"decision": "approve"}, follow=True)
    assert zh("This comment has already been moderated by someone else.") in response.text
    comment = Comment.objects.get(pk=comments.comment_a.pk)
    assert (comment.status, comment.reply, comment.moderated_by) == ("rejected", "先到先得", comments.committee_a)


def test_two_moderators_at_once_cannot_both_win(comments):
    first = Comment.objects.get(pk=comments.comment_a.pk)
    second = Comment.objects.get(pk=comments.comment_a.pk)
    first.moderate(comments.secretary_a, approve=True)
    with pytest.raises(TransitionError):
        second.moderate(comments.committee_a, approve=False)
    assert Comment.objects.get(pk=comments.comment_a.pk).status == "approved"


def test_a_reply_too_long_is_refused(client, comments):
    client.force_login(comments.secretary_a)
    response = client.post(moderate_url(comments.comment_a), {"decision": "approve", "reply": "长" * 1001})
    assert response.status_code == 200
    message = "Keep the reply to %(limit_value)d characters (it has %(show_value)d)."
    assert zh(message, limit_value=1000, show_value=1001) in response.text
    assert Comment.objects.get(pk=comments.comment_a.pk).status == "pending"


def test_an_unknown_decision_is_refused(client, comments):
    client.force_login(comments.secretary_a)
    response = client.post(moderate_url(comments.comment_a), {"decision": "delete"})
    assert response.status_code == 200
    assert response.context["form"].errors["decision"]
    assert Comment.objects.get(pk=comments.comment_a.pk).status == "pending"


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_keeps_a_fixed_number_of_queries(client, cast, django_assert_num_queries, size):
    campaign = make_campaign(cast.city)
    for _n in range(size):
        member = MemberFactory(organization=cast.branch_a)
        add_comment(make_commitment(campaign, cast.branch_a, "published", cast.secretary_a, member=member, items=1))
    client.force_login(cast.committee_a)
    # session, user, roles, member record, count, page; the session saved (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get(queue_url())
    assert response.text.count('name="decision" value="approve"') == size
