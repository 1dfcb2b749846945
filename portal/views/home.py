from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from ..coverage import coverage_for
from ..models import Member, Unit
from ..rules import unit_warning_filter, warning_filter
from .organizations import scope_roots


@login_required
def home(request):
    """The dashboard of the user's scope: a fixed number of aggregate queries whatever its size."""
    scope = request.scope
    context = {"roots": scope_roots(scope), "member": scope.member}
    if scope.can("warnings.view"):
        orgs = scope.organizations("organization.view").active()
        members = scope.filter(Member.objects.filter(active=True), "member.view")
        units = scope.filter(Unit.objects.all(), "unit.view")
        context.update(
            org_count=orgs.count(),
            member_figures=members.aggregate(
                total=Count("pk"),
                full=Count("pk", filter=Q(status=Member.Status.FULL)),
                probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
                mobile=Count("pk", filter=Q(mobile=True)),
            ),
            warning_count=scope.organizations("warnings.view")
            .active()
            .with_full_member_count()
            .filter(warning_filter())
            .count()
            + units.filter(unit_warning_filter()).count(),
            coverage=coverage_for(units),
        )
    return render(request, "portal/home.html", context)
