"""The staff side of commitments: filing, the general meeting, the flow's transitions, the queue.

Every object comes through ``request.scope`` (outside the user's reach: 404; seen without the right:
403); every change is a model method (or ``services``) that refuses with a ``TransitionError``, shown
as the form's error with nothing changed. Who does what:

- filing, editing, submitting and publishing: ``commitment.file`` (the organization's side: its
  secretary and the committees above; for a member's commitment also the member with a login);
- accepting and returning: ``commitment.accept``, decided on the acceptor (the superior organization;
  for a member's commitment the member's own organization, i.e. the branch secretary).

Publishing is the owner's act once the superior has accepted: the organization puts its own
commitment on its public board (seeds 000, 004: 公开承诺 "接受群众监督").
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign, Meeting
from portal.models import Member, Organization, StaleEdit
from portal.views.organizations import scope_roots

from .. import rollups, services
from ..forms import (
    CampaignChoiceForm,
    ChooseMeetingForm,
    CommitmentFilterForm,
    CommitmentForm,
    ConfirmForm,
    MeetingForm,
    ReturnForm,
    StartForm,
    item_formset,
    rebind_pending,
)
from ..models import Commitment, ProgressUpdate, TransitionError

PAGE_SIZE = 50
DRAFT_KEY = re.compile(r"^[a-z]+-[a-z0-9-]+$")


def refusal(error):
    return " ".join(error.messages)


def with_saved(url, draft_key):
    """``url`` telling the next page that the draft stored in the browser under ``draft_key`` is saved."""
    return f"{url}?saved={draft_key}"


def saved_draft(request):
    key = request.GET.get("saved", "")
    return key if DRAFT_KEY.match(key) else ""


def campaigns_for(scope, org):
    """The campaigns whose area covers ``org``, newest first."""
    return scope.filter(Campaign.objects.covering(org), "campaign.view").order_by("-starts_on", "name")


def chosen_campaign(request, campaigns):
    """The campaign picked in ``?campaign=`` among ``campaigns``, else the newest."""
    form = CampaignChoiceForm(request.GET, campaigns=campaigns)
    return form.cleaned_data["campaign"] if form.is_valid() else campaigns.first()


# --- Lists ---------------------------------------------------------------------------------------


@login_required
def commitment_list(request):
    scope = request.scope
    form = CommitmentFilterForm(
        request.GET, campaigns=scope.filter(Campaign.objects.all(), "campaign.view").order_by("-starts_on")
    )
    commitments = scope.filter(Commitment.objects.all(), "commitment.view")
    org = None
    if not form.is_valid():
        commitments = commitments.none()
    else:
        data = form.cleaned_data
        if data["org"]:
            org = scope.organizations().filter(code__iexact=data["org"].strip()).first()
            commitments = commitments.filter(organization__path__startswith=org.path) if org else commitments.none()
        if data["q"]:
            commitments = commitments.filter(
                Q(title__icontains=data["q"])
                | Q(member__name__icontains=data["q"])
                | Q(organization__name__icontains=data["q"])
            )
        for name in ("campaign", "state", "kind"):
            if data[name]:
                commitments = commitments.filter(**{name: data[name]})
    commitments = commitments.select_related("organization", "member", "campaign").with_progress()
    page = Paginator(commitments.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    roots = list(scope_roots(scope))
    filing = [
        root
        for root in roots
        if root.parent_id and scope.allows("commitment.file", Commitment(kind="organization", organization=root))
    ]
    return render(
        request,
        "commitments/commitment_list.html",
        {
            "form": form,
            "page": page,
            "org": org,
            "filing_orgs": filing,
            "collecting_orgs": [root for root in roots if scope.allows("commitment.accept", root)],
            "own_member": scope.member,
            "can_accept": scope.can("commitment.accept"),
        },
    )


@login_required
def queue(request):
    """Submitted commitments the user may accept or return, oldest first; and how the area files."""
    scope = request.scope
    scope.require_any("commitment.accept", Commitment)
    waiting = (
        scope.filter(Commitment.objects.filter(state=Commitment.State.SUBMITTED), "commitment.accept")
        .select_related("organization", "member", "campaign", "meeting")
        .annotate(item_count=Count("items"))
        .order_by("submitted_at", "pk")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page}
    root = scope_roots(scope).first()
    campaign = campaigns_for(scope, root).first() if root else None
    if campaign:
        groups = rollups.by_subordinate(scope, root, campaign)
        children = {c.path: c for c in scope.organizations().filter(parent=root).active()}
        rows = sorted(
            ((children[key], figures) for key, figures in groups.items() if key in children),
            key=lambda row: (row[1].filed_rate if row[1].filed_rate is not None else 101, row[0].name),
        )
        context.update(root=root, campaign=campaign, area_rows=rows[:20], area_total=rollups.total(groups))
    return render(request, "commitments/commitment_queue.html", context)


@login_required
def missing_members(request, pk):
    """The members of an organization without a commitment in the campaign (an anti-join), to collect."""
    scope = request.scope
    org = scope.get(Organization.objects.all(), "commitment.accept", pk=pk)
    campaigns = campaigns_for(scope, org)
    campaign = chosen_campaign(request, campaigns)
    members = scope.filter(Member.objects.filter(organization=org, active=True), "member.view")
    page = None
    if campaign:
        committed = Commitment.objects.filter(member=OuterRef("pk"), campaign=campaign)
        missing = members.exclude(Exists(committed)).order_by("name", "pk")
        page = Paginator(missing, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "commitments/member_missing.html",
        {
            "org": org,
            "campaign": campaign,
            "campaigns": campaigns,
            "page": page,
            "member_count": members.count(),
            "can_file": scope.allows("commitment.file", Commitment(kind="member", organization=org)),
        },
    )


# --- Filing ---------------------------------------------------------------------------------------


def _start(request, organization, member, draft_key):
    campaigns = campaigns_for(request.scope, organization)
    initial = {"campaign": request.GET.get("campaign") or campaigns.first()}
    form = StartForm(request.POST or None, campaigns=campaigns, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = Commitment.start(request.user, organization=organization, member=member, **form.cleaned_data)
        except TransitionError as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, _("The draft is saved. Add the items of the commitment."))
            return redirect(with_saved(reverse("commitments:edit", args=[commitment.pk]), draft_key))
    return render(
        request,
        "commitments/commitment_start.html",
        {"form": form, "organization": organization, "member": member, "draft_key": draft_key},
    )


@login_required
def create(request, pk):
    """Start an organization's commitment."""
    organization = request.scope.get(Organization.objects.select_related("parent"), "organization.view", pk=pk)
    request.scope.require("commitment.file", Commitment(kind="organization", organization=organization))
    return _start(request, organization, None, f"start-org-{organization.pk}")


@login_required
def create_member(request, pk):
    """Start a member's commitment: the secretary enters it, or the member files their own."""
    member = request.scope.get(Member.objects.filter(active=True).select_related("organization"), "member.view", pk=pk)
    request.scope.require("commitment.file", Commitment(kind="member", member=member, organization=member.organization))
    return _start(request, member.organization, member, f"start-member-{member.pk}")


def _commitments():
    return Commitment.objects.select_related("campaign", "organization", "member", "acceptor", "meeting")


@login_required
def detail(request, pk):
    scope = request.scope
    commitment = scope.get(_commitments().select_related("created_by").with_progress(), "commitment.view", pk=pk)
    updates = ProgressUpdate.objects.select_related("created_by").prefetch_related("evidence")
    items = commitment.items.select_related("criterion", "carrier", "assessed_by").prefetch_related(
        Prefetch("updates", queryset=updates)
    )
    State = Commitment.State
    can_file = scope.allows("commitment.file", commitment)
    can_accept = scope.allows("commitment.accept", commitment)
    can_assess = scope.allows("commitment.assess", commitment) and commitment.state == State.PUBLISHED
    return render(
        request,
        "commitments/commitment_detail.html",
        {
            "commitment": commitment,
            "items": items,
            "events": commitment.events.select_related("actor"),
            "can_edit": can_file and commitment.is_editable,
            "can_record_meeting": can_file
            and commitment.is_editable
            and commitment.kind == Commitment.Kind.ORGANIZATION
            and scope.allows("meeting.change", Meeting(organization=commitment.organization)),
            "can_accept": can_accept and commitment.state == State.SUBMITTED,
            "can_publish": can_file and commitment.state == State.ACCEPTED,
            "can_progress": scope.allows("commitment.progress", commitment) and commitment.state == State.PUBLISHED,
            "can_assess": can_assess,
            "assessment_open": can_assess and commitment.assessment_open(),
            "saved_draft": saved_draft(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """The commitment's title and items; "save draft" keeps every valid row (see ``services.save_draft``)."""
    commitment = request.scope.get(_commitments(), "commitment.file", pk=pk)
    if not commitment.is_editable:
        messages.error(request, _("Only a draft or a returned commitment can be edited."))
        return redirect(commitment)
    draft_key = f"edit-{commitment.pk}"
    form = CommitmentForm(request.POST or None, instance=commitment)
    formset = item_formset(commitment, request.POST or None)
    if request.method == "POST":
        formset.is_valid()
        if form.is_valid() and not formset.non_form_errors():
            try:
                saved, pending = services.save_draft(request.user, form, formset)
            except StaleEdit as stale:
                form.add_error(None, stale.message)
            except TransitionError as error:
                form.add_error(None, refusal(error))
            else:
                if not pending:
                    messages.success(request, _("Saved."))
                    return redirect(with_saved(commitment.get_absolute_url(), draft_key))
                messages.warning(
                    request,
                    _("Saved, except %(count)s item(s) with errors: complete them below and save again.")
                    % {"count": len(pending)},
                )
                data = rebind_pending(request.POST, formset, commitment.version, saved)
                commitment.refresh_from_db()
                form = CommitmentForm(data, instance=commitment)
                formset = item_formset(commitment, data)
                form.is_valid()
                formset.is_valid()
    return render(
        request,
        "commitments/commitment_form.html",
        {
            "commitment": commitment,
            "form": form,
            "formset": formset,
            "draft_key": draft_key,
            "saved_draft": saved_draft(request),
        },
    )


@login_required
def meeting(request, pk):
    """Record the general meeting of members (党员大会) that discussed the commitment, or pick one."""
    scope = request.scope
    commitment = scope.get(_commitments(), "commitment.file", pk=pk)
    org = commitment.organization
    new_meeting = Meeting(
        campaign=commitment.campaign, organization=org, kind=Meeting.Kind.GENERAL_ASSEMBLY, recorded_by=request.user
    )
    scope.require("meeting.change", new_meeting)
    recorded = Meeting.objects.filter(
        campaign=commitment.campaign, organization=org, kind=Meeting.Kind.GENERAL_ASSEMBLY
    ).order_by("-held_on", "-pk")
    choosing = request.method == "POST" and "choose" in request.POST
    form = MeetingForm(
        request.POST if request.method == "POST" and not choosing else None,
        instance=new_meeting,
        initial={"members_total": org.members.filter(active=True).count()},
    )
    choose_form = ChooseMeetingForm(request.POST if choosing else None, meetings=recorded)
    if request.method == "POST":
        used = choose_form if choosing else form
        if used.is_valid():
            try:
                if choosing:
                    commitment.attach_meeting(request.user, choose_form.cleaned_data["meeting"])
                else:
                    services.record_meeting(request.user, commitment, form)
            except TransitionError as error:
                used.add_error(None, refusal(error))
            else:
                messages.success(request, _("The meeting is recorded with the commitment."))
                return redirect(with_saved(commitment.get_absolute_url(), f"meeting-{commitment.pk}"))
    return render(
        request,
        "commitments/commitment_meeting.html",
        {
            "commitment": commitment,
            "form": form,
            "choose_form": choose_form,
            "recorded": recorded,
            "draft_key": f"meeting-{commitment.pk}",
        },
    )


# --- Transitions: POST only, after a confirmation page ---------------------------------------------


TRANSITIONS = {
    # name: (scope action, the page's title, the button, done message)
    "submit": (
        "commitment.file",
        gettext_lazy("Submit the commitment"),
        gettext_lazy("Submit"),
        gettext_lazy("The commitment is submitted."),
    ),
    "accept": (
        "commitment.accept",
        gettext_lazy("Accept the commitment"),
        gettext_lazy("Accept"),
        gettext_lazy("The commitment is accepted."),
    ),
    "return": (
        "commitment.accept",
        gettext_lazy("Return the commitment for changes"),
        gettext_lazy("Return"),
        gettext_lazy("The commitment is returned with your reason."),
    ),
    "publish": (
        "commitment.file",
        gettext_lazy("Publish the commitment"),
        gettext_lazy("Publish"),
        gettext_lazy("The commitment is on the public board."),
    ),
}


def _transition(request, pk, name, form_class, apply):
    action, title, button, done = TRANSITIONS[name]
    commitment = request.scope.get(_commitments().annotate(item_count=Count("items")), action, pk=pk)
    form = form_class(request.POST if request.method == "POST" else None)  # an empty POST is still a POST
    if form.is_bound and form.is_valid():
        try:
            apply(commitment, form.cleaned_data)
        except TransitionError as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, done)
            return redirect(commitment)
    return render(
        request,
        "commitments/commitment_confirm.html",
        {"commitment": commitment, "form": form, "name": name, "title": title, "button": button},
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    return _transition(request, pk, "submit", ConfirmForm, lambda c, data: c.submit(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def accept(request, pk):
    return _transition(request, pk, "accept", ConfirmForm, lambda c, data: c.accept(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def return_for_changes(request, pk):
    return _transition(
        request, pk, "return", ReturnForm, lambda c, data: c.return_for_changes(request.user, data["reason"])
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    return _transition(request, pk, "publish", ConfirmForm, lambda c, data: c.publish(request.user))
