from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import StaleEdit

from .. import services
from ..forms import (
    CampaignForm,
    CarrierFormSet,
    CriteriaFormSet,
    CriteriaSetForm,
    NewCriteriaSetForm,
    PhaseFormSet,
    PlanFilterForm,
    StepFormSet,
    VersionForm,
)
from ..models import Campaign, CriteriaSet, Criterion, ImplementationPlan

PAGE_SIZE = 50


def add_errors(form, error):
    """Show a refusal on the form: on its fields where it names them, else above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


@login_required
def campaign_list(request):
    scope = request.scope
    campaigns = scope.filter(Campaign.objects.select_related("area"), "campaign.view").prefetch_related("phases")
    page = Paginator(campaigns.order_by("-starts_on", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page": page, "today": timezone.localdate(), "can_create": scope.can("campaign.manage")},
    )


def plan_status(scope, campaign, form):
    """The organizations of the campaign's area within the user's plan scope, with their plan's state.

    Returns (figures, organizations): figures counts them and those with a filed plan (one SQL
    aggregate); organizations is the queryset narrowed by the filter form, for a paginated list.
    """
    plans = ImplementationPlan.objects.filter(campaign=campaign, organization=OuterRef("pk"))
    filed = Exists(plans.filter(filed_at__isnull=False))
    orgs = scope.filter(campaign.organizations(), "plan.view")
    figures = orgs.aggregate(total=Count("pk"), filed=Count("pk", filter=Q(filed)))
    figures["percent"] = round(100 * figures["filed"] / figures["total"], 1) if figures["total"] else None
    data = form.cleaned_data if form.is_valid() else {}
    if status := data.get("status"):
        orgs = orgs.filter({"filed": filed, "draft": Exists(plans) & ~filed, "missing": ~Exists(plans)}[status])
    if q := data.get("q"):
        orgs = orgs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    if sector := data.get("sector"):
        orgs = orgs.filter(sector=sector)
    orgs = orgs.annotate(
        plan_pk=Subquery(plans.values("pk")[:1]),
        plan_filed_at=Subquery(plans.values("filed_at")[:1]),
        plan_updated_at=Subquery(plans.values("updated_at")[:1]),
    )
    return figures, orgs.order_by("path")


@login_required
def detail(request, pk):
    scope = request.scope
    campaign = scope.get(Campaign.objects.select_related("area"), "campaign.view", pk=pk)
    criteria_sets = campaign.criteria_sets.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk"))
    )
    context = {
        "campaign": campaign,
        "today": timezone.localdate(),
        "phases": campaign.phases.all(),
        "steps": campaign.milestones.all(),
        "criteria_sets": criteria_sets,
        "carriers": campaign.carriers.all(),
        "can_manage": scope.allows("campaign.manage", campaign),
    }
    if scope.can("plan.view"):
        form = PlanFilterForm(request.GET)
        figures, orgs = plan_status(scope, campaign, form)
        page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(plan_form=form, plan_figures=figures, plan_page=page)
    return render(request, "campaigns/campaign_detail.html", context)


def _edit(request, campaign, template):
    data = request.POST or None
    areas = request.scope.organizations("campaign.manage").active()
    form = CampaignForm(data, instance=campaign, areas=areas)
    phases = PhaseFormSet(data, instance=campaign, prefix="phases")
    steps = StepFormSet(data, instance=campaign, prefix="steps")
    if request.method == "POST":
        if form.is_valid():
            phases.bounds = steps.bounds = (form.cleaned_data["starts_on"], form.cleaned_data["ends_on"])
        if all([form.is_valid(), phases.is_valid(), steps.is_valid()]):
            try:
                campaign = services.save_campaign(request.user, form, phases, steps)
            except StaleEdit as stale:
                form.add_error(None, stale.message)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The campaign is saved."))
                return redirect(campaign)
    return render(request, template, {"form": form, "phases": phases, "steps": steps, "campaign": campaign})


@login_required
def create(request):
    request.scope.require_any("campaign.manage", Campaign)
    return _edit(request, Campaign(), "campaigns/campaign_form.html")


@login_required
def edit(request, pk):
    campaign = request.scope.get(Campaign.objects.select_related("area"), "campaign.manage", pk=pk)
    return _edit(request, campaign, "campaigns/campaign_form.html")


@login_required
def criteria_create(request, pk):
    campaign = request.scope.get(Campaign.objects.select_related("area"), "campaign.manage", pk=pk)
    form = NewCriteriaSetForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            criteria_set = services.create_criteria_set(request.user, campaign, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The set is added with the general set's criteria: adapt them now."))
            return redirect("campaigns:criteria_edit", criteria_set.pk)
    return render(request, "campaigns/criteriaset_create.html", {"form": form, "campaign": campaign})


@login_required
def criteria_edit(request, pk):
    criteria_set = request.scope.get(CriteriaSet.objects.select_related("campaign__area"), "campaign.manage", pk=pk)
    campaign = criteria_set.campaign
    data = request.POST or None
    form = CriteriaSetForm(data, instance=criteria_set)
    formset = CriteriaFormSet(data, instance=criteria_set, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            criteria_set = services.save_criteria(request.user, form, formset)
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The criteria are saved."))
            total = criteria_set.total_weight
            if total != 100:
                message = _("The weights of “%(name)s” add up to %(total)s, not 100: adjust them so that they do.")
                messages.warning(request, message % {"name": criteria_set, "total": f"{total.normalize():f}"})
            return redirect(f"{campaign.get_absolute_url()}#criteria")
    return render(
        request, "campaigns/criteriaset_form.html", {"form": form, "formset": formset, "criteria_set": criteria_set}
    )


@login_required
def criteria_delete(request, pk):
    criteria_set = request.scope.get(CriteriaSet.objects.select_related("campaign__area"), "campaign.manage", pk=pk)
    campaign = criteria_set.campaign
    if request.method == "POST":
        try:
            services.delete_criteria_set(request.user, criteria_set)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("campaigns:criteria_edit", criteria_set.pk)
        messages.success(request, _("The criteria set “%(name)s” is removed.") % {"name": criteria_set})
        return redirect(f"{campaign.get_absolute_url()}#criteria")
    return render(request, "campaigns/criteriaset_delete.html", {"criteria_set": criteria_set})


@login_required
def carriers(request, pk):
    campaign = request.scope.get(Campaign.objects.select_related("area"), "campaign.manage", pk=pk)
    data = request.POST or None
    version = VersionForm(data, current=campaign.version)
    formset = CarrierFormSet(data, instance=campaign, prefix="carriers")
    if request.method == "POST" and all([version.is_valid(), formset.is_valid()]):
        try:
            services.save_carriers(request.user, campaign, version.cleaned_data["version"], formset)
        except StaleEdit as stale:
            version.add_error(None, stale.message)
        except ValidationError as error:
            version.add_error(None, error.messages)
        else:
            messages.success(request, _("The activity carriers are saved."))
            return redirect(f"{campaign.get_absolute_url()}#carriers")
    return render(request, "campaigns/carrier_form.html", {"form": version, "formset": formset, "campaign": campaign})
