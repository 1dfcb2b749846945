"""Counting: satisfaction rate, valid answers, rounding, pooling, paper tallies, turnout; closing the round
publishes the results, registers them in the ledger and opens rectifications past the threshold."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluations import mass_services as services
from evaluations.mass_models import (
    Channel,
    LedgerEntry,
    Option,
    Participant,
    Rectification,
    Result,
    Round,
    percent,
)
from evaluations.mass_tally import tally

from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import cast_directly, close_it, codes_for, days, member_questions, options, org_questions

SATISFIED, BASIC, DISSATISFIED = 0, 1, 2


def figures(participant):
    return tally(participant.round, [participant])[participant.pk]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(2, 3, Decimal("66.7")), (1, 8, Decimal("12.5")), (1, 16, Decimal("6.3")), (0, 5, Decimal("0.0")), (3, 0, None)],
)
def test_percentages_have_one_decimal_rounded_half_up(part, whole, expected):
    assert percent(part, whole) == expected


def test_satisfied_and_basically_satisfied_count_towards_the_rate(participant_a):
    cast_directly(participant_a, [SATISFIED, SATISFIED, BASIC, DISSATISFIED, DISSATISFIED, DISSATISFIED])
    f = figures(participant_a)
    row = f.organization.rows[0]
    assert [n for _o, n in row.counts] == [2, 1, 3]
    assert (row.valid, row.satisfied, row.dissatisfied) == (6, 3, 3)
    assert row.rate == Decimal("50.0") and row.dissatisfied_share == Decimal("50.0")
    questions = len(org_questions(participant_a))
    assert f.organization.overall.valid == 6 * questions
    assert f.organization.overall.rate == Decimal("50.0")
    assert (f.ballots_online, f.codes_issued, f.turnout) == (6, 6, Decimal("100.0"))


def test_a_neutral_answer_is_valid_and_an_abstention_is_not(participant_a):
    round = participant_a.round
    Option.objects.filter(round=round, label="基本满意").update(kind=Option.Kind.NEUTRAL)
    Option.objects.create(round=round, order=4, label="不了解", kind=Option.Kind.ABSTAIN)
    cast_directly(participant_a, [SATISFIED, BASIC, 3, 3])
    row = figures(participant_a).organization.rows[0]
    assert (row.valid, row.satisfied) == (2, 1)
    assert row.rate == Decimal("50.0")


def test_paper_tallies_add_to_the_online_answers(cast, participant_a):
    cast_directly(participant_a, [SATISFIED, DISSATISFIED])
    scale = options(participant_a.round)
    counts = {(q, scale[SATISFIED]): 7 for q in org_questions(participant_a)}
    counts[(org_questions(participant_a)[0], scale[DISSATISFIED])] = 3
    services.enter_paper(cast.committee_a, participant_a, None, 10, counts)
    f = figures(participant_a)
    first, second = f.organization.rows[:2]
    assert [n for _o, n in first.counts] == [8, 0, 4] and first.rate == Decimal("66.7")
    assert [n for _o, n in second.counts] == [8, 0, 1] and second.valid == 9  # 1 of the 10 paper ballots left it blank
    assert (f.ballots_online, f.ballots_paper, f.ballots) == (2, 10, 12)


def test_a_paper_batch_must_add_up(cast, participant_a):
    scale = options(participant_a.round)
    q = org_questions(participant_a)[0]
    with pytest.raises(ValidationError):
        services.enter_paper(cast.committee_a, participant_a, None, 5, {(q, scale[0]): 4, (q, scale[2]): 2})
    with pytest.raises(ValidationError):
        services.enter_paper(cast.committee_a, participant_a, None, 5, {(q, scale[0]): 0})
    assert not participant_a.paper_batches.exists()


def test_members_are_counted_on_their_own(cast, participant_a):
    cast_directly(participant_a, [SATISFIED, DISSATISFIED], member=cast.member_a)
    f = figures(participant_a)
    assert [s.member for s in f.members] == [cast.member_a]
    assert f.members[0].overall.rate == Decimal("50.0")
    assert len(f.members[0].rows) == len(member_questions(participant_a))
    assert f.organization.overall.valid == 0 and f.organization.overall.rate is None


def test_an_organization_of_another_sector_answers_its_own_questions(cast, mass_campaign):
    cast.branch_a.sector = "agency"
    cast.branch_a.save()
    from .mass_fixtures import new_round, open_it

    round = open_it(new_round(cast, mass_campaign), cast.committee_a)
    agency = Participant.objects.select_related("round", "organization").get(round=round, organization=cast.branch_a)
    community = Participant.objects.select_related("round", "organization").get(
        round=round, organization=cast.branch_a2
    )
    assert [q.text for q in org_questions(agency)][0] != [q.text for q in org_questions(community)][0]
    assert {q.sector for q in org_questions(agency)} == {"agency"}
    assert {q.sector for q in org_questions(community)} == {""}


def test_closing_publishes_registers_and_opens_rectifications(cast, participant_a, participant_a2):
    round = participant_a.round
    scale = options(round)
    # branch_a: 6 ballots, 4 dissatisfied on every question (66.7 % > 50 %): one rectification per criterion.
    cast_directly(participant_a, [DISSATISFIED] * 4 + [SATISFIED] * 2)
    # branch_a2: 4 ballots all dissatisfied, but fewer than min_valid (5) valid answers: no rectification.
    cast_directly(participant_a2, [DISSATISFIED] * 4)
    cast_directly(participant_a, [SATISFIED], member=cast.member_a)
    opened = services.close_round(cast.committee_a, Round.objects.get(pk=round.pk), round.version)
    questions = org_questions(participant_a)
    assert opened == len(questions)
    round.refresh_from_db()
    assert round.state == Round.State.CLOSED and round.closed_at

    participant_a.refresh_from_db()
    assert (participant_a.ballots_online, participant_a.codes_issued) == (7, 7)
    overall = Result.objects.get(participant=participant_a, member=None, question=None)
    assert (overall.valid, overall.satisfied, overall.dissatisfied) == (
        6 * len(questions),
        2 * len(questions),
        4 * len(questions),
    )
    assert overall.rate == Decimal("33.3")
    assert overall.counts == [
        {"label": "满意", "kind": "satisfied", "n": 2 * len(questions)},
        {"label": "基本满意", "kind": "satisfied", "n": 0},
        {"label": "不满意", "kind": "dissatisfied", "n": 4 * len(questions)},
    ]
    assert Result.objects.filter(participant=participant_a, member=cast.member_a, question=None).get().rate == 100

    registered = LedgerEntry.objects.filter(channel=Channel.QUESTIONNAIRE)
    assert registered.filter(participant=participant_a, member=None).get().rate == Decimal("33.3")
    assert registered.filter(participant=participant_a, member=cast.member_a).exists()
    assert registered.filter(participant=participant_a2, member=None).exists()

    rectifications = Rectification.objects.filter(participant=participant_a)
    assert rectifications.count() == len(questions)
    first = rectifications.get(question=questions[0])
    assert "66.7%" in first.problem and questions[0].text in first.problem
    assert first.deadline == days(round.rectify_days)
    assert first.state == Rectification.State.OPEN
    assert not Rectification.objects.filter(participant=participant_a2).exists()
    assert scale  # the scale is as created


def test_the_threshold_must_be_passed_not_reached(cast, participant_a):
    cast_directly(participant_a, [DISSATISFIED] * 3 + [SATISFIED] * 3)  # exactly 50 %
    assert close_it(participant_a.round, cast.committee_a).state == Round.State.CLOSED
    assert not Rectification.objects.exists()


def test_a_round_closes_once(cast, opened):
    close_it(opened, cast.committee_a)
    with pytest.raises(ValidationError):
        services.close_round(cast.committee_a, opened, opened.version)
    assert Result.objects.filter(participant__round=opened, member=None, question=None).count() == 2


def test_closing_refuses_further_paper_ballots_and_codes(cast, participant_a):
    close_it(participant_a.round, cast.committee_a)
    participant_a.round.refresh_from_db()
    scale = options(participant_a.round)
    with pytest.raises(ValidationError):
        services.enter_paper(cast.committee_a, participant_a, None, 1, {(org_questions(participant_a)[0], scale[0]): 1})
    with pytest.raises(ValidationError):
        codes_for(participant_a)
