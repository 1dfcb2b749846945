"""Who reaches which commitment: another branch's secretary gets 404, a member files only their own."""

import pytest
from django.urls import reverse

from commitments.models import Commitment
from portal.models import Role

from ..factories import MemberFactory, UserFactory, grant
from .factories import make_commitment, open_assessment
from .helpers import item_row, items_payload, state

pytestmark = pytest.mark.django_db


def test_a_secretary_cannot_touch_another_branch_commitment(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a)
    item = commitment.items.get()
    client.force_login(fx.secretary_b)
    before = state()
    for name in ("detail", "edit", "meeting", "submit", "publish", "accept", "return"):
        assert client.get(reverse(f"commitments:{name}", args=[commitment.pk])).status_code == 404, name
        assert client.post(reverse(f"commitments:{name}", args=[commitment.pk]), {"reason": "x"}).status_code == 404
    for name in ("progress", "assess"):
        assert client.get(reverse(f"commitments:{name}", args=[item.pk])).status_code == 404
    assert client.post(reverse("commitments:create", args=[fx.branch_a.pk]), {"title": "x"}).status_code == 404
    assert client.get(reverse("commitments:missing", args=[fx.branch_a.pk])).status_code == 404
    assert state() == before
    assert commitment.pk not in [c.pk for c in client.get(reverse("commitments:list")).context["page"]]


def test_a_sibling_branch_secretary_does_not_see_the_branch_either(client, fx):
    sibling = grant(UserFactory(username="secretary_a2"), Role.SECRETARY, fx.branch_a2)
    commitment = make_commitment(fx.campaign, fx.branch_a)
    client.force_login(sibling)
    assert client.get(commitment.get_absolute_url()).status_code == 404


def test_a_committee_cannot_accept_outside_its_subtree(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.committee_b)
    assert client.get(commitment.get_absolute_url()).status_code == 404
    assert not client.get(reverse("commitments:queue")).context["page"].object_list
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 404
    commitment.refresh_from_db()
    assert commitment.state == "submitted"


def test_the_city_office_reaches_every_commitment_of_the_city(client, fx):
    commitment = make_commitment(fx.campaign, fx.town_a, state="submitted")  # the town's own, to the city
    client.force_login(fx.office)
    assert [c.pk for c in client.get(reverse("commitments:queue")).context["page"]] == [commitment.pk]
    client.force_login(fx.committee_a)  # the town's own commitment is accepted above the town
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 403


def test_a_member_files_their_own_commitment(client, fx):
    client.force_login(fx.member_user)
    assert client.get(reverse("commitments:list")).status_code == 200
    response = client.post(
        reverse("commitments:create_member", args=[fx.member_a.pk]),
        {"campaign": fx.campaign.pk, "audience": "superior", "title": "张三的承诺"},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.kind, commitment.member, commitment.acceptor) == ("member", fx.member_a, fx.branch_a)
    edit = client.get(reverse("commitments:edit", args=[commitment.pk]))
    assert "带头学习提高" in edit.content.decode()  # the members' criteria set 五带头
    data = items_payload(commitment, [item_row(commitment)])
    assert client.post(reverse("commitments:edit", args=[commitment.pk]), data).status_code == 302
    assert client.post(reverse("commitments:submit", args=[commitment.pk])).status_code == 302
    # The member's branch accepts it; the member cannot.
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 403
    client.force_login(fx.secretary_a)
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 302
    client.force_login(fx.member_user)
    assert client.post(reverse("commitments:publish", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == "published"
    item = commitment.items.get()
    response = client.post(reverse("commitments:progress", args=[item.pk]), {"text": "学完党章", "progress": 100})
    assert response.status_code == 302
    open_assessment(fx.campaign)
    assert client.post(reverse("commitments:assess", args=[item.pk]), {"fulfilment": "fulfilled"}).status_code == 403


def test_a_member_cannot_file_for_another_member_or_the_branch(client, fx):
    neighbour = MemberFactory(name="赵七", organization=fx.branch_a)
    client.force_login(fx.member_user)
    before = state()
    payload = {"campaign": fx.campaign.pk, "audience": "superior", "title": "代填"}
    assert client.post(reverse("commitments:create_member", args=[neighbour.pk]), payload).status_code == 404
    assert client.post(reverse("commitments:create_member", args=[fx.member_a2.pk]), payload).status_code == 404
    assert client.post(reverse("commitments:create", args=[fx.branch_a.pk]), payload).status_code == 403
    assert state() == before
    # Nor see or change the neighbour's, once the secretary has entered it.
    theirs = make_commitment(fx.campaign, member=neighbour)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.post(reverse("commitments:edit", args=[theirs.pk]), {"title": "改"}).status_code == 404
    branch = make_commitment(fx.campaign, fx.branch_a)
    assert client.get(branch.get_absolute_url()).status_code == 404


def test_the_secretary_enters_a_member_commitment_and_sees_who_is_missing(client, fx):
    others = [MemberFactory(name=f"党员{i:02d}", organization=fx.branch_a) for i in range(3)]
    MemberFactory(name="已出党", organization=fx.branch_a, active=False)
    make_commitment(fx.campaign, member=others[0], state="submitted")
    make_commitment(fx.campaign, member=fx.member_b)  # another town's member: not in this list anyway
    client.force_login(fx.secretary_a)
    page = client.get(reverse("commitments:missing", args=[fx.branch_a.pk]))
    assert [m.pk for m in page.context["page"]] == [others[1].pk, others[2].pk, fx.member_a.pk]
    assert page.context["member_count"] == 4
    url = reverse("commitments:create_member", args=[others[1].pk])
    assert url in page.content.decode()
    response = client.post(url, {"campaign": fx.campaign.pk, "audience": "superior", "title": "代填承诺"})
    assert response.status_code == 302
    page = client.get(reverse("commitments:missing", args=[fx.branch_a.pk]))
    assert [m.pk for m in page.context["page"]] == [others[2].pk, fx.member_a.pk]
    # The member does not see the list; another branch's secretary does not reach it.
    client.force_login(fx.member_user)
    assert client.get(reverse("commitments:missing", args=[fx.branch_a.pk])).status_code == 403
