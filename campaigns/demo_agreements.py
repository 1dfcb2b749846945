"""Target agreements (目标责任书) of the demo city: 中共吴江市委 and its eight town committees, this year.

Every town gets the seed 003 template (``agreement_defaults``) with targets fitted to it, written through
the model methods (drafted, issued, reported and scored as the portal does it, audited) and dated as of
each report's due date, so that the demo can be built on any day of the year. What the demo accounts find:

- ``office`` (the city): the eight agreements under "issued by us" — 桃源镇's still a draft to adapt
  and issue, 平望镇's year-end report waiting for the score, 同里镇 scored with bonus points, 盛泽镇 scored
  short of several targets and on the notice list, the others at mid-year (七都镇 has sent nothing:
  once its mid-year date has passed, it is on the notice list as late);
- ``committee`` (松陵镇): its own agreement under "issued to us", the mid-year report sent, the year-end
  report to send.

Deterministic (fixed targets and actuals) and idempotent: nothing is written when the city has issued
agreements for the year already.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.demo import CITY_CODE
from portal.models import Level, Organization, Role, RoleAssignment

from . import agreement_defaults
from .models import Period, TargetAgreement

D = Decimal
TEMPLATE = "non_public"
# The template's indicators, in order: 新建两新党组织, 党员服务中心, 教育活动基地, 领导干部联系点, 示范点,
# 党建项目品牌, 宣传信息报道增幅 (%), 规模以上非公企业单独组建率 (%).
# town code suffix → (targets, where it stands: (status, mid-year actuals, year-end actuals))
TOWNS = {
    "SL": ((6, 2, 1, 3, 1, 1, 10, 98), ("mid_year", (3, 1, 0, 2, 0, 1, 6, 98.5), None)),
    "TL": ((4, 2, 1, 3, 1, 1, 10, 98), ("scored", (2, 1, 1, 2, 0, 0, 5, 98), (7, 3, 2, 4, 2, 1, 14, 99.2))),
    "PW": ((5, 2, 1, 3, 1, 1, 10, 98), ("year_end", (2, 1, 0, 1, 0, 0, 4, 98), (5, 2, 1, 3, 1, 1, 11, 98))),
    "SZ": ((8, 3, 1, 3, 2, 2, 12, 98), ("scored", (2, 1, 0, 1, 0, 0, 3, 96), (7, 2, 1, 3, 1, 2, 10, 97))),
    "ZZ": ((5, 2, 1, 3, 1, 1, 10, 98), ("mid_year", (3, 1, 1, 2, 1, 0, 6, 98), None)),
    "LL": ((5, 2, 1, 3, 1, 1, 10, 98), ("mid_year", (2, 1, 0, 1, 0, 1, 4, 97.5), None)),
    "QD": ((3, 1, 1, 2, 1, 1, 8, 98), ("issued", None, None)),
    "TY": ((4, 2, 1, 3, 1, 1, 10, 98), ("draft", None, None)),
}
EVIDENCE = "{town}{name}：完成{actual}{unit}，名单、批复文件和照片见年度台帐。"


def _entries(agreement, town, actuals):
    indicators = list(agreement.indicators.order_by("order", "pk"))
    return {
        indicator.pk: (
            D(str(actual)),
            EVIDENCE.format(town=town, name=indicator.name, actual=actual, unit=indicator.unit) if actual else "",
            None,
        )
        for indicator, actual in zip(indicators, actuals, strict=True)
    }


def _reporter(town, office):
    """The town's own committee officer (松陵镇: the ``committee`` account), else the city's office reports for it."""
    role = RoleAssignment.objects.filter(organization=town, role=Role.COMMITTEE).select_related("user").first()
    return role.user if role else office


def _agreement(city, town, office, year, targets, plan):
    status, mid_year, year_end = plan
    rows = agreement_defaults.indicator_rows(TEMPLATE)
    for row, target in zip(rows, targets, strict=True):
        row["target"] = D(str(target))
        row["note"] = ""
    mid_due, end_due = agreement_defaults.default_deadlines(year)
    agreement = TargetAgreement.start(
        office, city, town, year, agreement_defaults.title_for(TEMPLATE, year), mid_due, end_due, indicators=rows
    )
    if status == "draft":
        return agreement
    issued_on = min(timezone.localdate(), mid_due)
    agreement.issue(office, agreement.version, today=issued_on)
    agreement.refresh_from_db()
    short_name, reporter = town.name.removesuffix("党委"), _reporter(town, office)
    for period, actuals, due in ((Period.MID_YEAR, mid_year, mid_due), (Period.YEAR_END, year_end, end_due)):
        if actuals:
            agreement.report(reporter, agreement.version, period, _entries(agreement, short_name, actuals), due)
            agreement.refresh_from_db()
    if status == "scored":
        agreement.confirm_score(office, agreement.version, today=end_due)
    return agreement


@transaction.atomic
def build_demo_agreements(year=None):
    """Write the demo city's target agreements for ``year`` (this year); returns them, or [] if they exist."""
    year = year or timezone.localdate().year
    city = Organization.objects.filter(code=CITY_CODE).first()
    if city is None or TargetAgreement.objects.filter(issuer=city, year=year).exists():
        return []
    office = get_user_model().objects.get(username="office")
    towns = {town.code.removeprefix(f"{CITY_CODE}-"): town for town in city.children.filter(level=Level.TOWN)}
    return [
        _agreement(city, towns[code], office, year, targets, plan)
        for code, (targets, plan) in TOWNS.items()
        if code in towns
    ]
