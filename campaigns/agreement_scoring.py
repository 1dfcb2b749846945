"""Scoring a target agreement (目标责任书, seed 003 §四): pure Decimal arithmetic, no database.

Seed 003 says the year's assessment is "百分考核" (out of 100), that over-completing a task earns
bonus points (超额完成…予以加分奖励) and that not completing one costs points and a notice
(未按时完成任务的，予以扣分、通报批评). Each indicator of an agreement has points P (the points of
all indicators add up to 100), a target T and, once reported, an actual A ≥ 0. Per indicator:

- completion c = min(A / T, 1); a target of 0 asks for nothing, so c = 1;
- base = P × c, or with the "all or nothing" rule P when A ≥ T and 0 otherwise;
- short of the target (A < T): deduction = min(rate × shortfall, cap), the shortfall counted in the
  indicator's units (T − A) or in percent of the target ((T − A) / T × 100);
- over the target (A > T): bonus = min(rate × excess, cap), the excess in units (A − T) or in
  percent of the target ((A − T) / T × 100; a target of 0 has no percentage, so a percentage rule
  gives no bonus there: give such an indicator a per-unit rule);
- net = max(base − deduction, 0): a deduction punishes the shortfall within the indicator's own
  points and never reaches into the points another indicator earned (the points are the weights
  the issuing committee gave its indicators). The deduction shown is the part actually taken off.

The agreement's score is Σ net + min(Σ bonus, the agreement's overall bonus cap), rounded to 0.1
half-up: at least 0, at most 100 + the cap. Rates and excesses are proportional (half a unit over
earns half the rate). Bad input — empty, not a number, negative — raises ``ScoringInputError``
with a message that says what to enter.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _

ZERO, HUNDRED = Decimal(0), Decimal(100)
SCORE_STEP = Decimal("0.1")
FIGURE_STEP = Decimal("0.01")
DEFAULT_BONUS_CAP = Decimal(10)


class Basis:
    """What a bonus or deduction rate is counted per: a unit of the indicator, or a percent of its target."""

    UNIT = "unit"
    PERCENT = "percent"


class ScoringInputError(ValueError):
    """A value the arithmetic cannot take; the message says what to enter instead."""


def amount(value, what, positive=False):
    """``value`` (Decimal, int or text) as a finite Decimal ≥ 0 (> 0 with ``positive``); else ScoringInputError.

    ``what`` names the value in the message (e.g. "the actual of 新建两新党组织").
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoringInputError(_("Enter %(what)s: it is empty.") % {"what": what})
    if isinstance(value, bool):
        raise ScoringInputError(_("Enter %(what)s as a number, e.g. 12 or 98.5.") % {"what": what})
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ScoringInputError(_("Enter %(what)s as a number, e.g. 12 or 98.5.") % {"what": what})
    if number < 0:
        raise ScoringInputError(_("Enter 0 or more for %(what)s: it cannot be negative.") % {"what": what})
    if positive and number == 0:
        raise ScoringInputError(_("Enter more than 0 for %(what)s.") % {"what": what})
    return number


def plain(value):
    """A number as plain text, without trailing zeros or an exponent: 110.0 → "110", 0.50 → "0.5"."""
    return f"{Decimal(value).normalize():f}"


def round_score(value):
    """A score as shown and stored: 0.1, half-up (89.95 → 90.0)."""
    return value.quantize(SCORE_STEP, rounding=ROUND_HALF_UP)


def round_figure(value):
    """A figure of one indicator (base, bonus, deduction) as shown: 0.01, half-up."""
    return value.quantize(FIGURE_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    """How one indicator is scored. Values are checked and converted to Decimal on creation."""

    points: Decimal
    target: Decimal
    all_or_nothing: bool = False
    bonus_rate: Decimal = ZERO
    bonus_basis: str = Basis.UNIT
    bonus_cap: Decimal = ZERO
    deduction_rate: Decimal = ZERO
    deduction_basis: str = Basis.UNIT
    deduction_cap: Decimal = ZERO
    name: str = ""

    def __post_init__(self):
        label = self.name or _("the indicator")
        checks = {
            "points": (_("the points of %(name)s"), True),
            "target": (_("the target of %(name)s"), False),
            "bonus_rate": (_("the bonus rate of %(name)s"), False),
            "bonus_cap": (_("the bonus cap of %(name)s"), False),
            "deduction_rate": (_("the deduction rate of %(name)s"), False),
            "deduction_cap": (_("the deduction cap of %(name)s"), False),
        }
        for name, (what, positive) in checks.items():
            object.__setattr__(self, name, amount(getattr(self, name), what % {"name": label}, positive=positive))
        for name in ("bonus_basis", "deduction_basis"):
            if getattr(self, name) not in (Basis.UNIT, Basis.PERCENT):
                raise ScoringInputError(_("Count a rate per unit or per percent of the target."))


@dataclass(frozen=True)
class IndicatorScore:
    rule: Rule
    actual: Decimal
    completion: Decimal  # 0–1
    base: Decimal
    bonus: Decimal
    deduction: Decimal  # the part taken off (at most the base)
    net: Decimal  # base − deduction, at least 0 (the bonus counts separately, capped over the agreement)

    @property
    def short(self):
        """The actual falls short of the target."""
        return self.actual < self.rule.target

    @property
    def shortfall(self):
        return max(self.rule.target - self.actual, ZERO)

    @property
    def percent(self):
        """Completion in percent of the target (may exceed 100), None for a target of 0."""
        if self.rule.target == 0:
            return None
        return round_figure(self.actual / self.rule.target * HUNDRED)


def _excess(basis, difference, target):
    """A difference to the target in the rule's terms: units, or percent of the target (None when T = 0)."""
    if basis == Basis.UNIT:
        return difference
    return difference / target * HUNDRED if target else None


def score_indicator(rule, actual):
    """The score of one indicator for ``actual`` (checked: empty, non-numeric or negative is refused)."""
    actual = amount(actual, _("the actual of %(name)s") % {"name": rule.name or _("the indicator")})
    target, points = rule.target, rule.points
    with localcontext(prec=28):
        completion = min(actual / target, Decimal(1)) if target else Decimal(1)
        all_or_nothing = points if actual >= target else ZERO
        base = all_or_nothing if rule.all_or_nothing else points * completion
        bonus = deduction = ZERO
        if actual > target:
            excess = _excess(rule.bonus_basis, actual - target, target)
            if excess is not None:
                bonus = min(rule.bonus_rate * excess, rule.bonus_cap)
        elif actual < target:
            shortfall = _excess(rule.deduction_basis, target - actual, target)
            deduction = min(rule.deduction_rate * shortfall, rule.deduction_cap, base)
        return IndicatorScore(rule, actual, completion, base, bonus, deduction, base - deduction)


@dataclass(frozen=True)
class AgreementScore:
    indicators: list = field(default_factory=list)
    bonus_cap: Decimal = DEFAULT_BONUS_CAP

    @property
    def base(self):
        """Σ net: the points earned before the bonus."""
        return sum((i.net for i in self.indicators), ZERO)

    @property
    def bonus_claimed(self):
        return sum((i.bonus for i in self.indicators), ZERO)

    @property
    def bonus(self):
        """The bonus counted: Σ of the indicators' bonus, at most the agreement's cap."""
        return min(self.bonus_claimed, self.bonus_cap)

    @property
    def deduction(self):
        return sum((i.deduction for i in self.indicators), ZERO)

    @property
    def total(self):
        """The score: Σ net + the capped bonus, rounded to 0.1 half-up (never negative)."""
        return round_score(self.base + self.bonus)

    @property
    def short(self):
        """The indicators that fell short of their target."""
        return [i for i in self.indicators if i.short]

    @property
    def maximum(self):
        return sum((i.rule.points for i in self.indicators), ZERO) + self.bonus_cap


def score_agreement(rules_and_actuals, bonus_cap=DEFAULT_BONUS_CAP):
    """Score an agreement: ``rules_and_actuals`` is (Rule, actual) pairs; ``bonus_cap`` the overall bonus cap."""
    bonus_cap = amount(bonus_cap, _("the overall bonus cap"))
    return AgreementScore([score_indicator(rule, actual) for rule, actual in rules_and_actuals], bonus_cap)
