"""Review results: one organization's scores over the cycles, a committee's ranking of its subordinates and
the calibration view (how scores spread per criterion and per scorer).

Every page is seen within "review.view" reach of its organization (outside it 404; a member, who sees
their branch but not its reviews, 403) and its reviews go through ``request.scope``. The figures are
``evaluations.results``' SQL aggregates: a fixed number of queries whatever the number of organizations.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.charts import bar_chart
from portal.models import Member, Organization

from .. import results
from ..models import MemberReview, OrganizationReview, ReviewCycle, SelfReview, plain
from .cycles import chosen_cycle
from .scoring import cycle_context

PAGE_SIZE = 100
UNSCORED_SHOWN = 50


def _reviewer_page(request, pk):
    """The committee R, its cycles and the chosen one, and the reviews of R's active subordinates in it."""
    scope = request.scope
    reviewer = scope.get(Organization.objects.select_related("parent"), "review.view", pk=pk)
    cycles = ReviewCycle.objects.covering(scope, reviewer)
    cycle = chosen_cycle(request, cycles)
    subordinates = scope.organizations().filter(parent=reviewer).active()
    context = {
        "reviewer": reviewer,
        **cycle_context(cycles, cycle),
        "can_score": scope.allows("review.score", reviewer),
    }
    reviews = None
    if cycle:
        reviews = scope.filter(
            OrganizationReview.objects.filter(cycle=cycle, organization__in=subordinates), "review.view"
        )
    return context, subordinates, reviews


@login_required
def ranking(request, pk):
    context, subordinates, reviews = _reviewer_page(request, pk)
    if reviews is not None:
        ranked = results.ranked(reviews).select_related("organization", "scored_by")
        page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
        unscored = subordinates.exclude(pk__in=results.complete(reviews).values("organization_id")).order_by("name")
        grades = results.grade_distribution(reviews)
        top = max([100, *(float(r.total) for r in page)])
        context.update(
            page=page,
            unscored=list(unscored[:UNSCORED_SHOWN]),
            unscored_count=unscored.count(),
            grades=grades,
            ranking_chart=bar_chart(
                _("Totals"), [_("Total")], [(r.organization.name, (float(r.total),)) for r in page], top, ""
            )
            if page.object_list
            else "",
            grade_chart=bar_chart(
                _("Grade distribution"), [_("Share")], [(str(g.label), (g.percent,)) for g in grades], 100, "%"
            ),
        )
    return render(request, "evaluations/ranking.html", context)


@login_required
def calibration(request, pk):
    context, _subordinates, reviews = _reviewer_page(request, pk)
    if reviews is not None:
        figures = results.calibration(reviews)
        context.update(
            calibration=figures,
            criterion_chart=bar_chart(
                _("Mean score per criterion, as a share of its weight"),
                [_("Mean")],
                [
                    (f"{c.title} · {c.criteria_set}", (round(100 * c.mean / c.weight, 1) if c.weight else None,))
                    for c in figures.criteria
                ],
                100,
                "%",
            )
            if figures.criteria
            else "",
            scorer_chart=bar_chart(
                _("Mean total per scorer"),
                [_("Mean total")],
                [(s.name, (s.mean,)) for s in figures.scorers],
                max([100, *(s.mean or 0 for s in figures.scorers)]),
                "",
            )
            if figures.scorers
            else "",
        )
    return render(request, "evaluations/calibration.html", context)


@login_required
def organization_results(request, pk):
    """One organization's reviews over every cycle of the campaigns covering it."""
    scope = request.scope
    org = scope.get(Organization.objects.select_related("parent"), "review.view", pk=pk)
    cycles = sorted(ReviewCycle.objects.covering(scope, org), key=lambda c: (c.due_on, c.pk), reverse=True)
    reviews = {
        r.cycle_id: r
        for r in scope.filter(OrganizationReview.objects.filter(organization=org), "review.view")
        .select_related("scored_by", "reviewer", "criteria_set")
        .prefetch_related("scores", "criteria_set__criteria")
    }
    self_reviews = {
        s.cycle_id: s
        for s in scope.filter(SelfReview.objects.filter(organization=org), "self_review.view").select_related("meeting")
    }
    member_figures = results.by_cycle(scope.filter(MemberReview.objects.filter(organization=org), "member_review.view"))
    members = scope.filter(Member.objects.filter(organization=org, active=True), "member.view").count()
    entries = []
    for cycle in cycles:
        review = reviews.get(cycle.pk)
        scores = review.score_values() if review else {}
        entries.append(
            {
                "cycle": cycle,
                "state": cycle.state(),
                "review": review,
                "criteria": [(c, plain(scores.get(c.pk))) for c in review.criteria_set.criteria.all()]
                if review
                else [],
                "full": plain(review.criteria_set.total_weight) if review else "",
                "self_review": self_reviews.get(cycle.pk),
                "members": member_figures.get(cycle.pk),
            }
        )
    parent = org.parent
    return render(
        request,
        "evaluations/organization_results.html",
        {
            "org": org,
            "entries": entries,
            "member_count": members,
            "parent": parent,
            "can_score_parent": bool(parent) and scope.allows("review.score", parent),
            "can_view_parent": bool(parent) and scope.allows("review.view", parent),
        },
    )
