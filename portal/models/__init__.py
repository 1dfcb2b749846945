from .accounts import Role, RoleAssignment
from .audit import AuditEntry
from .exports import ExportJob
from .imports import ImportJob
from .members import Member, MemberTransfer
from .organizations import BRANCH_LEVELS, COMMITTEE_LEVELS, Level, Organization, Sector, Unit
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
    "Organization",
    "Role",
    "RoleAssignment",
    "Sector",
    "StaleEdit",
    "Unit",
    "VersionedModel",
]
