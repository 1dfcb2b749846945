"""The evaluation ledger and the rectification ledger, read back with openpyxl; their parameters and scope."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from evaluations import mass_services as services
from evaluations.mass_exporters import EvaluationLedger
from evaluations.mass_models import Channel
from portal.models import ExportJob
from portal.tasks import run_export

from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import cast_directly, close_it, days

DISSATISFIED, SATISFIED = 2, 0


def job(exporter, org, user, **params):
    return ExportJob.objects.create(
        exporter=exporter, title=exporter, organization=org, requested_by=user, params=params, language="zh-hans"
    )


def rows_of(export):
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportJob.Status.DONE, export.error
    with export.file.open("rb") as f:
        workbook = load_workbook(BytesIO(f.read()))
    assert workbook.properties.description == f"SHA-256 {export.fingerprint}"
    return list(workbook.active.iter_rows(values_only=True))


def zh(*msgids):
    with translation.override("zh-hans"):
        return tuple(translation.gettext(m) for m in msgids)


@pytest.fixture
def closed(cast, participant_a, participant_a2):
    cast_directly(participant_a, [DISSATISFIED] * 5 + [SATISFIED] * 3)
    cast_directly(participant_a2, [SATISFIED] * 2)
    services.record_entry(cast.secretary_a, participant_a, Channel.HOTLINE, days(-2), "=来电反映路灯坏了", "已报修")
    return close_it(participant_a.round, cast.committee_a)


def test_the_evaluation_ledger_lists_opinions_and_registered_results(cast, closed, participant_a):
    rows = rows_of(job("evaluation_ledger", cast.town_a, cast.committee_a, round=closed.pk))
    assert rows[0][:6] == zh("Date", "Organization", "Organization code", "Member", "Channel", "Content")
    assert len(rows[0]) == 10
    body = rows[1:]
    by_channel = {}
    for row in body:
        by_channel.setdefault((row[2], row[4]), []).append(row)
    hotline = by_channel[("BR-A", zh("Hotline")[0])][0]
    assert hotline[0] == datetime.datetime.combine(days(-2), datetime.time())
    assert hotline[5] == "=来电反映路灯坏了"  # text, never a formula
    assert hotline[8] == "已报修" and hotline[9] == zh("no")[0]
    result = by_channel[("BR-A", zh("Questionnaire (results)")[0])][0]
    assert result[6] == 40 and Decimal(str(result[7])) == Decimal("37.5")  # 3 of 8 satisfied, 5 questions each
    assert ("BR-A2", zh("Questionnaire (results)")[0]) in by_channel


def test_the_rectification_ledger_lists_every_rectification(cast, closed):
    rows = rows_of(job("rectification_ledger", cast.town_a, cast.committee_a, round=closed.pk))
    assert rows[0][:4] == zh("Organization", "Organization code", "Member", "Problem")
    body = rows[1:]
    assert len(body) == 5  # 5 of 8 dissatisfied (62.5 %) on each of branch_a's five criteria
    assert {r[1] for r in body} == {"BR-A"}
    assert all(r[5] == datetime.datetime.combine(days(60), datetime.time()) for r in body)
    assert {r[6] for r in body} == set(zh("Being rectified")) and {r[7] for r in body} == set(zh("no"))


def test_a_secretary_gets_only_their_own_organization(cast, closed):
    rows = rows_of(job("evaluation_ledger", cast.branch_a, cast.secretary_a, round=closed.pk))
    assert {r[2] for r in rows[1:]} == {"BR-A"}


def test_the_round_must_evaluate_the_chosen_organization(cast, closed):
    with pytest.raises(ValidationError):
        EvaluationLedger.clean_params(cast.town_b, {"round": closed})
    EvaluationLedger.clean_params(cast.city, {"round": closed})  # a city takes in the town's round
    export = job("evaluation_ledger", cast.town_b, cast.office, round=closed.pk)
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportJob.Status.FAILED
