"""The campaigns app's models: campaigns and their schedule, criteria, carriers, plans and meetings
(``campaigns.py``). Import them from ``campaigns.models`` as before."""

from .campaigns import (
    PRIVATE_STORAGE,
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
    PrivateStorage,
    attachment_path,
    private_storage,
)

__all__ = [
    "PRIVATE_STORAGE",
    "ActivityCarrier",
    "Campaign",
    "CampaignQuerySet",
    "CriteriaSet",
    "Criterion",
    "ImplementationPlan",
    "Meeting",
    "Milestone",
    "Phase",
    "PlanAttachment",
    "PrivateStorage",
    "attachment_path",
    "private_storage",
]
