"""Implementation plans (实施方案) of the demo campaign: their Chinese text, and how they are written.

A handful of plans is filed through ``ImplementationPlan.save_edit`` (audited, as the portal files
them); the plans of the many other organizations are written in bulk by ``PlanBatch``, so that a
province-sized demo city gets its plans too. The text follows the outline of seed 004's
implementation opinion: general requirements, targets, carriers, steps, organization.
"""

from collections import defaultdict

from .models import ImplementationPlan

STEPS = "动员部署（6月）、公开承诺（7月）、领导点评和群众评议（每半年一次）、评选表彰（“七一”前后）、全面总结（2012年）"


def plan_text(org_name, criteria_name, carrier_names, secretary_name, complete=True):
    """The plan of ``org_name``; a draft (``complete=False``) has its first two parts only."""
    carriers = "、".join(f"“{name}”" for name in carrier_names) or "结合本单位实际确定的特色载体"
    leader = f"{secretary_name}同志" if secretary_name else "党组织书记"
    parts = [
        f"为深入开展创先争优活动，根据上级党组织的部署，结合{org_name}实际，制定本实施方案。",
        "一、总体要求：以推动科学发展、促进社会和谐、服务人民群众、加强基层组织为主要内容，"
        "以创建先进基层党组织、争当优秀共产党员为目标，做到党员全员参与、活动常态开展。",
        f"二、目标任务：对照“{criteria_name}”标准，党组织和每名党员都作出公开承诺，年内承诺事项兑现率达到90%以上，"
        "群众满意率达到85%以上。",
    ]
    if complete:
        parts += [
            f"三、活动载体：开展{carriers}等活动，把创先争优落实到岗位、落实到服务群众的具体事项上。",
            f"四、步骤安排：{STEPS}。",
            f"五、组织保障：成立由{leader}任组长的创先争优活动领导小组，明确专人负责，建立工作台帐，"
            "每季度向上级党组织报告一次活动开展情况。",
        ]
    return "\n".join(parts)


def file_plan(campaign, org, actor, criteria_name, carriers, filed=True):
    """File (or keep as a draft) ``org``'s plan through the model, audited like any plan."""
    plan = ImplementationPlan(
        campaign=campaign,
        organization=org,
        text=plan_text(org.name, criteria_name, [c.name for c in carriers], org.secretary_name, complete=filed),
    )
    plan.save_edit(actor, plan.version, carriers, file=filed)
    return plan


def date_back(model, field, stamped):
    """Set ``field`` (an automatic timestamp) of each saved object of ``stamped`` ((object, moment) pairs):
    one UPDATE per distinct moment."""
    groups = defaultdict(list)
    for obj, moment in stamped:
        groups[moment].append(obj.pk)
    for moment, pks in groups.items():
        model.objects.filter(pk__in=pks).update(**{field: moment})


class PlanBatch:
    """Plans written with ``bulk_create``, carriers included; ``flush`` writes what was added."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.rows = []  # (plan, carrier ids, when it was last saved)

    def add(self, org_pk, org_name, secretary_name, criteria_name, carriers, actor, when, filed):
        plan = ImplementationPlan(
            campaign=self.campaign,
            organization_id=org_pk,
            text=plan_text(org_name, criteria_name, [c.name for c in carriers], secretary_name, complete=filed),
            updated_by=actor,
            filed_at=when if filed else None,
            filed_by=actor if filed else None,
        )
        self.rows.append((plan, [c.pk for c in carriers], when))

    def flush(self, batch_size):
        if not self.rows:
            return
        plans = [plan for plan, _ids, _when in self.rows]
        ImplementationPlan.objects.bulk_create(plans, batch_size=batch_size)
        # updated_at is automatic, so bulk_create stamps the time of writing: set it to when it was saved.
        date_back(ImplementationPlan, "updated_at", ((plan, when) for plan, _ids, when in self.rows))
        Through = ImplementationPlan.carriers.through
        Through.objects.bulk_create(
            [
                Through(implementationplan_id=plan.pk, activitycarrier_id=pk)
                for plan, ids, _when in self.rows
                for pk in ids
            ],
            batch_size=batch_size,
        )
        self.rows.clear()
