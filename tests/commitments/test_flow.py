"""The whole filing flow through the browser's requests: file, meet, submit, accept, publish, progress, assess."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Event, Evidence, Item

from .factories import open_assessment
from .helpers import item_row, items_payload, meeting_payload, photo

pytestmark = pytest.mark.django_db


def test_a_branch_commitment_from_draft_to_assessed_fulfilment(client, fx):
    client.force_login(fx.secretary_a)
    page = client.get(reverse("commitments:list"))
    assert reverse("commitments:create", args=[fx.branch_a.pk]) in page.content.decode()

    # The first save creates the draft.
    response = client.post(
        reverse("commitments:create", args=[fx.branch_a.pk]),
        {"campaign": fx.campaign.pk, "audience": "superior", "title": "甲村党支部创先争优承诺"},
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("commitments:edit", args=[commitment.pk]))
    assert (commitment.state, commitment.kind, commitment.acceptor) == ("draft", "organization", fx.town_a)

    # Items: an inline formset; criteria from the campaign's organization set.
    edit = client.get(reverse("commitments:edit", args=[commitment.pk]))
    assert "领导班子好" in edit.content.decode() and "带头学习提高" not in edit.content.decode()
    rows = [
        item_row(commitment, weight="2"),
        item_row(commitment, content="建设党员活动室", carrier=fx.campaign.carriers.get().pk),
    ]
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), items_payload(commitment, rows))
    assert response.status_code == 302
    assert commitment.items.count() == 2
    assert [i.order for i in commitment.items.all()] == [1, 2]

    # The general meeting: members expected defaults to the branch's active members.
    meeting_page = client.get(reverse("commitments:meeting", args=[commitment.pk]))
    assert meeting_page.context["form"].initial["members_total"] == 1
    response = client.post(reverse("commitments:meeting", args=[commitment.pk]), meeting_payload())
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.meeting.topic == "党员大会讨论公开承诺"

    # Submit (after the confirmation page).
    assert client.get(reverse("commitments:submit", args=[commitment.pk])).status_code == 200
    assert client.post(reverse("commitments:submit", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == "submitted"

    # The town committee finds it in its queue and accepts it.
    client.force_login(fx.committee_a)
    queue = client.get(reverse("commitments:queue"))
    assert [c.pk for c in queue.context["page"]] == [commitment.pk]
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == "accepted"
    assert not client.get(reverse("commitments:queue")).context["page"].object_list

    # The branch publishes it.
    client.force_login(fx.secretary_a)
    assert client.post(reverse("commitments:publish", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == "published"

    # Progress with a photo: the thumbnail is shown, the photo served through the scoped view.
    item = commitment.items.get(order=1)
    response = client.post(
        reverse("commitments:progress", args=[item.pk]),
        {"text": "已走访20户", "progress": 40, "files": [photo()]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.progress == 40
    evidence = Evidence.objects.get()
    assert evidence.is_image and evidence.thumbnail and evidence.content_type == "image/jpeg"
    detail = client.get(commitment.get_absolute_url())
    assert evidence.thumbnail_url in detail.content.decode()
    assert detail.context["commitment"].progress == pytest.approx(26.7, abs=0.05)  # (40×2 + 0×1) / 3
    served = client.get(evidence.thumbnail_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"  # read to the end: the client closes it

    # The committee assesses once the fulfilment step has opened.
    open_assessment(fx.campaign)
    client.force_login(fx.committee_a)
    response = client.post(
        reverse("commitments:assess", args=[item.pk]), {"fulfilment": "fulfilled", "comment": "按期完成"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.fulfilment, item.fulfilment_comment, item.assessed_by) == ("fulfilled", "按期完成", fx.committee_a)

    # The history: every step, who and when, on the commitment's page.
    steps = list(Event.objects.filter(commitment=commitment).values_list("from_state", "to_state", "actor__username"))
    assert steps == [
        ("draft", "draft", "secretary_a"),  # started
        ("draft", "draft", "secretary_a"),  # meeting recorded
        ("draft", "submitted", "secretary_a"),
        ("submitted", "accepted", "committee_a"),
        ("accepted", "published", "secretary_a"),
        ("published", "published", "secretary_a"),  # progress
        ("published", "published", "committee_a"),  # assessment
    ]
    history = client.get(commitment.get_absolute_url()).content.decode()
    assert "committee_a" in history and "按期完成" in history
    assert Item.objects.filter(commitment=commitment, fulfilment="fulfilled").count() == 1


def test_a_returned_commitment_is_corrected_and_submitted_again(client, fx):
    from .factories import make_commitment

    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.committee_a)
    response = client.post(reverse("commitments:return", args=[commitment.pk]), {"reason": "目标不够具体，请量化"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.state, commitment.return_reason) == ("returned", "目标不够具体，请量化")

    client.force_login(fx.secretary_a)
    assert "目标不够具体，请量化" in client.get(commitment.get_absolute_url()).content.decode()
    item = commitment.items.get()
    rows = [item_row(commitment, id=item.pk, target="全年走访60户")]
    assert (
        client.post(reverse("commitments:edit", args=[commitment.pk]), items_payload(commitment, rows)).status_code
        == 302
    )
    assert client.post(reverse("commitments:submit", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert (commitment.state, commitment.return_reason) == ("submitted", "")
    assert commitment.items.get().target == "全年走访60户"
