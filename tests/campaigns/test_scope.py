"""The scope layer's rules for campaigns: seen from inside the area, managed within reach; plans by plan.view."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campaigns.models import Campaign, CriteriaSet, ImplementationPlan
from portal.scope import Scope

from .conftest import make_campaign


@pytest.fixture
def campaigns(cast):
    return {
        "city": make_campaign(cast.city, name="市"),
        "town_a": make_campaign(cast.town_a, name="甲镇"),
        "branch_a": make_campaign(cast.branch_a, name="甲村"),
        "town_b": make_campaign(cast.town_b, name="乙镇"),
        "other": make_campaign(cast.other_city, name="邻市"),
    }


@pytest.mark.parametrize(
    ("role", "seen", "managed"),
    [
        ("secretary_a", {"city", "town_a", "branch_a"}, set()),
        ("member_user", {"city", "town_a", "branch_a"}, set()),
        ("committee_a", {"city", "town_a", "branch_a"}, set()),
        ("secretary_b", {"city", "town_b"}, set()),
        ("office", {"city", "town_a", "branch_a", "town_b"}, {"city", "town_a", "branch_a", "town_b"}),
        ("admin", {"city", "town_a", "branch_a", "town_b", "other"}, {"city", "town_a", "branch_a", "town_b", "other"}),
        ("inactive", set(), set()),
    ],
)
def test_a_campaign_is_seen_from_inside_its_area_and_managed_within_reach(cast, campaigns, role, seen, managed):
    scope = Scope(getattr(cast, role))
    names = {c.pk: key for key, c in campaigns.items()}
    assert {names[c.pk] for c in scope.filter(Campaign.objects.all(), "campaign.view")} == seen
    assert {names[c.pk] for c in scope.filter(Campaign.objects.all(), "campaign.manage")} == managed
    for key, campaign in campaigns.items():
        assert scope.allows("campaign.view", campaign) == (key in seen)
        assert scope.allows("campaign.manage", campaign) == (key in managed)


def test_criteria_sets_follow_their_campaign(cast, campaigns):
    scope = Scope(cast.committee_a)
    visible = scope.filter(CriteriaSet.objects.all(), "campaign.view")
    assert set(visible.values_list("campaign__name", flat=True)) == {"市", "甲镇", "甲村"}
    criteria_set = campaigns["city"].criteria_sets.first()
    with pytest.raises(PermissionDenied):
        scope.get(CriteriaSet.objects.all(), "campaign.manage", pk=criteria_set.pk)
    with pytest.raises(Http404):
        scope.get(CriteriaSet.objects.all(), "campaign.view", pk=campaigns["town_b"].criteria_sets.first().pk)


def test_reaching_up_is_for_viewing_only(cast, campaigns):
    """A committee officer sees the city's campaign but not the city's plans: plans stay within reach."""
    plan = ImplementationPlan.objects.create(campaign=campaigns["city"], organization=cast.city, text="市委方案")
    own = ImplementationPlan.objects.create(campaign=campaigns["city"], organization=cast.branch_a, text="甲村方案")
    scope = Scope(cast.committee_a)
    assert list(scope.filter(ImplementationPlan.objects.all(), "plan.view")) == [own]
    assert scope.get(ImplementationPlan.objects.all(), "plan.change", pk=own.pk) == own
    with pytest.raises(Http404):
        scope.get(ImplementationPlan.objects.all(), "plan.view", pk=plan.pk)
    member = Scope(cast.member_user)
    with pytest.raises(Http404):  # plans are for staff: a member does not see them at all
        member.get(ImplementationPlan.objects.all(), "plan.view", pk=own.pk)
