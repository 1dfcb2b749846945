"""Campaign objects of the scope matrix (tests/portal/test_scope_matrix.py), made when a case asks for one.

    campaign_city    over city; criteria_city is a criteria set of it; attachment_a, attachment_a2 and
                     attachment_b are attachments of the plans of branch_a, branch_a2 and branch_b in it;
                     plan_<organization> names the plan page of an organization of the cast in it
    campaign_town_a  over town_a
    campaign_other   over other_city; criteria_other and attachment_other (other_branch's plan) are its

Plain rows, without the seeds' defaults and without audit entries: the matrix tests access, not content.
The attachments' files go to the private storage as the settings name it (a temporary folder in tests).
"""

import datetime
from types import SimpleNamespace

from django.core.files.base import ContentFile

from campaigns.models import Campaign, CriteriaSet, Criterion, ImplementationPlan, PlanAttachment

PDF = b"%PDF-1.4\n%%EOF\n"


def campaign_of(world, name):
    """``world``'s campaign ``name``, made the first time it is asked for."""
    if not hasattr(world, name):
        area, title = {
            "campaign_city": (world.city, "全市活动"),
            "campaign_town_a": (world.town_a, "甲镇活动"),
            "campaign_other": (world.other_city, "邻市活动"),
        }[name]
        today = datetime.date.today()
        setattr(
            world,
            name,
            Campaign.objects.create(
                name=title,
                area=area,
                starts_on=today - datetime.timedelta(days=100),
                ends_on=today + datetime.timedelta(days=300),
            ),
        )
    return getattr(world, name)


def _criteria_set(world, campaign_name):
    criteria_set = CriteriaSet.objects.create(
        campaign=campaign_of(world, campaign_name), target="organization", name="五个好"
    )
    Criterion.objects.create(criteria_set=criteria_set, title="领导班子好", weight=100)
    return criteria_set


def _attachment(world, campaign_name, org_name):
    org = getattr(world, org_name)
    plan = ImplementationPlan.objects.create(
        campaign=campaign_of(world, campaign_name), organization=org, text=f"{org.name}的实施方案"
    )
    attachment = PlanAttachment(plan=plan, name="方案.pdf", size=len(PDF))
    attachment.file.save("plan.pdf", ContentFile(PDF), save=True)
    return attachment


# name → function(world) making the object: entries of the matrix's OBJECTS.
CAMPAIGN_OBJECTS = {
    "campaign_city": lambda w: campaign_of(w, "campaign_city"),
    "campaign_town_a": lambda w: campaign_of(w, "campaign_town_a"),
    "campaign_other": lambda w: campaign_of(w, "campaign_other"),
    "criteria_city": lambda w: _criteria_set(w, "campaign_city"),
    "criteria_other": lambda w: _criteria_set(w, "campaign_other"),
    "attachment_a": lambda w: _attachment(w, "campaign_city", "branch_a"),
    "attachment_a2": lambda w: _attachment(w, "campaign_city", "branch_a2"),
    "attachment_b": lambda w: _attachment(w, "campaign_city", "branch_b"),
    "attachment_other": lambda w: _attachment(w, "campaign_other", "other_branch"),
    **{
        f"plan_{org}": lambda w, org=org: SimpleNamespace(
            campaign=campaign_of(w, "campaign_city"), organization=getattr(w, org)
        )
        for org in ("city", "town_a", "branch_a", "branch_a2", "town_b", "branch_b", "other_city")
    },
}
