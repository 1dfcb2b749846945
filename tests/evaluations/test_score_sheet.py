"""The review score sheet (evaluations.exporters.ReviewScoreSheet): read back with openpyxl (headers, one column
per criterion of the sets in use, numbers as numbers), scope, the download centre's form, a fixed query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations.exporters import ReviewScoreSheet
from evaluations.models import Grade
from portal import exporting
from portal.models import ExportJob
from portal.scope import Scope
from portal.tasks import run_export

from ..factories import OrganizationFactory
from ..reports.test_ledgers import rows_of  # run the job, check the fingerprint, read the rows back
from .committee import scored


def zh(*msgids):
    with translation.override("zh-hans"):
        return tuple(str(translation.gettext(m)) for m in msgids)


def sheet_job(cast, cycle, org=None, user=None):
    return ExportJob.objects.create(
        exporter="review_score_sheet",
        title="讲评评分台帐",
        organization=org or cast.town_a,
        requested_by=user or cast.committee_a,
        params={"cycle": cycle.milestone_id},
        language="zh-hans",
    )


@pytest.fixture
def sheet(cast, campaign, cycle):
    cast.branch_a2.sector = "agency"  # 五个注重
    cast.branch_a2.save()
    cast.campaign, cast.cycle = campaign, cycle
    scored(cycle, cast.town_a, cast.office, [19, 19, 19, 19, 19], {"achievements": "全镇推进有力"})
    scored(
        cycle,
        cast.branch_a,
        cast.committee_a,
        [20, 18, "17.5", 16, 16],
        {"achievements": "服务群众好", "problems": "=台账不全", "directions": "加强学习"},
    )
    scored(cycle, cast.branch_a2, cast.committee_a, [15, None, None, None, None])
    scored(cycle, cast.branch_b, cast.office, [20, 20, 20, 20, 20])
    return cast


def test_the_registry_offers_the_sheet_to_staff(sheet):
    assert exporting.get("review_score_sheet") is ReviewScoreSheet
    assert "review_score_sheet" in {e.identifier for e in exporting.available_to(Scope(sheet.secretary_a))}
    assert "review_score_sheet" not in {e.identifier for e in exporting.available_to(Scope(sheet.member_user))}


def test_one_row_per_scored_organization_with_a_column_per_criterion(sheet):
    rows = rows_of(sheet_job(sheet, sheet.cycle))
    header = rows[0]
    assert header[:4] == zh("Organization", "Organization code", "Superior organization", "Sector")
    five_good = ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
    five_focuses = ["注重领导班子建设", "注重党员队伍建设", "注重工作机制建设", "注重建功立业", "注重服务群众"]
    assert list(header[4:14]) == five_good + five_focuses
    assert header[14:] == zh("Total", "Grade", "Achievements", "Problems", "Directions", "Scored by", "Scored at")
    body = {row[1]: row for row in rows[1:]}
    assert list(body) == ["TOWN-A", "BR-A", "BR-A2"]  # in the order of the tree; town_b's branch is out of reach
    branch = body["BR-A"]
    assert branch[:4] == ("甲村党支部", "BR-A", "甲镇党委", zh("Street and community")[0])
    assert branch[4:9] == (20, 18, 17.5, 16, 16) and all(isinstance(v, int | float) for v in branch[4:9])
    assert branch[9:14] == (None,) * 5
    assert branch[14] == 87.5 and branch[15] == zh(Grade.FAIRLY_GOOD.label)[0]
    assert branch[16:19] == ("服务群众好", "=台账不全", "加强学习")  # text, never a formula
    assert branch[19] == "committee_a"
    assert isinstance(branch[20], datetime.datetime) and branch[20].date() == datetime.date.today()
    partial = body["BR-A2"]
    assert partial[4:9] == (None,) * 5 and partial[9] == 15 and partial[14] is None and partial[15] is None
    assert body["TOWN-A"][2] == "测试市委" and body["TOWN-A"][19] == "office"


def test_the_city_sees_the_whole_area(sheet):
    rows = rows_of(sheet_job(sheet, sheet.cycle, org=sheet.city, user=sheet.office))
    assert [row[1] for row in rows[1:]] == ["TOWN-A", "BR-A", "BR-A2", "BR-B"]


def test_a_branch_secretary_gets_the_branchs_own_score(sheet):
    rows = rows_of(sheet_job(sheet, sheet.cycle, org=sheet.branch_a, user=sheet.secretary_a))
    assert [row[1] for row in rows[1:]] == ["BR-A"]


def test_the_form_offers_the_review_cycles_and_refuses_one_that_does_not_cover(client, sheet):
    from campaigns.models import Campaign, Milestone

    client.force_login(sheet.office)
    url = reverse("portal:export_start", args=["review_score_sheet"])
    form = client.get(url).context["form"]
    assert set(form.fields) == {"organization", "cycle"}
    labels = [label for _value, label in form.fields["cycle"].choices]
    assert "2026年创先争优活动 · 下半年定期讲评" in labels
    town = Campaign.objects.create(
        name="甲镇活动", area=sheet.town_a, starts_on=sheet.campaign.starts_on, ends_on=sheet.campaign.ends_on
    )
    step = Milestone.objects.create(
        campaign=town, kind="review", title="甲镇讲评", opens_on=datetime.date.today(), due_on=datetime.date.today()
    )
    response = client.post(url, {"organization": sheet.town_b.code, "cycle": step.pk})
    assert response.status_code == 200 and "cycle" in response.context["form"].errors
    assert not ExportJob.objects.exists()


def test_the_task_rechecks_the_cycle(sheet):
    job = sheet_job(sheet, sheet.cycle, org=sheet.other_city, user=sheet.admin)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error


@pytest.mark.parametrize("extra", [0, 12])
def test_the_sheet_runs_a_fixed_number_of_queries(sheet, extra, django_assert_num_queries):
    for i in range(extra):
        org = OrganizationFactory(name=f"新村{i:02d}", code=f"NEW-{i}", parent=sheet.town_a)
        scored(sheet.cycle, org, sheet.committee_a, [18, 18, 18, 18, 18])
    job = sheet_job(sheet, sheet.cycle)
    # The task's own (the job, its requester and organization, the scope checked on the organization, progress,
    # the file and the result) and the sheet's: the requester's scope, the cycle (step with its campaign, cycle),
    # the criteria titles, the count, the reviews with their scores and criteria (one chunk).
    with django_assert_num_queries(23):
        run_export(job.pk)
    job.refresh_from_db()
    assert job.rows_total == 3 + extra
