"""The commitments' deadlines for the reminder pass (interface: ``portal/reminders.py``).

- ``commitments.filing`` — the campaign's step "commitment filing deadline": every active organization
  of the campaign's area whose own commitment is not filed (the area's top files none: it has no
  superior inside the campaign), or whose active members have not all filed theirs. "Filed" is the
  roll-ups' rule: submitted, accepted or published (a draft or a returned one is not).
- ``commitments.progress`` — the step "progress update due": every organization with published
  commitments (its own or its members') that got no progress update since the step opened.

The people reminded are those who act for the organization (its secretaries; for a committee also
its officers: ``reminders.acting_users``). An organization that has done it is not yielded.
"""

from datetime import datetime, time

from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Milestone
from portal import reminders
from portal.models import Member, Organization

from .models import Commitment, ProgressUpdate


@reminders.register("commitments.filing")
def commitment_filing(window):
    for milestone in reminders.milestones_due(window, Milestone.Kind.COMMITMENT_FILING):
        campaign, area = milestone.campaign, milestone.campaign.area
        filed = Commitment.objects.filter(campaign=campaign, state__in=Commitment.FILED)
        in_area = Organization.objects.active().filter(path__startswith=area.path)
        unfiled = set(
            in_area.filter(depth__gt=area.depth)
            .exclude(Exists(filed.filter(organization=OuterRef("pk"), kind=Commitment.Kind.ORGANIZATION)))
            .values_list("pk", flat=True)
        )
        members_missing = dict(
            Member.objects.filter(active=True, organization__in=in_area)
            .exclude(Exists(filed.filter(member=OuterRef("pk"))))
            .values("organization")
            .annotate(n=Count("pk"))
            .values_list("organization", "n")
        )
        draft = Commitment.objects.filter(
            campaign=campaign, organization=OuterRef("pk"), kind=Commitment.Kind.ORGANIZATION
        ).order_by("audience", "pk")
        for org, people in reminders.organizations_with_people(
            unfiled | set(members_missing), draft_pk=Subquery(draft.values("pk")[:1])
        ):
            missing = members_missing.get(org.pk, 0)
            params = {"organization": org.name, "count": missing}
            if org.pk in unfiled:
                title = (
                    ngettext(
                        "%(organization)s: file the organization's commitment; %(count)d member has not filed",
                        "%(organization)s: file the organization's commitment; %(count)d members have not filed",
                        missing,
                    )
                    if missing
                    else _("%(organization)s: file the organization's commitment")
                ) % params
                url = (
                    reverse("commitments:detail", args=[org.draft_pk])
                    if org.draft_pk
                    else reverse("commitments:create", args=[org.pk]) + "?" + urlencode({"campaign": campaign.pk})
                )
            else:
                title = (
                    ngettext(
                        "%(organization)s: %(count)d member has not filed a commitment",
                        "%(organization)s: %(count)d members have not filed their commitments",
                        missing,
                    )
                    % params
                )
                url = reverse("commitments:missing", args=[org.pk]) + "?" + urlencode({"campaign": campaign.pk})
            yield reminders.Deadline(
                key=f"commitments.filing:{milestone.pk}:{org.pk}",
                due_on=milestone.due_on,
                organization=org,
                recipients=people,
                title=title,
                body=f"{campaign.name} · {milestone.title}",
                url=url,
            )


@reminders.register("commitments.progress")
def progress_update(window):
    for milestone in reminders.milestones_due(window, Milestone.Kind.PROGRESS_UPDATE):
        campaign = milestone.campaign
        since = timezone.make_aware(datetime.combine(milestone.opens_on, time.min))
        recent = ProgressUpdate.objects.filter(item__commitment=OuterRef("pk"), created_at__gte=since)
        waiting = dict(
            Commitment.objects.published()
            .filter(campaign=campaign, organization__status=Organization.Status.ACTIVE)
            .exclude(Exists(recent))
            .values("organization")
            .annotate(n=Count("pk"))
            .values_list("organization", "n")
        )
        for org, people in reminders.organizations_with_people(waiting):
            count = waiting[org.pk]
            query = urlencode({"org": org.code, "campaign": campaign.pk, "state": Commitment.State.PUBLISHED})
            yield reminders.Deadline(
                key=f"commitments.progress:{milestone.pk}:{org.pk}",
                due_on=milestone.due_on,
                organization=org,
                recipients=people,
                title=ngettext(
                    "%(organization)s: post progress on %(count)d published commitment",
                    "%(organization)s: post progress on %(count)d published commitments",
                    count,
                )
                % {"organization": org.name, "count": count},
                body=f"{campaign.name} · {milestone.title}",
                url=f"{reverse('commitments:list')}?{query}",
            )
