"""The member pages through the HTTP client: list and filters, detail, add, edit, transfer, take off the roll."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, Member, MemberTransfer, StaleEdit

from ..factories import MemberFactory, OrganizationFactory
from .helpers import db_state, flashed, form_errors, zh

NOT_IN_AREA = "No organization with this code in your area. Check the code on the organization's page."


def member_url(name, member):
    return reverse(f"portal:{name}", args=[member.pk])


def member_form(member, **changes):
    data = {
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat() if member.birth_date else "",
        "status": member.status,
        "joined_on": member.joined_on.isoformat(),
        "role": member.role,
        "mobile": "on" if member.mobile else "",
        "staff_kind": member.staff_kind,
        "phone": member.phone,
        "version": member.version,
    }
    data.update(changes)
    return data


def new_member(org_code, **changes):
    data = {
        "name": "孙七",
        "gender": "f",
        "birth_date": "1990-03-08",
        "status": "probationary",
        "joined_on": "2012-07-01",
        "organization": org_code,
        "role": "",
        "staff_kind": "",
        "phone": "13900000001",
    }
    data.update(changes)
    return data


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def listed(client, **params):
    response = client.get(reverse("portal:member_list"), params)
    assert response.status_code == 200
    return [m.name for m in response.context["page"]]


# --- the list and its filters ---------------------------------------------------------------------


@pytest.fixture
def roll(world):
    """A few more members with varied attributes, in town_a, town_b and the other tree."""
    agency = OrganizationFactory(name="甲镇机关支部", code="AG-A", parent=world.town_a, sector="agency")
    MemberFactory(name="陈书记", organization=world.branch_a, role=Member.Role.SECRETARY, phone="13512345678")
    MemberFactory(name="林预备", organization=world.branch_a2, status=Member.Status.PROBATIONARY)
    MemberFactory(name="黄委员", organization=agency, role=Member.Role.COMMITTEE_MEMBER, mobile=True)
    MemberFactory(name="何离册", organization=world.branch_a, active=False)
    MemberFactory(name="乙书记", organization=world.branch_b, role=Member.Role.SECRETARY)
    return world


def test_the_list_shows_the_members_on_the_roll_in_the_area(client, roll):
    client.force_login(roll.committee_a)
    # in tree order (branch_a, branch_a2, agency), then by name
    assert listed(client) == ["张三", "陈书记", "李四", "林预备", "黄委员"]
    client.force_login(roll.secretary_a)
    assert listed(client) == ["张三", "陈书记"]
    client.force_login(roll.member_user)
    assert listed(client) == ["张三"]
    client.force_login(roll.admin)
    assert len(listed(client)) == 8  # everyone on the roll, the other tree included; not 何离册


def test_filter_by_organization_code_takes_its_subtree(client, roll):
    client.force_login(roll.office)
    response = client.get(reverse("portal:member_list"), {"org": " town-a "})
    assert response.context["org"] == roll.town_a
    assert [m.name for m in response.context["page"]] == ["张三", "陈书记", "李四", "林预备", "黄委员"]
    assert listed(client, org="BR-A2") == ["李四", "林预备"]
    assert listed(client, org="CITY") == ["张三", "陈书记", "李四", "林预备", "黄委员", "乙书记", "王五"]


def test_filter_by_an_organization_outside_the_area_finds_nobody(client, roll):
    client.force_login(roll.committee_a)
    assert listed(client, org="TOWN-B") == []
    assert listed(client, org="CITY") == []  # an ancestor does not widen the area
    assert listed(client, org="NO-SUCH") == []


def test_filter_by_status_role_sector_and_text(client, roll):
    client.force_login(roll.committee_a)
    assert listed(client, status="probationary") == ["林预备"]
    assert listed(client, role="any") == ["陈书记", "黄委员"]
    assert listed(client, role="secretary") == ["陈书记"]
    assert listed(client, sector="agency") == ["黄委员"]
    assert listed(client, q="书记") == ["陈书记"]
    assert listed(client, q="1351234") == ["陈书记"]  # part of a phone number
    assert listed(client, org="BR-A", role="secretary", status="full", sector="community") == ["陈书记"]


def test_a_bad_filter_shows_nobody_and_says_so(client, roll):
    client.force_login(roll.committee_a)
    response = client.get(reverse("portal:member_list"), {"status": "honorary"})
    assert list(response.context["page"]) == []
    assert zh("Correct the filter above.") in response.content.decode()


def test_the_list_is_paginated_and_the_pages_keep_the_filter(client, world):
    MemberFactory.create_batch(120, organization=world.branch_a2, status=Member.Status.PROBATIONARY)
    client.force_login(world.committee_a)
    response = client.get(reverse("portal:member_list"), {"status": "probationary"})
    page = response.context["page"]
    assert (len(page), page.paginator.count, page.paginator.num_pages) == (50, 120, 3)
    assert "?status=probationary&amp;page=2" in response.content.decode()
    last = client.get(reverse("portal:member_list"), {"status": "probationary", "page": 3}).context["page"]
    assert len(last) == 20
    beyond = client.get(reverse("portal:member_list"), {"page": 99}).context["page"]
    assert beyond.number == 3  # past the end: the last page
    assert client.get(reverse("portal:member_list"), {"page": "x"}).status_code == 200


def test_the_add_button_is_offered_only_to_those_who_may_add(client, world):
    client.force_login(world.secretary_a)
    assert reverse("portal:member_create") in client.get(reverse("portal:member_list")).content.decode()
    client.force_login(world.member_user)
    assert reverse("portal:member_create") not in client.get(reverse("portal:member_list")).content.decode()


# --- detail ---------------------------------------------------------------------------------------


def test_detail_offers_actions_by_right(client, world):
    client.force_login(world.secretary_a)
    ctx = client.get(member_url("member_detail", world.member_a)).context
    assert ctx["can_change"] and ctx["can_transfer"]
    client.force_login(world.member_user)
    response = client.get(member_url("member_detail", world.member_a))
    assert response.status_code == 200
    assert not (response.context["can_change"] or response.context["can_transfer"])
    assert member_url("member_edit", world.member_a) not in response.content.decode()


# --- add ------------------------------------------------------------------------------------------


def test_secretary_adds_a_member_to_their_branch(client, world):
    client.force_login(world.secretary_a)
    response = client.get(reverse("portal:member_create"), {"org": "BR-A"})
    assert response.context["form"]["organization"].value() == "BR-A"
    response = client.post(reverse("portal:member_create"), new_member(" br-a "))  # as typed on a phone
    member = Member.objects.get(name="孙七")
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    assert (member.organization, member.status, member.active, member.version) == (
        world.branch_a,
        Member.Status.PROBATIONARY,
        True,
        1,
    )
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.CREATE)
    assert (entry.actor, entry.organization, entry.object_id) == (world.secretary_a, world.branch_a, str(member.pk))
    assert entry.changes["name"] == ["", "孙七"]
    assert entry.changes["organization"] == ["", "甲村党支部"]
    assert entry.changes["status"] == ["", zh(Member.Status.PROBATIONARY.label)]


@pytest.mark.parametrize("code", ["BR-A2", "TOWN-A", "BR-B", "CITY", "OTHER-BR"])
def test_add_refuses_an_organization_outside_the_area(client, world, code):
    """A tampered (or mistyped) organization code: the form says so, and nothing is written."""
    client.force_login(world.secretary_a)
    before = db_state()
    response = client.post(reverse("portal:member_create"), new_member(code))
    assert response.status_code == 200
    assert form_errors(response, "organization") == [zh(NOT_IN_AREA)]
    assert response.context["form"]["name"].value() == "孙七"  # the input is kept
    assert db_state() == before


def test_add_refuses_an_organization_given_by_its_id(client, world):
    client.force_login(world.secretary_a)
    response = client.post(reverse("portal:member_create"), new_member(str(world.branch_a.pk)))
    assert form_errors(response, "organization") == [zh(NOT_IN_AREA)]
    assert not Member.objects.filter(name="孙七").exists()


def test_add_refuses_a_dissolved_organization(client, world):
    empty = OrganizationFactory(code="EMPTY", parent=world.town_a)
    empty.dissolve(world.committee_a)
    client.force_login(world.committee_a)
    response = client.post(reverse("portal:member_create"), new_member("EMPTY"))
    assert form_errors(response, "organization") == [zh(NOT_IN_AREA)]


def test_add_checks_the_dates(client, world):
    client.force_login(world.secretary_a)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("portal:member_create"), new_member("BR-A", joined_on=tomorrow))
    assert form_errors(response, "joined_on") == [zh("The joining date cannot be in the future.")]
    response = client.post(reverse("portal:member_create"), new_member("BR-A", birth_date="2013-01-01"))
    assert form_errors(response, "joined_on") == [zh("The joining date must be after the birth date.")]
    response = client.post(reverse("portal:member_create"), {"organization": "BR-A"})
    assert {"name", "gender", "joined_on", "status"} <= set(response.context["form"].errors)
    assert not Member.objects.filter(name="孙七").exists()


# --- edit -----------------------------------------------------------------------------------------


def test_edit_saves_and_audits_old_and_new_values(client, world):
    client.force_login(world.secretary_a)
    data = member_form(world.member_a, role="deputy", phone="13600000000", mobile="on")
    response = client.post(member_url("member_edit", world.member_a), data)
    assert response.status_code == 302 and response["Location"] == world.member_a.get_absolute_url()
    member = fresh(world.member_a)
    assert (member.role, member.phone, member.mobile, member.version) == ("deputy", "13600000000", True, 2)
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.UPDATE)
    assert entry.changes == {
        "role": [zh(Member.Role.NONE.label), zh(Member.Role.DEPUTY.label)],
        "mobile": ["False", "True"],
        "phone": ["", "13600000000"],
    }
    assert entry.organization == world.branch_a


def test_edit_ignores_a_tampered_organization(client, world):
    """The organization is not part of the edit form: a move is a transfer, which keeps the history."""
    client.force_login(world.secretary_a)
    data = member_form(world.member_a, phone="13600000000", organization=world.branch_b.code)
    assert client.post(member_url("member_edit", world.member_a), data).status_code == 302
    member = fresh(world.member_a)
    assert member.organization == world.branch_a and member.phone == "13600000000"
    assert not MemberTransfer.objects.exists()


def test_stale_edit_of_a_member_is_refused_and_keeps_the_input(client, world):
    client.force_login(world.secretary_a)
    first = client.get(member_url("member_edit", world.member_a)).context["form"]
    second = client.get(member_url("member_edit", world.member_a)).context["form"]
    assert first["version"].value() == second["version"].value() == 1

    assert (
        client.post(member_url("member_edit", world.member_a), member_form(world.member_a, phone="111")).status_code
        == 302
    )
    before = db_state()
    response = client.post(
        member_url("member_edit", world.member_a), member_form(world.member_a, phone="222", name="张叁")
    )
    assert response.status_code == 200
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert zh(StaleEdit.message) in response.content.decode().replace("&#x27;", "'")
    form = response.context["form"]
    assert (form["phone"].value(), form["name"].value()) == ("222", "张叁")
    assert db_state() == before
    assert fresh(world.member_a).phone == "111"


def test_a_transfer_makes_an_open_edit_stale(client, world):
    client.force_login(world.committee_a)
    version = client.get(member_url("member_edit", world.member_a)).context["form"]["version"].value()
    client.post(member_url("member_transfer", world.member_a), {"to": "BR-A2"})
    response = client.post(member_url("member_edit", world.member_a), member_form(world.member_a, version=version))
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert fresh(world.member_a).organization == world.branch_a2  # the edit did not undo the transfer


def test_edit_of_a_member_off_the_roll_is_not_found(client, world):
    world.member_a.remove_from_roll(world.secretary_a, "出党")
    client.force_login(world.secretary_a)
    assert client.get(member_url("member_edit", world.member_a)).status_code == 404
    assert client.get(member_url("member_detail", world.member_a)).status_code == 200


# --- transfer -------------------------------------------------------------------------------------


def test_transfer_moves_the_member_and_keeps_the_history(client, world):
    client.force_login(world.committee_a)
    response = client.post(member_url("member_transfer", world.member_a), {"to": "br-a2", "note": "搬迁"})
    assert response.status_code == 302 and response["Location"] == world.member_a.get_absolute_url()
    assert zh("%(name)s now belongs to %(org)s.", name="张三", org="甲二村党支部") in flashed(response)
    member = fresh(world.member_a)
    assert (member.organization, member.version) == (world.branch_a2, 2)
    (move,) = MemberTransfer.objects.all()
    assert (move.member, move.from_org, move.to_org, move.by, move.note) == (
        member,
        world.branch_a,
        world.branch_a2,
        world.committee_a,
        "搬迁",
    )
    entries = AuditEntry.objects.filter(verb=AuditEntry.Verb.TRANSFER).order_by("pk")
    assert [(e.organization, e.changes) for e in entries] == [
        (world.branch_a, {"organization": ["甲村党支部", "甲二村党支部"]}),
        (world.branch_a2, {"organization": ["甲村党支部", "甲二村党支部"]}),
    ]

    # A second transfer: the history keeps both, newest first.
    client.post(member_url("member_transfer", world.member_a), {"to": "TOWN-A"})
    response = client.get(member_url("member_detail", world.member_a))
    assert [(t.from_org.code, t.to_org.code) for t in response.context["transfers"]] == [
        ("BR-A2", "TOWN-A"),
        ("BR-A", "BR-A2"),
    ]
    assert "甲村党支部 → 甲二村党支部 (搬迁)" in response.content.decode()


def test_after_a_transfer_out_the_old_secretary_loses_the_member(client, world):
    client.force_login(world.office)
    client.post(member_url("member_transfer", world.member_a), {"to": "BR-B"})
    client.force_login(world.secretary_a)
    assert client.get(member_url("member_detail", world.member_a)).status_code == 404
    client.force_login(world.secretary_b)
    assert client.get(member_url("member_detail", world.member_a)).status_code == 200


@pytest.mark.parametrize("code", ["TOWN-B", "BR-B", "CITY", "OTHER", "OTHER-BR", "NO-SUCH"])
def test_transfer_refuses_a_destination_outside_the_area(client, world, code):
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(member_url("member_transfer", world.member_a), {"to": code, "note": "x"})
    assert response.status_code == 200
    assert form_errors(response, "to") == [zh(NOT_IN_AREA)]
    assert db_state() == before


def test_transfer_refuses_the_same_organization(client, world):
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(member_url("member_transfer", world.member_a), {"to": "BR-A"})
    assert form_errors(response, "to") == [zh("The member already belongs to this organization.")]
    assert db_state() == before


def test_transfer_refuses_a_dissolved_destination(client, world):
    world.member_a2.remove_from_roll(world.committee_a, "调出")
    world.branch_a2.dissolve(world.committee_a)
    client.force_login(world.committee_a)
    response = client.post(member_url("member_transfer", world.member_a), {"to": "BR-A2"})
    assert form_errors(response, "to") == [zh(NOT_IN_AREA)]


def test_a_secretary_can_only_transfer_within_their_own_area(client, world):
    """A secretary reaches only their branch, so any other destination is refused (a superior transfers)."""
    client.force_login(world.secretary_a)
    response = client.post(member_url("member_transfer", world.member_a), {"to": "BR-A2"})
    assert form_errors(response, "to") == [zh(NOT_IN_AREA)]
    assert fresh(world.member_a).organization == world.branch_a


# --- take off the roll ----------------------------------------------------------------------------


def test_take_off_the_roll_needs_a_reason(client, world):
    client.force_login(world.secretary_a)
    assert client.get(member_url("member_remove", world.member_a)).status_code == 200
    before = db_state()
    response = client.post(member_url("member_remove", world.member_a), {"reason": "   "})
    assert response.status_code == 200
    assert zh("Give the reason for taking the member off the roll.") in flashed(response)
    assert db_state() == before


def test_take_off_the_roll_keeps_the_record(client, world):
    client.force_login(world.secretary_a)
    response = client.post(member_url("member_remove", world.member_a), {"reason": "出党"})
    assert response.status_code == 302 and response["Location"] == world.branch_a.get_absolute_url()
    member = fresh(world.member_a)
    assert (member.active, member.version, member.organization) == (False, 2, world.branch_a)
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.UPDATE)
    assert entry.changes == {"active": [zh("yes"), zh("no")], "reason": ["", "出党"]}
    assert listed(client) == []
    response = client.get(member_url("member_detail", world.member_a))
    assert response.status_code == 200
    assert not response.context["can_change"] and not response.context["can_transfer"]
    assert client.post(member_url("member_remove", world.member_a), {"reason": "again"}).status_code == 404


def test_a_member_taken_off_the_roll_loses_their_own_access(client, world):
    client.force_login(world.secretary_a)
    client.post(member_url("member_remove", world.member_a), {"reason": "出党"})
    client.force_login(world.member_user)
    assert client.get(member_url("member_detail", world.member_a)).status_code == 404
    assert client.get(world.branch_a.get_absolute_url()).status_code == 404
    assert client.get(reverse("portal:home")).context["member"] is None
