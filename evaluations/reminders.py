"""The reviews' deadlines for the reminder pass (interface: ``portal/reminders.py``).

Both fall on a review cycle's due date (the REVIEW step of the campaign's schedule):

- ``evaluations.own_review`` — every active organization of the campaign's area below the
  committees that lead a town or more (a unit's 党委, a 党总支, a 党支部) that has not recorded its
  专题组织生活会 in the cycle or has members on its roll not yet scored;
- ``evaluations.review_scores`` — every organization with subordinates in the area not yet fully
  scored: one reminder to the superior saying how many are left.

An organization that has done its part is not yielded; the people reminded are those who act for it.
"""

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Milestone
from portal import reminders
from portal.models import Level, Member, Organization

from .models import MemberReview, OrganizationReview, ReviewCycle, SelfReview

# Committees that lead a city, a district, a town or the agencies review their subordinates; they
# hold no 专题组织生活会 of their own in the portal.
LEADING_LEVELS = (Level.CITY, Level.DISTRICT, Level.TOWN, Level.WORKING)


def _cycles(window):
    for milestone in reminders.milestones_due(window, Milestone.Kind.REVIEW):
        cycle, _created = ReviewCycle.objects.get_or_create(milestone=milestone)
        yield cycle, milestone.campaign.area


def _deadline(kind, cycle, org, people, title, url):
    return reminders.Deadline(
        key=f"evaluations.{kind}:{cycle.pk}:{org.pk}",
        due_on=cycle.due_on,
        organization=org,
        recipients=people,
        title=title,
        body=f"{cycle.campaign.name} · {cycle.title}",
        url=f"{url}?{urlencode({'cycle': cycle.pk})}",
    )


@reminders.register("evaluations.own_review")
def own_review(window):
    for cycle, area in _cycles(window):
        held = SelfReview.objects.filter(cycle=cycle, organization=OuterRef("pk"), meeting__isnull=False)
        complete = MemberReview.objects.filter(cycle=cycle, member=OuterRef("pk"), total__isnull=False)
        in_area = Organization.objects.active().filter(path__startswith=area.path).exclude(level__in=LEADING_LEVELS)
        unscored = dict(
            Member.objects.filter(active=True, organization__in=in_area)
            .exclude(Exists(complete))
            .values("organization")
            .annotate(n=Count("pk"))
            .values_list("organization", "n")
        )
        not_held = set(in_area.exclude(Exists(held)).values_list("pk", flat=True))
        for org, people in reminders.organizations_with_people(not_held | set(unscored)):
            params = {"organization": org.name, "count": unscored.get(org.pk, 0)}
            if org.pk in not_held:
                title = _("%(organization)s: hold and record the review's special organizational-life meeting")
            else:
                title = ngettext(
                    "%(organization)s: %(count)d member is not scored yet",
                    "%(organization)s: %(count)d members are not scored yet",
                    params["count"],
                )
            yield _deadline("own_review", cycle, org, people, title % params, reverse("evaluations:own", args=[org.pk]))


@reminders.register("evaluations.review_scores")
def review_scores(window):
    for cycle, area in _cycles(window):
        scored = OrganizationReview.objects.filter(cycle=cycle, organization=OuterRef("pk"), total__isnull=False)
        waiting = dict(
            Organization.objects.active()
            .filter(path__startswith=area.path, depth__gt=area.depth)
            .exclude(Exists(scored))
            .values("parent")
            .annotate(n=Count("pk"))
            .values_list("parent", "n")
        )
        for org, people in reminders.organizations_with_people(waiting):
            title = ngettext(
                "%(organization)s: score the review of %(count)d subordinate organization",
                "%(organization)s: score the reviews of %(count)d subordinate organizations",
                waiting[org.pk],
            ) % {"organization": org.name, "count": waiting[org.pk]}
            yield _deadline("review_scores", cycle, org, people, title, reverse("evaluations:score", args=[org.pk]))
