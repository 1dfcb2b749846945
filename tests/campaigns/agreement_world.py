"""Target agreements of the scope matrix (tests/portal/test_scope_matrix.py), made when a case asks for one.

For each place ``x`` of the tree::

    a      city → town_a            (committee_a receives it; office issues it)
    b      city → town_b
    town   town_a → town_a_firm     (a committee below town_a: committee_a issues it)
    other  other_city → other_town  (another tree: only the administrator reaches it)

``agreement_draft_x`` is a draft, ``agreement_issued_x`` issued (its reports open: due in 30 and 60
days), ``agreement_reported_x`` has its year-end report (ready to be scored), ``agreement_file_x`` is
the year-end report of one with an evidence file, and ``new_agreement_x`` names the issuer and the
subordinate of an agreement to draft. Each agreement has one indicator of 100 points. The payload
helpers give the POST data that succeeds for a role allowed to do it.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from campaigns.models import IndicatorReport, Period, TargetAgreement

from ..factories import OrganizationFactory

PDF = b"%PDF-1.4\n%%EOF\n"
PLACES = ("a", "b", "town", "other")


def _committee(world, name):
    if not hasattr(world, name):
        parent, title, code, level = {
            "town_a_firm": (world.town_a, "甲镇某企业党委", "TOWN-A-FIRM", "committee"),
            "other_town": (world.other_city, "邻市某镇党委", "OTHER-TOWN", "town"),
        }[name]
        setattr(world, name, OrganizationFactory(name=title, code=code, level=level, parent=parent))
    return getattr(world, name)


def parties(world, place):
    return {
        "a": lambda: (world.city, world.town_a),
        "b": lambda: (world.city, world.town_b),
        "town": lambda: (world.town_a, _committee(world, "town_a_firm")),
        "other": lambda: (world.other_city, _committee(world, "other_town")),
    }[place]()


def _draft(world, place, year_offset=0):
    issuer, subordinate = parties(world, place)
    today = timezone.localdate()
    agreement = TargetAgreement.objects.create(
        year=today.year + year_offset,
        issuer=issuer,
        subordinate=subordinate,
        title="年度党建工作目标责任书",
        mid_year_due=today + datetime.timedelta(days=30),
        year_end_due=today + datetime.timedelta(days=60),
    )
    agreement.indicators.create(order=1, name="新建两新党组织", unit="个", target=Decimal(5), points=Decimal(100))
    return agreement


def _issued(world, place, year_offset=1):
    agreement = _draft(world, place, year_offset)
    agreement.issue(world.admin, agreement.version)
    agreement.refresh_from_db()
    agreement.period = "mid-year"  # the report URL's second argument
    return agreement


def _reported(world, place, upload=False):
    agreement = _issued(world, place, year_offset=2)
    indicator = agreement.indicators.get()
    agreement.report(world.admin, agreement.version, Period.YEAR_END, {indicator.pk: (Decimal(5), "新建5个", None)})
    agreement.refresh_from_db()
    if upload:
        report = IndicatorReport.objects.get(indicator=indicator)
        report.file.save("ledger.pdf", ContentFile(PDF), save=False)
        report.file_name, report.file_size = "台帐.pdf", len(PDF)
        report.save()
        return report
    return agreement


AGREEMENT_OBJECTS = {
    **{f"agreement_draft_{p}": lambda w, p=p: _draft(w, p) for p in PLACES},
    **{f"agreement_issued_{p}": lambda w, p=p: _issued(w, p) for p in PLACES},
    **{f"agreement_reported_{p}": lambda w, p=p: _reported(w, p) for p in PLACES},
    **{f"agreement_file_{p}": lambda w, p=p: _reported(w, p, upload=True) for p in PLACES},
    **{f"new_agreement_{p}": lambda w, p=p: SimpleNamespace(parties=parties(w, p)) for p in PLACES},
}


def start_form(world, name):
    issuer, subordinate = getattr(world, name).parties
    return {"issuer": issuer.code, "subordinate": subordinate.code, "year": "2031", "template": "non_public"}


def edit_form(world, name):
    agreement = getattr(world, name)
    indicator = agreement.indicators.get()
    row = {
        "id": indicator.pk,
        "order": "1",
        "name": indicator.name,
        "unit": indicator.unit,
        "target": "6",
        "points": "100",
        "bonus_rate": "0",
        "bonus_basis": "unit",
        "bonus_cap": "0",
        "deduction_rate": "0",
        "deduction_basis": "unit",
        "deduction_cap": "0",
    }
    return {
        "title": f"{agreement.title}（改）",
        "mid_year_due": agreement.mid_year_due.isoformat(),
        "year_end_due": agreement.year_end_due.isoformat(),
        "bonus_cap": "10",
        "version": agreement.version,
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "1",
        **{f"indicators-0-{key}": value for key, value in row.items()},
    }


def version_form(world, name):
    return {"version": getattr(world, name).version}


def report_form(world, name):
    agreement = getattr(world, name)
    indicator = agreement.indicators.get()
    return {"version": agreement.version, f"i{indicator.pk}-actual": "3", f"i{indicator.pk}-evidence": "新建3个"}
