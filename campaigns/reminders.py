"""The target agreements' deadlines for the reminder pass (interface: ``portal/reminders.py``).

``campaigns.agreement_report`` — the mid-year and year-end reports of issued target agreements (目标责任书,
seed 003): every agreement whose report of that period is still missing on its due date. A mid-year
report is missing while the agreement is still "issued"; a year-end one while it is "issued" or
"mid-year reported". The people reminded act for the responsible committee (its officers:
``reminders.acting_users``); when a report is late, the issuing committee's officers hear of it in
their digest (``escalate_to``: the issuer, who follows the agreement, may sit above the direct superior).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal import reminders

from .agreement_forms import PERIOD_SLUGS
from .models import Period, TargetAgreement

CHUNK = 2000
SLUGS = {period: slug for slug, period in PERIOD_SLUGS.items()}
DUE_FIELD = {Period.MID_YEAR: "mid_year_due", Period.YEAR_END: "year_end_due"}
MISSING_IN = {
    Period.MID_YEAR: (TargetAgreement.Status.ISSUED,),
    Period.YEAR_END: (TargetAgreement.Status.ISSUED, TargetAgreement.Status.MID_YEAR),
}


def waiting(window, period):
    """The agreements whose ``period`` report is missing and due on one of the window's dates."""
    return (
        TargetAgreement.objects.filter(**{f"{DUE_FIELD[period]}__in": window.due_dates}, status__in=MISSING_IN[period])
        .select_related("issuer", "subordinate")
        .order_by("pk")
    )


@reminders.register("campaigns.agreement_report")
def agreement_reports(window):
    for period in (Period.MID_YEAR, Period.YEAR_END):
        agreements = list(waiting(window, period))
        for start in range(0, len(agreements), CHUNK):
            chunk = agreements[start : start + CHUNK]
            people = reminders.acting_users({a.subordinate for a in chunk})
            for agreement in chunk:
                subordinate = agreement.subordinate
                yield reminders.Deadline(
                    key=f"campaigns.agreement_{period}:{agreement.pk}:{subordinate.pk}",
                    due_on=agreement.due(period),
                    organization=subordinate,
                    recipients=people[subordinate.pk],
                    title=_("%(organization)s: send the %(period)s report of the target agreement")
                    % {"organization": subordinate.name, "period": Period(period).label},
                    body=f"{agreement.title} · {agreement.issuer.name}",
                    url=reverse("campaigns:agreement_report", args=[agreement.pk, SLUGS[period]]),
                    escalate_to=agreement.issuer,
                )
