"""The public board: only published content, never contact data or unmoderated comments; fixed queries."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from commitments.models import Board, Comment, Item

from ..factories import MemberFactory
from ..portal.helpers import zh
from .board_data import HIDDEN_STATES, PNG, add_comment, add_update, make_campaign, make_commitment


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.city)


@pytest.fixture
def board(cast):
    return Board.for_organization(cast.branch_a)


def board_url(board):
    return reverse("commitments:board", args=[board.code])


def test_an_unknown_board_code_is_404(client, db):
    assert client.get(reverse("commitments:board", args=["nosuchcode"])).status_code == 404


def test_the_board_code_is_opaque_and_made_once(cast):
    board = Board.for_organization(cast.branch_a)
    assert Board.for_organization(cast.branch_a) == board
    assert str(cast.branch_a.pk) != board.code and len(board.code) >= 8


def test_an_empty_board_says_so(client, board):
    response = client.get(board_url(board))
    assert response.status_code == 200
    assert "甲村党支部" in response.text
    assert zh("Nothing published yet.") in response.text


def test_published_commitments_show_with_items_progress_fulfilment_and_evidence(client, cast, campaign, board):
    published = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    member_commitment = make_commitment(campaign, cast.branch_a, "published", cast.secretary_a, member=cast.member_a)
    update, photo = add_update(published, cast.secretary_a, text="已硬化道路两公里", progress=60)
    item = published.items.last()
    item.fulfilment = "fulfilled"
    item.save()

    response = client.get(board_url(board))
    text = response.text
    assert published.title in text and member_commitment.title in text
    assert "张三" in text  # the member's name on their own public commitment
    for each in published.items.all():
        assert each.content in text and each.target in text
    assert "已硬化道路两公里" in text
    evidence_url = reverse("commitments:board_evidence", args=[board.code, photo.pk])
    assert evidence_url in text
    assert '<progress class="board-progress" value="60"' in text  # the item's bar, no inline style
    assert 'value="30.0"' in text  # the commitment's bar: mean of 60 and 0
    assert zh(Item.Fulfilment.FULFILLED.label) in text
    assert "style=" not in text
    # the organization's own commitment first, then its members'
    assert text.index(published.title) < text.index(member_commitment.title)

    photo_response = client.get(evidence_url)
    assert photo_response.status_code == 200
    assert photo_response["Content-Type"] == "image/png"
    assert "attachment" not in photo_response.get("Content-Disposition", "")
    assert b"".join(photo_response.streaming_content) == PNG
    photo_response.close()


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_an_unpublished_commitment_leaks_nothing(client, cast, campaign, board, state):
    hidden = make_commitment(campaign, cast.branch_a, state, cast.committee_a, title=f"秘密{state}承诺")
    _update, photo = add_update(hidden, cast.secretary_a, text=f"秘密{state}进展")
    add_comment(hidden, status=Comment.Status.APPROVED, body=f"秘密{state}评论")
    make_commitment(campaign, cast.branch_a, "published", cast.secretary_a, member=cast.member_a, title="公开的承诺")

    response = client.get(board_url(board))
    text = response.text
    assert "公开的承诺" in text
    assert hidden.title not in text
    assert not any(item.content in text for item in hidden.items.all())
    assert f"秘密{state}进展" not in text and f"秘密{state}评论" not in text
    evidence_url = reverse("commitments:board_evidence", args=[board.code, photo.pk])
    assert evidence_url not in text and photo.file.name not in text
    assert client.get(evidence_url).status_code == 404
    assert client.get(reverse("commitments:board_commitment", args=[board.code, hidden.pk])).status_code == 404
    assert response.context["page"].paginator.count == 1  # the summary counts the published one only
    assert response.context["summary"]["item_count"] == 2


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_an_unpublished_member_commitment_leaks_nothing(client, cast, campaign, board, state):
    hidden = make_commitment(
        campaign, cast.branch_a, state, cast.secretary_a, member=cast.member_a, title=f"党员秘密{state}承诺"
    )
    text = client.get(board_url(board)).text
    assert hidden.title not in text and "张三" not in text
    assert not any(item.content in text for item in hidden.items.all())


def test_another_organizations_commitments_stay_on_their_own_board(client, cast, campaign, board):
    other = make_commitment(campaign, cast.branch_a2, "published", cast.committee_a, title="甲二村的承诺")
    _update, photo = add_update(other, cast.secretary_a)
    assert other.title not in client.get(board_url(board)).text
    assert client.get(reverse("commitments:board_commitment", args=[board.code, other.pk])).status_code == 404
    assert client.get(reverse("commitments:board_evidence", args=[board.code, photo.pk])).status_code == 404
    other_board = Board.for_organization(cast.branch_a2)
    assert other.title in client.get(board_url(other_board)).text


def test_only_approved_comments_show_never_the_contact(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    add_comment(commitment, status=Comment.Status.APPROVED, body="路修得好", name="李大明", reply="感谢监督")
    add_comment(commitment, status=Comment.Status.PENDING, body="待审的评论")
    add_comment(commitment, status=Comment.Status.REJECTED, body="不予显示的评论")

    for url in (board_url(board), reverse("commitments:board_commitment", args=[board.code, commitment.pk])):
        text = client.get(url).text
        assert "路修得好" in text and "感谢监督" in text
        assert "李**" in text and "李大明" not in text  # the name masked
        assert "13900001111" not in text  # never the contact
        assert "待审的评论" not in text and "不予显示的评论" not in text
    shown = client.get(board_url(board)).context["page"].object_list
    assert [c.comment_count for c in shown] == [1]


def test_a_comment_without_a_name_shows_as_a_member_of_the_public(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    add_comment(commitment, status=Comment.Status.APPROVED, name="")
    assert zh("A member of the public") in client.get(board_url(board)).text


def test_a_commitment_page_shows_the_assessment_and_all_its_items(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a, items=3)
    item = commitment.items.first()
    item.fulfilment, item.fulfilment_comment = "partly", "还差一段路"
    item.save()
    response = client.get(reverse("commitments:board_commitment", args=[board.code, commitment.pk]))
    assert response.status_code == 200
    assert "还差一段路" in response.text and zh(Item.Fulfilment.PARTLY.label) in response.text
    assert all(i.content in response.text for i in commitment.items.all())
    assert 'name="website"' in response.text  # the comment form, with its honeypot


def test_evidence_that_is_not_a_photo_is_a_download(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    _update, evidence = add_update(commitment, cast.secretary_a)
    evidence.is_image, evidence.content_type, evidence.name = False, "text/html", "会议记录.html"
    evidence.save()
    response = client.get(reverse("commitments:board_evidence", args=[board.code, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    response.close()


def test_pages_are_cached_by_the_browser_only(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    for url in (board_url(board), reverse("commitments:board_commitment", args=[board.code, commitment.pk])):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "max-age=60" in cache_control
    assert "no-cache" in client.get(reverse("commitments:comment_lookup"))["Cache-Control"]


def _fill(campaign, cast, org, size):
    for _n in range(size):
        member = MemberFactory(organization=org)
        commitment = make_commitment(campaign, org, "published", cast.secretary_a, member=member, items=3)
        add_update(commitment, cast.secretary_a)
        add_comment(commitment, status=Comment.Status.APPROVED, reply="已办理")


@pytest.mark.parametrize("size", [1, 8])
def test_the_board_keeps_a_fixed_number_of_queries(client, cast, campaign, board, django_assert_num_queries, size):
    make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    _fill(campaign, cast, cast.branch_a, size)
    # board, count, commitments, items, summary, updates, evidence, comments, mass evaluation rounds
    with django_assert_num_queries(9):
        response = client.get(board_url(board))
    assert response.text.count('class="card mb-3"') == size + 1


@pytest.mark.parametrize("size", [1, 8])
def test_a_commitment_page_keeps_a_fixed_number_of_queries(
    client, cast, campaign, board, django_assert_num_queries, size
):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a, items=size)
    for _n in range(size):
        add_update(commitment, cast.secretary_a)
        add_comment(commitment, status=Comment.Status.APPROVED)
    # board, commitment, items, updates, evidence, comment count, comments
    with django_assert_num_queries(7):
        client.get(reverse("commitments:board_commitment", args=[board.code, commitment.pk]))


def test_a_photo_thumbnail_is_served_for_lists(client, cast, campaign, board):
    commitment = make_commitment(campaign, cast.branch_a, "published", cast.committee_a)
    _update, photo = add_update(commitment, cast.secretary_a)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(b"small-jpeg"))
    url = reverse("commitments:board_evidence", args=[board.code, photo.pk])
    assert f"{url}?thumb=1" in client.get(board_url(board)).text
    response = client.get(url, {"thumb": "1"})
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == b"small-jpeg"
    response.close()
