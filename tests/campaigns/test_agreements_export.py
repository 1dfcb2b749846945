"""The target agreement ledger (campaigns/exporters.py): read back with openpyxl, scoped, a fixed number of queries."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from campaigns.models import TargetAgreement
from portal.models import ExportJob
from portal.tasks import run_export

from ..factories import OrganizationFactory
from .agreement_helpers import YEAR, advance, chinese, indicator, make_agreement  # noqa: F401

pytestmark = pytest.mark.django_db
S = TargetAgreement.Status
D = Decimal


def job(organization, user, year=YEAR):
    return ExportJob.objects.create(
        exporter="agreement_ledger",
        title="目标责任书台帐",
        organization=organization,
        requested_by=user,
        params={"year": year},
        language="zh-hans",
    )


def rows_of(export):
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportJob.Status.DONE, export.error
    with export.file.open("rb") as f:
        sheet = load_workbook(BytesIO(f.read())).active
    return list(sheet.iter_rows(values_only=True))


def zh_all(*msgids):
    with translation.override("zh-hans"):
        return tuple(translation.gettext(m) for m in msgids)


def two(cast, subordinate, actuals, to):
    agreement = make_agreement(
        cast.city,
        subordinate,
        cast.office,
        indicators=[
            indicator("新建两新党组织", target=5, points=60, bonus_rate=D(1), bonus_cap=D(3)),
            indicator("宣传信息报道增幅", unit="%", target=10, points=40, deduction_rate=D(1), deduction_cap=D(5)),
        ],
    )
    return advance(agreement, cast.office, to, actuals=actuals)


@pytest.fixture
def ledger(cast):
    cast.scored = two(cast, cast.town_a, [8, 7], S.SCORED)  # 60 + (28 − 3) + 3 = 88
    cast.mid = two(cast, cast.town_b, [2, 4], S.MID_YEAR)
    make_agreement(cast.other_city, OrganizationFactory(code="O-T", level="town", parent=cast.other_city), cast.admin)
    return cast


def test_one_row_per_indicator_with_numbers_as_numbers(ledger):
    rows = rows_of(job(ledger.city, ledger.office))
    assert rows[0] == zh_all(
        "Issued by",
        "Responsible committee",
        "Responsible committee code",
        "Target agreement",
        "Status",
        "Indicator",
        "Unit",
        "Target",
        "Mid-year actual",
        "Year-end actual",
        "Points",
        "Earned",
        "Bonus",
        "Deduction",
        "Indicator score",
        "Agreement score",
        "Score confirmed",
    )
    body = rows[1:]
    assert [(r[2], r[5]) for r in body] == [
        ("TOWN-A", "新建两新党组织"),
        ("TOWN-A", "宣传信息报道增幅"),
        ("TOWN-B", "新建两新党组织"),
        ("TOWN-B", "宣传信息报道增幅"),
    ]
    scored, scored_short, mid, _mid2 = body
    with translation.override("zh-hans"):
        assert scored[4] == str(S.SCORED.label) and mid[4] == str(S.MID_YEAR.label)
        yes, no = translation.gettext("yes"), translation.gettext("no")
    assert scored[7:] == (5, 8, 8, 60, 60, 3, 0, 60, 88, yes)
    assert scored_short[7:15] == (10, 7, 7, 40, 28, 0, 3, 25)
    assert all(isinstance(v, int | float) for v in scored[7:16])
    # Mid-year only: the actual, no figures and no score yet.
    assert mid[7:] == (5, 2, None, 60, None, None, None, None, None, no)


def test_the_ledger_keeps_to_the_subtree_and_the_scope(ledger):
    assert {r[2] for r in rows_of(job(ledger.town_a, ledger.committee_a))[1:]} == {"TOWN-A"}
    assert {r[2] for r in rows_of(job(ledger.city, ledger.admin))[1:]} == {"TOWN-A", "TOWN-B"}
    assert len(rows_of(job(ledger.city, ledger.office, year=YEAR + 1))) == 1  # the header only


@pytest.mark.parametrize("extra", [0, 6])
def test_a_fixed_number_of_queries(cast, extra, django_assert_num_queries):
    for n in range(2 + extra):
        town = OrganizationFactory(name=f"镇{n}", code=f"T-{n}", level="town", parent=cast.city)
        two(cast, town, [5, 10], S.YEAR_END)
    export = job(cast.city, cast.office)
    # The job's bookkeeping and the requester's notification, the scope, the count, and the agreements with
    # their indicators and reports in three queries per chunk of 200 agreements: the same at both sizes.
    with django_assert_num_queries(21):
        rows_of(export)
