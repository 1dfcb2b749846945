"""The demo's award rounds (awards.demo.seed): nominations at several levels, last year's 公示 ended with an
objection to answer, eligible candidates in the secretary's branch; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from awards import demo
from awards.eligibility import Candidate, evaluate
from awards.models import AwardRound, Nomination
from campaigns.models import Campaign
from portal.models import Member, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", orgs=60, members=600, force=True, stdout=StringIO())
    campaign = Campaign.objects.get()
    demo.seed(campaign)  # nothing to do where seed_demo has run it already
    return campaign, AwardRound.objects.get(title=demo.CURRENT)


def test_the_demo_rounds(seeded):
    campaign, current = seeded
    assert current.title == demo.CURRENT and current.state == AwardRound.State.NOMINATING
    holders = {
        (n.nominee_name, n.holder.name, n.state)
        for n in current.nominations.select_related("holder", "member", "organization")
    }
    levels = {holder for _name, holder, _state in holders}
    assert levels == {"松陵镇鲈乡社区党支部", "松陵镇党委", "中共吴江市委"}
    assert ("松陵镇鲈乡社区党支部", "中共吴江市委", Nomination.State.SHORTLISTED) in holders
    past = AwardRound.objects.get(title=demo.PAST)
    assert past.state == AwardRound.State.PUBLICITY and past.publicity_open() is False
    assert past.open_objections().count() == 1 and past.objections.count() == 2
    assert past.approval_errors()  # the open objection


def test_the_secretarys_branch_has_eligible_and_ineligible_members(seeded):
    _campaign, current = seeded
    branch = Organization.objects.get(code=demo.DEMO_BRANCH)
    category = current.categories.get(name="优秀共产党员")
    members = Member.objects.active().filter(organization=branch)
    candidates = evaluate(category, [Candidate(branch, m) for m in members])
    eligible = {c.name for c in candidates if c.eligible}
    assert "钱志明" in eligible and len(eligible) < len(candidates)
    assert not branch.award_nominations.exists()  # nominating is the journey's first step


def test_seeding_again_changes_nothing(seeded):
    campaign, _current = seeded
    before = (AwardRound.objects.count(), Nomination.objects.count())
    assert demo.seed(campaign) is None
    assert (AwardRound.objects.count(), Nomination.objects.count()) == before
