"""The reviews' reminder sources: who still has to hold the meeting, score members or score subordinates.

The cast (tests/conftest.py): city → town_a → branch_a (secretary_a, member_a), branch_a2 (member_a2);
city → town_b → branch_b (secretary_b, member_b). ``cycle`` is due in 20 days.
"""

from decimal import Decimal

import pytest

from campaigns.models import Meeting
from evaluations.models import MemberReview, OrganizationReview, SelfReview
from evaluations.reminders import own_review, review_scores
from portal import reminder_pass
from portal.models import Reminder
from portal.reminders import Window

from .conftest import days, full_marks


def week_before(cycle):
    return Window.for_day(cycle.due_on - (days(7) - days(0)))


def by_org(deadlines):
    return {d.organization.code: d for d in deadlines}


def hold_meeting(cycle, org, actor):
    meeting = Meeting.objects.create(
        campaign=cycle.campaign,
        organization=org,
        kind=Meeting.Kind.REVIEW,
        held_on=days(-1),
        attendance=1,
        members_total=1,
        topic="专题组织生活会",
    )
    SelfReview.objects.create(cycle=cycle, organization=org, meeting=meeting, updated_by=actor)


def score_member(cycle, member, actor):
    review = MemberReview.start(cycle, member)
    review.record(actor, 1, full_marks(review))


def test_own_review_reminds_organizations_until_meeting_and_member_scores_are_done(cast, cycle):
    hold_meeting(cycle, cast.branch_a, cast.secretary_a)
    hold_meeting(cycle, cast.branch_b, cast.secretary_b)
    score_member(cycle, cast.member_b, cast.secretary_b)

    late = by_org(own_review(week_before(cycle)))

    # branch_b is done; the town committees review others and hold no meeting of their own here
    assert set(late) == {"BR-A", "BR-A2"}
    assert late["BR-A"].recipients == [cast.secretary_a]
    assert "1" in late["BR-A"].title  # one member not scored yet
    assert late["BR-A2"].recipients == []  # nobody to remind: still late, so still escalated
    assert late["BR-A"].url.endswith(f"?cycle={cycle.pk}")
    assert late["BR-A"].due_on == cycle.due_on


def test_superiors_are_reminded_of_subordinates_not_fully_scored(cast, cycle):
    review = OrganizationReview.start(cycle, cast.branch_a)
    review.record(cast.committee_a, 1, full_marks(review))
    partial = OrganizationReview.start(cycle, cast.branch_a2)
    partial.record(cast.committee_a, 1, {next(iter(full_marks(partial))): Decimal(10)})

    late = by_org(review_scores(week_before(cycle)))

    assert set(late) == {"TOWN-A", "TOWN-B", "CITY"}  # branch_a2 half done, branch_b and the towns not at all
    assert late["TOWN-A"].recipients == [cast.committee_a]
    assert "1" in late["TOWN-A"].title and "2" in late["CITY"].title


@pytest.mark.parametrize("offset", [3, 0])
def test_no_review_reminder_on_other_days(cast, cycle, offset):
    window = Window.for_day(cycle.due_on - (days(offset) - days(0)))
    assert not list(own_review(window)) and not list(review_scores(window))


def test_the_pass_sends_them_once(cast, cycle):
    day = cycle.due_on - (days(7) - days(0))
    reminder_pass.run_pass(day)
    reminder_pass.run_pass(day)
    keys = list(Reminder.objects.filter(recipient=cast.secretary_a).values_list("key", flat=True))
    assert keys == [f"evaluations.own_review:{cycle.pk}:{cast.branch_a.pk}"]
    assert Reminder.objects.filter(recipient=cast.committee_a, key__startswith="evaluations.review_scores").count() == 1
