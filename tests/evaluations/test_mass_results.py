"""Satisfaction of an area by group (evaluations.mass_results), from published results, in one query.

town_a's closed round: branch_a 8 valid, 6 satisfied, 1 dissatisfied; branch_a2 4 valid, 1 satisfied,
2 dissatisfied. Question and member rows are not pooled again. Grouped by subordinate of the city:
town_a 7/12 = 58.3 %, 2 organizations; by sector: community 6/8 = 75.0 %, rural 1/4 = 25.0 %.
"""

import datetime
from decimal import Decimal

from django.db.models import F

from evaluations.mass_models import Participant, Question, Result, Round, Target
from evaluations.mass_results import Satisfaction, satisfaction_grouped
from portal.area_keys import subordinate_key

from ..commitments.factories import make_campaign


def evaluated(round, org, valid, satisfied, dissatisfied, **ballots):
    participant = Participant.objects.create(round=round, organization=org, code=f"p{org.pk}-{round.pk}", **ballots)
    Result.objects.create(participant=participant, valid=valid, satisfied=satisfied, dissatisfied=dissatisfied)
    return participant


def town_round(cast):
    campaign = make_campaign(cast.city)
    round = Round.objects.create(
        campaign=campaign,
        organization=cast.town_a,
        title="甲镇群众评议",
        opens_on=datetime.date(2026, 11, 1),
        closes_on=datetime.date(2026, 11, 20),
        state=Round.State.CLOSED,
    )
    cast.branch_a2.sector = "rural"
    cast.branch_a2.save()
    a = evaluated(round, cast.branch_a, 8, 6, 1)
    evaluated(round, cast.branch_a2, 4, 1, 2)
    question = Question.objects.create(round=round, target=Target.ORGANIZATION, text="领导班子好")
    Result.objects.create(participant=a, question=question, valid=100, satisfied=0, dissatisfied=100)
    Result.objects.create(participant=a, member=cast.member_a, valid=50, satisfied=0, dissatisfied=50)
    return round


def test_satisfaction_is_pooled_by_group_in_one_query(cast, django_assert_num_queries):
    round = town_round(cast)
    results = Result.objects.filter(participant__round=round)
    with django_assert_num_queries(1):
        by_town = satisfaction_grouped(results, subordinate_key(cast.city))
    assert by_town == {cast.town_a.path: Satisfaction(2, 12, 7, 3)}
    assert by_town[cast.town_a.path].rate == Decimal("58.3")
    assert by_town[cast.town_a.path].dissatisfied_share == Decimal("25.0")
    by_sector = satisfaction_grouped(results, lambda prefix: F(f"{prefix}sector"))
    assert {k: v.rate for k, v in by_sector.items()} == {"community": Decimal("75.0"), "rural": Decimal("25.0")}


def test_no_result_no_group_and_no_valid_answer_no_rate(cast):
    round = town_round(cast)
    assert satisfaction_grouped(Result.objects.none(), subordinate_key(cast.city)) == {}
    Result.objects.filter(participant__round=round).update(valid=0, satisfied=0, dissatisfied=0)
    [figure] = satisfaction_grouped(Result.objects.all(), subordinate_key(cast.city)).values()
    assert figure.organizations == 2 and figure.rate is None
