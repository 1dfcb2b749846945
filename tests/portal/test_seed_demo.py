"""``manage.py seed_demo``: the demo city, its accounts, determinism, idempotence and sizing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils.translation import gettext

from awards.models import AwardRound, Nomination
from campaigns.models import Campaign, TargetAgreement
from commitments.models import Commitment
from evaluations.models import Round
from portal.demo import CITY_CODE, DEFAULT_MEMBERS, DEFAULT_ORGS, minimums
from portal.models import Level, Member, Organization, Role, RoleAssignment, Sector, Unit
from portal.models.organizations import encode_segment
from portal.rules import unit_warning_filter, warning_filter
from portal.scope import Scope

from ..factories import OrganizationFactory

User = get_user_model()


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture
def city(db, debug):
    seed()
    return Organization.objects.get(code=CITY_CODE)


def counts():
    return {model.__name__: model.objects.count() for model in (Organization, Member, Unit, User, RoleAssignment)}


def snapshot():
    """Everything seed_demo writes, without the auto-generated member, unit and user ids."""
    return {
        "orgs": list(
            Organization.objects.order_by("pk").values_list(
                "pk",
                "name",
                "code",
                "level",
                "sector",
                "parent__code",
                "path",
                "depth",
                "secretary_name",
                "contact_phone",
                "founded_on",
            )
        ),
        "members": list(
            Member.objects.order_by("pk").values_list(
                "name",
                "gender",
                "birth_date",
                "status",
                "joined_on",
                "organization__code",
                "role",
                "mobile",
                "staff_kind",
                "phone",
                "user__username",
            )
        ),
        "units": list(
            Unit.objects.order_by("pk").values_list(
                "name",
                "kind",
                "above_scale",
                "employees",
                "party_members",
                "organization__code",
                "coverage",
                "liaison",
            )
        ),
        "roles": sorted(RoleAssignment.objects.values_list("user__username", "role", "organization__code")),
        "users": sorted(User.objects.values_list("username", "first_name", "is_staff", "is_superuser")),
    }


def wipe_campaigns():
    """Delete the campaigns with all that hangs off them; their rounds and commitments go first (they
    protect the campaign, its criteria, members and organizations)."""
    Nomination.objects.all().delete()  # they protect their categories (awards/models.py)
    AwardRound.objects.all().delete()
    Round.objects.all().delete()
    Commitment.objects.all().delete()
    Campaign.objects.all().delete()


def wipe():
    wipe_campaigns()
    TargetAgreement.objects.all().delete()  # campaigns/demo_agreements.py: they protect organizations
    Member.objects.all().delete()
    Unit.objects.all().delete()
    User.objects.all().delete()
    for depth in sorted(set(Organization.objects.values_list("depth", flat=True)), reverse=True):
        Organization.objects.filter(depth=depth).delete()


def assert_paths_hold():
    paths = dict(Organization.objects.values_list("pk", "path"))
    for pk, parent_id, path, depth in Organization.objects.values_list("pk", "parent_id", "path", "depth"):
        assert path == (paths[parent_id] if parent_id else "") + encode_segment(pk)
        assert depth == path.count("/") - 1


def test_builds_a_believable_city(city):
    assert counts()["Organization"] == DEFAULT_ORGS
    assert counts()["Member"] == DEFAULT_MEMBERS
    assert city.name == "中共吴江市委" and city.parent is None
    tops = set(city.children.values_list("name", flat=True))
    for name in (
        "松陵镇党委",
        "同里镇党委",
        "盛泽镇党委",
        "七都镇党委",
        "吴江经济开发区党工委",
        "吴江汾湖经济开发区党工委",
    ):
        assert name in tops
    assert "吴江农村商业银行党委" in tops
    assert set(Organization.objects.values_list("sector", flat=True)) == set(Sector.values)
    assert set(Organization.objects.values_list("level", flat=True)) == set(Level.values) - {Level.DISTRICT}
    # Names are Chinese: a surname and one or two given characters.
    assert all(2 <= len(name) <= 3 for name in Member.objects.values_list("name", flat=True))
    assert Member.objects.filter(status=Member.Status.PROBATIONARY).exists()
    assert Member.objects.filter(mobile=True).exists()
    assert (
        Member.objects.filter(role=Member.Role.SECRETARY).count()
        == Organization.objects.filter(level__in=(Level.BRANCH, Level.JOINT_BRANCH), members__isnull=False)
        .distinct()
        .count()
    )
    staff_kinds = Member.objects.exclude(staff_kind="")
    assert set(staff_kinds.values_list("staff_kind", flat=True)) == {"owner", "management", "staff"}
    assert not staff_kinds.exclude(organization__sector=Sector.NON_PUBLIC).exists()
    assert not Member.objects.filter(organization__level__in=(Level.CITY, Level.TOWN, Level.COMMITTEE)).exists()
    # Every branch's secretary is on its roll.
    for org in Organization.objects.filter(level=Level.BRANCH, members__role=Member.Role.SECRETARY).distinct():
        assert org.members.filter(role=Member.Role.SECRETARY, name=org.secretary_name).exists()


def test_units_have_mixed_coverage(city):
    assert set(Unit.objects.values_list("coverage", flat=True)) == set(Unit.Coverage.values)
    assert set(Unit.objects.values_list("kind", flat=True)) == set(Unit.Kind.values)
    assert Unit.objects.filter(above_scale=True).exists() and Unit.objects.filter(above_scale=False).exists()
    assert not Unit.objects.filter(coverage=Unit.Coverage.WORK, liaison="").exists()
    assert not Unit.objects.exclude(coverage=Unit.Coverage.WORK).exclude(liaison="").exists()
    # A unit with its own organization counts that organization's members.
    for unit in Unit.objects.filter(coverage=Unit.Coverage.SINGLE, organization__level=Level.BRANCH):
        assert unit.party_members == unit.organization.members.count()


def test_path_invariant_holds_for_every_organization(city):
    assert_paths_hold()


def test_new_organizations_after_seeding_get_fresh_ids(city):
    """The ids were allocated by seed_demo; the database's sequence must continue after them."""
    top = Organization.objects.order_by("-pk").first()
    org = OrganizationFactory(parent=city, level=Level.TOWN)
    assert org.pk > top.pk
    assert org.path == city.path + encode_segment(org.pk)


def test_second_run_changes_nothing_and_is_fast(city, django_assert_max_num_queries):
    before, state = counts(), snapshot()
    with django_assert_max_num_queries(1):
        out = seed()
    assert gettext("The demo city is already in the database: nothing was changed.") in out  # in the UI language
    assert "secretary" in out  # the accounts are printed either way
    assert counts() == before
    assert snapshot() == state


def test_is_deterministic(city):
    first = snapshot()
    wipe()
    assert counts() == dict.fromkeys(counts(), 0)
    seed()
    assert snapshot() == first


def test_accounts_roles_and_scopes(city, settings):
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == {"admin", "office", "committee", "secretary", "member"}
    for user in users.values():
        assert user.check_password(settings.DEMO_PASSWORD)
        assert user.get_full_name() and all("\u4e00" <= char <= "\u9fff" for char in user.get_full_name())
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not any(users[name].is_staff for name in ("office", "committee", "secretary", "member"))

    town = Organization.objects.get(name="松陵镇党委")
    branch = Organization.objects.get(name="松陵镇流虹社区党支部")
    assert branch.parent == town
    roles = set(RoleAssignment.objects.values_list("user__username", "role", "organization"))
    assert roles == {
        ("admin", Role.ADMIN, None),
        ("office", Role.OFFICE, city.pk),
        ("committee", Role.COMMITTEE, town.pk),
        ("secretary", Role.SECRETARY, branch.pk),
    }
    secretary = Member.objects.get(user=users["secretary"])
    assert (secretary.organization, secretary.role, secretary.name) == (branch, Member.Role.SECRETARY, "徐丽萍")
    assert branch.secretary_name == "徐丽萍"
    member = Member.objects.get(user=users["member"])
    assert (member.organization, member.role, member.name) == (branch, "", users["member"].first_name)

    def visible(username):
        return set(Scope(users[username]).organizations().values_list("pk", flat=True))

    assert visible("admin") == visible("office") == set(Organization.objects.values_list("pk", flat=True))
    town_subtree = set(Organization.objects.filter(path__startswith=town.path).values_list("pk", flat=True))
    assert visible("committee") == town_subtree
    assert len(town_subtree) > 3
    assert visible("secretary") == visible("member") == {branch.pk}
    assert list(Scope(users["member"]).filter(Member.objects.all(), "member.view")) == [member]
    assert set(Scope(users["secretary"]).filter(Member.objects.all(), "member.view")) == set(branch.members.all())


def test_demo_password_can_be_changed(db, debug):
    debug.DEMO_PASSWORD = "another-demo-pass-7"
    out = seed()
    assert "another-demo-pass-7" in out
    assert User.objects.get(username="office").check_password("another-demo-pass-7")


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert counts() == dict.fromkeys(counts(), 0)
    seed(force=True)
    assert Organization.objects.filter(code=CITY_CODE).exists()
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_refuses_to_take_over_existing_users(db, debug):
    User.objects.create_user("admin", password="their-own-password-1")
    with pytest.raises(CommandError, match="admin"):
        seed()
    assert not Organization.objects.exists()
    assert User.objects.get(username="admin").check_password("their-own-password-1")


def test_rule_violations_show_as_warnings(city):
    warned = (
        Organization.objects.with_full_member_count()
        .filter(warning_filter())
        .values_list("name", "full_members", "level")
    )
    assert set(warned) == {
        ("七都镇太湖渔业专业合作社党支部", 2, Level.BRANCH),
        ("吴江恒宇纺织集团有限公司党支部", 60, Level.BRANCH),
    }
    small = Organization.objects.get(name="七都镇太湖渔业专业合作社党支部")
    large = Organization.objects.get(name="吴江恒宇纺织集团有限公司党支部")
    assert len(small.establishment_warnings()) == 1 and len(large.establishment_warnings()) == 1
    unit = Unit.objects.get(unit_warning_filter())
    assert (unit.name, unit.party_members, unit.coverage) == ("吴江锦程丝绸有限公司", 5, Unit.Coverage.WORK)
    assert unit.organization.name == "盛泽镇党委"


def test_prints_accounts_and_url(db, debug):
    out = seed()
    for username in ("admin", "office", "committee", "secretary", "member"):
        assert f"  {username} " in out
    assert "松陵镇流虹社区党支部" in out and "松陵镇党委" in out
    assert debug.DEMO_PASSWORD in out
    assert f"{debug.SITE_URL}/" in out


def test_sizing_options(db, debug):
    seed(orgs=45, members=700)
    assert counts()["Organization"] == 45
    assert counts()["Member"] == 700
    assert_paths_hold()
    assert Organization.objects.filter(code="WJ-SL-LH").get().members.count() == 18


def test_sizes_below_the_fixed_part_are_refused(db, debug):
    min_orgs, min_members = minimums()
    with pytest.raises(CommandError, match=str(min_orgs)):
        seed(orgs=min_orgs - 1)
    with pytest.raises(CommandError, match=str(min_members)):
        seed(members=min_members - 1)
    assert not Organization.objects.exists()
    seed(orgs=min_orgs, members=min_members)
    assert counts()["Organization"] == min_orgs
    assert counts()["Member"] == min_members
