"""The cast every scope test uses (after healthchecks' alice, bob and charlie):

city ─┬─ town_a ─┬─ branch_a   (secretary_a; member_a has a login)
      │          └─ branch_a2
      └─ town_b ─── branch_b   (secretary_b)
other_city (another tree)

committee_a: committee officer of town_a; office: office staff of city; admin: administrator.
"""

import pytest

from portal import storage
from portal.models import Role

from .factories import MemberFactory, OrganizationFactory, UserFactory, grant


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _figures_not_cached(settings):
    """Pages compute their area figures on every request; tests/reports/test_figures_cache.py turns it on."""
    settings.FIGURES_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _file_storage_in_tmp(settings, tmp_path):
    """Uploads and generated files go to the test's own folders, never to the checkout's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def private_storage():
    """The storage of private files (plans' attachments, nominations' material …): in the test's own folder."""
    return storage.private_storage()


class Cast:
    pass


@pytest.fixture
def cast(db):
    c = Cast()
    c.city = OrganizationFactory(name="测试市委", code="CITY", level="city")
    c.town_a = OrganizationFactory(name="甲镇党委", code="TOWN-A", level="town", parent=c.city)
    c.town_b = OrganizationFactory(name="乙镇党委", code="TOWN-B", level="town", parent=c.city)
    c.branch_a = OrganizationFactory(name="甲村党支部", code="BR-A", parent=c.town_a)
    c.branch_a2 = OrganizationFactory(name="甲二村党支部", code="BR-A2", parent=c.town_a)
    c.branch_b = OrganizationFactory(name="乙村党支部", code="BR-B", parent=c.town_b)
    c.other_city = OrganizationFactory(name="邻市市委", code="OTHER", level="city")
    c.secretary_a = grant(UserFactory(username="secretary_a"), Role.SECRETARY, c.branch_a)
    c.secretary_b = grant(UserFactory(username="secretary_b"), Role.SECRETARY, c.branch_b)
    c.committee_a = grant(UserFactory(username="committee_a"), Role.COMMITTEE, c.town_a)
    c.office = grant(UserFactory(username="office"), Role.OFFICE, c.city)
    c.admin = grant(UserFactory(username="admin"), Role.ADMIN)
    c.member_user = UserFactory(username="member_a")
    c.member_a = MemberFactory(name="张三", organization=c.branch_a, user=c.member_user)
    c.member_a2 = MemberFactory(name="李四", organization=c.branch_a2)
    c.member_b = MemberFactory(name="王五", organization=c.branch_b)
    c.inactive = grant(UserFactory(username="gone", is_active=False), Role.COMMITTEE, c.city)
    return c
