"""The commitment ledger and the coverage ledger: read back with openpyxl (headers, values, types), scope,
and a fixed number of queries whatever the number of rows."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from commitments.models import Commitment, Item
from portal.models import ExportJob
from portal.tasks import run_export

from ..commitments.factories import bulk_commitments
from ..factories import OrganizationFactory, UnitFactory


def ledger_job(area, exporter, org=None, user=None, **params):
    return ExportJob.objects.create(
        exporter=exporter,
        title=exporter,
        organization=org or area.town_a,
        requested_by=user or area.committee_a,
        params=params,
        language="zh-hans",
    )


def rows_of(job):
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        workbook = load_workbook(BytesIO(f.read()))
    assert workbook.properties.description == f"SHA-256 {job.fingerprint}"
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    return list(sheet.iter_rows(values_only=True))


def headers(*msgids):
    with translation.override("zh-hans"):
        return tuple(translation.gettext(m) for m in msgids)


def test_the_commitment_ledger_has_one_row_per_item(area):
    rows = rows_of(ledger_job(area, "commitment_ledger", campaign=area.campaign.pk))
    assert rows[0][:4] == headers("Organization", "Organization code", "Commitment", "Made by")
    assert rows[0][10] == headers("Deadline")[0] and rows[0][14] == headers("Progress (%)")[0]
    assert len(rows[0]) == 21
    body = rows[1:]
    # In the order of the tree: town_a, then branch_a (the branch's commitment before its member's), branch_a2.
    assert [(r[1], r[3], r[7]) for r in body] == [
        ("TOWN-A", "甲镇党委", 1),
        ("BR-A", "甲村党支部", 1),
        ("BR-A", "甲村党支部", 2),
        ("BR-A", "张三", 1),
        ("BR-A2", "甲二村党支部", 1),
    ]
    with translation.override("zh-hans"):
        published, partly = str(Commitment.State.PUBLISHED.label), str(Item.Fulfilment.PARTLY.label)
        submitted = str(Commitment.State.SUBMITTED.label)
    second = body[2]
    assert second[0] == "甲村党支部" and second[2] == "甲村党支部的承诺" and second[6] == published
    assert second[8] == "帮扶困难群众" and second[9] == "每季度不少于2次"
    assert second[10] == datetime.datetime(2026, 9, 30)  # a date cell (openpyxl reads dates back as datetimes)
    assert second[11] == "领导班子好"
    assert (second[13], second[14]) == (3, 80) and isinstance(second[13], int | float | Decimal)
    assert second[15] == partly
    assert isinstance(second[17], datetime.datetime) and second[17].date() == datetime.date.today()
    assert body[3][6] == submitted and body[3][19] is None  # the member's commitment: submitted, not published


def test_the_commitment_ledger_stays_within_the_scope(client, area):
    everything = rows_of(
        ledger_job(area, "commitment_ledger", org=area.city, user=area.office, campaign=area.campaign.pk)
    )
    assert "BR-B" in {r[1] for r in everything[1:]}
    assert "BR-B" not in {r[1] for r in rows_of(ledger_job(area, "commitment_ledger", campaign=area.campaign.pk))}
    client.force_login(area.committee_a)
    response = client.post(
        reverse("portal:export_start", args=["commitment_ledger"]),
        {"organization": area.city.code, "campaign": area.campaign.pk},
    )
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    client.force_login(area.member_user)
    assert client.get(reverse("portal:export_start", args=["commitment_ledger"])).status_code == 403
    assert not ExportJob.objects.filter(requested_by=area.member_user).exists()


@pytest.mark.parametrize("extra", [0, 30])
def test_the_commitment_ledger_runs_a_fixed_number_of_queries(area, extra, django_assert_num_queries):
    branches = [OrganizationFactory(code=f"N-{i}", parent=area.town_a) for i in range(extra)]
    bulk_commitments(area.campaign, branches, Commitment.State.PUBLISHED, items=3)
    job = ledger_job(area, "commitment_ledger", campaign=area.campaign.pk)
    with django_assert_num_queries(19):  # 4 of them notify the requester
        run_export(job.pk)
    job.refresh_from_db()
    assert job.rows_done == 5 + 3 * extra


def test_the_coverage_ledger_lists_the_units_and_whether_they_count_as_covered(area):
    UnitFactory(name="=HYPERLINK(1)", organization=area.branch_b, party_members=3, coverage="joint")
    rows = rows_of(ledger_job(area, "coverage_ledger"))
    assert rows[0][:3] == headers("Unit", "Kind", "Above designated size")
    with translation.override("zh-hans"):
        yes, no = translation.gettext("yes"), translation.gettext("no")
        org_cov, work_cov = translation.gettext("Organization coverage"), translation.gettext("Work coverage")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"丝绸公司", "绣品店", "电子公司", "茶社"}  # branch_b's unit is outside town_a
    assert by_name["丝绸公司"][2:5] == (yes, 0, 5)
    assert by_name["丝绸公司"][6:8] == (org_cov, yes)
    assert by_name["绣品店"][6:9] == (work_cov, yes, "周指导员")
    assert by_name["电子公司"][6:8] == (org_cov, no)
    assert by_name["茶社"][6:8] == (work_cov, no)
    assert by_name["茶社"][9:11] == ("甲二村党支部", "BR-A2")
    city = rows_of(ledger_job(area, "coverage_ledger", org=area.city, user=area.office))
    assert "=HYPERLINK(1)" in {r[0] for r in city[1:]}
