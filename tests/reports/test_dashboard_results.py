"""The dashboard's review and mass-evaluation figures: the grades of a review cycle and the satisfaction rates
of the latest year's mass evaluation, by subordinate and by sector, against hand-computed data, within the
user's scope.

On top of conftest.py's area (campaign over the city; committee_a at town_a)::

    cycle "下半年定期讲评" (open today)   town_a 92 好 · branch_a 85 较好 · branch_a2 70 一般 · branch_b 53 差
    cycle "上半年定期讲评" (locked)       branch_a 95 好 · branch_a2 not finished (no total)

committee_a (town_a's area), the open cycle by default:
    town_a (itself) 1 scored, 92.0 · branch_a 85.0 · branch_a2 70.0
    whole area      3 scored, (92 + 85 + 70) / 3 = 82.3, 好 / 较好 / 一般 / 差 = 1 / 1 / 1 / 0 (33.3 % each)
    by sector       community (town_a, branch_a) 2, 88.5 · rural (branch_a2) 1, 70.0
office (the city): 4 scored, (247 + 53) / 4 = 75.0.

Mass evaluation: the city's round closed today (valid / satisfied / dissatisfied answers, overall results)::

    town_a 10 / 9 / 0 · branch_a 8 / 6 / 1 · branch_a2 4 / 1 / 2 · branch_b 10 / 2 / 5
    not counted: last year's round (branch_a 10 / 10 / 0), an open round, another campaign's round

committee_a: town_a 90.0 % · branch_a 75.0 % · branch_a2 25.0 % · whole area 16 / 22 = 72.7 %, dissatisfied
3 / 22 = 13.6 % · community 15 / 18 = 83.3 %, rural 25.0 %. office: 18 / 32 = 56.3 % (half up).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Milestone
from evaluations.mass_models import Participant, Result, Round
from evaluations.models import Grade, OrganizationReview, ReviewCycle

from ..commitments.factories import make_campaign, today
from ..factories import OrganizationFactory
from .test_dashboard import home

QUERIES = 28  # the dashboard's 23, review cycles (2), grades (1), the evaluation's year (1) and satisfaction (1)


def days(n):
    return today() + datetime.timedelta(days=n)


def review(cycle, org, total):
    grade = (
        ""
        if total is None
        else Grade.GOOD
        if total >= 90
        else Grade.FAIRLY_GOOD
        if total >= 80
        else (Grade.AVERAGE if total >= 60 else Grade.POOR)
    )
    return OrganizationReview.objects.create(
        cycle=cycle,
        organization=org,
        reviewer=org.parent,
        criteria_set=cycle.campaign.criteria_for("organization", org.sector),
        total=None if total is None else Decimal(total),
        grade=grade,
    )


@pytest.fixture
def reviewed(area):
    for title, opens, due in (("上半年定期讲评", -160, -100), ("下半年定期讲评", -10, 20)):
        Milestone.objects.create(
            campaign=area.campaign, kind=Milestone.Kind.REVIEW, title=title, opens_on=days(opens), due_on=days(due)
        )
    area.past, area.current = ReviewCycle.objects.of_campaign(area.campaign).order_by("milestone__due_on")
    for org, total in ((area.town_a, 92), (area.branch_a, 85), (area.branch_a2, 70), (area.branch_b, 53)):
        review(area.current, org, total)
    review(area.past, area.branch_a, 95)
    review(area.past, area.branch_a2, None)
    return area


def closed_round(campaign, organizer, closes_on, figures, state=Round.State.CLOSED):
    round = Round.objects.create(
        campaign=campaign,
        organization=organizer,
        title=f"{closes_on.year}年群众评议",
        opens_on=closes_on - datetime.timedelta(days=20),
        closes_on=closes_on,
        state=state,
    )
    for org, (valid, satisfied, dissatisfied) in figures.items():
        participant = Participant.objects.create(round=round, organization=org, code=f"p{org.pk}-{round.pk}")
        Result.objects.create(participant=participant, valid=valid, satisfied=satisfied, dissatisfied=dissatisfied)
    return round


@pytest.fixture
def evaluated(reviewed):
    a = reviewed
    closed_round(
        a.campaign,
        a.city,
        today(),
        {a.town_a: (10, 9, 0), a.branch_a: (8, 6, 1), a.branch_a2: (4, 1, 2), a.branch_b: (10, 2, 5)},
    )
    closed_round(a.campaign, a.city, today() - datetime.timedelta(days=366), {a.branch_a: (10, 10, 0)})
    closed_round(a.campaign, a.town_a, today(), {a.branch_a2: (10, 10, 0)}, state=Round.State.OPEN)
    older = make_campaign(
        a.city, name="另一活动", starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2030, 1, 1)
    )
    closed_round(older, a.city, today(), {a.branch_a: (10, 10, 0)})
    return a


def rates(f):
    s = f.satisfaction
    return s.valid, s.rate, s.dissatisfied_share


def grades(f):
    return f.scored, f.mean, [(share.count, share.percent) for share in f.shares]


def test_the_grades_by_subordinate_are_the_hand_computed_ones(client, reviewed):
    context = home(client, reviewed.committee_a).context
    assert context["cycle"] == reviewed.current
    rows = {row.label: row.figures.reviews for row in context["area_rows"]}
    assert grades(rows["甲镇党委"]) == (1, 92.0, [(1, 100.0), (0, 0.0), (0, 0.0), (0, 0.0)])
    assert grades(rows["甲村党支部"]) == (1, 85.0, [(0, 0.0), (1, 100.0), (0, 0.0), (0, 0.0)])
    assert grades(rows["甲二村党支部"]) == (1, 70.0, [(0, 0.0), (0, 0.0), (1, 100.0), (0, 0.0)])
    assert grades(context["area_total"].reviews) == (3, 82.3, [(1, 33.3), (1, 33.3), (1, 33.3), (0, 0.0)])
    sectors = {row.label: row.figures.reviews for row in context["sector_rows"]}
    assert (sectors["街道社区"].scored, sectors["街道社区"].mean) == (2, 88.5)
    assert (sectors["农村"].scored, sectors["农村"].mean) == (1, 70.0)


def test_the_page_shows_the_grades_as_a_table_and_a_chart(client, reviewed):
    page = home(client, reviewed.committee_a).content.decode()
    assert '<div class="stat" id="area-review-mean">82.3</div>' in page
    assert "讲评等次：下半年定期讲评。" in page
    table = page.split('id="area-results"')[1].split("</table>")[0]
    assert "<th>好</th><th>较好</th><th>一般</th><th>差</th>" in table
    assert "<td>3</td><td>82.3</td>" in table
    assert "本区域讲评等次" in page
    assert page.count('<svg class="chart"') == 4  # commitments by subordinate and by sector, coverage, grades
    assert f'<option value="{reviewed.current.pk}" selected>下半年定期讲评</option>' in page


def test_another_cycle_can_be_chosen_and_unfinished_reviews_do_not_count(client, reviewed):
    context = home(client, reviewed.committee_a, cycle=reviewed.past.pk).context
    assert context["cycle"] == reviewed.past
    assert grades(context["area_total"].reviews) == (1, 95.0, [(1, 100.0), (0, 0.0), (0, 0.0), (0, 0.0)])
    assert home(client, reviewed.committee_a, cycle="x").context["cycle"] == reviewed.current


def test_the_grades_stay_within_the_users_scope(client, reviewed):
    assert grades(home(client, reviewed.office).context["area_total"].reviews)[:2] == (4, 75.0)
    secretary = home(client, reviewed.secretary_a).context
    assert [row.label for row in secretary["area_rows"]] == ["甲村党支部"]
    assert grades(secretary["area_total"].reviews)[:2] == (1, 85.0)


def test_without_a_review_cycle_there_are_no_grades(client, area):
    response = home(client, area.committee_a)
    assert response.context["cycle"] is None
    assert 'id="area-results"' not in response.content.decode()


@pytest.mark.parametrize("extra", [0, 20])
def test_the_grades_cost_the_same_queries_whatever_the_number_of_reviews(
    client, reviewed, extra, django_assert_num_queries
):
    for i in range(extra):
        review(reviewed.current, OrganizationFactory(name=f"新区{i:02}党支部", parent=reviewed.town_a), 80 + i % 20)
    client.force_login(reviewed.committee_a)
    with django_assert_num_queries(QUERIES - 1):  # no mass evaluation: no satisfaction query
        response = client.get(reverse("portal:home"))
    assert response.context["area_total"].reviews.scored == 3 + extra


def test_the_satisfaction_rates_are_the_hand_computed_ones(client, evaluated):
    context = home(client, evaluated.committee_a).context
    assert context["evaluation_year"] == today().year
    rows = {row.label: row.figures for row in context["area_rows"]}
    assert rates(rows["甲镇党委"]) == (10, Decimal("90.0"), Decimal("0.0"))
    assert rates(rows["甲村党支部"]) == (8, Decimal("75.0"), Decimal("12.5"))
    assert rates(rows["甲二村党支部"]) == (4, Decimal("25.0"), Decimal("50.0"))
    assert rates(context["area_total"]) == (22, Decimal("72.7"), Decimal("13.6"))
    assert context["area_total"].satisfaction.organizations == 3
    sectors = {row.label: row.figures for row in context["sector_rows"]}
    assert rates(sectors["街道社区"])[:2] == (18, Decimal("83.3"))
    assert rates(sectors["农村"])[:2] == (4, Decimal("25.0"))
    assert rates(home(client, evaluated.office).context["area_total"])[:2] == (32, Decimal("56.3"))
    assert rates(home(client, evaluated.secretary_a).context["area_total"])[:2] == (8, Decimal("75.0"))


def test_the_page_shows_the_satisfaction_rates(client, evaluated):
    page = home(client, evaluated.committee_a).content.decode()
    assert '<div class="stat" id="area-satisfaction">72.7%</div>' in page
    assert f"群众满意度：{today().year}年" in page
    table = page.split('id="area-results"')[1].split("</table>")[0]
    assert "<td>72.7%</td><td>13.6%</td><td>22</td>" in table
    assert page.count('<svg class="chart"') == 5  # … and satisfaction by subordinate
    assert "满意率（按下级组织）" in page


@pytest.mark.parametrize("extra", [0, 20])
def test_the_satisfaction_costs_the_same_queries_whatever_the_number_of_organizations(
    client, evaluated, extra, django_assert_num_queries
):
    branches = {OrganizationFactory(name=f"新区{i:02}党支部", parent=evaluated.town_a): (5, 4, 1) for i in range(extra)}
    closed_round(evaluated.campaign, evaluated.town_a, today(), branches)
    client.force_login(evaluated.committee_a)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("portal:home"))
    assert response.context["area_total"].satisfaction.valid == 22 + 5 * extra
