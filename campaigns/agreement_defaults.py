"""The template a new target agreement (目标责任书) starts from: seed 003 §四 (and §一 for the rate).

Seed 003, the district's non-public party-building plan, has the district sign a yearly 非公党建工作
责任书 with each 基层党委(工委): "新建两新党组织、党员服务中心、党员教育活动基地、领导干部联系点的数量，
示范点的争创个数，党建项目、品牌的培育，宣传信息报道的增幅", checked at mid-year and year-end, "百分考核",
bonus points for over-completion, deductions and a notice for shortfalls. §一 adds the single-
establishment rate of above-scale firms, "动态保持98%及以上" — all or nothing.

The targets, points and rules below are a starting point the issuing committee edits per
subordinate; the points add up to 100. The texts are data in Chinese (what the issuer edits), not
interface strings. Rates: ``unit`` counts per unit of the indicator (per organization, per
percentage point), ``percent`` per percent of the target.
"""

import datetime
from decimal import Decimal

from .agreement_scoring import Basis

D = Decimal

# (name, unit, target, points, all or nothing, bonus rate, basis, bonus cap, deduction rate, basis, cap, note)
NON_PUBLIC_INDICATORS = (
    (
        "新建两新党组织",
        "个",
        D(5),
        D(20),
        False,
        D("0.1"),
        Basis.PERCENT,
        D(3),
        D(2),
        Basis.UNIT,
        D(6),
        "新建非公企业、社会组织党组织（单独组建或联合组建）；超出目标每10%加1分，最多加3分；每少1个扣2分。",
    ),
    (
        "新建党员服务中心（党员活动场所）",
        "个",
        D(2),
        D(15),
        False,
        D(1),
        Basis.UNIT,
        D(2),
        D(3),
        Basis.UNIT,
        D(6),
        "每多建1个加1分，最多加2分；每少1个扣3分。",
    ),
    (
        "新建党员教育活动基地",
        "个",
        D(1),
        D(10),
        False,
        D(1),
        Basis.UNIT,
        D(2),
        D(0),
        Basis.UNIT,
        D(0),
        "非公经济党员服务社区、服务新农村建设示范基地等。",
    ),
    (
        "领导干部联系点",
        "个",
        D(3),
        D(10),
        False,
        D("0.5"),
        Basis.UNIT,
        D(1),
        D(2),
        Basis.UNIT,
        D(4),
        "领导干部联系非公企业党组织的联系点。",
    ),
    (
        "争创非公经济党建示范点",
        "个",
        D(1),
        D(10),
        False,
        D(2),
        Basis.UNIT,
        D(4),
        D(0),
        Basis.UNIT,
        D(0),
        "新一轮非公经济党建示范点、“五好”党组织的争创个数。",
    ),
    (
        "培育党建项目、品牌",
        "个",
        D(1),
        D(10),
        False,
        D(2),
        Basis.UNIT,
        D(4),
        D(0),
        Basis.UNIT,
        D(0),
        "培育上升为区域非公经济党建品牌的企业党建项目。",
    ),
    (
        "宣传信息报道增幅",
        "%",
        D(10),
        D(10),
        False,
        D("0.2"),
        Basis.UNIT,
        D(2),
        D("0.5"),
        Basis.UNIT,
        D(5),
        "宣传信息报道数量比上年的增幅（百分点）。",
    ),
    (
        "规模以上非公企业单独组建率",
        "%",
        D(98),
        D(15),
        True,
        D(0),
        Basis.UNIT,
        D(0),
        D(0),
        Basis.UNIT,
        D(0),
        "动态保持98%及以上得满分，否则不得分。",
    ),
)

FIELDS = (
    "name",
    "unit",
    "target",
    "points",
    "all_or_nothing",
    "bonus_rate",
    "bonus_basis",
    "bonus_cap",
    "deduction_rate",
    "deduction_basis",
    "deduction_cap",
    "note",
)

# key → (label shown when choosing, title of the agreement (%(year)s), indicators)
TEMPLATES = {
    "non_public": (
        "非公党建工作目标责任书（区委非公经济党建工作要点）",
        "%(year)s年度非公党建工作目标责任书",
        NON_PUBLIC_INDICATORS,
    ),
    "empty": ("空白（自行添加指标）", "%(year)s年度党建工作目标责任书", ()),
}
DEFAULT_TEMPLATE = "non_public"


def indicator_rows(template):
    """The indicators of ``template`` as dicts of Indicator fields, in order."""
    return [dict(zip(FIELDS, row, strict=True)) for row in TEMPLATES[template][2]]


def title_for(template, year):
    return TEMPLATES[template][1] % {"year": year}


def default_deadlines(year):
    """Mid-year report by 15 July, year-end report by 15 January of the next year."""
    return datetime.date(year, 7, 15), datetime.date(year + 1, 1, 15)
