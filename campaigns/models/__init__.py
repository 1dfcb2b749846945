"""The campaigns app's models: campaigns and their schedule, criteria, carriers, plans and meetings
(``campaigns.py``); target agreements, their indicators and reports (``agreements.py``). Import them from
``campaigns.models``."""

from .agreements import Indicator, IndicatorReport, Period, TargetAgreement, TargetAgreementQuerySet, TransitionError
from .campaigns import (
    ActivityCarrier,
    Campaign,
    CampaignQuerySet,
    CriteriaSet,
    Criterion,
    ImplementationPlan,
    Meeting,
    Milestone,
    Phase,
    PlanAttachment,
)

__all__ = [
    "ActivityCarrier",
    "Campaign",
    "CampaignQuerySet",
    "CriteriaSet",
    "Criterion",
    "ImplementationPlan",
    "Indicator",
    "IndicatorReport",
    "Meeting",
    "Milestone",
    "Period",
    "Phase",
    "PlanAttachment",
    "TargetAgreement",
    "TargetAgreementQuerySet",
    "TransitionError",
]
