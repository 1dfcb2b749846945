"""The target agreement pages through HTTP: the flow as its users go through it, refusals with clear messages.

The day is 30 June 2026 (``on_day``): the mid-year reports are due on 15 July, the year-end ones on 15 January.
Access by role and place is checked for every URL in tests/portal/test_scope_matrix.py; here a few refusals
are checked for what they leave unchanged.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import IndicatorReport, Period, TargetAgreement
from portal.models import AuditEntry, StaleEdit

from ..factories import OrganizationFactory
from .agreement_helpers import (
    MID_DUE,
    YEAR,
    YEAR_END_DUE,
    advance,
    chinese,  # noqa: F401  (fixture)
    indicator,
    make_agreement,
    on_day,  # noqa: F401  (fixture)
    zh,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]
S = TargetAgreement.Status
D = Decimal


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def errors(response, field="__all__", form="form"):
    return list(response.context[form].errors.get(field, []))


def two(cast, subordinate=None):
    """An agreement of two indicators (60 + 40 points) from city to ``subordinate`` (town_a), issued."""
    agreement = make_agreement(
        cast.city,
        subordinate or cast.town_a,
        cast.office,
        indicators=[
            indicator("新建两新党组织", target=5, points=60, bonus_rate=D(1), bonus_cap=D(3)),
            indicator("宣传信息报道增幅", unit="%", target=10, points=40, deduction_rate=D(1), deduction_cap=D(5)),
        ],
    )
    return advance(agreement, cast.office, S.ISSUED)


def report_data(agreement, actuals, evidence="见台帐", **extra):
    data = {"version": agreement.version, **extra}
    for i, value in zip(agreement.indicators.order_by("order", "pk"), actuals, strict=True):
        data[f"i{i.pk}-actual"] = value
        data[f"i{i.pk}-evidence"] = evidence
    return data


# --- lists ---------------------------------------------------------------------------------------


def test_the_office_sees_what_the_city_issued_and_a_town_what_it_received(client, cast):
    make_agreement(cast.city, cast.town_a, cast.office)
    make_agreement(cast.city, cast.town_b, cast.office)
    client.force_login(cast.office)
    page = client.get(reverse("campaigns:agreement_list"))
    assert page.context["side"] == "by_us"
    assert [a.subordinate for a in page.context["page"]] == [cast.town_a, cast.town_b]
    client.force_login(cast.committee_a)
    page = client.get(reverse("campaigns:agreement_list"))
    assert page.context["side"] == "to_us"  # town_a issues none itself this year
    assert [a.subordinate for a in page.context["page"]] == [cast.town_a]
    assert client.get(reverse("campaigns:agreement_list"), {"side": "by_us"}).context["page"].paginator.count == 0


def test_the_list_filters_by_year_and_status(client, cast):
    advance(make_agreement(cast.city, cast.town_a, cast.office), cast.office, S.ISSUED)
    make_agreement(cast.city, cast.town_b, cast.office)
    make_agreement(cast.city, cast.town_b, cast.office, year=YEAR - 1)
    client.force_login(cast.office)
    page = client.get(reverse("campaigns:agreement_list"), {"status": "draft"})
    assert [a.subordinate for a in page.context["page"]] == [cast.town_b] and page.context["total"] == 2
    assert client.get(reverse("campaigns:agreement_list"), {"year": YEAR - 1}).context["page"].paginator.count == 1


# --- drafting ------------------------------------------------------------------------------------


def test_drafting_from_the_template(client, cast):
    client.force_login(cast.office)
    data = {"issuer": "city", "subordinate": "town-a", "year": YEAR, "template": "non_public"}
    response = client.post(reverse("campaigns:agreement_create"), data)
    agreement = TargetAgreement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "campaigns:agreement_edit", args=[agreement.pk]
    )
    assert agreement.indicators.count() == 8 and agreement.created_by == cast.office
    assert flashed(response) == [zh("The draft is ready: adapt its indicators and targets, then issue it.")]


def test_drafting_for_every_direct_subordinate_committee(client, cast):
    make_agreement(cast.city, cast.town_b, cast.office)  # has one already
    OrganizationFactory(name="丙镇党委", code="TOWN-C", level="town", parent=cast.city)
    client.force_login(cast.office)
    data = {"issuer": "CITY", "everyone": "on", "year": YEAR, "template": "empty"}
    response = client.post(reverse("campaigns:agreement_create"), data)
    assert response.status_code == 302
    assert sorted(TargetAgreement.objects.values_list("subordinate__code", flat=True)) == ["TOWN-A", "TOWN-B", "TOWN-C"]
    assert flashed(response) == [zh("%(n)s drafts are ready: adapt each one's targets, then issue them.", n=2)]
    response = client.post(reverse("campaigns:agreement_create"), data)
    assert errors(response) == [
        zh(
            "Every direct subordinate committee of %(issuer)s has an agreement for %(year)s already.",
            issuer=cast.city.name,
            year=YEAR,
        )
    ]


def test_drafting_refuses_a_branch_and_a_committee_outside_the_issuer(client, cast):
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_create")
    response = client.post(url, {"issuer": "TOWN-A", "subordinate": "BR-A", "year": YEAR, "template": "non_public"})
    assert errors(response, "subordinate") == [
        zh(
            "%(name)s is not a committee: agreements go to subordinate committees (党委, 党工委, 镇党委 …).",
            name=cast.branch_a.name,
        )
    ]
    response = client.post(url, {"issuer": "TOWN-A", "subordinate": "TOWN-B", "year": YEAR, "template": "non_public"})
    assert errors(response, "subordinate") == [
        zh(
            "%(subordinate)s is not below %(issuer)s: an agreement goes to a subordinate committee.",
            subordinate=cast.town_b.name,
            issuer=cast.town_a.name,
        )
    ]
    response = client.post(url, {"issuer": "CITY", "subordinate": "", "year": "二〇二六", "template": "non_public"})
    assert errors(response, "subordinate") and errors(response, "year")
    assert not TargetAgreement.objects.exists()


def test_a_committee_issues_only_within_its_reach(client, cast):
    client.force_login(cast.committee_a)
    response = client.post(
        reverse("campaigns:agreement_create"),
        {"issuer": "CITY", "subordinate": "TOWN-A", "year": YEAR, "template": "non_public"},
    )
    assert errors(response, "issuer") == [
        zh("No organization with this code in your area. Check the code on the organization's page.")
    ]
    client.force_login(cast.secretary_a)
    assert client.get(reverse("campaigns:agreement_create")).status_code == 403


# --- editing the indicators ----------------------------------------------------------------------


def edit_data(agreement, **changes):
    rows = list(agreement.indicators.order_by("order", "pk"))
    data = {
        "title": agreement.title,
        "mid_year_due": agreement.mid_year_due.isoformat(),
        "year_end_due": agreement.year_end_due.isoformat(),
        "bonus_cap": "10",
        "version": agreement.version,
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": str(len(rows)),
    }
    fields = ("order", "name", "unit", "target", "points", "bonus_rate", "bonus_basis", "bonus_cap")
    fields += ("deduction_rate", "deduction_basis", "deduction_cap", "note")
    for n, row in enumerate(rows):
        data[f"indicators-{n}-id"] = row.pk
        for name in fields:
            data[f"indicators-{n}-{name}"] = str(getattr(row, name))
        if row.all_or_nothing:
            data[f"indicators-{n}-all_or_nothing"] = "on"
    data.update(changes)
    return data


def test_editing_the_indicators_warns_when_points_do_not_add_up(client, cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_edit", args=[agreement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(agreement, **{"indicators-0-points": "25", "indicators-0-target": "8"}))
    assert response.status_code == 302
    first = agreement.indicators.order_by("order").first()
    assert (first.points, first.target) == (25, 8)
    assert flashed(response)[1] == zh(
        "The indicators' points add up to %(total)s, not 100: adjust them before issuing.", total="105"
    )
    entry = AuditEntry.objects.filter(object_id=str(agreement.pk)).latest("pk")
    assert "新建两新党组织 8个 25" in entry.changes["indicators"][1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target", "五个", "Enter a number, e.g. 12 or 98.5."),
        ("target", "-1", "Enter 0 or more: a negative number is not possible here."),
        ("points", "0", "Points are a positive number, e.g. 10."),
        ("bonus_cap", "1.25", "Enter at most %(max)s decimal places."),
    ],
)
def test_bad_indicator_numbers_are_refused_clearly(client, cast, field, value, message):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_edit", args=[agreement.pk])
    response = client.post(url, edit_data(agreement, **{f"indicators-0-{field}": value}))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors[field] == [zh(message, max=1)]
    agreement.refresh_from_db()
    assert agreement.version == 1


def test_a_stale_edit_is_refused(client, cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    client.force_login(cast.office)
    data = edit_data(agreement, title="改过的标题")
    TargetAgreement.objects.filter(pk=agreement.pk).update(version=2)  # someone saved meanwhile
    response = client.post(reverse("campaigns:agreement_edit", args=[agreement.pk]), data)
    assert errors(response) == [str(StaleEdit.message)]
    assert TargetAgreement.objects.get().title != "改过的标题"


def test_an_issued_agreement_keeps_its_indicators_but_its_deadline_can_be_extended(client, cast):
    agreement = two(cast)
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_edit", args=[agreement.pk])
    assert client.get(url).context["formset"] is None
    later = (MID_DUE + datetime.timedelta(days=10)).isoformat()
    data = {
        "title": agreement.title,
        "mid_year_due": later,
        "year_end_due": YEAR_END_DUE.isoformat(),
        "bonus_cap": "50",  # fixed since issuing: ignored
        "version": agreement.version,
    }
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.mid_year_due.isoformat() == later and agreement.bonus_cap == 10
    assert agreement.indicators.count() == 2


def test_report_dates_in_the_wrong_order_are_refused_once(client, cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    client.force_login(cast.office)
    data = edit_data(agreement, mid_year_due="2027-02-01")
    response = client.post(reverse("campaigns:agreement_edit", args=[agreement.pk]), data)
    assert errors(response, "year_end_due") == [
        zh("The year-end report is due after the mid-year report: check both dates.")
    ]
    assert TargetAgreement.objects.get().mid_year_due == MID_DUE


def test_a_dissolved_subordinate_does_not_break_the_edit_page(client, cast):
    agreement = two(cast, subordinate=OrganizationFactory(code="TOWN-C", level="town", parent=cast.city))
    agreement.subordinate.status = "dissolved"
    agreement.subordinate.save()
    client.force_login(cast.office)
    data = {
        "title": "改过的标题",
        "mid_year_due": MID_DUE.isoformat(),
        "year_end_due": YEAR_END_DUE.isoformat(),
        "version": agreement.version,
    }
    assert client.post(reverse("campaigns:agreement_edit", args=[agreement.pk]), data).status_code == 302
    assert TargetAgreement.objects.get().title == "改过的标题"


# --- issuing and removing ------------------------------------------------------------------------


def test_issuing_is_refused_until_the_points_add_up(client, cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office, indicators=[indicator(points=90)])
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_issue", args=[agreement.pk])
    response = client.post(url, {"version": agreement.version})
    assert errors(response) == [
        zh(
            "The indicators' points add up to %(total)s, not 100: adjust them so that they do, "
            "then issue the agreement.",
            total="90",
        )
    ]
    agreement.indicators.update(points=100)
    response = client.post(url, {"version": agreement.version})
    assert response.status_code == 302 and TargetAgreement.objects.get().status == S.ISSUED


def test_removing_a_draft_after_confirmation(client, cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_delete", args=[agreement.pk])
    assert client.get(url).status_code == 200 and TargetAgreement.objects.exists()  # the GET only asks
    response = client.post(url, {"version": agreement.version})
    assert response.status_code == 302 and not TargetAgreement.objects.exists()


# --- reports -------------------------------------------------------------------------------------


def test_the_town_sends_its_mid_year_report_with_a_file(client, cast, private_storage):
    agreement = two(cast)
    client.force_login(cast.committee_a)
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "mid-year"])
    assert client.get(url).context["open"]
    first = agreement.indicators.order_by("order").first()
    data = report_data(agreement, ["3", "4.5"], **{f"i{first.pk}-file": SimpleUploadedFile("台帐.pdf", b"%PDF-1.4")})
    response = client.post(url, data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == S.MID_YEAR
    report = IndicatorReport.objects.get(indicator=first)
    assert (report.actual, report.file_name, report.reported_by) == (3, "台帐.pdf", cast.committee_a)
    download = client.get(reverse("campaigns:agreement_file", args=[report.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4"
    assert 'filename="' in download["Content-Disposition"] or "filename*=" in download["Content-Disposition"]
    page = client.get(agreement.get_absolute_url())
    assert page.context["rows"][0]["mid_year"] == report


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("三个", "Enter a number, e.g. 12 or 98.5."),
        ("-2", "Enter 0 or more: a negative number is not possible here."),
        ("", "Enter a number (0 when nothing was done)."),
        ("1.255", "Enter at most %(max)s decimal places."),
    ],
)
def test_bad_actuals_are_answered_clearly_and_nothing_changes(client, cast, value, message):
    agreement = two(cast)
    client.force_login(cast.committee_a)
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "mid-year"])
    response = client.post(url, report_data(agreement, [value, "4"]))
    assert response.status_code == 200
    assert response.context["forms"][0].errors["actual"] == [zh(message, max=2)]
    assert not IndicatorReport.objects.exists() and TargetAgreement.objects.get().status == S.ISSUED


def test_evidence_is_needed_for_what_was_done_and_files_are_checked(client, cast):
    agreement = two(cast)
    client.force_login(cast.committee_a)
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "year-end"])
    response = client.post(url, report_data(agreement, ["3", "0"], evidence=""))
    assert response.context["forms"][0].errors["evidence"] == [zh("Say what was done and where it can be checked.")]
    assert not response.context["forms"][1].errors  # nothing done: no evidence needed
    first = agreement.indicators.order_by("order").first()
    fake = SimpleUploadedFile("台帐.pdf", b"not a pdf")
    response = client.post(url, report_data(agreement, ["3", "0"], **{f"i{first.pk}-file": fake}))
    assert response.context["forms"][0].errors["file"] == [
        zh("“%(name)s” is not a %(kind)s file inside, whatever its name says. Save it again as %(kind)s.")
        % {"name": "台帐.pdf", "kind": "PDF"}
    ]
    assert not IndicatorReport.objects.exists()


def test_a_late_report_is_refused_with_the_way_out(client, cast):
    agreement = two(cast)
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "mid-year"])
    with time_machine.travel(datetime.datetime(2026, 7, 16, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        client.force_login(cast.committee_a)  # a session of the day (the one of 30 June has expired)
        assert not client.get(url).context["open"]
        response = client.post(url, report_data(agreement, ["3", "4"]))
    assert errors(response) == [
        zh(
            "The %(period)s report was due on %(date)s. Ask %(issuer)s to set a later date if the report is still "
            "to be accepted.",
            period=zh(str(Period.MID_YEAR.label)),
            date=MID_DUE.isoformat(),
            issuer=cast.city.name,
        )
    ]
    assert not IndicatorReport.objects.exists()


def test_two_reporters_at_once(client, cast):
    agreement = two(cast)
    client.force_login(cast.committee_a)
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "mid-year"])
    stale = report_data(agreement, ["1", "1"])
    assert client.post(url, report_data(agreement, ["2", "2"])).status_code == 302
    response = client.post(url, stale)
    assert errors(response) == [str(StaleEdit.message)]
    assert set(IndicatorReport.objects.values_list("actual", flat=True)) == {2}


def test_an_unknown_report_period_is_not_found(client, cast):
    agreement = two(cast)
    client.force_login(cast.committee_a)
    assert client.get(reverse("campaigns:agreement_report", args=[agreement.pk, "quarter"])).status_code == 404


# --- the score -----------------------------------------------------------------------------------


def test_the_issuer_scores_and_confirms(client, cast):
    agreement = advance(two(cast), cast.committee_a, S.YEAR_END, actuals=[8, 7])
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_score", args=[agreement.pk])
    page = client.get(url)
    assert page.context["result"].total == D("88.0") and page.context["open"]
    response = client.post(url, {"version": agreement.version, "adjusted": "", "reason": ""})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == S.SCORED and agreement.score == D("88.0") and agreement.short_count == 1
    detail = client.get(agreement.get_absolute_url())
    assert detail.context["reasons"] == [zh("%(n)s indicators short of target", n=1)]


@pytest.mark.parametrize(
    ("adjusted", "reason", "field", "message"),
    [
        ("一百", "理由", "adjusted", "Enter a number, e.g. 12 or 98.5."),
        ("-5", "理由", "adjusted", "Enter 0 or more: a negative number is not possible here."),
        ("110.5", "理由", "adjusted", "A score lies between 0 and %(max)s (100 and at most %(cap)s bonus points)."),
        ("92.55", "理由", "adjusted", "Enter at most %(max)s decimal places."),
        ("92", "", "reason", "Give the reason for the adjustment."),
    ],
)
def test_bad_scores_are_answered_clearly(client, cast, adjusted, reason, field, message):
    agreement = advance(two(cast), cast.committee_a, S.YEAR_END)
    client.force_login(cast.office)
    response = client.post(
        reverse("campaigns:agreement_score", args=[agreement.pk]),
        {"version": agreement.version, "adjusted": adjusted, "reason": reason},
    )
    assert response.status_code == 200
    params = {"max": "110", "cap": "10"} if "%(cap)s" in message else {"max": 1}
    assert errors(response, field) == [zh(message, **params)]
    assert TargetAgreement.objects.get().status == S.YEAR_END


def test_an_adjusted_score_with_its_reason(client, cast):
    agreement = advance(two(cast), cast.committee_a, S.YEAR_END)
    client.force_login(cast.office)
    url = reverse("campaigns:agreement_score", args=[agreement.pk])
    response = client.post(url, {"version": agreement.version, "adjusted": "96.5", "reason": "信息报送不及时"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.score, agreement.computed_score, agreement.score_reason) == (D("96.5"), 100, "信息报送不及时")
    assert client.get(agreement.get_absolute_url()).context["agreement"].score == D("96.5")


def test_the_subordinate_cannot_score_itself(client, cast):
    agreement = advance(two(cast), cast.committee_a, S.YEAR_END)
    client.force_login(cast.committee_a)
    assert client.get(reverse("campaigns:agreement_score", args=[agreement.pk])).status_code == 403
    assert client.post(reverse("campaigns:agreement_score", args=[agreement.pk]), {"version": 4}).status_code == 403
    assert TargetAgreement.objects.get().status == S.YEAR_END


def test_outside_the_reach_an_agreement_does_not_exist(client, cast):
    agreement = two(cast, subordinate=cast.town_b)
    client.force_login(cast.committee_a)
    for name in ("campaigns:agreement", "campaigns:agreement_edit", "campaigns:agreement_score"):
        assert client.get(reverse(name, args=[agreement.pk])).status_code == 404
    url = reverse("campaigns:agreement_report", args=[agreement.pk, "mid-year"])
    assert client.post(url, report_data(agreement, ["1", "1"])).status_code == 404
    assert not IndicatorReport.objects.exists()


# --- the notice list -----------------------------------------------------------------------------


def test_the_notice_list_names_who_fell_short_and_by_how_much(client, cast):
    advance(two(cast), cast.committee_a, S.SCORED, actuals=[5, 7])
    advance(two(cast, subordinate=cast.town_b), cast.office, S.SCORED)
    client.force_login(cast.office)
    page = client.get(reverse("campaigns:agreement_notice"))
    [entry] = page.context["entries"]
    assert entry["agreement"].subordinate == cast.town_a
    assert [(s.rule.name, s.actual, s.rule.target) for s in entry["short"]] == [("宣传信息报道增幅", 7, 10)]
    assert zh("%(name)s: %(actual)s of %(target)s") % {"name": "宣传信息报道增幅", "actual": "7", "target": "10"} in (
        page.content.decode()
    )
    client.force_login(cast.committee_a)  # a town sees its own entry only
    assert len(client.get(reverse("campaigns:agreement_notice")).context["entries"]) == 1
    client.force_login(cast.secretary_b)
    assert client.get(reverse("campaigns:agreement_notice")).context["entries"] == []
