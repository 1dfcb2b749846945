"""The award ledger (Excel, within the requester's scope) and the award reminders' deadlines."""

import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from awards.reminders import nomination_deadlines, publicity_ends
from portal.models import ExportJob
from portal.reminders import REGISTRY, Window
from portal.tasks import run_export

from .conftest import TODAY, days
from .test_flow import forward, nominate, shortlisted

pytestmark = pytest.mark.django_db
ONE_DAY = datetime.timedelta(days=1)


def ledger(cast, campaign, organization, user):
    job = ExportJob.objects.create(
        exporter="award_ledger",
        title="award_ledger",
        organization=organization,
        requested_by=user,
        params={"campaign": campaign.pk},
        language="en",
    )
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        sheet = load_workbook(BytesIO(f.read())).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_ledger_lists_the_nominations_within_reach(cast, campaign, round, categories):
    listed = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    nominate(cast, round, categories["优秀共产党员"], member=cast.member_b, actor=cast.secretary_b)
    rows = ledger(cast, campaign, cast.city, cast.office)
    assert rows[0][:4] == ["Award round", "Awarding organization", "Category", "Nominee"]
    assert [(r[3], r[6], r[7]) for r in rows[1:]] == [
        ("张三", "测试市委", "On the list"),
        ("王五", "乙村党支部", "In the nomination"),
    ]
    rows = ledger(cast, campaign, cast.town_a, cast.committee_a)
    assert [r[3] for r in rows[1:]] == [listed.nominee_name]


def test_the_sources_are_registered():
    assert {"awards.nomination", "awards.publicity"} <= set(REGISTRY)


def test_levels_still_holding_nominations_are_reminded(cast, round, categories):
    held = nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    moved = forward(
        nominate(cast, round, categories["优秀共产党员"], member=cast.member_b, actor=cast.secretary_b),
        cast.secretary_b,
    )
    deadlines = list(nomination_deadlines(Window.for_day(round.nominations_due_on - ONE_DAY)))
    assert {(d.organization, d.due_on) for d in deadlines} == {
        (held.holder, round.nominations_due_on),
        (moved.holder, round.nominations_due_on),
    }
    assert {d.key for d in deadlines} == {
        f"awards.nomination:{round.pk}:{cast.branch_a.pk}",
        f"awards.nomination:{round.pk}:{cast.town_b.pk}",
    }
    assert [u.username for d in deadlines if d.organization == cast.branch_a for u in d.recipients] == ["secretary_a"]
    assert list(nomination_deadlines(Window.for_day(TODAY))) == []  # not a reminder day


def test_the_end_of_the_announcement_is_reminded_until_approved(cast, round, categories):
    shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=TODAY)
    [deadline] = publicity_ends(Window.for_day(round.publicity_ends_on - ONE_DAY))
    assert (deadline.organization, deadline.due_on) == (cast.city, days(6))
    round.approve(cast.office, on=days(7))
    assert list(publicity_ends(Window.for_day(days(5)))) == []
