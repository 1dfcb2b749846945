"""The organization's own review in a cycle (定期讲评 inside the organization; seeds 000 §四(二), 001 §四(二),
004 §四(三)): the 专题组织生活会 where every member reports, the self-assessment, and the member scores.

    /reviews/own/                          the user's own organization (a list when there are several)
    /reviews/own/<org>/?cycle=<id>         the steps and everything entered: its staff, and superiors (read only)
    /reviews/own/<org>/meeting/            record the meeting          ┐ the organization's own staff only
    /reviews/own/<org>/reports/            the members' reports         │ (self_review.change, member_review.score:
    /reviews/own/<org>/assessment/         the self-assessment          │ portal.scope.OWN_ORGANIZATION_ACTIONS)
    /reviews/own/<org>/members/            the member scoring screen    │
    /reviews/members/<member>/score/       one member's row (htmx), and its page without JavaScript ┘
    /reviews/mine/                         a member's own reviews

Without ``?cycle=`` a page shows the current cycle of the newest campaign over the organization. Objects
come through ``request.scope`` (404 outside reach, 403 without the right); changes are
``evaluations.self_review`` and ``MemberReview.record``, refused with the reason shown on the form.
"""

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import CriteriaSet, Meeting
from campaigns.views.campaigns import add_errors
from commitments.models import Commitment, Item
from portal.models import Member, Organization, StaleEdit
from portal.scope import MEMBER

from .. import self_review
from ..forms_branch import AssessmentForm, MemberScoreForm, ReportsForm, ReviewMeetingForm
from ..models import MemberReview, ReviewCycle, SelfReview, plain
from .cycles import chosen_cycle

# --- The cycle and the organization ----------------------------------------------------------------


@dataclass
class Own:
    """One organization's review in the chosen cycle, as every page of it starts."""

    org: Organization
    cycles: list
    cycle: ReviewCycle | None

    @property
    def query(self):
        return f"?cycle={self.cycle.pk}" if self.cycle else ""

    def url(self, name="own"):
        return reverse(f"evaluations:{name}", args=[self.org.pk]) + self.query


def own_page(request, org_pk, action, model=SelfReview, need_cycle=True):
    """The organization in the user's reach (else 404) with ``action`` allowed on its ``model`` (else 403)."""
    scope = request.scope
    org = scope.get(Organization.objects.select_related("parent"), "organization.view", pk=org_pk)
    scope.require(action, model(organization=org))
    cycles = ReviewCycle.objects.covering(scope, org)
    page = Own(org, cycles, chosen_cycle(request, cycles, strict=True))
    if need_cycle and page.cycle is None:
        raise Http404
    return page


def _refused(form, error):
    if isinstance(error, StaleEdit):
        form.add_error(None, error.message)
    else:
        add_errors(form, error)


def own_step(request, org_pk):
    """A step of the organization's own review: the page, the stored (or new) self-review, the entry window."""
    page = own_page(request, org_pk, "self_review.change")
    return page, self_review.start(page.cycle, page.org), self_review.entry_window(page.cycle, page.org)


def submitted(request, page, form, window, save, done):
    """Handle a step's form: on a valid POST ``save()`` and go back to the review saying ``done``; a refusal
    (stale, locked, out of range…) goes on the form, the input kept. ``None``: show the form, read-only
    while the entries are locked."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except (StaleEdit, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, done)
            return redirect(page.url())
    if not window.accepting and not form.is_bound:
        for field in form.fields.values():
            field.disabled = True
    return None


def version_of(review):
    return {"version": review.version if review.pk else None}


# --- What the pages show ------------------------------------------------------------------------------


def member_reviews(cycle, members):
    """{member id: MemberReview} of ``members`` in ``cycle``, their scores prefetched (two queries)."""
    reviews = MemberReview.objects.filter(cycle=cycle, member__in=[m.pk for m in members]).prefetch_related("scores")
    return {r.member_id: r for r in reviews}


def member_commitments(campaign, members):
    """{member id: [commitment]} of the members' commitments in ``campaign``, with progress and items."""
    commitments = (
        Commitment.objects.filter(campaign=campaign, kind=Commitment.Kind.MEMBER, member__in=[m.pk for m in members])
        .with_progress()
        .prefetch_related(Prefetch("items", Item.objects.order_by("order", "pk")))
        .order_by("audience", "pk")
    )
    out = {}
    for commitment in commitments:
        out.setdefault(commitment.member_id, []).append(commitment)
    return out


def criteria_of(cycle, target, org):
    criteria_set = cycle.campaign.criteria_for(target, org.sector)
    return criteria_set, list(criteria_set.criteria.all()) if criteria_set else []


@dataclass
class Subordinate:
    org: Organization
    meeting: Meeting | None
    members: int
    scored: int


def subordinates(scope, org, cycle):
    """Where the own reviews of the organizations directly below ``org`` stand (four queries, or one)."""
    children = list(scope.filter(Organization.objects.active().filter(parent=org), "self_review.view").order_by("path"))
    if not children:
        return []
    reviews = SelfReview.objects.filter(cycle=cycle, organization__in=children).select_related("meeting")
    meetings = {r.organization_id: r.meeting for r in reviews}
    members = dict(
        Member.objects.filter(organization__in=children, active=True)
        .values_list("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    scored = dict(
        MemberReview.objects.filter(cycle=cycle, organization__in=children, total__isnull=False, member__active=True)
        .values_list("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Subordinate(c, meetings.get(c.pk), members.get(c.pk, 0), scored.get(c.pk, 0)) for c in children]


@dataclass
class ScoreRow:
    """A member's row on the scoring screen."""

    member: Member
    review: MemberReview
    form: MemberScoreForm
    url: str
    saved: bool = False
    locked: bool = False

    @property
    def total(self):
        return plain(self.review.total) if self.review.pk else ""


def score_row(page_query, member, criteria, review, window, data=None, saved=False):
    form = MemberScoreForm(data, member=member, criteria=criteria, review=review)
    locked = not window.accepting and data is None
    if locked:
        form.disable()
    url = reverse("evaluations:member_score", args=[member.pk]) + page_query
    return ScoreRow(member, review, form, url, saved, locked)


# --- Pages -------------------------------------------------------------------------------------------


@login_required
def own_start(request):
    """The review of the user's own organization; a list when they hold roles in several."""
    scope = request.scope
    scope.require_any("self_review.view", SelfReview)
    orgs = {}
    for role, org in scope.grants:
        if org is not None and role != MEMBER and scope.allows("self_review.change", SelfReview(organization=org)):
            orgs[org.pk] = org
    if len(orgs) == 1:
        return redirect("evaluations:own", next(iter(orgs)))
    return render(request, "evaluations/branch_start.html", {"orgs": sorted(orgs.values(), key=lambda o: o.path)})


@login_required
def own(request, org_pk):
    """The organization's review in a cycle: where each step stands, and everything entered so far."""
    page = own_page(request, org_pk, "self_review.view", need_cycle=False)
    org, cycle, scope = page.org, page.cycle, request.scope
    context = {
        "page": page,
        "org": org,
        "cycle": cycle,
        "can_change": scope.allows("self_review.change", SelfReview(organization=org)),
        "can_score": scope.allows("member_review.score", MemberReview(organization=org)),
    }
    if cycle is None:
        return render(request, "evaluations/branch_review.html", context)
    review = self_review.start(cycle, org)
    members = list(self_review.roll(org))
    reports = {r.member_id: r for r in review.reports.all()} if review.pk else {}
    org_set, org_criteria = criteria_of(cycle, CriteriaSet.Target.ORGANIZATION, org)
    assessments = {a.criterion_id: a for a in review.assessments.all()} if review.pk else {}
    member_set, member_criteria = criteria_of(cycle, CriteriaSet.Target.MEMBER, org)
    reviews = member_reviews(cycle, members)
    scores = []
    for member in members:
        scored = reviews.get(member.pk)
        values = scored.score_values() if scored else {}
        scores.append((member, [plain(values.get(c.pk)) for c in member_criteria], scored))
    context.update(
        window=self_review.entry_window(cycle, org),
        review=review,
        meeting=review.meeting,
        members=members,
        report_rows=[(m, reports.get(m.pk)) for m in members],
        reported=sum(1 for m in members if m.pk in reports and not reports[m.pk].absent),
        absent=sum(1 for m in members if m.pk in reports and reports[m.pk].absent),
        org_set=org_set,
        assessment_rows=[(c, assessments.get(c.pk)) for c in org_criteria],
        assessed=sum(1 for c in org_criteria if c.pk in assessments),
        self_total=self_review.self_total(assessments.values(), org_criteria),
        org_weight=plain(sum(c.weight for c in org_criteria)),
        member_set=member_set,
        member_criteria=member_criteria,
        score_rows=scores,
        scored=sum(1 for _m, _v, r in scores if r and r.is_complete),
        subordinates=subordinates(scope, org, cycle),
    )
    return render(request, "evaluations/branch_review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def own_meeting(request, org_pk):
    """Record (or correct) the cycle's 专题组织生活会."""
    page, review, window = own_step(request, org_pk)
    org, cycle = page.org, page.cycle
    if review.meeting:
        meeting, initial = copy.copy(review.meeting), {}
    else:
        meeting = Meeting(campaign=cycle.campaign, organization=org, kind=Meeting.Kind.REVIEW)
        expected = self_review.roll(org).count()
        initial = {
            "members_total": expected,
            "attendance": expected,
            "staff_representatives": 0,
            "topic": _("%(cycle)s: special organizational-life meeting") % {"cycle": cycle.title},
        }
    data = request.POST or None
    form = ReviewMeetingForm(data, instance=meeting, initial={**initial, **version_of(review)}, cycle=cycle)

    def save():
        self_review.record_meeting(request.user, review, form.cleaned_data["version"], form.meeting_fields())

    if done := submitted(request, page, form, window, save, _("The meeting is recorded.")):
        return done
    context = {"page": page, "org": org, "cycle": cycle, "form": form, "window": window}
    return render(request, "evaluations/branch_meeting.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def own_reports(request, org_pk):
    """What each member of the roll reported at the meeting about their commitment; or that they were absent."""
    page, review, window = own_step(request, org_pk)
    members = list(self_review.roll(page.org))
    reports = {r.member_id: r for r in review.reports.all()} if review.pk else {}
    form = ReportsForm(request.POST or None, members=members, reports=reports, initial=version_of(review))

    def save():
        self_review.record_reports(request.user, review, form.cleaned_data["version"], form.entries())

    if done := submitted(request, page, form, window, save, _("The members' reports are saved.")):
        return done
    commitments = member_commitments(page.cycle.campaign, members)
    rows = [(member, field, absent, commitments.get(member.pk, [])) for member, field, absent in form.rows()]
    context = {"page": page, "org": page.org, "cycle": page.cycle, "form": form, "rows": rows, "review": review}
    return render(request, "evaluations/branch_reports.html", {**context, "window": window})


@login_required
@require_http_methods(["GET", "POST"])
def own_assessment(request, org_pk):
    """The self-assessment per criterion of the organization criteria set, and its summary."""
    page, review, window = own_step(request, org_pk)
    criteria_set, criteria = criteria_of(page.cycle, CriteriaSet.Target.ORGANIZATION, page.org)
    assessments = {a.criterion_id: a for a in review.assessments.all()} if review.pk else {}
    initial = {**version_of(review), "summary": review.summary}
    form = AssessmentForm(request.POST or None, criteria=criteria, assessments=assessments, initial=initial)

    def save():
        data = form.cleaned_data
        self_review.record_assessment(request.user, review, data["version"], form.values(), data["summary"])

    if done := submitted(request, page, form, window, save, _("The self-assessment is saved.")):
        return done
    context = {"page": page, "org": page.org, "cycle": page.cycle, "form": form, "criteria_set": criteria_set}
    weight = plain(sum(c.weight for c in criteria))
    return render(request, "evaluations/branch_assessment.html", {**context, "weight": weight, "window": window})


@login_required
def member_scores(request, org_pk):
    """The scoring screen: every member of the roll, a score per criterion and a comment, saved per row."""
    page = own_page(request, org_pk, "member_review.score", model=MemberReview)
    org, cycle = page.org, page.cycle
    window = self_review.entry_window(cycle, org)
    criteria_set, criteria = criteria_of(cycle, CriteriaSet.Target.MEMBER, org)
    members = list(self_review.roll(org))
    reviews = member_reviews(cycle, members) if criteria_set else {}
    rows = [
        score_row(
            page.query,
            member,
            criteria,
            reviews.get(member.pk)
            or MemberReview(cycle=cycle, member=member, organization=org, criteria_set=criteria_set),
            window,
        )
        for member in (members if criteria_set else [])
    ]
    return render(
        request,
        "evaluations/branch_scores.html",
        {
            "page": page,
            "org": org,
            "cycle": cycle,
            "criteria_set": criteria_set,
            "criteria": criteria,
            "weight": plain(sum(c.weight for c in criteria)),
            "rows": rows,
            "window": window,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_score(request, member_pk):
    """One member's scores: the scoring screen's row (htmx swaps it in place), or a page of its own.

    Without JavaScript the row's form posts here too: saved, it goes back to the screen at that row;
    refused, this page shows the row with the reason and the input kept.
    """
    scope = request.scope
    member = scope.get(Member.objects.select_related("organization__parent"), "member.view", pk=member_pk)
    org = member.organization
    scope.require("member_review.score", MemberReview(member=member, organization=org))
    cycles = ReviewCycle.objects.covering(scope, org)
    page = Own(org, cycles, chosen_cycle(request, cycles, strict=True))
    if page.cycle is None or not member.active:
        raise Http404
    cycle, htmx = page.cycle, request.headers.get("HX-Request") == "true"
    window = self_review.entry_window(cycle, org)
    try:
        review = MemberReview.start(cycle, member)
    except ValidationError as error:  # no criteria for members of this sector
        messages.error(request, " ".join(error.messages))
        return redirect(page.url())
    criteria = list(review.criteria_set.criteria.all())
    row = score_row(page.query, member, criteria, review, window, data=request.POST or None)
    if request.method == "POST" and row.form.is_valid():
        form = row.form
        try:
            review.record(
                request.user,
                form.cleaned_data["version"] or 0,
                form.values(),
                {"comment": form.cleaned_data["comment"]},
            )
        except (StaleEdit, ValidationError) as error:
            _refused(form, error)
        else:
            if not htmx:
                messages.success(request, _("The scores of %(name)s are saved.") % {"name": member.name})
                return redirect(f"{page.url('member_scores')}#member-{member.pk}")
            review = MemberReview.objects.prefetch_related("scores").get(pk=review.pk)
            row = score_row(page.query, member, criteria, review, window, saved=True)
    template = "evaluations/branch_score_row.html" if htmx else "evaluations/branch_score_member.html"
    context = {
        "page": page,
        "org": org,
        "cycle": cycle,
        "row": row,
        "rows": [row],
        "form": row.form,
        "criteria": criteria,
    }
    return render(request, template, {**context, "window": window})


@login_required
def mine(request):
    """A member's own reviews: their scores per cycle, total, grade and the organization's comment."""
    scope = request.scope
    member = scope.member
    reviews = []
    if member:
        stored = (
            scope.filter(MemberReview.objects.filter(member=member), "member_review.view")
            .select_related("cycle__milestone__campaign", "organization")
            .prefetch_related("scores", "criteria_set__criteria")
            .order_by("-cycle__milestone__due_on", "-pk")
        )
        for review in stored:
            values = review.score_values()
            rows = [(c, plain(values.get(c.pk))) for c in review.criteria_set.criteria.all()]
            reviews.append((review, rows, plain(sum(c.weight for c, _v in rows))))
    return render(request, "evaluations/branch_mine.html", {"member": member, "reviews": reviews})
