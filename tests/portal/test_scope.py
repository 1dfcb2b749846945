"""Unit tests of the scope layer (portal/scope.py), below the views."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.models import AuditEntry, Member, Organization, Role, Unit
from portal.scope import ACTIONS, Scope

from ..factories import MemberFactory, OrganizationFactory, UnitFactory, UserFactory, grant


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def names(queryset):
    return set(queryset.values_list("name", flat=True))


ALL_ORGS = {"CITY", "TOWN-A", "TOWN-B", "BR-A", "BR-A2", "BR-B", "OTHER", "OTHER-BR"}


# --- deny by default ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretary_a", "committee_a", "office", "admin", "member_user"])
def test_an_unknown_action_is_refused_to_everyone(world, role):
    scope = Scope(getattr(world, role))
    assert "organization.frobnicate" not in ACTIONS
    assert not scope.can("organization.frobnicate")
    assert not scope.filter(Organization.objects.all(), "organization.frobnicate").exists()
    assert not scope.filter(Member.objects.all(), "member.frobnicate").exists()
    assert not scope.allows("organization.frobnicate", world.branch_a)
    assert not scope.allows("member.frobnicate", world.member_a)


def test_an_unknown_action_on_a_visible_object_answers_403(world):
    scope = Scope(world.admin)
    with pytest.raises(PermissionDenied):
        scope.get(Organization.objects.all(), "organization.frobnicate", pk=world.branch_a.pk)


def test_a_model_with_an_unknown_view_action_is_never_found(world):
    """``get`` looks objects up through "<model>.view"; if that action is unknown nothing is visible."""
    scope = Scope(world.admin)
    assert not scope.filter(Organization.objects.all(), "organisation.view").exists()


def test_anonymous_has_no_grants(world):
    scope = Scope(AnonymousUser())
    assert scope.grants == []
    assert scope.member is None
    assert not scope.organizations().exists()
    assert not scope.can("organization.view")
    with pytest.raises(Http404):
        scope.get(Organization.objects.all(), "organization.view", pk=world.branch_a.pk)


def test_a_user_without_roles_reaches_nothing(world):
    scope = Scope(UserFactory(username="nobody"))
    assert scope.grants == []
    assert not scope.organizations().exists()
    assert not scope.filter(Member.objects.all(), "member.view").exists()


# --- reach of each role ------------------------------------------------------------------------


def test_admin_reaches_everything_in_every_tree(world):
    scope = Scope(world.admin)
    assert scope.is_admin()
    assert codes(scope.organizations()) == ALL_ORGS
    assert codes(scope.organizations("organization.dissolve")) == ALL_ORGS
    assert names(scope.filter(Member.objects.all(), "member.change")) == {"张三", "李四", "王五", "赵六"}
    assert scope.allows("organization.create", world.other_city)
    assert scope.allows("audit.view", world.other_branch)


def test_committee_officer_reaches_their_whole_subtree_and_nothing_above_or_beside(world):
    scope = Scope(world.committee_a)
    assert codes(scope.organizations()) == {"TOWN-A", "BR-A", "BR-A2"}
    assert codes(scope.organizations("organization.create")) == {"TOWN-A", "BR-A", "BR-A2"}
    assert names(scope.filter(Member.objects.all(), "member.transfer")) == {"张三", "李四"}
    assert scope.allows("organization.dissolve", world.branch_a2)  # subtree
    assert scope.allows("audit.view", world.town_a)  # own
    assert not scope.allows("organization.view", world.city)  # ancestor
    assert not scope.allows("organization.view", world.town_b)  # sibling
    assert not scope.allows("organization.view", world.branch_b)  # sibling's child
    assert not scope.allows("member.view", world.member_b)
    assert not scope.allows("organization.view", world.other_city)  # another tree


def test_subtree_reach_follows_the_tree_to_any_depth(world):
    deep = world.branch_a
    for depth in range(4):
        deep = OrganizationFactory(code=f"DEEP-{depth}", parent=deep)
    member = MemberFactory(organization=deep)
    scope = Scope(world.committee_a)
    assert scope.allows("organization.change", deep)
    assert scope.allows("member.change", member)
    assert not Scope(world.secretary_a).allows("organization.view", deep)  # a secretary: own organization only


def test_office_staff_reach_the_whole_city_but_not_another_tree(world):
    scope = Scope(world.office)
    assert codes(scope.organizations()) == {"CITY", "TOWN-A", "TOWN-B", "BR-A", "BR-A2", "BR-B"}
    assert scope.allows("member.export", world.member_b)
    assert not scope.allows("member.view", world.member_other)
    assert not scope.allows("organization.view", world.other_city)


def test_secretary_reaches_their_own_organization_only(world):
    scope = Scope(world.secretary_a)
    assert codes(scope.organizations()) == {"BR-A"}
    assert codes(scope.organizations("organization.change")) == {"BR-A"}
    assert names(scope.filter(Member.objects.all(), "member.change")) == {"张三"}
    assert not scope.allows("organization.view", world.branch_a2)  # sibling
    assert not scope.allows("organization.view", world.town_a)  # ancestor
    assert not scope.allows("member.view", world.member_a2)


def test_secretary_may_not_do_what_belongs_to_a_superior(world):
    scope = Scope(world.secretary_a)
    for action in ("organization.create", "organization.dissolve", "organization.import", "audit.view"):
        assert not scope.can(action), action
        assert not scope.allows(action, world.branch_a), action
        assert not scope.organizations(action).exists(), action


def test_units_follow_the_organization_that_covers_them(world):
    unit_a = UnitFactory(name="甲厂", organization=world.branch_a)
    UnitFactory(name="乙厂", organization=world.branch_b)
    UnitFactory(name="邻市厂", organization=world.other_branch)
    assert names(Scope(world.secretary_a).filter(Unit.objects.all(), "unit.view")) == {"甲厂"}
    assert names(Scope(world.office).filter(Unit.objects.all(), "unit.view")) == {"甲厂", "乙厂"}
    assert not Scope(world.secretary_a).allows("unit.change", unit_a)  # a superior's right
    assert Scope(world.committee_a).allows("unit.change", unit_a)
    assert not Scope(world.member_user).filter(Unit.objects.all(), "unit.view").exists()


def test_roles_add_up(world):
    """A user holding several roles reaches the union of them."""
    grant(world.secretary_b, Role.COMMITTEE, world.town_a)
    scope = Scope(world.secretary_b)
    assert codes(scope.organizations()) == {"BR-B", "TOWN-A", "BR-A", "BR-A2"}
    assert codes(scope.organizations("organization.create")) == {"TOWN-A", "BR-A", "BR-A2"}  # not BR-B


# --- members with a login -----------------------------------------------------------------------


def test_member_sees_their_own_record_and_organization_only(world):
    other_in_branch = MemberFactory(name="钱七", organization=world.branch_a)
    scope = Scope(world.member_user)
    assert scope.member == world.member_a
    assert names(scope.filter(Member.objects.all(), "member.view")) == {"张三"}
    assert codes(scope.organizations()) == {"BR-A"}
    assert scope.allows("member.view", world.member_a)
    assert not scope.allows("member.view", other_in_branch)  # a fellow member of the branch
    assert not scope.allows("organization.view", world.town_a)


def test_member_may_change_nothing(world):
    scope = Scope(world.member_user)
    for action in ("member.change", "member.create", "member.transfer", "organization.change", "warnings.view"):
        assert not scope.can(action), action
    assert not scope.allows("member.change", world.member_a)
    assert not scope.allows("organization.change", world.branch_a)


def test_member_taken_off_the_roll_loses_their_reach(world):
    world.member_a.remove_from_roll(world.secretary_a, "出党")
    scope = Scope(world.member_user)
    assert scope.member is None
    assert scope.grants == []
    assert not scope.organizations().exists()


# --- users and organizations that no longer count ----------------------------------------------


def test_a_deactivated_user_has_no_grants(world):
    assert world.inactive.roles.exists()  # holds a committee role of the city
    scope = Scope(world.inactive)
    assert scope.grants == []
    assert not scope.organizations().exists()
    assert not scope.can("organization.view")


def test_a_deactivated_member_account_has_no_grants(world):
    world.member_user.is_active = False
    world.member_user.save()
    assert Scope(world.member_user).grants == []


def test_deactivating_an_admin_takes_everything(world):
    world.admin.is_active = False
    world.admin.save()
    scope = Scope(world.admin)
    assert not scope.is_admin()
    assert not scope.organizations().exists()


def test_a_role_in_a_dissolved_organization_grants_nothing(world):
    world.member_a.transfer(world.branch_a2, world.committee_a)
    world.branch_a.dissolve(world.committee_a)
    scope = Scope(world.secretary_a)
    assert scope.grants == []
    assert not scope.organizations().exists()
    with pytest.raises(Http404):
        scope.get(Organization.objects.all(), "organization.view", pk=world.branch_a.pk)


def test_a_dissolved_organization_stays_visible_to_its_superior(world):
    world.member_a2.transfer(world.branch_a, world.committee_a)
    world.branch_a2.dissolve(world.committee_a)
    assert Scope(world.committee_a).allows("organization.view", Organization.objects.get(pk=world.branch_a2.pk))


# --- get: 404 outside, 403 visible but not allowed, and the refusal is logged ------------------


def test_get_returns_the_object_inside_the_scope(world):
    scope = Scope(world.committee_a)
    assert scope.get(Organization.objects.all(), "organization.change", pk=world.branch_a.pk) == world.branch_a
    assert scope.get(Member.objects.all(), "member.transfer", pk=world.member_a2.pk) == world.member_a2
    assert not AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED).exists()


@pytest.mark.parametrize("org", ["city", "town_b", "branch_b", "other_city"])
def test_get_answers_404_outside_the_scope(world, org):
    scope = Scope(world.committee_a)
    with pytest.raises(Http404):
        scope.get(Organization.objects.all(), "organization.view", pk=getattr(world, org).pk)
    with pytest.raises(Http404):  # even for an action the role would have there
        scope.get(Organization.objects.all(), "organization.change", pk=getattr(world, org).pk)


def test_get_answers_404_for_what_does_not_exist(world):
    with pytest.raises(Http404):
        Scope(world.admin).get(Organization.objects.all(), "organization.view", pk=999_999)


def test_get_answers_403_when_visible_but_not_allowed(world):
    with pytest.raises(PermissionDenied):
        Scope(world.secretary_a).get(Organization.objects.all(), "organization.dissolve", pk=world.branch_a.pk)
    with pytest.raises(PermissionDenied):
        Scope(world.member_user).get(Member.objects.all(), "member.change", pk=world.member_a.pk)


def test_refused_access_is_audited(world):
    scope = Scope(world.secretary_a)
    with pytest.raises(Http404):
        scope.get(Member.objects.all(), "member.view", pk=world.member_b.pk)
    with pytest.raises(PermissionDenied):
        scope.get(Organization.objects.all(), "audit.view", pk=world.branch_a.pk)
    outside, forbidden = AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED).order_by("pk")
    assert outside.actor == world.secretary_a
    assert outside.actor_name == "secretary_a"
    assert outside.changes == {"object": "portal.Member", "lookup": {"pk": str(world.member_b.pk)}, "action": "view"}
    assert forbidden.changes == {
        "object": "portal.Organization",
        "lookup": {"pk": str(world.branch_a.pk)},
        "action": "audit.view",
    }


def test_refusals_of_anonymous_visitors_are_audited_without_a_user(world):
    with pytest.raises(Http404):
        Scope(AnonymousUser()).get(Organization.objects.all(), "organization.view", pk=world.city.pk)
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.DENIED)
    assert entry.actor is None
    assert entry.actor_name == ""


def test_require_refuses_and_audits(world):
    scope = Scope(world.secretary_a)
    scope.require("member.change", world.member_a)  # allowed: no exception
    with pytest.raises(PermissionDenied):
        scope.require("member.change", world.member_b)
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.DENIED)
    assert entry.changes["action"] == "member.change"


def test_require_any_refuses_a_user_no_role_of_whom_grants_the_action(world):
    Scope(world.secretary_a).require_any("member.create", Member)
    with pytest.raises(PermissionDenied):
        Scope(world.member_user).require_any("member.create", Member)
    with pytest.raises(PermissionDenied):
        Scope(world.secretary_a).require_any("audit.view", Organization)
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED).count() == 2


def test_grants_are_read_once_per_scope(world, django_assert_num_queries):
    scope = Scope(world.committee_a)
    with django_assert_num_queries(2):  # the roles, and the member record of the user
        assert len(scope.grants) == 1
    with django_assert_num_queries(0):
        scope.allows("organization.change", world.branch_a)
        scope.can("member.create")
