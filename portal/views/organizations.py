from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..coverage import coverage_for
from ..forms import OrganizationForm, OrganizationSearchForm
from ..models import AuditEntry, Member, Organization, StaleEdit, Unit
from ..rules import unit_warning_filter, warning_filter
from ..scope import SUBTREE_ROLES
from ..services import save_form

PAGE_SIZE = 50


def scope_roots(scope):
    """The topmost organizations the user reaches: where the tree browser starts."""
    visible = scope.organizations()
    if scope.is_admin():
        return visible.filter(parent__isnull=True)
    # An organization is a root unless it lies below one whose whole subtree the user reaches: below a
    # secretary's own organization, the organizations in between are out of reach and the tree could not get there.
    subtrees = [org for role, org in scope.grants if role in SUBTREE_ROLES]
    tops = {
        org.pk
        for _role, org in scope.grants
        if not any(org.path.startswith(top.path) and org.pk != top.pk for top in subtrees)
    }
    return visible.filter(pk__in=tops)


@login_required
def tree(request):
    form = OrganizationSearchForm(request.GET or None)
    context = {"form": form}
    if form.is_valid() and any(form.cleaned_data.values()):
        found = request.scope.organizations().select_related("parent")
        if q := form.cleaned_data["q"]:
            found = found.filter(Q(name__icontains=q) | Q(code__iexact=q))
        if level := form.cleaned_data["level"]:
            found = found.filter(level=level)
        if sector := form.cleaned_data["sector"]:
            found = found.filter(sector=sector)
        context["page"] = Paginator(found.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        context["roots"] = scope_roots(request.scope).with_child_count()
    return render(request, "portal/org_tree.html", context)


@login_required
def children(request, pk):
    """The next level of the tree browser, loaded when a node is expanded (htmx partial)."""
    org = request.scope.get(Organization.objects.all(), "organization.view", pk=pk)
    nodes = request.scope.organizations().filter(parent=org).with_child_count().order_by("name")
    return render(
        request, "portal/_org_children.html", {"nodes": nodes[:500], "truncated": nodes.count() > 500, "org": org}
    )


@login_required
def detail(request, pk):
    scope = request.scope
    org = scope.get(Organization.objects.select_related("parent"), "organization.view", pk=pk)
    members = scope.filter(org.members.filter(active=True), "member.view").order_by("name")
    units = scope.filter(Unit.objects.filter(organization__path__startswith=org.path), "unit.view")
    context = {
        "org": org,
        "ancestors": [a for a in org.ancestors() if scope.allows("organization.view", a)],
        "warnings": org.establishment_warnings(),
        "member_page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
        "full_count": org.members.filter(active=True, status=Member.Status.FULL).count(),
        "probationary_count": org.members.filter(active=True, status=Member.Status.PROBATIONARY).count(),
        "subordinates": scope.organizations().filter(parent=org).with_child_count().order_by("name")[:200],
        "units": units.select_related("organization")[:100],
        "coverage": coverage_for(units),
        "can_change": scope.allows("organization.change", org),
        "can_create": scope.allows("organization.create", org),
        "can_dissolve": scope.allows("organization.dissolve", org) and org.parent_id,
        "can_add_member": scope.allows("member.create", org),
        "can_audit": scope.allows("audit.view", org),
    }
    return render(request, "portal/org_detail.html", context)


def _save(request, form, template, context):
    if request.method == "POST" and form.is_valid():
        try:
            org = save_form(request.user, form)
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(org)
    return render(request, template, {"form": form, **context})


@login_required
def create(request, parent_pk):
    parent = request.scope.get(Organization.objects.all(), "organization.create", pk=parent_pk)
    parents = request.scope.organizations("organization.create").active()
    form = OrganizationForm(
        request.POST or None,
        parents=parents,
        initial={"parent": parent.code, "sector": parent.sector, "level": "branch"},
    )
    return _save(request, form, "portal/org_form.html", {"parent": parent})


@login_required
def edit(request, pk):
    org = request.scope.get(Organization.objects.all(), "organization.change", pk=pk)
    # A move needs the right to create under the new superior; keeping the current one needs nothing more
    # (a secretary edits their branch, a committee officer their own committee, without reaching above it).
    parents = request.scope.organizations("organization.create").active().exclude(path__startswith=org.path)
    if org.parent_id:
        parents |= Organization.objects.filter(pk=org.parent_id)
    form = OrganizationForm(request.POST or None, instance=org, parents=parents)
    return _save(request, form, "portal/org_form.html", {"org": org})


@login_required
def dissolve(request, pk):
    org = request.scope.get(Organization.objects.all(), "organization.dissolve", pk=pk)
    if not org.parent_id:
        messages.error(request, _("The top of the tree cannot be dissolved."))
        return redirect(org)
    if request.method == "POST":
        try:
            org.dissolve(request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The organization is marked dissolved. Its history is kept."))
        return redirect(org)
    return render(request, "portal/org_dissolve.html", {"org": org})


@login_required
def warnings(request):
    """All establishment warnings within the user's scope: organizations, then units."""
    scope = request.scope
    scope.require_any("warnings.view", Organization)
    orgs = (
        scope.organizations("warnings.view")
        .active()
        .with_full_member_count()
        .filter(warning_filter())
        .select_related("parent")
        .order_by("path")
    )
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    for org in page:
        org.warnings = org.establishment_warnings(org.full_members)
    units = scope.filter(Unit.objects.filter(unit_warning_filter()), "unit.view").select_related("organization")
    return render(request, "portal/warnings.html", {"page": page, "units": units[:200], "unit_count": units.count()})


@login_required
def audit_log(request, pk):
    org = request.scope.get(Organization.objects.all(), "audit.view", pk=pk)
    entries = AuditEntry.objects.filter(organization_path__startswith=org.path).select_related("organization")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/audit_log.html", {"org": org, "page": page})
