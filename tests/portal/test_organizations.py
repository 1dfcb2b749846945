"""The organization pages through the HTTP client: tree, detail, create/edit/dissolve, warnings, change log."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AuditEntry, Member, Organization, Role, StaleEdit, Unit
from portal.rules import MESSAGES

from ..factories import MemberFactory, OrganizationFactory, UnitFactory, grant
from .helpers import db_state, flashed, form_errors, zh

NOT_IN_AREA = "No organization with this code in your area. Check the code on the organization's page."


def org_url(name, org):
    return reverse(f"portal:{name}", args=[org.pk])


def org_form(org, **changes):
    data = {
        "name": org.name,
        "code": org.code,
        "level": org.level,
        "sector": org.sector,
        "secretary_name": org.secretary_name,
        "contact_phone": org.contact_phone,
        "address": org.address,
        "founded_on": org.founded_on.isoformat() if org.founded_on else "",
        "version": org.version,
    }
    if org.parent_id:
        data["parent"] = org.parent.code
    data.update(changes)
    return data


def new_branch(parent, **changes):
    data = {"name": "甲三村党支部", "code": "br-a3", "level": "branch", "sector": "rural", "parent": parent.code}
    data.update(changes)
    return data


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- create --------------------------------------------------------------------------------------


def test_committee_creates_a_branch_under_its_town(client, world):
    client.force_login(world.committee_a)
    response = client.get(org_url("org_create", world.town_a))
    assert response.status_code == 200
    assert response.context["form"]["parent"].value() == "TOWN-A"

    response = client.post(org_url("org_create", world.town_a), new_branch(world.town_a, founded_on="2011-07-01"))
    org = Organization.objects.get(code="BR-A3")  # codes are kept in capitals
    assert response.status_code == 302
    assert response["Location"] == org.get_absolute_url()
    assert org.parent == world.town_a
    assert org.path.startswith(world.town_a.path) and org.depth == 2
    assert org.status == Organization.Status.ACTIVE
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.CREATE, object_id=str(org.pk))
    assert entry.actor == world.committee_a
    assert entry.organization == org
    assert entry.changes["name"] == ["", "甲三村党支部"]
    assert entry.changes["parent"] == ["", "甲镇党委"]
    assert zh("Saved.") in flashed(response)


def test_a_new_organization_may_go_anywhere_in_the_area(client, world):
    """The parent in the form wins over the one in the URL, as long as it is in the user's area."""
    client.force_login(world.committee_a)
    client.post(org_url("org_create", world.town_a), new_branch(world.branch_a, level="joint_branch"))
    assert Organization.objects.get(code="BR-A3").parent == world.branch_a


def test_create_refuses_a_duplicate_code(client, world):
    client.force_login(world.office)
    before = db_state()
    response = client.post(org_url("org_create", world.town_a), new_branch(world.town_a, code="br-b"))
    assert response.status_code == 200
    assert form_errors(response, "code") == [zh("This code is already used by another organization.")]
    assert db_state() == before


def test_create_refuses_a_code_that_differs_only_in_case(client, world):
    OrganizationFactory(code="lower-1", parent=world.town_a)  # e.g. brought in by an import
    client.force_login(world.office)
    response = client.post(org_url("org_create", world.town_a), new_branch(world.town_a, code="LOWER-1"))
    assert response.status_code == 200
    assert form_errors(response, "code") == [zh("This code is already used by another organization.")]


@pytest.mark.parametrize("parent", ["city", "town_b", "branch_b", "other_city", "other_branch"])
def test_create_refuses_a_superior_outside_the_area(client, world, parent):
    """A tampered parent code (another tree, a sibling, an ancestor) is answered like a mistyped one."""
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(org_url("org_create", world.town_a), new_branch(getattr(world, parent)))
    assert response.status_code == 200
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert db_state() == before


def test_create_refuses_a_parent_given_by_its_id(client, world):
    client.force_login(world.committee_a)
    response = client.post(org_url("org_create", world.town_a), {**new_branch(world.town_a), "parent": world.town_a.pk})
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert not Organization.objects.filter(code="BR-A3").exists()


def test_create_refuses_a_dissolved_superior(client, world):
    world.member_a2.transfer(world.branch_a, world.committee_a)
    world.branch_a2.dissolve(world.committee_a)
    client.force_login(world.committee_a)
    response = client.post(org_url("org_create", world.town_a), new_branch(world.branch_a2))
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert not Organization.objects.filter(code="BR-A3").exists()


def test_create_requires_the_fields(client, world):
    client.force_login(world.committee_a)
    response = client.post(org_url("org_create", world.town_a), {"parent": "TOWN-A"})
    assert set(response.context["form"].errors) == {"name", "code", "level", "sector"}


# --- edit ----------------------------------------------------------------------------------------


def test_secretary_edits_their_branch_and_the_change_is_audited(client, world):
    client.force_login(world.secretary_a)
    response = client.get(org_url("org_edit", world.branch_a))
    assert response.context["form"]["parent"].value() == "TOWN-A"
    data = org_form(world.branch_a, name="甲村第一党支部", contact_phone="0512-1234567")
    response = client.post(org_url("org_edit", world.branch_a), data)
    assert response.status_code == 302
    org = fresh(world.branch_a)
    assert (org.name, org.contact_phone, org.version) == ("甲村第一党支部", "0512-1234567", 2)
    assert org.parent == world.town_a and org.path == world.branch_a.path
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.UPDATE, object_id=str(org.pk))
    assert entry.actor == world.secretary_a
    assert entry.changes == {"name": ["甲村党支部", "甲村第一党支部"], "contact_phone": ["", "0512-1234567"]}


def test_an_edit_that_changes_nothing_writes_no_audit_entry(client, world):
    client.force_login(world.secretary_a)
    client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a))
    assert not AuditEntry.objects.filter(verb=AuditEntry.Verb.UPDATE).exists()


def test_committee_edits_its_own_committee_without_reaching_above_it(client, world):
    client.force_login(world.committee_a)
    response = client.post(org_url("org_edit", world.town_a), org_form(world.town_a, secretary_name="孙书记"))
    assert response.status_code == 302
    assert fresh(world.town_a).secretary_name == "孙书记"
    assert fresh(world.town_a).parent == world.city


def test_secretary_cannot_move_their_branch(client, world):
    client.force_login(world.secretary_a)
    before = db_state()
    response = client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, parent="BR-A2"))
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert db_state() == before


def test_the_top_of_a_tree_has_no_superior_field(client, world):
    client.force_login(world.office)
    response = client.get(org_url("org_edit", world.city))
    assert "parent" not in response.context["form"].fields
    response = client.post(
        org_url("org_edit", world.city), {**org_form(world.city, name="测试市委员会"), "parent": "X"}
    )
    assert response.status_code == 302
    org = fresh(world.city)
    assert (org.name, org.parent_id) == ("测试市委员会", None)


def test_the_top_of_a_tree_stays_a_committee(client, world):
    client.force_login(world.office)
    response = client.get(org_url("org_edit", world.city))
    assert [value for value, _label in response.context["form"].fields["level"].choices] == [
        "city",
        "district",
        "town",
        "working",
        "committee",
    ]
    before = db_state()
    response = client.post(org_url("org_edit", world.city), org_form(world.city, level="branch"))
    assert response.status_code == 200
    assert response.context["form"].errors["level"]
    assert db_state() == before
    response = client.post(org_url("org_edit", world.city), org_form(world.city, level="district"))
    assert response.status_code == 302
    assert fresh(world.city).level == "district"


def test_office_moves_a_branch_and_its_subtree_follows(client, world):
    sub = OrganizationFactory(code="SUB-A2", parent=world.branch_a2, level="branch")
    client.force_login(world.office)
    response = client.post(org_url("org_edit", world.branch_a2), org_form(world.branch_a2, parent="TOWN-B"))
    assert response.status_code == 302
    moved = fresh(world.branch_a2)
    assert moved.parent == world.town_b
    assert moved.path.startswith(world.town_b.path)
    assert fresh(sub).path.startswith(moved.path) and fresh(sub).depth == 3
    entries = AuditEntry.objects.filter(verb=AuditEntry.Verb.UPDATE, object_id=str(moved.pk)).order_by("pk")
    assert [(e.organization, e.changes) for e in entries] == [
        (moved, {"parent": ["甲镇党委", "乙镇党委"]}),  # where it is now …
        (world.town_a, {"parent": ["甲镇党委", "乙镇党委"]}),  # … and in the log of the superior it left
    ]
    # The reach follows the tree: the member of the moved branch left town_a's area.
    client.force_login(world.committee_a)
    assert client.get(reverse("portal:member_detail", args=[world.member_a2.pk])).status_code == 404


def test_a_move_shows_in_the_change_log_of_the_old_and_the_new_superior(client, world):
    client.force_login(world.office)
    client.post(org_url("org_edit", world.branch_a2), org_form(world.branch_a2, parent="TOWN-B"))
    for town in (world.town_a, world.town_b):
        entries = client.get(org_url("org_audit", town)).context["page"].object_list
        assert [(e.object_repr, e.changes.get("parent")) for e in entries] == [
            ("甲二村党支部", ["甲镇党委", "乙镇党委"])
        ]


@pytest.mark.parametrize("under", ["town_a", "branch_a"])
def test_an_organization_cannot_move_under_its_own_subtree(client, world, under):
    client.force_login(world.office)
    before = db_state()
    response = client.post(org_url("org_edit", world.town_a), org_form(world.town_a, parent=getattr(world, under).code))
    assert response.status_code == 200
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert db_state() == before


def test_the_model_refuses_a_move_under_its_own_subtree_too(world):
    with pytest.raises(ValidationError):
        world.town_a.move_to(world.branch_a)
    assert fresh(world.branch_a).parent == world.town_a


def test_edit_refuses_a_superior_outside_the_area(client, world):
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, parent="TOWN-B"))
    assert form_errors(response, "parent") == [zh(NOT_IN_AREA)]
    assert db_state() == before


def test_edit_refuses_a_duplicate_code(client, world):
    client.force_login(world.committee_a)
    response = client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, code="BR-A2"))
    assert form_errors(response, "code") == [zh("This code is already used by another organization.")]
    assert fresh(world.branch_a).code == "BR-A"


def test_stale_edit_of_an_organization_is_refused_and_keeps_the_input(client, world):
    client.force_login(world.committee_a)
    first = client.get(org_url("org_edit", world.branch_a)).context["form"]
    second = client.get(org_url("org_edit", world.branch_a)).context["form"]
    assert first["version"].value() == second["version"].value() == 1

    client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, name="第一次保存"))
    before = db_state()
    response = client.post(
        org_url("org_edit", world.branch_a), org_form(world.branch_a, name="第二次保存", parent="BR-A2")
    )
    assert response.status_code == 200
    assert form_errors(response) == [zh(StaleEdit.message)]
    form = response.context["form"]
    assert form["name"].value() == "第二次保存" and form["parent"].value() == "BR-A2"
    assert db_state() == before  # neither the name nor the move was written
    assert fresh(world.branch_a).name == "第一次保存"


# --- dissolve -------------------------------------------------------------------------------------


def test_dissolve_an_empty_branch(client, world):
    empty = OrganizationFactory(name="空支部", code="EMPTY", parent=world.town_a)
    client.force_login(world.committee_a)
    assert client.get(org_url("org_dissolve", empty)).status_code == 200
    response = client.post(org_url("org_dissolve", empty))
    assert response.status_code == 302 and response["Location"] == empty.get_absolute_url()
    assert fresh(empty).status == Organization.Status.DISSOLVED
    assert fresh(empty).version == 2
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.DISSOLVE)
    assert entry.object_id == str(empty.pk) and entry.actor == world.committee_a
    assert zh("The organization is marked dissolved. Its history is kept.") in flashed(response)
    # Kept, shown as dissolved, and no longer offered for new members or subordinates.
    page = client.get(empty.get_absolute_url())
    assert page.status_code == 200
    assert not page.context["can_dissolve"] or "portal:org_dissolve" not in page.content.decode()
    response = client.post(
        reverse("portal:member_create"),
        {"name": "新人", "gender": "m", "status": "full", "joined_on": "2010-01-01", "organization": "EMPTY"},
    )
    assert form_errors(response, "organization") == [zh(NOT_IN_AREA)]


def test_dissolve_refuses_an_organization_with_members(client, world):
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(org_url("org_dissolve", world.branch_a))
    assert response.status_code == 302
    assert zh("Transfer its members to another organization first.") in flashed(response)
    assert db_state() == before


def test_dissolve_counts_only_members_on_the_roll(client, world):
    world.member_a.remove_from_roll(world.secretary_a, "去世")
    client.force_login(world.committee_a)
    client.post(org_url("org_dissolve", world.branch_a))
    assert fresh(world.branch_a).status == Organization.Status.DISSOLVED


def test_dissolve_refuses_an_organization_with_active_subordinates(client, world):
    for member in (world.member_a, world.member_a2):
        member.remove_from_roll(world.committee_a, "调出")
    client.force_login(world.committee_a)
    before = db_state()
    response = client.post(org_url("org_dissolve", world.town_a))
    assert zh("Dissolve or move its subordinate organizations first.") in flashed(response)
    assert db_state() == before
    # Once the subordinates are dissolved, the committee itself may be.
    client.post(org_url("org_dissolve", world.branch_a))
    client.post(org_url("org_dissolve", world.branch_a2))
    client.post(org_url("org_dissolve", world.town_a))
    assert fresh(world.town_a).status == Organization.Status.DISSOLVED


def test_the_top_of_the_tree_cannot_be_dissolved(client, world):
    client.force_login(world.admin)
    empty_root = OrganizationFactory(code="EMPTY-ROOT", level="city")
    before = db_state()
    response = client.post(org_url("org_dissolve", empty_root))
    assert response.status_code == 302
    assert zh("The top of the tree cannot be dissolved.") in flashed(response)
    assert db_state() == before


def test_dissolving_twice_is_refused(client, world):
    empty = OrganizationFactory(code="EMPTY", parent=world.town_a)
    client.force_login(world.committee_a)
    client.post(org_url("org_dissolve", empty))
    response = client.post(org_url("org_dissolve", empty))
    assert zh("The organization is already dissolved.") in flashed(response)
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DISSOLVE).count() == 1


# --- the tree browser -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "roots"),
    [
        ("admin", ["CITY", "OTHER"]),
        ("office", ["CITY"]),
        ("committee_a", ["TOWN-A"]),
        ("secretary_a", ["BR-A"]),
        ("secretary_b", ["BR-B"]),
        ("member_user", ["BR-A"]),
    ],
)
def test_the_tree_starts_at_the_top_of_each_users_area(client, world, role, roots):
    client.force_login(getattr(world, role))
    response = client.get(reverse("portal:org_tree"))
    assert response.status_code == 200
    assert sorted(o.code for o in response.context["roots"]) == roots


def test_the_tree_of_a_user_with_nested_roles_starts_at_the_higher_one(client, world):
    grant(world.secretary_a, Role.COMMITTEE, world.town_a)
    client.force_login(world.secretary_a)
    assert [o.code for o in client.get(reverse("portal:org_tree")).context["roots"]] == ["TOWN-A"]


def test_the_tree_keeps_a_deeper_committee_role_under_a_secretary_role(client, world):
    """A secretary reaches only their organization: a committee role further down is a root of its own."""
    middle = OrganizationFactory(code="MID", parent=world.branch_a, level="general_branch")
    deep = OrganizationFactory(code="DEEP", parent=middle, level="general_branch")
    grant(world.secretary_a, Role.COMMITTEE, deep)
    client.force_login(world.secretary_a)
    roots = client.get(reverse("portal:org_tree")).context["roots"]
    assert sorted(o.code for o in roots) == ["BR-A", "DEEP"]  # MID, between them, is out of reach


def test_the_tree_shows_child_counts_and_expands_lazily(client, world):
    client.force_login(world.office)
    response = client.get(reverse("portal:org_tree"))
    (root,) = response.context["roots"]
    assert root.child_count == 2
    assert f'hx-get="{org_url("org_children", world.city)}"' in response.content.decode()

    response = client.get(org_url("org_children", world.city))
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a partial for htmx
    # by name: 乙… before 甲… (code point order)
    assert [(n.code, n.child_count) for n in response.context["nodes"]] == [("TOWN-B", 1), ("TOWN-A", 2)]

    response = client.get(org_url("org_children", world.town_a))
    assert [n.code for n in response.context["nodes"]] == ["BR-A2", "BR-A"]  # by name: 甲二… before 甲村…
    assert all(n.child_count == 0 for n in response.context["nodes"])


def test_a_dissolved_child_is_not_counted_but_still_listed(client, world):
    world.member_a2.remove_from_roll(world.committee_a, "调出")
    world.branch_a2.dissolve(world.committee_a)
    client.force_login(world.committee_a)
    (root,) = client.get(reverse("portal:org_tree")).context["roots"]
    assert root.child_count == 1
    response = client.get(org_url("org_children", world.town_a))
    assert sorted(n.code for n in response.context["nodes"]) == ["BR-A", "BR-A2"]


def test_children_of_a_partly_visible_organization_are_only_those_in_reach(client, world):
    client.force_login(world.secretary_a)
    assert client.get(org_url("org_children", world.town_a)).status_code == 404
    client.force_login(world.committee_a)
    nodes = client.get(org_url("org_children", world.city))
    assert nodes.status_code == 404


def test_search_by_name_and_by_code(client, world):
    client.force_login(world.office)
    response = client.get(reverse("portal:org_tree"), {"q": "村党支部"})
    assert [o.code for o in response.context["page"]] == ["BR-A", "BR-A2", "BR-B"]  # in tree order
    response = client.get(reverse("portal:org_tree"), {"q": "br-a2"})
    assert [o.code for o in response.context["page"]] == ["BR-A2"]
    response = client.get(reverse("portal:org_tree"), {"q": "BR"})  # a code matches whole, not in part
    assert [o.code for o in response.context["page"]] == []
    assert zh("No organization in your area matches.") in response.content.decode()


def test_search_stays_in_the_area(client, world):
    client.force_login(world.secretary_a)
    response = client.get(reverse("portal:org_tree"), {"q": "党"})
    assert [o.code for o in response.context["page"]] == ["BR-A"]
    client.force_login(world.committee_a)
    response = client.get(reverse("portal:org_tree"), {"q": "OTHER"})
    assert list(response.context["page"]) == []


def test_filter_by_level_and_sector(client, world):
    OrganizationFactory(code="AG-1", name="机关党支部", parent=world.town_a, sector="agency")
    client.force_login(world.office)
    response = client.get(reverse("portal:org_tree"), {"level": "town"})
    assert [o.code for o in response.context["page"]] == ["TOWN-A", "TOWN-B"]
    response = client.get(reverse("portal:org_tree"), {"sector": "agency"})
    assert [o.code for o in response.context["page"]] == ["AG-1"]
    response = client.get(reverse("portal:org_tree"), {"level": "branch", "sector": "community", "q": "甲"})
    assert [o.code for o in response.context["page"]] == ["BR-A", "BR-A2"]


def test_a_bad_filter_value_shows_the_tree(client, world):
    client.force_login(world.office)
    response = client.get(reverse("portal:org_tree"), {"level": "galaxy"})
    assert response.status_code == 200
    assert response.context["form"].errors["level"]
    assert "page" not in response.context


def test_search_results_are_paginated(client, world):
    for n in range(55):
        OrganizationFactory(name=f"新区{n:02}党支部", code=f"XQ-{n:02}", parent=world.town_a)
    client.force_login(world.committee_a)
    first = client.get(reverse("portal:org_tree"), {"q": "新区"}).context["page"]
    assert (len(first), first.paginator.count, first.paginator.num_pages) == (50, 55, 2)
    response = client.get(reverse("portal:org_tree"), {"q": "新区", "page": 2})
    assert len(response.context["page"]) == 5
    assert "?q=%E6%96%B0%E5%8C%BA&amp;page=1" in response.content.decode()  # the link back keeps the search


# --- the organization page ------------------------------------------------------------------------


def test_detail_lists_members_subordinates_and_ancestors_in_reach(client, world):
    MemberFactory(name="周八", organization=world.branch_a, status=Member.Status.PROBATIONARY)
    MemberFactory(name="吴九", organization=world.branch_a, active=False)
    client.force_login(world.committee_a)
    response = client.get(world.branch_a.get_absolute_url())
    ctx = response.context
    assert [m.name for m in ctx["member_page"]] == ["周八", "张三"]  # on the roll only, by name
    assert (ctx["full_count"], ctx["probationary_count"]) == (1, 1)
    assert [a.code for a in ctx["ancestors"]] == ["TOWN-A"]  # the city is above the committee's area
    assert ctx["can_change"] and ctx["can_create"] and ctx["can_dissolve"] and ctx["can_audit"]

    response = client.get(world.town_a.get_absolute_url())
    assert [o.code for o in response.context["subordinates"]] == ["BR-A2", "BR-A"]


def test_detail_for_a_member_shows_only_their_own_record(client, world):
    MemberFactory(name="钱七", organization=world.branch_a)
    client.force_login(world.member_user)
    response = client.get(world.branch_a.get_absolute_url())
    assert [m.name for m in response.context["member_page"]] == ["张三"]
    assert not any(response.context[k] for k in ("can_change", "can_create", "can_dissolve", "can_add_member"))
    assert list(response.context["ancestors"]) == []


def test_detail_offers_a_secretary_only_what_they_may_do(client, world):
    client.force_login(world.secretary_a)
    ctx = client.get(world.branch_a.get_absolute_url()).context
    assert ctx["can_change"] and ctx["can_add_member"]
    assert not (ctx["can_create"] or ctx["can_dissolve"] or ctx["can_audit"])


def add_members(org, full, probationary=0):
    MemberFactory.create_batch(full, organization=org)
    MemberFactory.create_batch(probationary, organization=org, status=Member.Status.PROBATIONARY)


@pytest.mark.parametrize(
    ("level", "full", "probationary", "warnings"),
    [
        ("branch", 1, 5, ["too_small"]),  # probationary members do not count
        ("branch", 2, 0, ["too_small"]),
        ("branch", 3, 0, []),
        ("branch", 50, 0, []),
        ("branch", 51, 0, ["too_large"]),
        ("joint_branch", 1, 0, []),  # a joint branch is the remedy for small units
        ("joint_branch", 51, 0, ["too_large"]),
        ("general_branch", 1, 0, []),
        ("general_branch", 120, 0, []),
    ],
)
def test_detail_shows_establishment_warnings(client, world, level, full, probationary, warnings):
    org = OrganizationFactory(code="W-1", level=level, parent=world.town_a)
    add_members(org, full, probationary)
    client.force_login(world.committee_a)
    response = client.get(org.get_absolute_url())
    assert [str(w) for w in response.context["warnings"]] == [str(MESSAGES[w]) for w in warnings]
    content = response.content.decode()
    for w in warnings:
        assert zh(MESSAGES[w]) in content


def test_members_off_the_roll_do_not_count_for_warnings(client, world):
    org = OrganizationFactory(code="W-1", parent=world.town_a)
    add_members(org, 3)
    org.members.first().remove_from_roll(world.committee_a, "去世")
    client.force_login(world.committee_a)
    assert client.get(org.get_absolute_url()).context["warnings"] == [MESSAGES["too_small"]]


@pytest.fixture
def units(world):
    """A hand-computed set of two-new units (see the expected figures in the tests)."""
    U = Unit.Coverage
    ent, soc = Unit.Kind.ENTERPRISE, Unit.Kind.SOCIAL
    table = [
        # name  organization        kind above party coverage
        ("U1", world.branch_a, ent, True, 5, U.SINGLE),  # can form, organized, above scale, single
        ("U2", world.branch_a2, ent, True, 4, U.JOINT),  # can form, organized, above scale, not single
        ("U3", world.town_a, ent, False, 3, U.NONE),  # can form, not organized
        ("U4", world.branch_a, soc, False, 1, U.WORK),  # the rest: work coverage
        ("U5", world.town_a, ent, False, 0, U.NONE),  # the rest: not covered
        ("U6", world.branch_a2, ent, True, 2, U.JOINT),  # the rest (too few to form): covered by a joint branch
        ("U7", world.branch_b, ent, True, 10, U.NONE),  # outside town_a: can form, above scale, not organized
        ("U8", world.other_branch, ent, True, 10, U.SINGLE),  # another tree
    ]
    for name, org, kind, above, party, coverage in table:
        UnitFactory(name=name, organization=org, kind=kind, above_scale=above, party_members=party, coverage=coverage)


@pytest.mark.parametrize(
    ("role", "org", "figures", "rates"),
    [
        # units can_form organized rest work_covered above_scale above_scale_single
        ("committee_a", "town_a", (6, 3, 2, 3, 2, 2, 1), (66.7, 66.7, 50.0)),
        ("committee_a", "branch_a", (2, 1, 1, 1, 1, 1, 1), (100.0, 100.0, 100.0)),
        ("committee_a", "branch_a2", (2, 1, 1, 1, 1, 1, 0), (100.0, 100.0, 0.0)),
        ("office", "city", (7, 4, 2, 3, 2, 3, 1), (50.0, 66.7, 33.3)),
        ("office", "town_b", (1, 1, 0, 0, 0, 1, 0), (0.0, None, 0.0)),
        ("secretary_a", "branch_a", (2, 1, 1, 1, 1, 1, 1), (100.0, 100.0, 100.0)),
    ],
)
def test_detail_shows_coverage_figures(client, world, units, role, org, figures, rates):
    client.force_login(getattr(world, role))
    response = client.get(getattr(world, org).get_absolute_url())
    c = response.context["coverage"]
    names = ("units", "can_form", "organized", "rest", "work_covered", "above_scale", "above_scale_single")
    assert tuple(getattr(c, n) for n in names) == figures
    assert (c.organization_rate, c.work_rate, c.single_rate) == rates
    content = response.content.decode()
    assert f"{c.organized} / {c.can_form}" in content
    assert f"{rates[0]}%" in content
    if rates[1] is None:
        assert "—" in content  # no unit to cover: no rate rather than 0 %


def test_the_units_of_a_subtree_are_listed_with_their_organization(client, world, units):
    client.force_login(world.committee_a)
    response = client.get(world.town_a.get_absolute_url())
    assert [u.name for u in response.context["units"]] == ["U1", "U2", "U3", "U4", "U5", "U6"]


def test_a_member_sees_no_units(client, world, units):
    client.force_login(world.member_user)
    response = client.get(world.branch_a.get_absolute_url())
    assert list(response.context["units"]) == []
    assert response.context["coverage"].units == 0


# --- the warnings page ----------------------------------------------------------------------------


def test_warnings_lists_what_breaks_a_rule_in_the_area(client, world, units):
    big = OrganizationFactory(name="大支部", code="BIG", parent=world.town_a)
    add_members(big, 51)
    add_members(world.branch_a2, 2)  # branch_a2: 3 full members, no warning
    client.force_login(world.committee_a)
    response = client.get(reverse("portal:warnings"))
    assert response.status_code == 200
    assert [(o.code, o.full_members) for o in response.context["page"]] == [("BR-A", 1), ("BIG", 51)]
    assert [[str(w) for w in o.warnings] for o in response.context["page"]] == [
        [str(MESSAGES["too_small"])],
        [str(MESSAGES["too_large"])],
    ]
    assert sorted(u.name for u in response.context["units"]) == ["U2", "U3"]
    assert response.context["unit_count"] == 2


def test_warnings_of_office_and_secretary(client, world, units):
    client.force_login(world.office)
    response = client.get(reverse("portal:warnings"))
    assert [o.code for o in response.context["page"]] == ["BR-A", "BR-A2", "BR-B"]
    assert sorted(u.name for u in response.context["units"]) == ["U2", "U3", "U7"]
    client.force_login(world.secretary_b)
    response = client.get(reverse("portal:warnings"))
    assert [o.code for o in response.context["page"]] == ["BR-B"]
    assert [u.name for u in response.context["units"]] == ["U7"]


def test_dissolved_organizations_raise_no_warning(client, world):
    world.member_a2.remove_from_roll(world.committee_a, "调出")
    world.branch_a2.dissolve(world.committee_a)
    client.force_login(world.committee_a)
    response = client.get(reverse("portal:warnings"))
    assert [o.code for o in response.context["page"]] == ["BR-A"]


def test_warnings_are_paginated(client, world):
    for n in range(52):
        OrganizationFactory(name=f"小支部{n:02}", code=f"S-{n:02}", parent=world.town_b)
    client.force_login(world.office)
    page = client.get(reverse("portal:warnings")).context["page"]
    assert (len(page), page.paginator.count) == (50, 3 + 52)
    assert len(client.get(reverse("portal:warnings"), {"page": 2}).context["page"]) == 5


# --- the change log -------------------------------------------------------------------------------


def test_change_log_shows_create_update_and_transfer_with_old_and_new_values(client, world):
    client.force_login(world.committee_a)
    client.post(org_url("org_create", world.town_a), new_branch(world.town_a))
    client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, name="甲村第一党支部"))
    client.post(reverse("portal:member_transfer", args=[world.member_a.pk]), {"to": "BR-A2", "note": "搬迁"})

    response = client.get(org_url("org_audit", world.town_a))
    assert response.status_code == 200
    entries = list(response.context["page"])
    assert [(e.verb, e.object_repr) for e in entries] == [
        ("transfer", "张三"),  # logged at the organization the member left …
        ("transfer", "张三"),  # … and at the one they joined
        ("update", "甲村第一党支部"),
        ("create", "甲三村党支部"),
    ]
    assert entries[0].changes == {"organization": ["甲村第一党支部", "甲二村党支部"]}
    assert entries[2].changes == {"name": ["甲村党支部", "甲村第一党支部"]}
    content = response.content.decode()
    assert "甲村党支部 → 甲村第一党支部" in content
    assert "甲村第一党支部 → 甲二村党支部" in content
    assert "committee_a" in content


def test_change_log_of_a_branch_keeps_to_its_subtree(client, world):
    client.force_login(world.office)
    client.post(org_url("org_edit", world.branch_b), org_form(world.branch_b, name="乙村第一党支部"))
    client.post(org_url("org_edit", world.branch_a), org_form(world.branch_a, name="甲村第一党支部"))
    entries = client.get(org_url("org_audit", world.branch_a)).context["page"]
    assert [e.object_repr for e in entries] == ["甲村第一党支部"]
    entries = client.get(org_url("org_audit", world.city)).context["page"]
    assert len(entries) == 2


def test_change_log_hides_security_events(client, world):
    """Logins and refused accesses are kept, but not in an organization's change log."""
    client.force_login(world.committee_a)
    client.get(org_url("org_detail", world.city))  # refused: 404, logged
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED).exists()
    assert list(client.get(org_url("org_audit", world.town_a)).context["page"]) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [("committee_a", 200), ("office", 200), ("admin", 200), ("secretary_a", 403), ("member_user", 403)],
)
def test_only_superiors_may_read_the_change_log(client, world, role, status):
    client.force_login(getattr(world, role))
    assert client.get(org_url("org_audit", world.branch_a)).status_code == status


def test_change_log_is_paginated(client, world):
    client.force_login(world.committee_a)
    for n in range(55):
        client.post(org_url("org_edit", world.branch_a), org_form(fresh(world.branch_a), contact_phone=f"{n:04}"))
    page = client.get(org_url("org_audit", world.branch_a)).context["page"]
    assert (len(page), page.paginator.count) == (50, 55)
