"""The target agreements' report deadlines in the reminder pass (campaigns/reminders.py, portal/reminders.py)."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Period, TargetAgreement
from campaigns.reminders import agreement_reports
from portal import reminders
from portal.models import Notification, Reminder, Role
from portal.reminder_pass import run_pass

from ..factories import OrganizationFactory, UserFactory, grant
from .agreement_helpers import MID_DUE, YEAR_END_DUE, advance, chinese, make_agreement, zh  # noqa: F401

pytestmark = pytest.mark.django_db
S = TargetAgreement.Status


def days(due, n):
    return due + datetime.timedelta(days=n)


@pytest.fixture
def agreements(cast):
    """city → town_a issued; city → town_b mid-year reported; city → town_c a draft (nothing to remind)."""
    cast.town_c = OrganizationFactory(name="丙镇党委", code="TOWN-C", level="town", parent=cast.city)
    cast.committee_b = grant(UserFactory(username="committee_b"), Role.COMMITTEE, cast.town_b)
    cast.issued = advance(make_agreement(cast.city, cast.town_a, cast.office), cast.office, S.ISSUED)
    cast.reported = advance(make_agreement(cast.city, cast.town_b, cast.office), cast.office, S.MID_YEAR)
    cast.draft = make_agreement(cast.city, cast.town_c, cast.office)
    return cast


def deadlines(day):
    return list(agreement_reports(reminders.Window.for_day(day)))


def test_the_source_is_registered():
    assert reminders.sources()["campaigns.agreement_report"] is agreement_reports


def test_a_missing_mid_year_report_is_reminded_to_the_responsible_committee(agreements):
    [deadline] = deadlines(days(MID_DUE, -7))
    assert deadline.organization == agreements.town_a and deadline.due_on == MID_DUE
    assert deadline.recipients == [agreements.committee_a]
    assert deadline.key == f"campaigns.agreement_mid_year:{agreements.issued.pk}:{agreements.town_a.pk}"
    assert deadline.url == reverse("campaigns:agreement_report", args=[agreements.issued.pk, "mid-year"])
    assert deadline.escalate_to == agreements.city
    assert deadline.title == zh(
        "%(organization)s: send the %(period)s report of the target agreement",
        organization=agreements.town_a.name,
        period=zh(str(Period.MID_YEAR.label)),
    )


def test_only_the_reminder_days_and_the_day_after_count(agreements):
    assert deadlines(days(MID_DUE, -6)) == []
    assert len(deadlines(days(MID_DUE, -1))) == 1
    assert len(deadlines(days(MID_DUE, 1))) == 1  # overdue
    assert deadlines(days(MID_DUE, 2)) == []


def test_a_sent_report_is_not_reminded(agreements):
    advance(agreements.issued, agreements.committee_a, S.MID_YEAR)
    assert deadlines(days(MID_DUE, -7)) == []


def test_the_year_end_report_is_reminded_until_it_is_sent(agreements):
    found = {d.organization for d in deadlines(days(YEAR_END_DUE, -7))}
    assert found == {agreements.town_a, agreements.town_b}  # issued and mid-year reported; not the draft
    advance(agreements.reported, agreements.committee_b, S.YEAR_END)
    assert {d.organization for d in deadlines(days(YEAR_END_DUE, -7))} == {agreements.town_a}


def test_the_pass_reminds_once_and_escalates_to_the_issuer(agreements):
    before = days(MID_DUE, -7)
    run_pass(before)
    run_pass(before)  # beat firing twice: nothing new
    sent = Reminder.objects.filter(key__startswith="campaigns.agreement_mid_year:")
    assert list(sent.values_list("recipient__username", "kind")) == [("committee_a", Reminder.Kind.BEFORE)]
    assert Notification.objects.filter(recipient=agreements.committee_a).count() == 1
    run_pass(days(MID_DUE, 1))
    assert sent.filter(kind=Reminder.Kind.OVERDUE).count() == 1
    digest = Reminder.objects.get(kind=Reminder.Kind.ESCALATION, recipient=agreements.office)
    assert agreements.town_a.name in digest.notification.body
