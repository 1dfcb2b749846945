"""The arithmetic of a target agreement's score (campaigns/agreement_scoring.py): pure, no database."""

from decimal import Decimal

import pytest

from campaigns.agreement_scoring import (
    Basis,
    Rule,
    ScoringInputError,
    amount,
    round_score,
    score_agreement,
    score_indicator,
)

from .agreement_helpers import chinese, zh  # noqa: F401  (fixture)

D = Decimal


def rule(points=20, target=5, **kwargs):
    return Rule(points=D(points), target=D(target), name=kwargs.pop("name", "新建两新党组织"), **kwargs)


BONUS = {"bonus_rate": D(1), "bonus_cap": D(3)}
DEDUCTION = {"deduction_rate": D(2), "deduction_cap": D(5)}


# --- one indicator ------------------------------------------------------------------------------


def test_exactly_on_target_earns_the_points_and_nothing_else():
    result = score_indicator(rule(**BONUS, **DEDUCTION), D(5))
    assert (result.completion, result.base, result.bonus, result.deduction, result.net) == (1, 20, 0, 0, 20)
    assert not result.short and result.shortfall == 0 and result.percent == D("100.00")


def test_below_target_earns_points_in_proportion():
    result = score_indicator(rule(), D(4))
    assert result.completion == D("0.8") and result.net == 16
    assert result.short and result.shortfall == 1


def test_over_completion_earns_no_more_than_the_points_without_a_bonus_rule():
    result = score_indicator(rule(), D(9))
    assert result.net == 20 and result.bonus == 0 and result.percent == D("180.00")


def test_bonus_per_unit_over_the_target():
    assert score_indicator(rule(**BONUS), D(7)).bonus == 2


def test_bonus_is_capped_per_indicator():
    result = score_indicator(rule(**BONUS), D(50))
    assert result.bonus == 3 and result.net == 20


def test_bonus_per_percent_of_the_target():
    # 6 of 5 is 20 % over; 0.1 point per percent → 2 points, under the cap of 3.
    result = score_indicator(rule(bonus_rate=D("0.1"), bonus_basis=Basis.PERCENT, bonus_cap=D(3)), D(6))
    assert result.bonus == 2
    # 10 of 5 is 100 % over → 10 points claimed, 3 allowed.
    assert score_indicator(rule(bonus_rate=D("0.1"), bonus_basis=Basis.PERCENT, bonus_cap=D(3)), D(10)).bonus == 3


def test_fractional_excess_earns_a_proportional_bonus():
    assert score_indicator(rule(target=10, **BONUS), D("10.5")).bonus == D("0.5")


def test_deduction_per_unit_short():
    # 3 of 5: base 12, 2 short × 2 = 4 deducted → 8.
    result = score_indicator(rule(**DEDUCTION), D(3))
    assert (result.base, result.deduction, result.net) == (12, 4, 8)


def test_deduction_is_capped_per_indicator():
    # 2 of 5: base 8, 3 short × 2 = 6, capped at 5 → 3.
    result = score_indicator(rule(**DEDUCTION), D(2))
    assert (result.base, result.deduction, result.net) == (8, 5, 3)


def test_deduction_per_percent_of_the_target():
    # 90 of 100: base 18, 10 % short × 0.5 = 5 → 13.
    result = score_indicator(
        rule(target=100, deduction_rate=D("0.5"), deduction_basis=Basis.PERCENT, deduction_cap=D(10)), D(90)
    )
    assert (result.base, result.deduction, result.net) == (18, 5, 13)


def test_a_deduction_never_takes_an_indicator_below_zero():
    # 1 of 5: base 4; 4 short × 5 = 20, capped at 10, but only the 4 points earned can go.
    result = score_indicator(rule(deduction_rate=D(5), deduction_cap=D(10)), D(1))
    assert (result.base, result.deduction, result.net) == (4, 4, 0)
    assert score_indicator(rule(deduction_rate=D(5), deduction_cap=D(10)), D(0)).net == 0


def test_all_or_nothing():
    rate = rule(points=15, target=98, all_or_nothing=True, name="规模以上非公企业单独组建率")
    assert score_indicator(rate, D("97.99")).net == 0
    assert score_indicator(rate, D(98)).net == 15
    assert score_indicator(rate, D("99.5")).net == 15


def test_zero_target_asks_for_nothing():
    result = score_indicator(rule(target=0), D(0))
    assert (result.completion, result.net, result.bonus, result.percent) == (1, 20, 0, None)
    # Per unit, anything done earns a bonus; per percent of nothing there is no percentage.
    assert score_indicator(rule(target=0, **BONUS), D(2)).bonus == 2
    assert score_indicator(rule(target=0, bonus_rate=D(1), bonus_basis=Basis.PERCENT, bonus_cap=D(3)), D(2)).bonus == 0


# --- the agreement ------------------------------------------------------------------------------


def seed_like():
    """Four indicators of 25 points, each with a bonus of 1 per unit up to 4 and a deduction of 2 up to 6."""
    return [rule(points=25, target=4, name=f"指标{i}", bonus_rate=D(1), bonus_cap=D(4), **DEDUCTION) for i in range(4)]


def test_all_targets_met_scores_100():
    result = score_agreement([(r, r.target) for r in seed_like()])
    assert result.total == D("100.0") and result.bonus == 0 and result.short == []


def test_total_bonus_is_capped_over_the_agreement():
    # Every indicator 4 over: 4 × 4 = 16 bonus claimed, 10 counted.
    result = score_agreement([(r, D(8)) for r in seed_like()], bonus_cap=D(10))
    assert result.bonus_claimed == 16 and result.bonus == 10 and result.total == D("110.0")
    assert result.maximum == 110


def test_the_overall_cap_is_configurable():
    assert score_agreement([(r, D(8)) for r in seed_like()], bonus_cap=D(5)).total == D("105.0")
    assert score_agreement([(r, D(8)) for r in seed_like()], bonus_cap=D(0)).total == D("100.0")


def test_bonus_and_shortfall_together():
    rules = seed_like()
    # 6 (+2 bonus), 4 (25), 3 (18.75 − 2 = 16.75), 0 (0)
    result = score_agreement(zip(rules, [D(6), D(4), D(3), D(0)], strict=True))
    assert result.base == D("66.75") and result.bonus == 2 and result.deduction == 2
    assert result.total == D("68.8")  # 68.75 rounds half-up
    assert [i.rule.name for i in result.short] == ["指标2", "指标3"]


def test_the_score_is_never_negative():
    rules = [rule(points=50, target=10, deduction_rate=D(50), deduction_cap=D(50), name=f"指标{i}") for i in range(2)]
    result = score_agreement([(r, D(1)) for r in rules])
    assert result.total == D("0.0") and result.total >= 0


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (D("179.7"), D("89.9")),  # 89.85: half-up gives 89.9 (half-even would give 89.8)
        (D("179.9"), D("90.0")),  # 89.95
        (D("179.88"), D("89.9")),  # 89.94
        (D("66.6"), D("33.3")),  # 33.3
    ],
)
def test_rounding_to_a_tenth_half_up(actual, expected):
    result = score_agreement([(rule(points=100, target=200), actual)])
    assert result.total == expected


def test_thirds_round_to_a_tenth():
    rules = [rule(points=D("33.3"), target=3, name="a"), rule(points=D("33.3"), target=3, name="b")]
    rules.append(rule(points=D("33.4"), target=3, name="c"))
    result = score_agreement([(r, D(1)) for r in rules])
    assert result.total == D("33.3")  # 100 / 3 = 33.333…
    assert round_score(D("0.05")) == D("0.1") and round_score(D("0.04999")) == D("0.0")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1,5", "五", "NaN", "Infinity", "-inf", "1e", True])
def test_non_numbers_are_refused_with_a_clear_message(value):
    with pytest.raises(ScoringInputError) as error:
        score_indicator(rule(), value)
    what = zh("the actual of %(name)s", name="新建两新党组织")
    assert str(error.value) == zh("Enter %(what)s as a number, e.g. 12 or 98.5.", what=what)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_input_is_refused(value):
    with pytest.raises(ScoringInputError) as error:
        score_indicator(rule(), value)
    assert str(error.value) == zh(
        "Enter %(what)s: it is empty.", what=zh("the actual of %(name)s", name="新建两新党组织")
    )


@pytest.mark.parametrize("value", [D(-1), "-0.01", -3])
def test_negative_actuals_are_refused(value):
    with pytest.raises(ScoringInputError) as error:
        score_indicator(rule(), value)
    what = zh("the actual of %(name)s", name="新建两新党组织")
    assert str(error.value) == zh("Enter 0 or more for %(what)s: it cannot be negative.", what=what)


def test_text_and_integers_are_read_as_decimals():
    assert score_indicator(rule(), " 4 ").net == 16
    assert score_indicator(rule(), 4).net == 16
    assert amount("98.50", "x") == D("98.5")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("points", D(0), "Enter more than 0 for %(what)s."),
        ("points", D(-5), "Enter 0 or more for %(what)s: it cannot be negative."),
        ("target", D(-1), "Enter 0 or more for %(what)s: it cannot be negative."),
        ("bonus_cap", "很多", "Enter %(what)s as a number, e.g. 12 or 98.5."),
        ("deduction_rate", D(-1), "Enter 0 or more for %(what)s: it cannot be negative."),
    ],
)
def test_bad_rules_are_refused(field, value, message):
    whats = {
        "points": "the points of %(name)s",
        "target": "the target of %(name)s",
        "bonus_cap": "the bonus cap of %(name)s",
        "deduction_rate": "the deduction rate of %(name)s",
    }
    kwargs = {"points": D(20), "target": D(5), field: value}
    with pytest.raises(ScoringInputError) as error:
        Rule(name="新建两新党组织", **kwargs)
    assert str(error.value) == zh(message, what=zh(whats[field], name="新建两新党组织"))


def test_a_negative_overall_cap_is_refused():
    with pytest.raises(ScoringInputError):
        score_agreement([(rule(), D(5))], bonus_cap=D(-1))
