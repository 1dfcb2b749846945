from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import MemberFilterForm, MemberForm, TransferForm
from ..models import Member, Organization, StaleEdit
from ..services import save_form

PAGE_SIZE = 50


def filtered_members(scope, form):
    """The members the user may see, narrowed by the filter form; the member list and the export share it."""
    members = scope.filter(Member.objects.filter(active=True), "member.view")
    if not form.is_valid():
        return members.none(), None
    data = form.cleaned_data
    org = None
    if data["org"]:
        org = scope.organizations().filter(code__iexact=data["org"].strip()).first()
        members = members.filter(organization__path__startswith=org.path) if org else members.none()
    if data["q"]:
        members = members.filter(Q(name__icontains=data["q"]) | Q(phone__contains=data["q"]))
    if data["status"]:
        members = members.filter(status=data["status"])
    if data["role"] == "any":
        members = members.exclude(role="")
    elif data["role"]:
        members = members.filter(role=data["role"])
    if data["sector"]:
        members = members.filter(organization__sector=data["sector"])
    return members, org


@login_required
def member_list(request):
    form = MemberFilterForm(request.GET)
    members, org = filtered_members(request.scope, form)
    page = Paginator(members.select_related("organization").order_by("organization__path", "name", "pk"), PAGE_SIZE)
    return render(
        request,
        "portal/member_list.html",
        {
            "form": form,
            "page": page.get_page(request.GET.get("page")),
            "org": org,
            "can_create": request.scope.can("member.create"),
            "can_export": request.scope.can("member.export"),
            "can_import": request.scope.can("member.import"),
        },
    )


@login_required
def detail(request, pk):
    scope = request.scope
    member = scope.get(Member.objects.select_related("organization", "user"), "member.view", pk=pk)
    transfers = member.transfers.select_related("from_org", "to_org", "by")
    return render(
        request,
        "portal/member_detail.html",
        {
            "member": member,
            "transfers": transfers,
            "can_change": scope.allows("member.change", member) and member.active,
            "can_transfer": scope.allows("member.transfer", member) and member.active,
        },
    )


def _save(request, form, context):
    if request.method == "POST" and form.is_valid():
        try:
            member = save_form(request.user, form)
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(member)
    return render(request, "portal/member_form.html", {"form": form, **context})


@login_required
def create(request):
    request.scope.require_any("member.create", Member)
    organizations = request.scope.organizations("member.create").active()
    initial = {}
    if code := request.GET.get("org"):
        initial["organization"] = code
    form = MemberForm(request.POST or None, organizations=organizations, initial=initial)
    return _save(request, form, {})


@login_required
def edit(request, pk):
    member = request.scope.get(Member.objects.filter(active=True), "member.change", pk=pk)
    form = MemberForm(request.POST or None, instance=member, organizations=Organization.objects.none())
    return _save(request, form, {"member": member})


@login_required
def transfer(request, pk):
    member = request.scope.get(
        Member.objects.filter(active=True).select_related("organization"), "member.transfer", pk=pk
    )
    destinations = request.scope.organizations("member.create").active()
    form = TransferForm(request.POST or None, organizations=destinations, member=member)
    if request.method == "POST" and form.is_valid():
        member.transfer(form.cleaned_data["to"], request.user, form.cleaned_data["note"])
        messages.success(
            request, _("%(name)s now belongs to %(org)s.") % {"name": member.name, "org": member.organization}
        )
        return redirect(member)
    return render(request, "portal/member_transfer.html", {"form": form, "member": member})


@login_required
def remove(request, pk):
    member = request.scope.get(Member.objects.filter(active=True), "member.change", pk=pk)
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST":
        if not reason:
            messages.error(request, _("Give the reason for taking the member off the roll."))
        else:
            member.remove_from_roll(request.user, reason[:200])
            messages.success(request, _("%(name)s was taken off the roll. The record is kept.") % {"name": member.name})
            return redirect(member.organization)
    return render(request, "portal/member_remove.html", {"member": member, "reason": reason})
