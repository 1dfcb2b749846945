from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.models import Organization, StaleEdit
from portal.storage import private_file_response

from ..forms import PlanForm
from ..models import Campaign, ImplementationPlan, PlanAttachment
from .campaigns import add_errors


def _plan(request, pk, org_pk, action):
    """The plan of an organization of the campaign's area (a new, unsaved one if none is recorded yet).

    Outside the user's scope, or outside the campaign's area, 404; seen without ``action``, 403.
    """
    scope = request.scope
    campaign = scope.get(Campaign.objects.select_related("area"), "campaign.view", pk=pk)
    org = scope.get(Organization.objects.subtree(campaign.area), "organization.view", pk=org_pk)
    plan = (
        ImplementationPlan.objects.filter(campaign=campaign, organization=org)
        .select_related("filed_by", "updated_by")
        .first()
    )
    if plan is None:
        plan = ImplementationPlan(campaign=campaign, organization=org)
    else:
        plan.campaign, plan.organization = campaign, org
    scope.require(action, plan)
    return plan


@login_required
def plan(request, pk, org_pk):
    plan = _plan(request, pk, org_pk, "plan.view")
    return render(
        request,
        "campaigns/plan_detail.html",
        {
            "plan": plan,
            "attachments": plan.attachments.all() if plan.pk else [],
            "carriers": plan.carriers.all() if plan.pk else [],
            "due": plan.campaign.milestone("plan"),
            "can_change": request.scope.allows("plan.change", plan)
            and plan.organization.status == Organization.Status.ACTIVE,
        },
    )


@login_required
def plan_edit(request, pk, org_pk):
    plan = _plan(request, pk, org_pk, "plan.change")
    form = PlanForm(request.POST or None, request.FILES or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        filing = request.POST.get("action") == "file"
        try:
            with transaction.atomic():
                plan.save_edit(request.user, form.cleaned_data["version"], form.cleaned_data["carriers"], file=filing)
                if upload := form.cleaned_data["attachment"]:
                    plan.add_attachment(request.user, upload)
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if filing:
                messages.success(request, _("The plan is filed."))
            elif plan.is_filed:
                messages.success(request, _("The plan is saved."))
            else:
                messages.success(request, _("The draft is saved. File the plan once it is complete."))
            return redirect(plan)
    return render(
        request,
        "campaigns/plan_form.html",
        {"form": form, "plan": plan, "attachments": plan.attachments.all() if plan.pk else []},
    )


@login_required
def attachment(request, pk):
    """Download a plan's attachment: only within the plan's scope, from the private storage."""
    attachment = request.scope.get(PlanAttachment.objects.all(), "plan.view", pk=pk)
    return private_file_response(attachment.file, attachment.name)


@login_required
def attachment_delete(request, pk):
    attachment = request.scope.get(
        PlanAttachment.objects.select_related("plan__campaign", "plan__organization"), "plan.change", pk=pk
    )
    plan = attachment.plan
    if request.method == "POST":
        attachment.remove(request.user)
        messages.success(request, _("The attachment “%(name)s” is removed.") % {"name": attachment.name})
        return redirect(plan)
    return render(request, "campaigns/attachment_delete.html", {"attachment": attachment, "plan": plan})
