"""Review objects of the scope matrix (tests/portal/test_scope_matrix.py) for the superior's side of reviews,
made when a case asks for one (``COMMITTEE_REVIEW_OBJECTS``, joined into the matrix's ``OBJECTS``).

    reviewing_<org>      the organization, with a campaign over its tree (the city, or the other tree) that
                         has an open review cycle and a locked one, and one general criteria set of two
                         criteria (60 + 40): the scoring screen of <org> scores its first subordinate
    review_cycle_<tree>  the open cycle of that campaign
    reopen_<org>_<kind>  the locked cycle of that campaign, the organization and the kind of entries to
                         reopen (``cycle_pk``, ``pk``, ``kind``: the reopen URL's arguments)

Plain rows, no audit entries: the matrix tests access, not content.
"""

import datetime
from types import SimpleNamespace

from campaigns.models import Campaign, CriteriaSet, Criterion, Milestone
from evaluations.models import ReviewCycle


def review_campaign(world, tree):
    """The campaign over the city (``tree`` "city") or the other tree, with its two review cycles."""
    name = f"review_campaign_{tree}"
    if not hasattr(world, name):
        today = datetime.date.today()
        campaign = Campaign.objects.create(
            name=f"讲评{tree}",
            area=world.city if tree == "city" else world.other_city,
            starts_on=today - datetime.timedelta(days=300),
            ends_on=today + datetime.timedelta(days=300),
        )
        for title, opens, due in (("上半年讲评", -160, -100), ("下半年讲评", -10, 20)):
            Milestone.objects.create(
                campaign=campaign,
                kind=Milestone.Kind.REVIEW,
                title=title,
                opens_on=today + datetime.timedelta(days=opens),
                due_on=today + datetime.timedelta(days=due),
            )
        criteria_set = CriteriaSet.objects.create(campaign=campaign, target="organization", name="五个好")
        Criterion.objects.create(criteria_set=criteria_set, order=1, title="领导班子好", weight=60)
        Criterion.objects.create(criteria_set=criteria_set, order=2, title="群众反映好", weight=40)
        campaign.cycles = list(ReviewCycle.objects.of_campaign(campaign).order_by("milestone__due_on"))
        setattr(world, name, campaign)
    return getattr(world, name)


def _tree(org_name):
    return "other" if org_name.startswith("other") else "city"


def _reviewing(world, org_name):
    review_campaign(world, _tree(org_name))
    return getattr(world, org_name)


def _reopen(world, org_name, kind):
    past, _open = review_campaign(world, _tree(org_name)).cycles
    return SimpleNamespace(cycle_pk=past.pk, pk=getattr(world, org_name).pk, kind=kind)


def score_row(world, name):
    """The POST of the first row of the scoring screen of ``name``'s organization: full marks for its first
    subordinate (an organization without subordinates posts no organization: refused by the form)."""
    org = getattr(world, name)
    child = org.children.filter(status="active").order_by("name", "pk").first()
    if child is None:
        return {"organization": ""}
    campaign = review_campaign(world, _tree(name.removeprefix("reviewing_")))
    criteria = campaign.criteria_sets.get().criteria.order_by("order")
    data = {"organization": str(child.pk), f"r{child.pk}-version": "", f"r{child.pk}-achievements": "成绩突出"}
    data.update({f"r{child.pk}-c{c.pk}": str(c.weight) for c in criteria})
    return data


def reopen_form(world, name):
    return {"until": (datetime.date.today() + datetime.timedelta(days=5)).isoformat(), "reason": "汛期推迟，补录"}


COMMITTEE_REVIEW_OBJECTS = {
    "review_cycle_city": lambda w: review_campaign(w, "city").cycles[1],
    "review_cycle_other": lambda w: review_campaign(w, "other").cycles[1],
    **{
        f"reviewing_{org}": lambda w, org=org: _reviewing(w, org)
        for org in ("city", "town_a", "branch_a", "town_b", "branch_b", "other_city")
    },
    **{
        f"reopen_{org}_{kind}": lambda w, org=org, kind=kind: _reopen(w, org, kind)
        for org, kind in (
            ("town_a", "superior"),
            ("branch_a", "superior"),
            ("branch_a", "own"),
            ("branch_b", "own"),
            ("other_branch", "own"),
            ("city", "own"),
        )
    },
}
