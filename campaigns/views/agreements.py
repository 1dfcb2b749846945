"""Target agreements (目标责任书): the year's lists, drafting, indicators, issuing, reports, the score, the notice.

Every agreement comes through ``request.scope`` (outside the user's reach: 404; seen without the right:
403). Seen and reported within the subordinate's reach (``agreement.view``, ``agreement.report``);
drafted, issued and scored within the issuer's (``agreement.issue``, ``agreement.score``). Every
change is a model method (or ``services``) that refuses with a message shown on the form, nothing
changed; version-checked, so a second editor is told someone else changed the agreement first.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.models import StaleEdit
from portal.storage import private_file_response

from .. import services
from ..agreement_forms import (
    PERIOD_SLUGS,
    AgreementForm,
    ConfirmForm,
    IndicatorFormSet,
    ListFilterForm,
    NoticeFilterForm,
    ScoreForm,
    StartForm,
    report_forms,
)
from ..agreement_scoring import plain
from ..models import Indicator, IndicatorReport, Period, TargetAgreement

PAGE_SIZE = 50


def _agreements():
    return TargetAgreement.objects.select_related("issuer", "subordinate")


def _refusal(form, error):
    form.add_error(None, error.message if isinstance(error, StaleEdit) else " ".join(error.messages))


def _with_reports(agreement, period=None):
    """The agreement's indicators in order, each with its reports (of ``period`` only, if given): two queries."""
    reports = IndicatorReport.objects.select_related("reported_by")
    if period:
        reports = reports.filter(period=period)
    return list(agreement.indicators.order_by("order", "pk").prefetch_related(Prefetch("reports", queryset=reports)))


def _with_year(request):
    """The query's filters, the current year unless one is chosen."""
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    return data


# --- lists ---------------------------------------------------------------------------------------


@login_required
def agreement_list(request):
    """The year's agreements the user issues (or may issue: a committee's own and its subtree's) or receives."""
    scope = request.scope
    scope.require_any("agreement.view", TargetAgreement)
    form = ListFilterForm(_with_year(request))
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    issuing = scope.can("agreement.issue")
    visible = scope.filter(TargetAgreement.objects.filter(year=year), "agreement.view")
    ours = scope.filter(TargetAgreement.objects.all(), "agreement.issue").values("pk")
    side = data.get("side")
    if not side:  # the agreements the user issues, if there are any this year, else those issued to them
        side = "by_us" if issuing and visible.filter(pk__in=ours).exists() else "to_us"
    rows = visible.filter(pk__in=ours) if side == "by_us" else visible.exclude(pk__in=ours)
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    if status := data.get("status"):
        rows = rows.filter(status=status)
    rows = rows.select_related("issuer", "subordinate").annotate(indicator_count=Count("indicators"))
    page = Paginator(rows.order_by("issuer__path", "subordinate__path", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    statuses = [(value, label, counts.get(value, 0)) for value, label in TargetAgreement.Status.choices]
    return render(
        request,
        "campaigns/agreement_list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "side": side,
            "statuses": statuses,
            "total": sum(counts.values()),
            "can_issue": issuing,
            "today": timezone.localdate(),
        },
    )


@login_required
def notice(request):
    """The notice list (通报) of a year: subordinates short of target at year-end, or late with a report."""
    scope = request.scope
    scope.require_any("agreement.view", TargetAgreement)
    visible = scope.filter(TargetAgreement.objects.all(), "agreement.view")
    issuers = visible.order_by("issuer__path").values_list("issuer_id", "issuer__name").distinct()
    form = NoticeFilterForm(_with_year(request), issuers=issuers)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    today = timezone.localdate()
    rows = visible.filter(year=year).on_notice(today)
    if issuer := data.get("issuer"):
        rows = rows.filter(issuer_id=issuer)
    year_end = IndicatorReport.objects.filter(period=Period.YEAR_END)
    rows = rows.select_related("issuer", "subordinate").prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("order", "pk").prefetch_related(Prefetch("reports", queryset=year_end)),
        )
    )
    page = Paginator(rows.order_by("issuer__path", "subordinate__path", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = []
    for agreement in page:
        short = []
        if agreement.status == TargetAgreement.Status.SCORED:
            indicators = list(agreement.indicators.all())
            short = [s for s in agreement.compute_score(indicators).indicators if s.short]
        entries.append({"agreement": agreement, "reasons": agreement.notice_reasons(today), "short": short})
    return render(
        request,
        "campaigns/agreement_notice.html",
        {"form": form, "page": page, "entries": entries, "year": year, "today": today},
    )


# --- one agreement -------------------------------------------------------------------------------


@login_required
def detail(request, pk):
    scope = request.scope
    agreement = scope.get(_agreements(), "agreement.view", pk=pk)
    indicators = _with_reports(agreement)
    result = agreement.compute_score(indicators) if agreement.status != TargetAgreement.Status.DRAFT else None
    scores = result.indicators if result else [None] * len(indicators)
    rows = []
    for indicator, indicator_score in zip(indicators, scores, strict=True):
        reports = {r.period: r for r in indicator.reports.all()}
        rows.append(
            {
                "indicator": indicator,
                "mid_year": reports.get(Period.MID_YEAR),
                "year_end": reports.get(Period.YEAR_END),
                "score": indicator_score if Period.YEAR_END in reports else None,
            }
        )
    today = timezone.localdate()
    can_issue = scope.allows("agreement.issue", agreement)
    return render(
        request,
        "campaigns/agreement_detail.html",
        {
            "agreement": agreement,
            "rows": rows,
            "result": result,
            "has_year_end": any(row["year_end"] for row in rows),
            "points_total": sum((i.points for i in indicators), 0),
            "can_issue": can_issue and agreement.is_draft,
            "can_edit": can_issue and agreement.status != TargetAgreement.Status.SCORED,
            "can_report": scope.allows("agreement.report", agreement),
            "reportable": {p: agreement.can_report(p, today) for p in (Period.MID_YEAR, Period.YEAR_END)},
            "can_score": scope.allows("agreement.score", agreement) and agreement.can_score(today),
            "reasons": agreement.notice_reasons(today),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Draft an agreement (or one for every direct subordinate committee) from a template."""
    scope = request.scope
    scope.require_any("agreement.issue", TargetAgreement)
    form = StartForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subordinates = form.subordinates()
        if not subordinates:
            form.add_error(
                None,
                _("Every direct subordinate committee of %(issuer)s has an agreement for %(year)s already.")
                % {"issuer": data["issuer"].name, "year": data["year"]},
            )
        else:
            try:
                drafted = services.start_agreements(
                    request.user, data["issuer"], subordinates, data["year"], data["template"]
                )
            except ValidationError as error:
                _refusal(form, error)
            else:
                if len(drafted) == 1:
                    messages.success(request, _("The draft is ready: adapt its indicators and targets, then issue it."))
                    return redirect("campaigns:agreement_edit", drafted[0].pk)
                messages.success(
                    request,
                    _("%(n)s drafts are ready: adapt each one's targets, then issue them.") % {"n": len(drafted)},
                )
                return redirect(f"{reverse('campaigns:agreement_list')}?year={data['year']}&side=by_us&status=draft")
    return render(request, "campaigns/agreement_start.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """The header (title, deadlines, bonus cap) and, while a draft, the indicators."""
    agreement = request.scope.get(_agreements(), "agreement.issue", pk=pk)
    data = request.POST or None
    form = AgreementForm(data, instance=agreement)
    formset = (
        IndicatorFormSet(data, instance=agreement, prefix="indicators", queryset=agreement.indicators.order_by("order"))
        if agreement.is_draft
        else None
    )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            agreement = services.save_agreement(request.user, form, formset)
        except (StaleEdit, ValidationError) as error:
            _refusal(form, error)
        else:
            messages.success(request, _("The agreement is saved."))
            if formset is not None and (total := formset.points_total()) != 100:
                messages.warning(
                    request,
                    _("The indicators' points add up to %(total)s, not 100: adjust them before issuing.")
                    % {"total": plain(total)},
                )
            return redirect(agreement)
    return render(
        request,
        "campaigns/agreement_edit.html",
        {"form": form, "formset": formset, "agreement": agreement},
    )


def _confirm(request, pk, action, template, apply, done):
    """A confirmation page whose POST applies ``apply(agreement, version)``; refusals shown on the form."""
    agreement = request.scope.get(_agreements(), action, pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None, agreement=agreement)
    if form.is_bound and form.is_valid():
        try:
            target = apply(agreement, form.cleaned_data["version"])
        except (StaleEdit, ValidationError) as error:
            _refusal(form, error)
        else:
            messages.success(request, done)
            return redirect(target)
    context = {"agreement": agreement, "form": form}
    if template == "campaigns/agreement_issue.html":
        context["indicators"] = list(agreement.indicators.order_by("order", "pk"))
        context["points_total"] = sum((i.points for i in context["indicators"]), 0)
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def issue(request, pk):
    def apply(agreement, version):
        agreement.issue(request.user, version)
        return agreement

    return _confirm(
        request,
        pk,
        "agreement.issue",
        "campaigns/agreement_issue.html",
        apply,
        _("The agreement is issued: the responsible committee reports against it now."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, pk):
    def apply(agreement, version):
        agreement.remove(request.user, version)
        return f"{reverse('campaigns:agreement_list')}?year={agreement.year}&side=by_us"

    return _confirm(
        request, pk, "agreement.issue", "campaigns/agreement_delete.html", apply, _("The draft is removed.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk, period):
    """The mid-year or year-end report: every indicator's actual with evidence, sent at once."""
    if period not in PERIOD_SLUGS:
        raise Http404
    period = PERIOD_SLUGS[period]
    agreement = request.scope.get(_agreements(), "agreement.report", pk=pk)
    indicators = _with_reports(agreement, period)
    post = request.method == "POST"
    version = ConfirmForm(request.POST if post else None, agreement=agreement)
    forms = report_forms(agreement, period, indicators, request.POST if post else None, request.FILES if post else None)
    if post and all([version.is_valid(), *[f.is_valid() for f in forms]]):
        entries = {
            f.indicator.pk: (f.cleaned_data["actual"], f.cleaned_data["evidence"], f.cleaned_data["file"])
            for f in forms
        }
        try:
            agreement.report(request.user, version.cleaned_data["version"], period, entries)
        except (StaleEdit, ValidationError) as error:
            _refusal(version, error)
        else:
            messages.success(
                request,
                _("The %(period)s report is sent to %(issuer)s.")
                % {"period": Period(period).label, "issuer": agreement.issuer.name},
            )
            return redirect(agreement)
    return render(
        request,
        "campaigns/agreement_report.html",
        {
            "agreement": agreement,
            "form": version,
            "forms": forms,
            "period": period,
            "period_label": Period(period).label,
            "due": agreement.due(period),
            "open": agreement.can_report(period),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def score(request, pk):
    """The year's score computed from the year-end report; the issuer confirms it, or adjusts it with a reason."""
    agreement = request.scope.get(_agreements(), "agreement.score", pk=pk)
    indicators = _with_reports(agreement, Period.YEAR_END)
    result = agreement.compute_score(indicators)
    form = ScoreForm(request.POST if request.method == "POST" else None, agreement=agreement, computed=result.total)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            agreement.confirm_score(request.user, data["version"], data["adjusted"], data["reason"])
        except (StaleEdit, ValidationError) as error:
            _refusal(form, error)
        else:
            messages.success(request, _("The score is confirmed."))
            return redirect(agreement)
    rows = [
        {"indicator": indicator, "report": next(iter(indicator.reports.all()), None), "score": s}
        for indicator, s in zip(indicators, result.indicators, strict=True)
    ]
    return render(
        request,
        "campaigns/agreement_score.html",
        {"agreement": agreement, "form": form, "result": result, "rows": rows, "open": agreement.can_score()},
    )


@login_required
def report_file(request, pk):
    """Download a report's evidence file: within the agreement's reach, from the private storage."""
    report = request.scope.get(IndicatorReport.objects.exclude(file=""), "agreement.view", pk=pk)
    return private_file_response(report.file, report.file_name)
