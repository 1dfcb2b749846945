"""The scope layer: the one place that decides who may see and change what.

A user's reach comes from their roles (``RoleAssignment``) and, for a member with a login,
their own member record:

- branch secretary: their own organization;
- committee officer and office staff: their organization and its whole subtree;
- administrator: everything;
- member: their own organization (read) and their own record.

``ACTIONS`` says which roles grant which action; an action missing from it is refused (deny by
default). Models are registered with the lookup from the model to its organization, so every
queryset a view shows goes through :meth:`Scope.filter`, and every object a view touches through
:meth:`Scope.get`: outside the scope it answers 404, visible but without the right 403.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Member, Organization, Role, RoleAssignment, Unit
from .models.organizations import SEGMENT

SECRETARY, COMMITTEE, OFFICE, ADMIN = Role.SECRETARY, Role.COMMITTEE, Role.OFFICE, Role.ADMIN
MEMBER = "member"  # implicit: a member record linked to the user
STAFF = {SECRETARY, COMMITTEE, OFFICE, ADMIN}
SUPERIOR = {COMMITTEE, OFFICE, ADMIN}

# action → the roles that grant it, within their reach.
ACTIONS = {
    "organization.view": STAFF | {MEMBER},
    "organization.change": STAFF,
    "organization.create": SUPERIOR,  # checked on the new organization's superior
    "organization.dissolve": SUPERIOR,
    "organization.import": SUPERIOR,
    "member.view": STAFF | {MEMBER},
    "member.change": STAFF,
    "member.create": STAFF,
    "member.transfer": STAFF,
    "member.import": STAFF,
    "member.export": STAFF,
    "organization.export": STAFF,
    "unit.view": STAFF,
    "unit.change": SUPERIOR,
    "audit.view": SUPERIOR,
    "warnings.view": STAFF,
    # campaigns
    "campaign.view": STAFF | {MEMBER},
    "campaign.manage": {OFFICE, ADMIN},
    "plan.view": STAFF,
    "plan.change": STAFF,
    "meeting.view": STAFF,
    "meeting.change": STAFF,
    # commitments (accept/assess/moderate are checked on the acceptor: see Registration.action_lookups)
    "commitment.view": STAFF | {MEMBER},
    "commitment.file": STAFF | {MEMBER},
    "commitment.accept": STAFF,
    "commitment.assess": STAFF,
    "commitment.progress": STAFF | {MEMBER},
    "commitment.export": STAFF,
    "comment.view": STAFF,  # comments with the commenter's contact data: moderators only
    "comment.moderate": STAFF,
    # target agreements (issue and score are checked on the issuing committee: see campaigns.apps)
    "agreement.view": STAFF,
    "agreement.issue": SUPERIOR,
    "agreement.report": STAFF,
    "agreement.score": SUPERIOR,
    "agreement.export": STAFF,
    # reviews (review.score is checked on the reviewer, the superior; review.reopen on the superior of
    # whoever makes the entries: see evaluations.models.Reopening.granting_organization)
    "review.view": STAFF,
    "review.score": STAFF,
    "review.reopen": SUPERIOR,
    "review.export": STAFF,
    "member_review.view": STAFF | {MEMBER},
    "member_review.score": STAFF,
    "self_review.view": STAFF,
    "self_review.change": STAFF,
    # mass evaluation (a round is seen from below its organizer and run within the organizer's reach; for an
    # evaluated organization, codes, paper ballots and rectifications are decided by its superior: see
    # evaluations.apps)
    "evaluation.view": STAFF,
    "evaluation.manage": SUPERIOR,
    "evaluation.codes": SUPERIOR,
    "evaluation.enter": SUPERIOR,
    "evaluation.ledger": STAFF,
    "evaluation.export": STAFF,
    "rectification.view": STAFF,
    "rectification.open": SUPERIOR,
    "rectification.report": STAFF,
    "rectification.accept": SUPERIOR,
    # awards (a round is seen from below its organizer and managed within the organizer's reach; a nomination
    # is seen within its nominee's reach and moved on by its holder: see awards.apps)
    "award.view": STAFF,
    "award.manage": SUPERIOR,
    "award.export": STAFF,
    "nomination.view": STAFF,
    "nomination.create": STAFF,
    "nomination.handle": STAFF,
    "objection.view": SUPERIOR,  # objections with the objector's contact data
    "article.change": SUPERIOR,
}

# Roles whose reach is the whole subtree of their organization (the others: the organization itself).
SUBTREE_ROLES = {COMMITTEE, OFFICE}
# Actions a subtree role takes on its own organization only: an organization's own review (its 专题组织生活会,
# members' reports, self-assessment and member scores) is made by its own staff; superiors see it
# (self_review.view, member_review.view) but do not make it for them.
OWN_ORGANIZATION_ACTIONS = {"self_review.change", "member_review.score"}


@dataclass(frozen=True)
class Registration:
    org_lookup: str  # from the model to its Organization, "" for Organization itself
    member_lookup: str | None = None  # from the model to the Member it belongs to ("" for Member), if any
    action_lookups: dict | None = None  # action → the organization that decides it, where not org_lookup
    view_action: str | None = None  # the action that makes an object visible, where not "<model name>.view"
    seen_from_below: bool = False  # visible also from inside its organization's subtree (a campaign's area)

    def org_lookup_for(self, action):
        return (self.action_lookups or {}).get(action, self.org_lookup)

    def view_action_for(self, model):
        return self.view_action or f"{model._meta.model_name}.view"


REGISTRY: dict[type, Registration] = {}


def register(model, org_lookup, member_lookup=None, action_lookups=None, view_action=None, seen_from_below=False):
    """Declare how ``model`` hangs off the tree; every scoped model must be registered.

    ``action_lookups`` names, per action, another organization that decides it: a commitment is
    seen within its own organization's reach but accepted within its acceptor's. ``view_action``
    names the action that shows the object when it is not "<model name>.view" (an implementation
    plan is seen with "plan.view"). ``seen_from_below``: for its view action only, the object is
    also visible to every user whose reach lies inside its organization's subtree (a campaign run
    over a city is seen by the branch secretaries of that city; managing it stays within reach).
    """
    REGISTRY[model] = Registration(org_lookup, member_lookup, action_lookups, view_action, seen_from_below)


register(Organization, "")
register(Member, "organization", member_lookup="")
register(Unit, "organization")


def _prefixed(lookup, rest):
    return f"{lookup}__{rest}" if lookup else rest


def _path_and_ancestors(path):
    """The paths of the organization at ``path`` and of all its ancestors (prefixes of whole segments)."""
    return [path[:i] for i in range(SEGMENT + 1, len(path) + 1, SEGMENT + 1)]


def _follow(obj, lookup):
    for part in filter(None, lookup.split("__")):
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


class Scope:
    """What one user may reach. Built once per request (``request.scope``)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def grants(self):
        """(role, organization or None) pairs the user holds, for an active user only."""
        if not (self.user and self.user.is_authenticated and self.user.is_active):
            return []
        grants = [
            (a.role, a.organization)
            for a in RoleAssignment.objects.filter(user=self.user).select_related("organization")
            if a.role == ADMIN or a.organization.status == Organization.Status.ACTIVE
        ]
        if self.member:
            grants.append((MEMBER, self.member.organization))
        return grants

    @cached_property
    def member(self):
        if not (self.user and self.user.is_authenticated):
            return None
        return Member.objects.filter(user=self.user, active=True).select_related("organization").first()

    @property
    def roles(self):
        return {role for role, _org in self.grants}

    def is_admin(self):
        return ADMIN in self.roles

    def _granting(self, action):
        roles = ACTIONS.get(action, set())
        return [(role, org) for role, org in self.grants if role in roles]

    def can(self, action):
        """Whether the user may do ``action`` anywhere at all (menus, dashboards)."""
        return bool(self._granting(action))

    def filter(self, queryset, action):
        """``queryset`` narrowed to the rows the user may ``action``; unknown actions yield nothing."""
        reg = REGISTRY[queryset.model]
        org_lookup = reg.org_lookup_for(action)
        from_below = reg.seen_from_below and action == reg.view_action_for(queryset.model)
        condition = Q(pk__in=[])
        for role, org in self._granting(action):
            if role == ADMIN:
                return queryset
            if from_below:
                condition |= Q(**{_prefixed(org_lookup, "path__in"): _path_and_ancestors(org.path)})
            if role == MEMBER:
                if reg.member_lookup is not None:
                    condition |= Q(**{_prefixed(reg.member_lookup, "pk"): self.member.pk})
                elif queryset.model is Organization:
                    condition |= Q(pk=org.pk)
            elif role in SUBTREE_ROLES and action not in OWN_ORGANIZATION_ACTIONS:
                condition |= Q(**{_prefixed(org_lookup, "path__startswith"): org.path})
            else:
                condition |= Q(**{_prefixed(org_lookup, "pk"): org.pk})
        return queryset.filter(condition)

    def organizations(self, action="organization.view"):
        return self.filter(Organization.objects.all(), action)

    def allows(self, action, obj):
        """Whether the user may ``action`` this object (an instance of a registered model)."""
        reg = REGISTRY[type(obj)]
        org = _follow(obj, reg.org_lookup_for(action))
        from_below = reg.seen_from_below and action == reg.view_action_for(type(obj))
        for role, granted in self._granting(action):
            if role == ADMIN:
                return True
            if from_below and granted.path.startswith(org.path):
                return True
            if role == MEMBER:
                owner = _follow(obj, reg.member_lookup) if reg.member_lookup is not None else None
                if owner is not None and owner.pk == self.member.pk:
                    return True
                if type(obj) is Organization and org.pk == granted.pk:
                    return True
            elif role in SUBTREE_ROLES and action not in OWN_ORGANIZATION_ACTIONS:
                if org.path.startswith(granted.path):
                    return True
            elif org.pk == granted.pk:
                return True
        return False

    def get(self, queryset, action, **lookup):
        """The object the user may see, else 404; seen but ``action`` not allowed, 403."""
        model = queryset.model
        view_action = REGISTRY[model].view_action_for(model)
        try:
            obj = self.filter(queryset, view_action).get(**lookup)
        except (model.DoesNotExist, ValueError):
            self.refused(model, lookup)
            raise Http404 from None
        if action != view_action and not self.allows(action, obj):
            self.refused(model, lookup, action=action)
            raise PermissionDenied
        return obj

    def require(self, action, obj):
        if not self.allows(action, obj):
            self.refused(type(obj), {"pk": obj.pk}, action=action)
            raise PermissionDenied

    def require_any(self, action, model):
        """For a page about no single object (a blank form, a list of a kind): 403 unless some role grants
        ``action`` somewhere. ``model`` names what the page is about, for the audit trail."""
        if not self.can(action):
            self.refused(model, {}, action=action)
            raise PermissionDenied

    def refused(self, model, lookup, action="view"):
        from .audit import record_denied

        record_denied(self.user, model, lookup, action)
