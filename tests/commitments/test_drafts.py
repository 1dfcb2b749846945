"""Nothing is lost: "save draft" keeps every valid item, and two editors never overwrite each other."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Event, TransitionError

from .factories import make_commitment
from .helpers import item_row, items_payload, state, zh

pytestmark = pytest.mark.django_db


def test_save_draft_keeps_the_complete_items_and_shows_the_unfinished_again(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, items=0)
    client.force_login(fx.secretary_a)
    rows = [item_row(commitment, content="完整的事项"), item_row(commitment, content="没写完的事项", target="")]
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), items_payload(commitment, rows))
    assert response.status_code == 200
    assert list(commitment.items.values_list("content", flat=True)) == ["完整的事项"]
    page = response.content.decode()
    assert "没写完的事项" in page  # what was typed is on the page again
    assert [str(m) for m in response.context["messages"]] == [
        zh("Saved, except %(count)s item(s) with errors: complete them below and save again.") % {"count": 1}
    ]
    formset = response.context["formset"]
    saved, pending = formset.forms
    assert saved.instance.pk == commitment.items.get().pk and not saved.errors
    assert "target" in pending.errors
    commitment.refresh_from_db()
    assert response.context["form"]["version"].value() == str(commitment.version)

    # Finishing the row and saving again stores it once: the saved row is not created a second time.
    data = {key: formset.data.getlist(key) for key in formset.data}
    data["items-1-target"] = "补上目标"
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), data)
    assert response.status_code == 302
    assert list(commitment.items.values_list("content", "target", "order")) == [
        ("完整的事项", "全年走访48户", 1),
        ("没写完的事项", "补上目标", 2),
    ]


def test_removing_an_item(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, items=2)
    first, second = commitment.items.all()
    client.force_login(fx.secretary_a)
    rows = [item_row(commitment, id=first.pk, DELETE="on"), item_row(commitment, id=second.pk, content="留下")]
    assert (
        client.post(reverse("commitments:edit", args=[commitment.pk]), items_payload(commitment, rows)).status_code
        == 302
    )
    assert list(commitment.items.values_list("pk", "content", "order")) == [(second.pk, "留下", 1)]


def test_a_stale_save_is_refused_with_the_input_kept(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a)
    item = commitment.items.get()
    loaded_version = commitment.version
    client.force_login(fx.secretary_a)
    # Another editor saves first.
    first = items_payload(commitment, [item_row(commitment, id=item.pk, content="第一位编辑的文字")])
    assert client.post(reverse("commitments:edit", args=[commitment.pk]), first).status_code == 302
    before = state()
    second = items_payload(
        commitment,
        [item_row(commitment, id=item.pk, content="第二位编辑的文字"), item_row(commitment, content="新增事项")],
        version=loaded_version,
        title="第二位编辑的标题",
    )
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), second)
    assert response.status_code == 200
    assert state() == before  # nothing of the second editor's saved, not even the new item
    page = response.content.decode()
    assert "第二位编辑的文字" in page and "新增事项" in page and "第二位编辑的标题" in page
    assert response.context["form"].non_field_errors() == [
        zh(
            "Someone else changed this record while you were editing it. Your input is kept below: "
            "reload the page to see their change, then apply yours again."
        )
    ]
    assert commitment.items.get().content == "第一位编辑的文字"


def test_an_edit_loaded_before_a_submission_cannot_be_saved_after_it(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="returned")
    loaded = commitment.version
    client.force_login(fx.secretary_a)
    edit = client.get(reverse("commitments:edit", args=[commitment.pk]))
    assert edit.status_code == 200
    commitment.submit(fx.secretary_a)
    before = state()
    data = items_payload(commitment, [item_row(commitment, id=commitment.items.get().pk)], version=loaded)
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), data)
    assert response.status_code == 302
    assert state() == before


def test_two_accepts_racing_one_wins(fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    first = Commitment.objects.get(pk=commitment.pk)
    second = Commitment.objects.get(pk=commitment.pk)  # loaded before the first accept: stale
    first.accept(fx.committee_a)
    with pytest.raises(TransitionError) as refused:
        second.accept(fx.office)
    assert refused.value.messages == [zh("Someone else changed this commitment just now. Reload the page.")]
    assert Event.objects.filter(commitment=commitment, to_state="accepted").count() == 1
    commitment.refresh_from_db()
    assert commitment.state == "accepted"


def test_an_accept_racing_a_return_one_wins(fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    accepting = Commitment.objects.get(pk=commitment.pk)
    returning = Commitment.objects.get(pk=commitment.pk)
    returning.return_for_changes(fx.committee_a, "请补充")
    with pytest.raises(TransitionError):
        accepting.accept(fx.office)
    commitment.refresh_from_db()
    assert commitment.state == "returned"
    assert list(commitment.events.values_list("to_state", flat=True)) == ["draft", "draft", "submitted", "returned"]
