"""The superior's side of reviews: the scoring screen, reopening late entries, the campaign's grade bands.

The scoring screen (``score``) shows every active subordinate of one organization R for one review
cycle, each beside its commitment progress (``commitments.rollups``) and its self-assessment
(``SelfReview``), with a form per row: a score per criterion of the subordinate's criteria set, the
three comments (肯定成绩, 指出问题, 努力方向), total and grade. A row is saved on its own (an htmx POST
that answers with the row, or a plain form POST that answers with the page) through
``OrganizationReview.record``, which refuses a locked cycle and a stale version. The page runs a fixed
number of queries whatever the number of subordinates.

Access goes through ``request.scope``: R outside the user's reach is 404; R seen without
"review.score" is 403. A reopening is granted by whoever holds "review.reopen" on
``Reopening.granting_organization``.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CriteriaSet
from commitments import rollups
from portal.models import Organization, StaleEdit
from portal.views.organizations import scope_roots

from ..forms_scoring import GradeBandsForm, ReopenForm, ReviewRowForm, RowChoiceForm
from ..grading import bands_snapshot, save_bands
from ..models import Grade, GradeBands, OrganizationReview, Reopening, ReviewCycle, SelfReview, plain
from .cycles import chosen_cycle

PAGE_SIZE = 100
SUPERIOR, OWN = Reopening.Kind.SUPERIOR, Reopening.Kind.OWN


# --- Cycles ----------------------------------------------------------------------------------------


def cycle_groups(cycles):
    """[(campaign, [cycles])] for the selector's option groups."""
    groups = []
    for cycle in cycles:
        if not groups or groups[-1][0].pk != cycle.campaign.pk:
            groups.append((cycle.campaign, []))
        groups[-1][1].append(cycle)
    return groups


def cycle_context(cycles, cycle, today=None):
    today = today or timezone.localdate()
    return {
        "cycles": cycles,
        "cycle_groups": cycle_groups(cycles),
        "cycle": cycle,
        "cycle_state": cycle.state(today) if cycle else "",
        "campaign": cycle.campaign if cycle else None,
    }


# --- The scoring screen ------------------------------------------------------------------------------


@dataclass
class Row:
    """One subordinate on the scoring screen."""

    organization: Organization
    review: OrganizationReview
    criteria: list
    form: ReviewRowForm | None
    progress: rollups.Figures
    self_review: SelfReview | None = None
    self_scores: dict = field(default_factory=dict)
    editable: bool = False
    note: str = ""
    can_reopen: bool = False
    can_reopen_own: bool = False
    saved: bool = False
    other: OrganizationReview | None = None  # the review another officer saved meanwhile

    @property
    def full(self):
        return sum((c.weight for c in self.criteria), 0)

    @property
    def inputs(self):
        """(criterion, bound field, self-score) per criterion, for the template."""
        fields = {f.name: f for f in self.form.score_fields()} if self.form else {}
        return [(c, fields.get(f"c{c.pk}"), self.self_scores.get(c.pk)) for c in self.criteria]

    @property
    def stored_scores(self):
        """(criterion, stored score, self-assessment) per criterion, for a row shown read-only."""
        values = self.review.score_values() if self.review.pk else {}
        return [(c, plain(values.get(c.pk)), self.self_scores.get(c.pk)) for c in self.criteria]

    @property
    def other_scores(self):
        values = self.other.score_values() if self.other else {}
        return [(c, plain(values.get(c.pk))) for c in self.criteria]


class Screen:
    """The data of one page of the scoring screen: a fixed number of queries for any number of rows."""

    def __init__(self, request, reviewer, cycle, today=None):
        self.request, self.scope, self.reviewer, self.cycle = request, request.scope, reviewer, cycle
        self.campaign = cycle.campaign
        self.today = today or timezone.localdate()
        self.state = cycle.state(self.today)
        self.subordinates = self.scope.organizations().filter(parent=reviewer).active()

    def criteria_sets(self):
        """{set pk: (set, [criteria])} of the campaign's organization sets, and {sector: set pk} to pick one."""
        sets = CriteriaSet.objects.filter(
            campaign=self.campaign, target=CriteriaSet.Target.ORGANIZATION
        ).prefetch_related("criteria")
        by_pk = {s.pk: (s, list(s.criteria.all())) for s in sets}
        by_sector = {s.sector: pk for pk, (s, _c) in by_pk.items()}
        return by_pk, by_sector

    def rows(self, organizations, bound=None):
        """Rows for ``organizations`` (with ``parent`` = the reviewer); ``bound``: {org pk: (form, review, other)}
        of a posted row to show as posted."""
        bound = bound or {}
        ids = [o.pk for o in organizations]
        sets, by_sector = self.criteria_sets()
        reviews = {
            r.organization_id: r
            for r in self.scope.filter(
                OrganizationReview.objects.filter(cycle=self.cycle, organization__in=ids), "review.view"
            )
            .select_related("scored_by")
            .prefetch_related("scores")
        }
        self_reviews = {
            s.organization_id: s
            for s in self.scope.filter(
                SelfReview.objects.filter(cycle=self.cycle, organization__in=ids), "self_review.view"
            )
            .select_related("meeting")
            .prefetch_related("assessments")
        }
        progress = rollups.by_subordinate(self.scope, self.reviewer, self.campaign)
        reopened = {r.organization_id for r in self.reopenings if r.kind == SUPERIOR and r.until >= self.today}
        may_score = self.scope.allows("review.score", self.reviewer)
        rows = []
        for org in organizations:
            org.parent = self.reviewer
            review = reviews.get(org.pk)
            set_pk = review.criteria_set_id if review else by_sector.get(org.sector, by_sector.get(""))
            if set_pk is None:
                rows.append(Row(org, None, [], None, progress.get(org.path, rollups.Figures()), note=_no_criteria()))
                continue
            criteria_set, criteria = sets[set_pk]
            if review is None:
                review = OrganizationReview(
                    cycle=self.cycle, organization=org, reviewer=self.reviewer, criteria_set=criteria_set
                )
            review.criteria_set = criteria_set
            row = Row(org, review, criteria, None, progress.get(org.path, rollups.Figures()))
            self._fill_self_review(row, self_reviews.get(org.pk))
            row.editable, row.note = self._editable(row, may_score, reopened)
            row.can_reopen = self.scope.allows("review.reopen", Reopening.granting_organization(org, SUPERIOR))
            row.can_reopen_own = self.scope.allows("review.reopen", Reopening.granting_organization(org, OWN))
            if org.pk in bound:
                row.form, bound_review, row.other = bound[org.pk]
                row.review = bound_review
            elif row.editable:
                row.form = ReviewRowForm(review=review, criteria=criteria)
            rows.append(row)
        return rows

    def _fill_self_review(self, row, self_review):
        row.self_review = self_review
        if self_review:
            row.self_scores = {a.criterion_id: a for a in self_review.assessments.all()}

    def _editable(self, row, may_score, reopened):
        if not may_score or row.review.reviewer_id != self.reviewer.pk:
            return False, _("Scored by %(reviewer)s.") % {"reviewer": row.review.reviewer}
        if self.state == "upcoming":
            return False, _("The review cycle opens on %(date)s.") % {"date": self.cycle.opens_on}
        if self.state == "locked" and row.organization.pk not in reopened:
            return False, _("The review cycle closed on %(date)s: the scores are locked.") % {"date": self.cycle.due_on}
        return True, ""

    @property
    def reopenings(self):
        if not hasattr(self, "_reopenings"):
            self._reopenings = list(
                self.scope.filter(
                    Reopening.objects.filter(cycle=self.cycle, organization__parent=self.reviewer), "review.view"
                )
                .select_related("organization", "granted_by")
                .order_by("-granted_at", "-pk")
            )
        return self._reopenings

    def scored_count(self):
        return (
            self.scope.filter(
                OrganizationReview.objects.filter(
                    cycle=self.cycle, organization__in=self.subordinates, total__isnull=False
                ),
                "review.view",
            )
            .order_by()
            .count()
        )


def _no_criteria():
    return _("The campaign has no criteria for organizations of this sector. Ask the office.")


def _screen_url(reviewer, cycle, page=None):
    url = reverse("evaluations:score", args=[reviewer.pk])
    query = f"?cycle={cycle.pk}" if cycle else ""
    if page and str(page) != "1":
        query += f"&page={page}"
    return url + query


def _page_context(request, screen, cycles, bound=None, form=None):
    paginator = Paginator(screen.subordinates.order_by("name", "pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = screen.rows(list(page), bound)
    bands = GradeBands.of(screen.campaign)
    return {
        **cycle_context(cycles, screen.cycle, screen.today),
        "reviewer": screen.reviewer,
        "page": page,
        "rows": rows,
        "form": form,
        "scored": screen.scored_count(),
        "bands": bands,
        "grade_labels": {grade.value: grade.label for grade in Grade},
        "reopenings": screen.reopenings,
        "action_url": _screen_url(screen.reviewer, screen.cycle, page.number),
    }


@login_required
def score(request, pk):
    scope = request.scope
    reviewer = scope.get(Organization.objects.select_related("parent"), "review.score", pk=pk)
    cycles = ReviewCycle.objects.covering(scope, reviewer)
    cycle = chosen_cycle(request, cycles)
    if cycle is None:
        form = None
        if request.method == "POST":
            form = RowChoiceForm(request.POST, subordinates=Organization.objects.none())
            form.add_error(None, _("There is no review cycle to score in."))
        context = {"reviewer": reviewer, "form": form, **cycle_context(cycles, None)}
        return render(request, "evaluations/score.html", context)
    screen = Screen(request, reviewer, cycle)
    if request.method == "POST":
        return _save_row(request, screen, cycles)
    return render(request, "evaluations/score.html", _page_context(request, screen, cycles))


def _save_row(request, screen, cycles):
    """Save one posted row; answer with the row (htmx) or the page (a plain POST: a redirect when saved)."""
    htmx = request.headers.get("HX-Request") == "true"
    choice = RowChoiceForm(request.POST, subordinates=screen.subordinates)
    if not choice.is_valid():
        return render(request, "evaluations/score.html", _page_context(request, screen, cycles, form=choice))
    org = choice.cleaned_data["organization"]
    org.parent = screen.reviewer
    try:
        review = OrganizationReview.start(screen.cycle, org)
    except ValidationError as error:
        choice.add_error(None, error)
        return render(request, "evaluations/score.html", _page_context(request, screen, cycles, form=choice))
    request.scope.require("review.score", review)
    criteria = list(review.criteria_set.criteria.all())
    form = ReviewRowForm(request.POST, review=review, criteria=criteria)
    other = None
    if form.is_valid():
        expected = form.cleaned_data["version"]
        try:
            if review.pk and not expected:
                raise StaleEdit()
            review.record(request.user, expected or 1, form.scores(), form.comments())
        except StaleEdit:
            other = OrganizationReview.objects.select_related("scored_by").get(cycle=screen.cycle, organization=org)
            form.take_version(other.version)
            form.add_error(None, _stale_message(other))
            review = other
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, screen, org, review, htmx)
    if htmx:
        [row] = screen.rows([org], {org.pk: (form, review, other)})
        return render(request, "evaluations/_score_row.html", _row_context(screen, row))
    context = _page_context(request, screen, cycles, bound={org.pk: (form, review, other)}, form=form)
    return render(request, "evaluations/score.html", context)


def _stale_message(other):
    who = other.scored_by.get_full_name() or other.scored_by.get_username() if other.scored_by else "—"
    when = timezone.localtime(other.scored_at).strftime("%Y-%m-%d %H:%M") if other.scored_at else ""
    return _(
        "%(who)s saved this organization's scores at %(when)s, while you were entering yours. Their saved "
        "scores are shown below; your entries are kept in the form. Check them and save again to replace theirs."
    ) % {"who": who, "when": when}


def _saved_message(org, review):
    if review.total is None:
        return _("Saved for %(organization)s. The total follows once every criterion has a score.") % {
            "organization": org.name
        }
    return _("Saved for %(organization)s: total %(total)s, grade %(grade)s.") % {
        "organization": org.name,
        "total": plain(review.total),
        "grade": review.get_grade_display(),
    }


def _saved(request, screen, org, review, htmx):
    if not htmx:
        messages.success(request, _saved_message(org, review))
        return redirect(f"{_screen_url(screen.reviewer, screen.cycle, request.GET.get('page'))}#row-{org.pk}")
    [row] = screen.rows([org])
    row.saved = True
    context = _row_context(screen, row)
    context.update(scored=screen.scored_count(), saved_message=_saved_message(org, review), oob=True)
    return render(request, "evaluations/_score_row.html", context)


def _row_context(screen, row):
    return {
        "row": row,
        "cycle": screen.cycle,
        "cycle_state": screen.state,
        "reviewer": screen.reviewer,
        "bands": GradeBands.of(screen.campaign),
        "action_url": _screen_url(screen.reviewer, screen.cycle, screen.request.GET.get("page")),
    }


# --- Reopening ------------------------------------------------------------------------------------------


@login_required
def reopen(request, cycle_pk, pk, kind):
    """Reopen one organization's entries of ``kind`` in a locked cycle, until a date, with a reason (recorded)."""
    scope = request.scope
    if kind not in Reopening.Kind.values:
        raise Http404
    org = scope.get(Organization.objects.select_related("parent__parent"), "organization.view", pk=pk)
    cycle = scope.get(ReviewCycle.objects.select_related("milestone__campaign__area"), "campaign.view", pk=cycle_pk)
    if not cycle.campaign.includes(org) or org.parent_id is None:
        scope.refused(ReviewCycle, {"pk": cycle_pk, "organization": pk})
        raise Http404
    granting = Reopening.granting_organization(org, kind)
    if not scope.allows("review.reopen", granting):
        scope.refused(Reopening, {"organization": pk}, action="review.reopen")
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    back = _back_url(request, org, cycle)
    if request.method == "POST" and form.is_valid():
        try:
            Reopening.grant(request.user, cycle, org, kind, form.cleaned_data["until"], form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(organization)s: %(entries)s reopened until %(date)s.")
                % {
                    "organization": org.name,
                    "entries": Reopening.Kind(kind).label,
                    "date": form.cleaned_data["until"].isoformat(),
                },
            )
            return redirect(back)
    earlier = scope.filter(Reopening.objects.filter(cycle=cycle, organization=org), "review.view").select_related(
        "granted_by"
    )
    return render(
        request,
        "evaluations/reopen.html",
        {
            "form": form,
            "org": org,
            "cycle": cycle,
            "kind": Reopening.Kind(kind),
            "granting": granting,
            "earlier": earlier,
            "back": back,
            "locked": cycle.state() == "locked",
        },
    )


def _back_url(request, org, cycle):
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return _screen_url(org.parent, cycle)


# --- Grade bands -----------------------------------------------------------------------------------------


@login_required
def bands(request, pk):
    """The office sets the campaign's grade bands; grades of cycles not yet closed follow."""
    campaign = request.scope.get(Campaign.objects.select_related("area"), "campaign.manage", pk=pk)
    instance = GradeBands.of(campaign)
    before = bands_snapshot(instance)
    form = GradeBandsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        regraded = save_bands(request.user, form.instance, before)
        messages.success(
            request,
            _("The grade bands are saved; %(n)d grades of open review cycles were derived again.") % {"n": regraded},
        )
        return redirect(campaign)
    return render(request, "evaluations/bands_form.html", {"form": form, "campaign": campaign})


# --- The entry pages --------------------------------------------------------------------------------------


@login_required
def cycle(request, pk):
    """A review cycle (``ReviewCycle.get_absolute_url``, e.g. from a reminder): where the user works on it.

    Scoring the subordinates of the first organization of the user's reach that has some, else the
    organization's own review, else a member's own scores, else the entry page.
    """
    scope = request.scope
    cycle = scope.get(ReviewCycle.objects.select_related("milestone__campaign__area"), "campaign.view", pk=pk)
    query = f"?cycle={cycle.pk}"
    roots = [root for root in scope_roots(scope).with_child_count().order_by("path") if cycle.campaign.includes(root)]
    for root in roots:
        if root.child_count and scope.allows("review.score", root):
            return redirect(reverse("evaluations:score", args=[root.pk]) + query)
    for root in roots:
        if scope.allows("self_review.change", root):
            return redirect(reverse("evaluations:own", args=[root.pk]) + query)
    if scope.member:
        return redirect("evaluations:mine")
    return redirect("evaluations:reviews")


@login_required
def home(request):
    """讲评: the organizations the user reviews from, with their screens."""
    scope = request.scope
    scope.require_any("review.view", OrganizationReview)
    roots = list(scope_roots(scope).with_child_count().order_by("path"))
    entries = [
        {
            "org": root,
            "can_score": root.child_count and scope.allows("review.score", root),
            "can_view": scope.allows("review.view", root),
        }
        for root in roots
    ]
    return render(request, "evaluations/home.html", {"entries": entries})
