"""The organization's own review in the scope matrix (tests/portal/test_scope_matrix.py), made when a case
asks for it.

Two review campaigns, each with an open review cycle and the seeds' criteria: one over the city, one over
the other tree (so that every place of the tree has a cycle). Then, for each organization ``x`` of the
matrix:

    own_x       the organization (its review pages take ``?cycle=``; without it, the open cycle)
    reports_x   the same, with its 专题组织生活会 recorded (the members' reports need it)

and for each member ``m``: ``score_m``, the member (their row of the scoring screen). The payload
helpers give the POST data that succeeds for a role allowed to do it. Written through the services;
the matrix tests access, not content.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from campaigns.models import CriteriaSet
from campaigns.services import create_campaign
from evaluations import self_review
from evaluations.models import ReviewCycle

ORGS = ("city", "town_a", "branch_a", "branch_a2", "town_b", "branch_b", "other_city")
MEMBERS = ("member_a", "member_a2", "member_b", "member_other")


def cycle_of(world, org):
    """The open review cycle over ``org``'s tree (both campaigns made the first time)."""
    if not hasattr(world, "review_cycles"):
        today = timezone.localdate()
        world.review_cycles = {}
        for tree, area in (("city", world.city), ("other", world.other_city)):
            campaign = create_campaign(
                None,
                name=f"{area.name}讲评活动",
                area=area,
                starts_on=today - datetime.timedelta(days=100),
                ends_on=today + datetime.timedelta(days=300),
                milestones=[
                    {
                        "kind": "review",
                        "title": "上半年定期讲评",
                        "opens_on": today - datetime.timedelta(days=10),
                        "due_on": today + datetime.timedelta(days=20),
                    }
                ],
            )
            world.review_cycles[tree] = ReviewCycle.objects.of_campaign(campaign).get()
    return world.review_cycles["other" if org.path.startswith(world.other_city.path) else "city"]


def _own(world, name):
    org = getattr(world, name)
    cycle_of(world, org)
    return SimpleNamespace(pk=org.pk, org=org)


def _with_meeting(world, name):
    org = getattr(world, name)
    review = self_review.start(cycle_of(world, org), org)
    fields = {
        "held_on": timezone.localdate(),
        "attendance": 1,
        "members_total": 1,
        "staff_representatives": 0,
        "topic": "专题组织生活会",
        "minutes": "",
    }
    self_review.record_meeting(None, review, None, fields)
    return SimpleNamespace(pk=org.pk, org=org)


def _member(world, name):
    member = getattr(world, name)
    cycle_of(world, member.organization)
    return SimpleNamespace(pk=member.pk, member=member)


BRANCH_OBJECTS = {
    **{f"own_{org}": lambda w, org=org: _own(w, org) for org in ORGS},
    **{f"reports_{org}": lambda w, org=org: _with_meeting(w, org) for org in ORGS},
    **{f"score_{member}": lambda w, member=member: _member(w, member) for member in MEMBERS},
}


def _version(world, org):
    review = self_review.start(cycle_of(world, org), org)
    return review.version if review.pk else ""


def meeting_form(world, name):
    return {
        "held_on": timezone.localdate().isoformat(),
        "attendance": "1",
        "members_total": "1",
        "staff_representatives": "2",
        "topic": "专题组织生活会",
        "minutes": "",
        "version": _version(world, getattr(world, name).org),
    }


def reports_form(world, name):
    org = getattr(world, name).org
    data = {"version": _version(world, org)}
    data.update({f"report-{m.pk}": "讲述了参加活动的情况" for m in self_review.roll(org)})
    return data


def assessment_form(world, name):
    return {"summary": "自我评价小结", "version": _version(world, getattr(world, name).org)}


def score_form(world, name):
    member = getattr(world, name).member
    cycle = cycle_of(world, member.organization)
    criteria = cycle.campaign.criteria_for(CriteriaSet.Target.MEMBER, member.organization.sector).criteria.all()
    prefix = f"m{member.pk}"
    return {f"{prefix}-version": "", f"{prefix}-comment": "", **{f"{prefix}-c{c.pk}": "18" for c in criteria}}
