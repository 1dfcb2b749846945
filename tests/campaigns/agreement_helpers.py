"""Helpers of the target-agreement tests (test_agreements*.py).

The agreement tests read the interface in Chinese, the default: ``chinese`` overrides the English of
tests/campaigns/conftest.py, and messages are compared through gettext (``zh``) rather than as literals.
``make_agreement`` drafts an agreement through the model, with the seed 003 template or given indicators,
and ``advance`` moves it along the flow as its users would.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from campaigns import agreement_defaults
from campaigns.models import Period, TargetAgreement

YEAR = 2026
MID_DUE, YEAR_END_DUE = agreement_defaults.default_deadlines(YEAR)
BEFORE_MID = datetime.date(YEAR, 6, 30)


@pytest.fixture(autouse=True)
def chinese(english, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def on_day():
    """The day the pages see: 30 June 2026, before the mid-year reports are due (15 July)."""
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield BEFORE_MID


def zh(message, **params):
    """``message`` as the Chinese interface shows it."""
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


def indicator(name="新建两新党组织", unit="个", target=5, points=100, **rule):
    return {"name": name, "unit": unit, "target": Decimal(str(target)), "points": Decimal(str(points)), **rule}


def make_agreement(issuer, subordinate, actor, indicators=None, year=YEAR, **fields):
    rows = agreement_defaults.indicator_rows("non_public") if indicators is None else indicators
    mid, end = agreement_defaults.default_deadlines(year)
    return TargetAgreement.start(
        actor,
        issuer,
        subordinate,
        year,
        fields.pop("title", agreement_defaults.title_for("non_public", year)),
        fields.pop("mid_year_due", mid),
        fields.pop("year_end_due", end),
        indicators=rows,
    )


def entries(agreement, actuals, evidence="见附件台帐"):
    """Report entries for every indicator: ``actuals`` is one value per indicator in order, or a dict by name."""
    indicators = list(agreement.indicators.all())
    values = [actuals[i.name] for i in indicators] if isinstance(actuals, dict) else list(actuals)
    return {i.pk: (value, evidence, None) for i, value in zip(indicators, values, strict=True)}


def advance(agreement, actor, to, actuals=None, today=BEFORE_MID):
    """Move a draft on to ``to`` (a status), reporting ``actuals`` (default: every target met)."""
    S = TargetAgreement.Status
    agreement.refresh_from_db()
    if actuals is None:
        actuals = [i.target for i in agreement.indicators.all()]
    if agreement.status == S.DRAFT and to != S.DRAFT:
        agreement.issue(actor, agreement.version, today=today)
    if to in (S.MID_YEAR, S.YEAR_END, S.SCORED) and agreement.status == S.ISSUED:
        agreement.report(actor, agreement.version, Period.MID_YEAR, entries(agreement, actuals), today=today)
    if to in (S.YEAR_END, S.SCORED):
        agreement.report(actor, agreement.version, Period.YEAR_END, entries(agreement, actuals), today=today)
    if to == S.SCORED:
        agreement.confirm_score(actor, agreement.version, today=today)
    agreement.refresh_from_db()
    return agreement
