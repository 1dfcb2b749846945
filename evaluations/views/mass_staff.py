"""The staff side of mass evaluation: rounds and their questionnaire, codes and slips, paper ballots, the
ledger (台帐) and rectifications (整改).

Every object comes through ``request.scope`` (outside the user's reach: 404; seen without the right: 403):

- a round is seen from anywhere inside its organizer's subtree (``evaluation.view``) and prepared, opened
  and closed within the organizer's reach (``evaluation.manage``: committees, office, administrators);
- on an evaluated organization (``Participant``), codes, paper ballots and opening rectifications are its
  superior's (``evaluation.codes``, ``evaluation.enter``, ``rectification.open``, checked on the superior),
  the ledger is kept by its own staff and the superiors (``evaluation.ledger``), and the organization writes
  its rectification measures and report (``rectification.report``) which the superior accepts or returns
  (``rectification.accept``).

Changes are ``mass_services`` functions; their refusals (``ValidationError``) come back as the form's errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from campaigns.models import Campaign
from portal.models import COMMITTEE_LEVELS, Member, Organization, StaleEdit
from portal.views.organizations import scope_roots

from .. import mass_services as services
from .. import mass_slips
from ..mass_forms import (
    CodesForm,
    DecisionForm,
    EntryForm,
    HandlingForm,
    LedgerFilterForm,
    OptionFormSet,
    PaperForm,
    ProgressForm,
    QuestionFormSet,
    RectificationFilterForm,
    RectificationForm,
    RoundForm,
    VersionForm,
    members_of,
)
from ..mass_models import (
    Ballot,
    CodeBatch,
    LedgerEntry,
    Participant,
    Rectification,
    Round,
    Target,
)
from ..mass_tally import tally

PAGE_SIZE = 50
COMMENTS_PAGE = 20


def refuse(form, error):
    """Show a refused change (``ValidationError`` or ``StaleEdit``) on ``form``, field by field where it can."""
    if isinstance(error, StaleEdit):
        form.add_error(None, str(error.message))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _round(request, pk, action="evaluation.view"):
    queryset = Round.objects.select_related("campaign", "organization")
    return request.scope.get(queryset, action, pk=pk)


def _participant(request, pk, action="evaluation.view"):
    queryset = Participant.objects.select_related("round__campaign", "round__organization", "organization")
    return request.scope.get(queryset, action, pk=pk)


def _rectification(request, pk, action="rectification.view"):
    queryset = Rectification.objects.select_related(
        "participant__organization", "participant__round", "member", "entry"
    )
    return request.scope.get(queryset, action, pk=pk)


# --- Rounds -----------------------------------------------------------------------------------


@login_required
def round_list(request):
    scope = request.scope
    scope.require_any("evaluation.view", Round)
    rounds = (
        scope.filter(Round.objects.all(), "evaluation.view")
        .select_related("campaign", "organization")
        .annotate(participant_count=Count("participants"))
        .order_by("-opens_on", "-pk")
    )
    organizers = [
        org for org in scope_roots(scope) if org.level in COMMITTEE_LEVELS and scope.allows("evaluation.manage", org)
    ]
    context = {
        "page": Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page")),
        "organizers": organizers,
    }
    return render(request, "evaluations/mass_round_list.html", context)


@login_required
def round_create(request, org):
    organization = request.scope.get(Organization.objects.all(), "evaluation.manage", pk=org)
    campaigns = request.scope.filter(Campaign.objects.covering(organization), "campaign.view").order_by("-starts_on")
    newest = campaigns.first()
    initial = services.round_defaults(newest, organization) if newest else {}
    form = RoundForm(request.POST or None, campaigns=campaigns, initial={"campaign": newest, **initial})
    if request.method == "POST" and form.is_valid():
        try:
            round = services.create_round(request.user, form.cleaned_data["campaign"], organization, **form.settings())
        except ValidationError as error:
            refuse(form, error)
        else:
            messages.success(request, _("The round is prepared. Check its questionnaire, then open it."))
            return redirect(round)
    return render(request, "evaluations/mass_round_form.html", {"form": form, "organization": organization})


def _figures_page(request, round, participants):
    """The page of ``participants`` asked for, with each one's live figures (a fixed number of queries)."""
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = tally(round, page.object_list)
    rows = [(p, figures[p.pk]) for p in page.object_list]
    return page, rows


@login_required
def round_detail(request, pk):
    round = _round(request, pk)
    participants = (
        request.scope.filter(round.participants.all(), "evaluation.view")
        .select_related("organization")
        .annotate(rectification_count=Count("rectifications"))
        .order_by("organization__path")
    )
    page, rows = _figures_page(request, round, participants)
    context = {"round": round, "page": page, "rows": rows, "phase": round.phase()}
    return render(request, "evaluations/mass_round_detail.html", context)


@login_required
def round_edit(request, pk):
    round = _round(request, pk, "evaluation.manage")
    if not round.is_draft:
        messages.error(request, _("The round is opened: its settings and questionnaire are frozen."))
        return redirect(round)
    form = RoundForm(request.POST or None, instance=round, initial={"version": round.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_round(
                request.user, Round.objects.get(pk=round.pk), form.cleaned_data["version"], form.settings()
            )
        except (ValidationError, StaleEdit) as error:
            refuse(form, error)
        else:
            messages.success(request, _("The round's settings are saved."))
            return redirect(round)
    return render(request, "evaluations/mass_round_form.html", {"form": form, "round": round})


@login_required
def round_questions(request, pk):
    round = _round(request, pk, "evaluation.manage")
    questions = round.questions.select_related("criterion")
    options = round.options.all()
    data = request.POST if request.method == "POST" and round.is_draft else None
    form = VersionForm(data, initial={"version": round.version})
    question_set = QuestionFormSet(data, queryset=questions, prefix="questions")
    option_set = OptionFormSet(data, queryset=options, prefix="options")
    if data is not None and all(f.is_valid() for f in (form, question_set, option_set)):
        try:
            services.save_questionnaire(request.user, round, form.cleaned_data["version"], question_set, option_set)
        except (ValidationError, StaleEdit) as error:
            refuse(form, error)
        else:
            messages.success(request, _("The questionnaire is saved."))
            return redirect("evaluations:mass_questions", round.pk)
    context = {
        "round": round,
        "form": form,
        "questions": question_set,
        "options": option_set,
        "editable": round.is_draft,
        "organization_questions": [q for q in questions if q.target == Target.ORGANIZATION],
        "member_questions": [q for q in questions if q.target == Target.MEMBER],
    }
    return render(request, "evaluations/mass_questions.html", context)


def _transition(request, pk, template, act, done):
    round = _round(request, pk, "evaluation.manage")
    form = VersionForm(request.POST or None, initial={"version": round.version})
    if request.method == "POST" and form.is_valid():
        try:
            result = act(request.user, round, form.cleaned_data["version"])
        except (ValidationError, StaleEdit) as error:
            refuse(form, error)
        else:
            messages.success(request, done(result))
            return redirect(round)
    return render(request, template, {"round": round, "form": form})


@login_required
def round_open(request, pk):
    return _transition(
        request,
        pk,
        "evaluations/mass_round_open.html",
        services.open_round,
        lambda n: (
            _("The round is opened for %(n)d organizations. Make their ballot codes and print the slips.") % {"n": n}
        ),
    )


@login_required
def round_close(request, pk):
    return _transition(
        request,
        pk,
        "evaluations/mass_round_close.html",
        services.close_round,
        lambda n: (
            _(
                "The round is closed: its results are published and registered in the ledger; %(n)d rectifications "
                "were opened."
            )
            % {"n": n}
        ),
    )


# --- One evaluated organization ---------------------------------------------------------------


@login_required
def participant(request, pk):
    p = _participant(request, pk)
    round = p.round
    figures = tally(round, [p])[p.pk]
    comments = Ballot.objects.filter(participant=p).exclude(comment="").order_by("pk").values_list("comment", flat=True)
    context = {
        "participant": p,
        "round": round,
        "figures": figures,
        "phase": round.phase(),
        "batches": p.code_batches.select_related("generated_by").annotate(
            issued=Count("codes"), used=Count("codes", filter=Q(codes__used=True))
        ),
        "paper": p.paper_batches.select_related("member", "entered_by").order_by("-entered_at", "-pk"),
        "entries": p.ledger.select_related("member").order_by("-received_on", "-pk")[:20],
        "rectifications": p.rectifications.select_related("member").order_by("deadline", "pk"),
        "comments": Paginator(comments, COMMENTS_PAGE).get_page(request.GET.get("page")),
        "members": members_of(p),
    }
    return render(request, "evaluations/mass_participant.html", context)


@login_required
@never_cache
def codes(request, pk):
    """Make ballot codes and download their slips (PDF) at once: the plain codes are never stored."""
    p = _participant(request, pk, "evaluation.codes")
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch, plain = services.generate_codes(request.user, p, form.cleaned_data["count"])
        except ValidationError as error:
            refuse(form, error)
        else:
            response = HttpResponse(mass_slips.slips_pdf(p, plain), content_type="application/pdf")
            name = f"{p.organization.name}-评议码-{batch.pk}.pdf"
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
            return response
    return render(request, "evaluations/mass_codes.html", {"participant": p, "round": p.round, "form": form})


@login_required
def batch_void(request, pk):
    queryset = CodeBatch.objects.select_related("participant__organization", "participant__round")
    batch = request.scope.get(queryset, "evaluation.codes", pk=pk)
    form = VersionForm(request.POST or None, initial={"version": 1})
    if request.method == "POST":
        try:
            removed = services.void_batch(request.user, batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(n)d unused codes of the batch are void.") % {"n": removed})
        return redirect(batch.participant)
    return render(
        request, "evaluations/mass_batch_void.html", {"batch": batch, "participant": batch.participant, "form": form}
    )


@login_required
def paper(request, pk):
    """Enter a batch of counted paper ballots about the organization, or (``?member=``) one of its members."""
    p = _participant(request, pk, "evaluation.enter")
    round = p.round
    member = None
    if request.GET.get("member"):
        member = Member.objects.filter(organization=p.organization, active=True, pk=request.GET["member"]).first()
        if member is None or not round.evaluate_members:
            return redirect(p)
    target = Target.MEMBER if member else Target.ORGANIZATION
    questions = round.questions_for(target, p.organization.sector)
    form = PaperForm(request.POST or None, questions=questions, options=list(round.options.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.enter_paper(
                request.user, p, member, form.cleaned_data["ballots"], form.counts(), form.cleaned_data["note"]
            )
        except ValidationError as error:
            refuse(form, error)
        else:
            messages.success(request, _("The paper ballots are entered."))
            return redirect(p)
    context = {"participant": p, "round": round, "member": member, "form": form, "options": form.options}
    return render(request, "evaluations/mass_paper.html", context)


# --- The ledger -------------------------------------------------------------------------------


@login_required
def ledger(request, pk):
    round = _round(request, pk)
    form = LedgerFilterForm(request.GET)
    entries = request.scope.filter(LedgerEntry.objects.filter(participant__round=round), "evaluation.view")
    if form.is_valid():
        if channel := form.cleaned_data["channel"]:
            entries = entries.filter(channel=channel)
        if code := form.cleaned_data["org"].strip():
            entries = entries.filter(participant__organization__code__iexact=code)
    entries = entries.select_related("participant__organization", "member").order_by("-received_on", "-pk")
    context = {"round": round, "form": form, "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))}
    return render(request, "evaluations/mass_ledger.html", context)


@login_required
def entry_create(request, pk):
    p = _participant(request, pk, "evaluation.ledger")
    form = EntryForm(request.POST or None, members=members_of(p))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_entry(
                request.user,
                p,
                data["channel"],
                data["received_on"],
                data["content"],
                data["handling"],
                data["member"],
            )
        except ValidationError as error:
            refuse(form, error)
        else:
            messages.success(request, _("The entry is in the ledger."))
            return redirect(p)
    return render(request, "evaluations/mass_entry_form.html", {"participant": p, "round": p.round, "form": form})


@login_required
def entry(request, pk):
    """A ledger entry, its handling (``evaluation.ledger``) and, if it needs one, a rectification."""
    queryset = LedgerEntry.objects.select_related("participant__organization", "participant__round", "member")
    item = request.scope.get(queryset, "evaluation.view", pk=pk)
    p = item.participant
    may_handle = request.scope.allows("evaluation.ledger", item)
    may_rectify = request.scope.allows("rectification.open", p)
    form = HandlingForm(request.POST or None, initial={"version": item.version, "handling": item.handling})
    if request.method == "POST":
        request.scope.require("evaluation.ledger", item)
        if form.is_valid():
            try:
                services.update_handling(
                    request.user, item, form.cleaned_data["version"], form.cleaned_data["handling"]
                )
            except StaleEdit as error:
                refuse(form, error)
            else:
                messages.success(request, _("The handling is saved."))
                if form.cleaned_data["rectify"] and may_rectify:
                    return redirect(f"{reverse('evaluations:mass_rectification_create', args=[p.pk])}?entry={item.pk}")
                return redirect(item)
    context = {
        "entry": item,
        "participant": p,
        "round": p.round,
        "form": form,
        "may_handle": may_handle,
        "may_rectify": may_rectify,
        "rectifications": item.rectifications.all(),
    }
    return render(request, "evaluations/mass_entry.html", context)


# --- Rectifications ---------------------------------------------------------------------------


@login_required
def rectification_list(request):
    scope = request.scope
    scope.require_any("rectification.view", Rectification)
    form = RectificationFilterForm(request.GET)
    items = scope.filter(Rectification.objects.all(), "rectification.view")
    if form.is_valid():
        if state := form.cleaned_data["state"]:
            items = items.filter(state=state)
        if form.cleaned_data["overdue"]:
            items = items.exclude(state=Rectification.State.DONE).filter(deadline__lt=timezone.localdate())
    items = items.select_related("participant__organization", "participant__round", "member").order_by("deadline", "pk")
    context = {
        "form": form,
        "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
        "today": timezone.localdate(),
    }
    return render(request, "evaluations/mass_rectification_list.html", context)


@login_required
def rectification_create(request, pk):
    p = _participant(request, pk, "rectification.open")
    source = None
    if request.GET.get("entry", "").isdigit():
        source = p.ledger.filter(pk=request.GET["entry"]).first()
    initial = {"problem": source.content if source else "", "member": source.member if source else None}
    initial["owner"] = p.organization.secretary_name
    form = RectificationForm(request.POST or None, members=members_of(p), days=p.round.rectify_days, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.open_rectification(
                request.user, p, data["problem"], data["owner"], data["deadline"], member=data["member"], entry=source
            )
        except ValidationError as error:
            refuse(form, error)
        else:
            messages.success(request, _("The rectification is opened; the organization is reminded of its deadline."))
            return redirect(item)
    context = {"participant": p, "round": p.round, "form": form, "source": source}
    return render(request, "evaluations/mass_rectification_form.html", context)


@login_required
def rectification(request, pk):
    """A rectification: the organization writes its measures and report, and reports completion."""
    item = _rectification(request, pk)
    may_report = request.scope.allows("rectification.report", item)
    may_decide = request.scope.allows("rectification.accept", item)
    initial = {"version": item.version, "measures": item.measures, "report": item.report}
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST":
        request.scope.require("rectification.report", item)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_progress(
                    request.user, item, data["version"], data["measures"], data["report"], submit=data["submit"]
                )
            except (ValidationError, StaleEdit) as error:
                refuse(form, error)
            else:
                messages.success(request, _("Completion is reported.") if data["submit"] else _("Saved."))
                return redirect(item)
    context = {
        "item": item,
        "participant": item.participant,
        "form": form,
        "may_report": may_report and item.state == Rectification.State.OPEN,
        "may_decide": may_decide and item.state == Rectification.State.REPORTED,
        "overdue": item.is_overdue(),
    }
    return render(request, "evaluations/mass_rectification.html", context)


@login_required
def rectification_decide(request, pk):
    item = _rectification(request, pk, "rectification.accept")
    form = DecisionForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.accept_rectification(request.user, item, data["version"])
            else:
                services.return_rectification(request.user, item, data["version"], data["reason"])
        except (ValidationError, StaleEdit) as error:
            refuse(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(item)
    return render(request, "evaluations/mass_rectification_decide.html", {"item": item, "form": form})
