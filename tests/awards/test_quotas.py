"""Quotas are changed in place on the quotas page: version-checked (a second editor is told, keeps their
input and sees the number saved meanwhile), never below what is already forwarded or on the list under
the quota, recorded in the audit trail. The pages speak Chinese (the default language)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from awards.models import AwardQuota
from portal.models import AuditEntry, StaleEdit

from ..factories import MemberFactory
from .test_flow import forward, nominate

pytestmark = pytest.mark.django_db

STALE = "您编辑期间其他人修改了这条记录"


@pytest.fixture(autouse=True)
def english(settings):  # overrides the awards' English: these pages are checked in the default language
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def excellent(categories):
    return categories["优秀共产党员"]


@pytest.fixture
def branch_quota(cast, round, excellent):
    return AwardQuota.add(cast.office, round, excellent, 3, level="branch")


def forward_two_from_branch_a(cast, round, category):
    """branch_a forwards two of its members (張三 and one more) to town_a: 2 used of a branch quota."""
    second = MemberFactory(name="赵六", organization=cast.branch_a)
    return [forward(nominate(cast, round, category, member=m), cast.secretary_a) for m in (cast.member_a, second)]


def quota_url(quota):
    return reverse("awards:quota", args=[quota.pk])


def test_a_quota_is_changed_in_place_and_recorded(client, cast, round, branch_quota):
    client.force_login(cast.office)
    page = client.get(reverse("awards:quotas", args=[round.pk])).content.decode()
    assert quota_url(branch_quota) in page
    page = client.get(quota_url(branch_quota)).content.decode()
    assert 'id="quota-form"' in page and 'value="3"' in page
    response = client.post(quota_url(branch_quota), {"number": 5, "version": branch_quota.version})
    assert response["Location"] == reverse("awards:quotas", args=[round.pk])
    branch_quota.refresh_from_db()
    assert (branch_quota.number, branch_quota.version) == (5, 2)
    entry = AuditEntry.objects.filter(object_type="awards.AwardRound", object_id=str(round.pk)).latest("pk")
    assert entry.changes["quota"] == ["优秀共产党员 · 党支部: 3", "优秀共产党员 · 党支部: 5"]
    assert entry.actor == cast.office


def test_a_concurrent_edit_is_never_overwritten(client, cast, round, branch_quota):
    loaded = branch_quota.version
    branch_quota.change_number(cast.office, loaded, 4)  # the first editor saves
    client.force_login(cast.admin)
    response = client.post(quota_url(branch_quota), {"number": 1, "version": loaded})
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page
    assert 'value="1"' in page  # their input is kept …
    assert "当前已保存：4" in page  # … and the number saved meanwhile is shown
    branch_quota.refresh_from_db()
    assert branch_quota.number == 4
    # Having seen it, the second editor saves again: now on purpose.
    assert response.context["edit_form"]["version"].value() == branch_quota.version
    assert client.post(quota_url(branch_quota), {"number": 1, "version": branch_quota.version}).status_code == 302
    branch_quota.refresh_from_db()
    assert branch_quota.number == 1


def test_change_number_is_version_checked(cast, branch_quota):
    with pytest.raises(StaleEdit):
        branch_quota.change_number(cast.office, branch_quota.version + 1, 9)
    branch_quota.refresh_from_db()
    assert branch_quota.number == 3


def test_a_quota_is_not_lowered_below_what_is_forwarded(client, cast, round, excellent, branch_quota):
    forward_two_from_branch_a(cast, round, excellent)
    client.force_login(cast.office)
    response = client.post(quota_url(branch_quota), {"number": 1, "version": branch_quota.version})
    assert response.status_code == 200
    assert "甲村党支部已使用该名额2个（已上报或已列入名单），名额不能低于2。" in response.content.decode()
    branch_quota.refresh_from_db()
    assert branch_quota.number == 3
    assert client.post(quota_url(branch_quota), {"number": 2, "version": branch_quota.version}).status_code == 302


def test_the_named_quota_of_an_organization_overrides_its_level_for_the_usage(cast, round, excellent, branch_quota):
    forward_two_from_branch_a(cast, round, excellent)
    named = AwardQuota.add(cast.office, round, excellent, 2, organization=cast.branch_a)
    branch_quota.refresh_from_db()
    branch_quota.change_number(cast.office, branch_quota.version, 0)  # branch_a counts against its own quota
    assert AwardQuota.add(cast.office, round, excellent, 0, organization=cast.branch_a2).number == 0
    with pytest.raises(ValidationError, match="甲村党支部"):
        named.change_number(cast.office, named.version, 1)


def test_new_quotas_are_checked_too(client, cast, round, excellent, branch_quota):
    nominations = forward_two_from_branch_a(cast, round, excellent)
    for nomination in nominations:
        forward(nomination, cast.committee_a)
    nominations[0].refresh_from_db()
    nominations[0].put_on_list(cast.office, nominations[0].version)
    with pytest.raises(ValidationError, match="甲镇党委已使用该名额2个"):
        AwardQuota.add(cast.office, round, excellent, 1, organization=cast.town_a)
    with pytest.raises(ValidationError, match="测试市委已使用该名额1个"):
        AwardQuota.add(cast.office, round, excellent, 0, level="city")
    assert AwardQuota.add(cast.office, round, excellent, 1, level="city").number == 1
    client.force_login(cast.office)
    url = reverse("awards:quotas", args=[round.pk])
    response = client.post(url, {"category": excellent.pk, "level": "branch", "number": 9})
    assert "该名额已设置：请在表格中修改其数量。" in response.content.decode()
    branch_quota.refresh_from_db()
    assert branch_quota.number == 3  # not overwritten by a second "set"
