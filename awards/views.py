"""The staff side of awards: rounds, rules and quotas, each level's candidates and nominations, the
organizer's list, 公示 and approval, objections, certificates and articles. Every object through the scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from campaigns.views.campaigns import add_errors
from portal.models import Member, Organization, StaleEdit
from portal.storage import private_file_response

from . import documents
from .eligibility import Candidate, evaluate, ranked
from .forms import (
    AnswerForm,
    ApproveForm,
    ArticleForm,
    CategoryForm,
    DeclineForm,
    DeedsForm,
    NominateForm,
    QuotaForm,
    QuotaNumberForm,
    RoundForm,
    StepForm,
)
from .models import (
    Article,
    ArticlePhoto,
    AwardCategory,
    AwardQuota,
    AwardRound,
    Nomination,
    NominationAttachment,
    Objection,
    record,
)

PAGE_SIZE = 50
NOMINATIONS = Nomination.objects.select_related("round__organizer", "category", "organization", "member", "holder")


def _round(request, pk, action="award.view"):
    return request.scope.get(AwardRound.objects.select_related("campaign", "organizer"), action, pk=pk)


def _nomination(request, pk, action="nomination.view"):
    return request.scope.get(NOMINATIONS, action, pk=pk)


@login_required
def round_list(request):
    request.scope.require_any("award.view", AwardRound)
    rounds = request.scope.filter(AwardRound.objects.select_related("campaign", "organizer"), "award.view").annotate(
        nomination_count=Count("nominations")
    )
    page = Paginator(rounds.order_by("-nominations_due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/round_list.html", {"page": page, "can_create": request.scope.can("award.manage")})


def _round_form(request, instance=None):
    campaigns = request.scope.filter(Campaign.objects.all(), "campaign.view").order_by("-starts_on", "name")
    return RoundForm(
        request.POST or None,
        instance=instance,
        campaigns=campaigns,
        organizers=request.scope.organizations("award.manage"),
    )


@login_required
def round_create(request):
    request.scope.require_any("award.manage", AwardRound)
    form = _round_form(request)
    if request.method == "POST" and form.is_valid():
        round = AwardRound.open(form.save(commit=False), request.user)
        messages.success(request, _("The award round is open with the three categories 一先两优; adjust their rules."))
        return redirect(round)
    return render(request, "awards/round_form.html", {"form": form})


@login_required
def round_edit(request, pk):
    round = _round(request, pk, "award.manage")
    form = _round_form(request, round)
    if request.method == "POST" and form.is_valid():
        try:
            before = {"title": AwardRound.objects.get(pk=round.pk).title}
            round.save_checked(form.cleaned_data["version"])
            record(
                request.user, round, {"title": [before["title"], round.title]} if before["title"] != round.title else {}
            )
        except StaleEdit as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The round is saved."))
            return redirect(round)
    return render(request, "awards/round_form.html", {"form": form, "round": round})


def _held_by(round, organizations):
    return (
        round.nominations.filter(holder__in=organizations)
        .select_related("category", "organization", "member", "holder")
        .order_by("state", "category__order", "organization__path", "member__name", "pk")
    )


@login_required
def round_detail(request, pk):
    round = _round(request, pk)
    scope = request.scope
    # The user's own organizations inside the round: the levels where they nominate and forward.
    levels = [
        org
        for org in {org for _role, org in scope.grants if org is not None}
        if org.path.startswith(round.organizer.path) and scope.allows("nomination.create", org)
    ]
    if scope.is_admin():
        levels.append(round.organizer)
    categories = list(round.categories.all())
    shortlist = (
        round.shortlist()
        .select_related("category", "organization", "member")
        .annotate(
            open_objections=Count("objections", filter=Q(objections__answered_at__isnull=True)),
            objection_count=Count("objections"),
        )
    )
    context = {
        "round": round,
        "categories": categories,
        "quotas": round.quotas.select_related("category", "organization"),
        "levels": sorted(set(levels), key=lambda o: o.path),
        "shortlist": shortlist.order_by("category__order", "pk"),
        "can_manage": scope.allows("award.manage", round),
        "approval_errors": round.approval_errors(),
        "approve_form": ApproveForm(),
        "counts": {
            Nomination.State(state).label: n
            for state, n in round.nominations.values_list("state").annotate(n=Count("pk")).order_by("state")
        },
    }
    return render(request, "awards/round_detail.html", context)


@login_required
def category_edit(request, pk):
    category = _category(request, pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            category.save_rules(request.user, form.cleaned_data["version"])
        except StaleEdit as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The rules of %(category)s are saved.") % {"category": category.name})
            return redirect(category.round)
    return render(request, "awards/category_form.html", {"form": form, "category": category, "round": category.round})


def _category(request, pk):
    """The category, within reach of managing its round (404 outside, 403 without the right)."""
    category = AwardCategory.objects.select_related("round__organizer", "round__campaign").filter(pk=pk).first()
    if category is None:
        raise Http404
    _round(request, category.round_id, "award.manage")
    return category


@login_required
def quotas(request, pk):
    round = _round(request, pk, "award.manage")
    form = QuotaForm(request.POST or None, round=round, organizations=Organization.objects.subtree(round.organizer))
    if request.method == "POST" and request.POST.get("delete"):
        quota = round.quotas.filter(pk=request.POST["delete"]).first()
        if quota:
            quota.delete()
            record(request.user, round, {"quota": [str(quota), ""]})
            messages.success(request, _("The quota is removed."))
        return redirect("awards:quotas", round.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            AwardQuota.add(request.user, round, data["category"], data["number"], data["level"], data["organization"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The quota is saved."))
            return redirect("awards:quotas", round.pk)
    return _quotas_page(request, round, form)


def _quotas_page(request, round, form, editing=None, edit_form=None):
    context = {
        "round": round,
        "form": form,
        "quotas": round.quotas.select_related("category", "organization"),
        "editing": editing,
        "edit_form": edit_form,
    }
    return render(request, "awards/quotas.html", context)


@login_required
def quota(request, pk):
    """One quota's number, changed in place on the quotas page (version-checked, never below what is used)."""
    quota = AwardQuota.objects.select_related("category", "organization").filter(pk=pk).first()
    if quota is None:
        raise Http404
    round = _round(request, quota.round_id, "award.manage")
    quota.round = round
    edit_form = QuotaNumberForm(request.POST or None, initial={"number": quota.number, "version": quota.version})
    if request.method == "POST" and edit_form.is_valid():
        try:
            quota.change_number(request.user, edit_form.cleaned_data["version"], edit_form.cleaned_data["number"])
        except StaleEdit as error:
            # Their input stays; the row shows the number saved meanwhile, and the next save applies theirs to it.
            quota.refresh_from_db()
            edit_form = QuotaNumberForm({**request.POST.dict(), "version": quota.version})
            edit_form.is_valid()
            edit_form.add_error(None, error.message)
        except ValidationError as error:
            add_errors(edit_form, error)
        else:
            messages.success(request, _("The quota is saved."))
            return redirect("awards:quotas", round.pk)
    form = QuotaForm(round=round, organizations=Organization.objects.subtree(round.organizer))
    return _quotas_page(request, round, form, editing=quota, edit_form=edit_form)


def _candidates(round, category, org, sort, page_number):
    """The page of ``org``'s candidates in ``category`` with their eligibility, and who is nominated already."""
    if category.for_members:
        people = Member.objects.active().filter(organization=org).select_related("organization").order_by("name", "pk")
        page = Paginator(people, PAGE_SIZE).get_page(page_number)
        candidates = [Candidate(m.organization, m) for m in page]
        nominated = set(
            category.nominations.filter(member__in=[c.member for c in candidates]).values_list("member", flat=True)
        )
    else:
        orgs = org.children.filter(status=Organization.Status.ACTIVE).order_by("path")
        page = Paginator(orgs, PAGE_SIZE).get_page(page_number)
        candidates = [Candidate(o) for o in page]
        nominated = set(
            category.nominations.filter(
                organization__in=[c.organization for c in candidates], member__isnull=True
            ).values_list("organization", flat=True)
        )
    evaluate(category, candidates)
    return page, ranked(candidates, sort), nominated


@login_required
def level(request, pk, org_pk):
    """One organization's work in a round: its candidates (with the rules' figures) and the nominations it holds."""
    round = _round(request, pk)
    org = request.scope.get(Organization.objects.all(), "nomination.create", pk=org_pk)
    if not org.path.startswith(round.organizer.path):
        raise Http404
    categories = list(round.categories.all())
    category = next(
        (c for c in categories if str(c.pk) == request.GET.get("category")), categories[0] if categories else None
    )
    form = NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = next((c for c in categories if c.pk == form.cleaned_data["category"]), None)
        if category is None:
            raise Http404
        try:
            nomination = _nominate(request, round, category, org, form.cleaned_data["candidate"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is nominated: add the deeds summary.") % {"name": nomination.nominee_name}
            )
            return redirect("awards:nomination_edit", nomination.pk)
    sort = request.GET.get("sort", "")
    page, candidates, nominated = (None, [], set())
    if category is not None:
        page, candidates, nominated = _candidates(round, category, org, sort, request.GET.get("page"))
    held = list(_held_by(round, [org]))
    quota_rows = [
        {
            "category": c,
            "quota": round.quota_for(c, org),
            "used": (
                round.shortlist().filter(category=c).count()
                if org.pk == round.organizer_id
                else Nomination.objects.forwarded_by(org, c).filter(round=round).count()
            ),
        }
        for c in categories
    ]
    context = {
        "round": round,
        "org": org,
        "categories": categories,
        "category": category,
        "page": page,
        "candidates": candidates,
        "nominated": nominated,
        "held": held,
        "quota_rows": quota_rows,
        "sort": sort,
        "form": form,
        "is_organizer": org.pk == round.organizer_id,
        "nominating": round.is_nominating(),
    }
    return render(request, "awards/level.html", context)


def _nominate(request, round, category, org, candidate_pk):
    if category.for_members:
        member = (
            Member.objects.active().filter(organization=org, pk=candidate_pk).select_related("organization").first()
        )
        if member is None:
            raise ValidationError(_("Choose a member of %(org)s.") % {"org": org.name})
        candidate = evaluate(category, [Candidate(member.organization, member)])[0]
        return Nomination.nominate(request.user, round, category, member=member, candidate=candidate)
    nominee = org.children.filter(pk=candidate_pk).first()
    if nominee is None:
        raise ValidationError(_("Choose a direct subordinate of %(org)s.") % {"org": org.name})
    candidate = evaluate(category, [Candidate(nominee)])[0]
    return Nomination.nominate(request.user, round, category, organization=nominee, candidate=candidate)


@login_required
def nomination_detail(request, pk):
    nomination = _nomination(request, pk)
    scope = request.scope
    candidate = evaluate(nomination.category, [Candidate(nomination.organization, nomination.member)])[0]
    can_handle = scope.allows("nomination.handle", nomination)
    round = nomination.round
    context = {
        "nomination": nomination,
        "round": round,
        "candidate": candidate,
        "steps": nomination.steps.select_related("organization", "by"),
        "attachments": nomination.attachments.select_related("organization"),
        "can_handle": can_handle
        and nomination.state == Nomination.State.NOMINATED
        and round.state == round.State.NOMINATING,
        "can_manage": scope.allows("award.manage", nomination),
        "step_form": StepForm(initial={"version": nomination.version}),
        "article": Article.objects.filter(nomination=nomination).first(),
    }
    return render(request, "awards/nomination_detail.html", context)


@login_required
def nomination_edit(request, pk):
    nomination = _nomination(request, pk, "nomination.handle")
    form = DeedsForm(request.POST or None, request.FILES or None, instance=nomination)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                nomination.edit_deeds(request.user, form.cleaned_data["version"], form.cleaned_data["deeds"])
                if upload := form.cleaned_data["attachment"]:
                    nomination.add_attachment(request.user, upload)
        except StaleEdit as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The nomination is saved."))
            return redirect(nomination)
    context = {"form": form, "nomination": nomination, "attachments": nomination.attachments.all()}
    return render(request, "awards/nomination_form.html", context)


def _step(request, pk, form_class, act, done_message, kind):
    """A nomination's step (forward, decline, shortlist): a small form with the version and an opinion."""
    nomination = _nomination(request, pk, "nomination.handle")
    form = form_class(request.POST or None, initial={"version": nomination.version})
    if request.method == "POST" and form.is_valid():
        try:
            act(nomination, form.cleaned_data)
        except StaleEdit as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done_message % {"name": nomination.nominee_name})
            return redirect(nomination)
    return render(request, "awards/nomination_step.html", {"nomination": nomination, "form": form, "kind": kind})


@login_required
def forward(request, pk):
    def act(nomination, data):
        nomination.forward(request.user, data["version"], data["opinion"])

    return _step(request, pk, StepForm, act, _("%(name)s is forwarded to the superior."), "forward")


@login_required
def decline(request, pk):
    def act(nomination, data):
        nomination.decline(request.user, data["version"], data["opinion"])

    return _step(request, pk, DeclineForm, act, _("%(name)s is not forwarded; the reason is recorded."), "decline")


@login_required
def shortlist(request, pk):
    def act(nomination, data):
        nomination.put_on_list(request.user, data["version"], data["opinion"])

    return _step(request, pk, StepForm, act, _("%(name)s is on the list."), "shortlist")


@login_required
def attachment(request, pk):
    attachment = request.scope.get(NominationAttachment.objects.all(), "nomination.view", pk=pk)
    return private_file_response(attachment.file, attachment.name)


@login_required
@require_POST
def publicity(request, pk):
    round = _round(request, pk, "award.manage")
    try:
        round.start_publicity(request.user)
    except (ValidationError, StaleEdit) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(StaleEdit.message)])))
    else:
        messages.success(
            request,
            _("The list is announced until %(date)s.") % {"date": round.publicity_ends_on.isoformat()},
        )
    return redirect(round)


@login_required
@require_POST
def approve(request, pk):
    round = _round(request, pk, "award.manage")
    form = ApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["decision"])
        round.approve(request.user, form.cleaned_data["decision"])
    except (ValidationError, StaleEdit) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(StaleEdit.message)])))
    else:
        messages.success(request, _("The awards are approved; the certificates can be downloaded."))
    return redirect(round)


@login_required
def objections(request, pk):
    round = _round(request, pk, "award.manage")
    rows = request.scope.filter(
        round.objections.select_related("nomination__member", "nomination__organization", "nomination__category"),
        "objection.view",
    )
    page = Paginator(rows.order_by("answered_at", "created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/objection_list.html", {"round": round, "page": page})


@login_required
def objection_answer(request, pk):
    objection = request.scope.get(
        Objection.objects.select_related("round__organizer", "nomination__member", "nomination__organization"),
        "objection.view",
        pk=pk,
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection.answer_with(request.user, form.cleaned_data["answer"], form.cleaned_data["outcome"])
        except StaleEdit as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect("awards:objections", objection.round_id)
    return render(request, "awards/objection_answer.html", {"objection": objection, "form": form})


def _pdf(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


@login_required
def certificates(request, pk):
    round = _round(request, pk, "award.manage")
    awards = list(NOMINATIONS.filter(round=round).honoured().order_by("category__order", "certificate_no"))
    if not awards:
        messages.error(request, _("There are no approved awards yet."))
        return redirect(round)
    return _pdf(documents.certificates_pdf(awards), f"{round.title}-证书.pdf")


@login_required
def certificate(request, pk):
    nomination = _nomination(request, pk)
    if nomination.state != Nomination.State.APPROVED:
        raise Http404
    return _pdf(documents.certificates_pdf([nomination]), f"{nomination.nominee_name}-证书.pdf")


@login_required
def article_edit(request, pk):
    nomination = _nomination(request, pk, "article.change")
    article = Article.objects.filter(nomination=nomination).first() or Article(nomination=nomination)
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                article.save_edit(request.user, form.cleaned_data.get("version"))
                if upload := form.cleaned_data["photo"]:
                    photo = ArticlePhoto(article=article, caption=form.cleaned_data["caption"])
                    photo.file.save(upload.name, upload, save=True)
        except StaleEdit as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The article is saved."))
            return redirect(nomination)
    photos = article.photos.all() if article.pk else []
    return render(request, "awards/article_form.html", {"form": form, "nomination": nomination, "photos": photos})
