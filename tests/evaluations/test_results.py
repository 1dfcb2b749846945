"""Results: a committee's ranking (ties share a rank), the grade distribution, the calibration figures against a
small dataset computed by hand, one organization's results over the cycles, the annual report's chapter.

Subordinates of town_a, all community (五个好, five criteria of 20), scored in ``cycle``::

    organization   scorer        scores              total
    branch_a       committee_a   16 16 16 16 16      80
    branch_a2      committee_a   18 18 16 16 16      84
    三村           committee_a2  17 17 17 16 16      83
    四村           office        20 20 20 20 19      99
    五村           (not scored)

By hand: totals 80, 84, 83, 99 → mean 86.5; mean of squares (6400 + 7056 + 6889 + 9801) / 4 = 7536.5,
variance 7536.5 − 86.5² = 54.25, standard deviation 7.365. Scorers' means: committee_a 82 (−4.5),
committee_a2 83 (−3.5), office 99 (+12.5: flagged, more than one standard deviation and more than 5 points).
Criterion 1 (领导班子好): 16 18 17 20 → min 16, max 20, mean 17.75, mean of squares 317.25, variance
317.25 − 315.0625 = 2.1875, standard deviation 1.479. Criterion 5 (群众反映好): 16 16 16 19 → mean 16.75,
standard deviation √(282.25 − 280.5625) = 1.299.
"""

import math

import pytest
from django.urls import reverse

from evaluations import results
from evaluations.models import MemberReview, OrganizationReview
from portal.models import Role
from portal.scope import Scope

from ..factories import MemberFactory, OrganizationFactory, UserFactory, grant
from .committee import criteria_of, scored, scored_in_the_past, self_review


@pytest.fixture
def area(cast, campaign, cycle, past_cycle):
    cast.campaign, cast.cycle, cast.past_cycle = campaign, cycle, past_cycle
    cast.committee_a2 = grant(UserFactory(username="committee_a2", first_name="周二"), Role.COMMITTEE, cast.town_a)
    cast.village3 = OrganizationFactory(name="三村党支部", code="BR-A3", parent=cast.town_a)
    cast.village4 = OrganizationFactory(name="四村党支部", code="BR-A4", parent=cast.town_a)
    cast.village5 = OrganizationFactory(name="五村党支部", code="BR-A5", parent=cast.town_a)
    return cast


@pytest.fixture
def calibration_data(area):
    scored(area.cycle, area.branch_a, area.committee_a, [16, 16, 16, 16, 16])
    scored(area.cycle, area.branch_a2, area.committee_a, [18, 18, 16, 16, 16])
    scored(area.cycle, area.village3, area.committee_a2, [17, 17, 17, 16, 16])
    scored(area.cycle, area.village4, area.office, [20, 20, 20, 20, 19])
    scored(area.cycle, area.village5, area.committee_a, [20, None, None, None, None])  # incomplete: left out
    scored(area.cycle, area.branch_b, area.office, [20, 20, 20, 20, 20])  # another town: left out
    return area


def town_a_reviews(area, user=None):
    reviews = OrganizationReview.objects.filter(cycle=area.cycle, organization__parent=area.town_a)
    return Scope(user or area.committee_a).filter(reviews, "review.view")


def test_calibration_figures_match_the_hand_computed_ones(calibration_data):
    area = calibration_data
    figures = results.calibration(town_a_reviews(area))
    assert figures.count == 4
    assert figures.mean == 86.5
    assert figures.deviation == pytest.approx(math.sqrt(54.25), abs=0.01)
    scorers = {s.name: s for s in figures.scorers}
    assert set(scorers) == {"committee_a", "周二", "office"}
    assert (scorers["committee_a"].count, scorers["committee_a"].mean, scorers["committee_a"].offset) == (2, 82, -4.5)
    assert (scorers["周二"].mean, scorers["周二"].offset) == (83, -3.5)
    assert (scorers["office"].mean, scorers["office"].offset) == (99, 12.5)
    assert [s.name for s in figures.flagged] == ["office"]
    by_title = {c.title: c for c in figures.criteria}
    assert len(by_title) == 5
    first = by_title["领导班子好"]
    assert (first.count, first.low, first.high, first.mean, first.weight) == (4, 16, 20, 17.75, 20)
    assert first.deviation == pytest.approx(math.sqrt(2.1875), abs=0.01)
    last = by_title["群众反映好"]
    assert (last.low, last.high, last.mean) == (16, 19, 16.75)
    assert last.deviation == pytest.approx(math.sqrt(1.6875), abs=0.01)


def test_a_lenient_scorer_within_five_points_and_one_deviation_is_not_flagged(area):
    scored(area.cycle, area.branch_a, area.committee_a, [16, 16, 16, 16, 16])  # 80
    scored(area.cycle, area.branch_a2, area.office, [17, 17, 17, 17, 16])  # 84: +2 from the mean 82
    figures = results.calibration(town_a_reviews(area))
    assert [s.offset for s in figures.scorers] == [-2, 2]
    assert figures.deviation == 2 and figures.flagged == []  # not *more* than one deviation


def test_the_calibration_page_shows_the_figures_and_the_flag(client, calibration_data):
    area = calibration_data
    client.force_login(area.committee_a)
    response = client.get(reverse("evaluations:calibration", args=[area.town_a.pk]), {"cycle": area.cycle.pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="flagged"' in content and "+12.5" in content
    assert "17.75" in content and "1.48" in content
    assert "<svg" in content


def test_ranking_ties_share_a_rank_and_the_next_rank_skips(client, area):
    scored(area.cycle, area.branch_a, area.committee_a, [18, 18, 18, 18, 18])  # 90
    scored(area.cycle, area.branch_a2, area.committee_a, [17, 17, 17, 17, 17])  # 85
    scored(area.cycle, area.village3, area.committee_a, [17, 17, 17, 17, 17])  # 85
    scored(area.cycle, area.village4, area.committee_a, [14, 14, 14, 14, 14])  # 70
    scored(area.cycle, area.village5, area.committee_a, [14, None, None, None, None])  # not complete
    client.force_login(area.committee_a)
    response = client.get(reverse("evaluations:ranking", args=[area.town_a.pk]), {"cycle": area.cycle.pk})
    ranked = [(r.organization.name, r.rank, int(r.total)) for r in response.context["page"]]
    assert ranked == [
        ("甲村党支部", 1, 90),
        ("三村党支部", 2, 85),
        ("甲二村党支部", 2, 85),
        ("四村党支部", 4, 70),
    ]
    assert [o.name for o in response.context["unscored"]] == ["五村党支部"]
    grades = {g.grade: (g.count, g.percent) for g in response.context["grades"]}
    assert grades == {"good": (1, 25.0), "fairly_good": (2, 50.0), "average": (1, 25.0), "poor": (0, 0.0)}
    content = response.content.decode()
    assert 'id="ranking"' in content and "<svg" in content


def test_the_ranking_shows_only_the_reviews_within_reach(client, area):
    scored(area.cycle, area.branch_a, area.committee_a, [18, 18, 18, 18, 18])
    client.force_login(area.secretary_a)
    assert client.get(reverse("evaluations:ranking", args=[area.town_a.pk])).status_code == 404
    response = client.get(reverse("evaluations:ranking", args=[area.branch_a.pk]))
    assert list(response.context["page"]) == []  # a branch has no subordinates


def test_an_organizations_results_over_the_cycles(client, area):
    scored_in_the_past(
        area.past_cycle, area.branch_a, area.committee_a, [18, 18, 18, 18, 16], {"achievements": "上半年成绩"}
    )
    scored(
        area.cycle,
        area.branch_a,
        area.committee_a,
        [20, 18, 18, 18, 18],
        {"achievements": "服务群众好", "problems": "台账不全", "directions": "加强学习"},
    )
    self_review(area.cycle, area.branch_a, "支部自评：较好完成承诺。", [18])
    members = [area.member_a, MemberFactory(name="钱七", organization=area.branch_a)]
    for member, points in zip(members, (19, 15), strict=True):
        review = MemberReview.start(area.cycle, member)
        review.record(area.secretary_a, 1, {c.pk: points for c in review.criteria_set.criteria.all()})
    client.force_login(area.secretary_a)
    response = client.get(reverse("evaluations:organization_results", args=[area.branch_a.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e["cycle"] for e in entries] == [area.cycle, area.past_cycle]  # newest first
    assert entries[0]["review"].total == 92 and entries[1]["review"].total == 88
    assert [value for _c, value in entries[0]["criteria"]] == ["20", "18", "18", "18", "18"]
    assert entries[0]["members"]["complete"] == 2 and entries[0]["members"]["mean"] == 85.0
    assert entries[0]["members"]["good"] == 1 and entries[0]["members"]["average"] == 1
    content = response.content.decode()
    for text in ("服务群众好", "台账不全", "加强学习", "上半年成绩", "支部自评"):
        assert text in content
    client.force_login(area.member_user)
    assert client.get(reverse("evaluations:organization_results", args=[area.branch_a.pk])).status_code == 403


def test_criteria_of_another_sector(area):
    area.village3.sector = "agency"
    area.village3.save()
    review = scored(area.cycle, area.village3, area.committee_a, [20, 20, 20, 20, 20])
    assert review.criteria_set.name == "五个注重"
    assert [c.title for c in criteria_of(area.campaign, area.village3)][0] == "注重领导班子建设"
    spread = results.calibration(town_a_reviews(area)).criteria
    assert {s.criteria_set for s in spread} == {"五个注重"}


# --- The annual report's chapter ------------------------------------------------------------------------------


@pytest.fixture
def year_area(area):
    scored_in_the_past(area.past_cycle, area.branch_a, area.committee_a, [18, 18, 18, 18, 18])  # 90: good
    scored_in_the_past(area.past_cycle, area.branch_a2, area.committee_a, [16, 16, 16, 16, 16])  # 80: fairly good
    scored(area.cycle, area.branch_a, area.committee_a, [17, 17, 17, 17, 17])  # 85: fairly good
    scored(area.cycle, area.branch_a2, area.committee_a, [17, None, None, None, None])
    scored(area.cycle, area.branch_b, area.office, [20, 20, 20, 20, 20])  # another town
    return area


def chapter(area, year, user=None, root=None):
    return results.annual(Scope(user or area.committee_a), root or area.town_a, area.campaign, year)


def test_the_annual_chapter_counts_the_cycles_due_in_the_year(year_area):
    area = year_area
    years = {area.past_cycle.due_on.year, area.cycle.due_on.year}
    by_title = {}
    for year in years:
        for cycle in chapter(area, year)["cycles"]:
            by_title[cycle["title"]] = cycle
    assert chapter(area, year)["organizations"] == 6  # town_a and its five subordinates: each has a superior
    past, current = by_title[area.past_cycle.title], by_title[area.cycle.title]
    assert (past["scored"], past["mean"]) == (2, 85.0)
    assert [(g["count"], g["percent"]) for g in past["grades"]] == [(1, 50.0), (1, 50.0), (0, 0.0), (0, 0.0)]
    assert (current["scored"], current["mean"]) == (1, 85.0)
    assert [g["count"] for g in current["grades"]] == [0, 1, 0, 0]
    assert chapter(area, 1999) is None  # no cycle due that year: the chapter says there is no data


@pytest.mark.parametrize("extra", [1, 8])
def test_the_annual_chapter_runs_three_queries(year_area, extra, django_assert_num_queries):
    area = year_area
    for i in range(extra):
        org = OrganizationFactory(name=f"新村{i}", code=f"NEW-{i}", parent=area.town_a)
        scored(area.cycle, org, area.committee_a, [18, 18, 18, 18, 18])
    scope = Scope(area.committee_a)
    scope.grants  # noqa: B018 - the roles, read once per request anyway
    with django_assert_num_queries(3):
        results.annual(scope, area.town_a, area.campaign, area.cycle.due_on.year)


def test_the_annual_report_prints_the_review_chapter(year_area, tmp_path):
    import re
    import shutil
    import subprocess

    from portal.models import ExportJob
    from portal.tasks import run_export

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    area = year_area
    year = area.cycle.due_on.year
    job = ExportJob.objects.create(
        exporter="annual_report",
        title="年度总结",
        organization=area.town_a,
        requested_by=area.committee_a,
        params={"campaign": area.campaign.pk, "year": year},
        language="zh-hans",
    )
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    path = tmp_path / "report.pdf"
    with job.file.open("rb") as f:
        path.write_bytes(f.read())
    text = re.sub(
        r"\s+", " ", subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True).stdout
    )
    assert area.cycle.title in text
    row = rf"{area.cycle.title} \S+ – \S+ 1 85\.0 0 \(0\.0%\) 1 \(100\.0%\) 0 \(0\.0%\) 0 \(0\.0%\)"
    assert re.search(row, text), text
