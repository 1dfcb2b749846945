from .accounts import Role, RoleAssignment
from .audit import AuditEntry
from .exports import ExportJob
from .files import PrivateAttachment
from .imports import ImportJob
from .members import Member, MemberTransfer
from .notifications import Notification, Reminder
from .organizations import BRANCH_LEVELS, COMMITTEE_LEVELS, Level, Organization, Sector, Unit
from .outbox import OutboxMessage
from .versioned import StaleEdit, VersionedModel

__all__ = [
    "AuditEntry",
    "BRANCH_LEVELS",
    "COMMITTEE_LEVELS",
    "ExportJob",
    "ImportJob",
    "Level",
    "Member",
    "MemberTransfer",
    "Notification",
    "Organization",
    "OutboxMessage",
    "PrivateAttachment",
    "Reminder",
    "Role",
    "RoleAssignment",
    "Sector",
    "StaleEdit",
    "Unit",
    "VersionedModel",
]
