"""The flow of a target agreement through its model methods: drafting, issuing, reports, the score, and refusals."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import agreement_defaults
from campaigns.models import IndicatorReport, Period, TargetAgreement
from portal.models import AuditEntry, StaleEdit

from ..factories import OrganizationFactory
from .agreement_helpers import (
    BEFORE_MID,
    MID_DUE,
    YEAR,
    YEAR_END_DUE,
    advance,
    chinese,  # noqa: F401  (fixture)
    entries,
    indicator,
    make_agreement,
    zh,
)

pytestmark = pytest.mark.django_db
S = TargetAgreement.Status
D = Decimal


def refused(call, message=None, **params):
    """``call()`` raises a ValidationError; with ``message``, exactly that one (in Chinese)."""
    with pytest.raises(ValidationError) as error:
        call()
    if message:
        assert error.value.messages == [zh(message, **params)]
    return error.value


def audit(agreement):
    return list(
        AuditEntry.objects.filter(object_type="campaigns.TargetAgreement", object_id=str(agreement.pk)).order_by("pk")
    )


# --- drafting ------------------------------------------------------------------------------------


def test_a_draft_starts_from_the_seed_template(cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    assert agreement.status == S.DRAFT and agreement.title == f"{YEAR}年度非公党建工作目标责任书"
    assert (agreement.mid_year_due, agreement.year_end_due) == (MID_DUE, YEAR_END_DUE)
    names = list(agreement.indicators.values_list("name", flat=True))
    assert names[0] == "新建两新党组织" and "规模以上非公企业单独组建率" in names and len(names) == 8
    assert agreement.points_total == 100
    [entry] = audit(agreement)
    assert entry.verb == AuditEntry.Verb.CREATE and entry.organization == cast.town_a


def test_the_template_points_add_up_to_100():
    for key in agreement_defaults.TEMPLATES:
        rows = agreement_defaults.indicator_rows(key)
        assert not rows or sum(row["points"] for row in rows) == 100


def test_an_agreement_goes_to_a_committee_below_the_issuer(cast):
    deeper = OrganizationFactory(name="甲镇某企业党委", code="TOWN-A-C", level="committee", parent=cast.town_a)
    assert make_agreement(cast.city, deeper, cast.office).subordinate == deeper  # deeper than direct: allowed
    refused(lambda: make_agreement(cast.town_a, cast.town_b, cast.office))  # a sibling
    refused(lambda: make_agreement(cast.town_a, cast.city, cast.office))  # the superior
    refused(lambda: make_agreement(cast.city, cast.other_city, cast.office))  # another tree
    error = refused(lambda: make_agreement(cast.town_a, cast.branch_a, cast.office))  # a branch
    assert error.message_dict["subordinate"] == [
        zh(
            "%(name)s is not a committee: agreements go to subordinate committees (党委, 党工委, 镇党委 …).",
            name=cast.branch_a.name,
        )
    ]
    assert TargetAgreement.objects.count() == 1


def test_one_agreement_per_year_issuer_and_subordinate(cast):
    make_agreement(cast.city, cast.town_a, cast.office)
    refused(
        lambda: make_agreement(cast.city, cast.town_a, cast.office),
        "%(issuer)s has an agreement with %(subordinate)s for %(year)s already: open it instead.",
        issuer=cast.city.name,
        subordinate=cast.town_a.name,
        year=YEAR,
    )
    make_agreement(cast.city, cast.town_a, cast.office, year=YEAR + 1)
    assert TargetAgreement.objects.count() == 2


# --- issuing -------------------------------------------------------------------------------------


def test_issuing_needs_points_adding_up_to_100(cast):
    agreement = make_agreement(
        cast.city, cast.town_a, cast.office, indicators=[indicator(points=60), indicator("示范点", points=30)]
    )
    refused(
        lambda: agreement.issue(cast.office, agreement.version, today=BEFORE_MID),
        "The indicators' points add up to %(total)s, not 100: adjust them so that they do, then issue the agreement.",
        total="90",
    )
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT and agreement.issued_at is None
    agreement.indicators.filter(name="示范点").update(points=40)
    agreement.issue(cast.office, agreement.version, today=BEFORE_MID)
    agreement.refresh_from_db()
    assert agreement.status == S.ISSUED and agreement.issued_by == cast.office and agreement.version == 2
    assert audit(agreement)[-1].changes["status"] == [str(S.DRAFT.label), str(S.ISSUED.label)]


def test_issuing_without_indicators_or_after_the_year_end_deadline_is_refused(cast):
    empty = make_agreement(cast.city, cast.town_a, cast.office, indicators=[])
    refused(lambda: empty.issue(cast.office, 1, today=BEFORE_MID), "Add the indicators before issuing the agreement.")
    late = make_agreement(cast.city, cast.town_b, cast.office)
    refused(
        lambda: late.issue(cast.office, 1, today=YEAR_END_DUE + datetime.timedelta(days=1)),
        "The year-end report was due on %(date)s: set later report dates before issuing.",
        date=YEAR_END_DUE.isoformat(),
    )


def test_an_issued_agreement_is_not_issued_again_nor_removed(cast):
    agreement = advance(make_agreement(cast.city, cast.town_a, cast.office), cast.office, S.ISSUED)
    message = "The agreement is %(status)s: its indicators can no longer change."
    refused(lambda: agreement.issue(cast.office, agreement.version), message, status=str(S.ISSUED.label))
    refused(
        lambda: agreement.remove(cast.office, agreement.version),
        "The agreement is %(status)s: only a draft can be removed.",
        status=str(S.ISSUED.label),
    )
    assert TargetAgreement.objects.filter(pk=agreement.pk).exists()


def test_a_draft_is_removed_with_its_indicators(cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    agreement.remove(cast.office, agreement.version)
    assert not TargetAgreement.objects.exists()
    assert audit(agreement)[-1].changes["title"] == [agreement.title, ""]


# --- reports -------------------------------------------------------------------------------------


def two_indicators(cast, **fields):
    agreement = make_agreement(
        cast.city,
        cast.town_a,
        cast.office,
        indicators=[
            indicator("新建两新党组织", target=5, points=60, bonus_rate=D(1), bonus_cap=D(3)),
            indicator("宣传信息报道增幅", unit="%", target=10, points=40, deduction_rate=D(1), deduction_cap=D(5)),
        ],
        **fields,
    )
    return advance(agreement, cast.office, S.ISSUED)


def test_mid_year_then_year_end_reports(cast):
    agreement = two_indicators(cast)
    agreement.report(cast.committee_a, 2, Period.MID_YEAR, entries(agreement, [2, "4.5"]), today=BEFORE_MID)
    agreement.refresh_from_db()
    assert agreement.status == S.MID_YEAR and agreement.mid_year_reported_at
    # Corrected before the deadline: the same report again.
    agreement.report(cast.committee_a, 3, Period.MID_YEAR, entries(agreement, [3, "4.5"]), today=MID_DUE)
    assert agreement.actuals(Period.MID_YEAR) == {
        i.pk: a for i, a in zip(agreement.indicators.all(), [3, D("4.5")], strict=True)
    }
    agreement.report(cast.committee_a, 4, Period.YEAR_END, entries(agreement, [7, 8]), today=MID_DUE)
    agreement.refresh_from_db()
    assert agreement.status == S.YEAR_END and IndicatorReport.objects.count() == 4
    changes = audit(agreement)[-1].changes
    assert changes["status"] == [str(S.MID_YEAR.label), str(S.YEAR_END.label)]
    assert changes[f"{Period.YEAR_END.label} · 新建两新党组织"] == ["", "7"]


def test_the_year_end_report_may_come_without_a_mid_year_one(cast):
    agreement = two_indicators(cast)
    agreement.report(cast.committee_a, 2, Period.YEAR_END, entries(agreement, [5, 10]), today=BEFORE_MID)
    agreement.refresh_from_db()
    assert agreement.status == S.YEAR_END
    refused(
        lambda: agreement.report(cast.committee_a, 3, Period.MID_YEAR, entries(agreement, [5, 10]), today=BEFORE_MID),
        "The agreement is %(status)s: the %(period)s report cannot be sent now.",
        status=str(S.YEAR_END.label),
        period=str(Period.MID_YEAR.label),
    )


def test_a_report_after_its_due_date_is_refused(cast):
    agreement = two_indicators(cast)
    late = MID_DUE + datetime.timedelta(days=1)
    refused(
        lambda: agreement.report(cast.committee_a, 2, Period.MID_YEAR, entries(agreement, [1, 1]), today=late),
        "The %(period)s report was due on %(date)s. Ask %(issuer)s to set a later date if the report is still to "
        "be accepted.",
        period=str(Period.MID_YEAR.label),
        date=MID_DUE.isoformat(),
        issuer=cast.city.name,
    )
    assert not IndicatorReport.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Enter 0 or more for %(what)s: it cannot be negative."),
        ("很多", "Enter %(what)s as a number, e.g. 12 or 98.5."),
        ("", "Enter %(what)s: it is empty."),
        (None, "Enter %(what)s: it is empty."),
    ],
)
def test_bad_actuals_are_refused_and_nothing_is_stored(cast, value, message):
    agreement = two_indicators(cast)
    refused(
        lambda: agreement.report(
            cast.committee_a, 2, Period.MID_YEAR, entries(agreement, [3, value]), today=BEFORE_MID
        ),
        message,
        what=zh("the actual of %(name)s", name="宣传信息报道增幅"),
    )
    agreement.refresh_from_db()
    assert agreement.status == S.ISSUED and agreement.version == 2 and not IndicatorReport.objects.exists()


def test_every_indicator_is_reported_with_evidence(cast):
    agreement = two_indicators(cast)
    first = agreement.indicators.first()
    partial = {first.pk: (1, "新建1个", None)}
    refused(
        lambda: agreement.report(cast.committee_a, 2, Period.MID_YEAR, partial, today=BEFORE_MID),
        "Report every indicator; missing: %(names)s.",
        names="宣传信息报道增幅",
    )
    refused(
        lambda: agreement.report(
            cast.committee_a, 2, Period.MID_YEAR, entries(agreement, [1, 0], evidence=" "), today=BEFORE_MID
        ),
        "Say what was done for %(name)s and where it can be checked (the evidence).",
        name="新建两新党组织",
    )
    # Nothing done needs no evidence.
    agreement.report(cast.committee_a, 2, Period.MID_YEAR, entries(agreement, [0, 0], evidence=""), today=BEFORE_MID)


def test_evidence_files_go_to_the_private_storage_and_a_new_one_replaces_the_old(cast, private_storage):
    agreement = two_indicators(cast)
    first, second = agreement.indicators.all()
    pdf = SimpleUploadedFile("台帐.pdf", b"%PDF-1.4 first")
    data = {first.pk: (5, "新建5个", pdf), second.pk: (10, "增幅10%", None)}
    agreement.report(cast.committee_a, 2, Period.YEAR_END, data, today=BEFORE_MID)
    report = IndicatorReport.objects.get(indicator=first)
    old_name = report.file.name
    assert report.file_name == "台帐.pdf" and old_name.startswith("agreements/") and private_storage.exists(old_name)
    again = {
        first.pk: (6, "新建6个", SimpleUploadedFile("新台帐.pdf", b"%PDF-1.4 second")),
        second.pk: (10, "同上", None),
    }
    agreement.report(cast.committee_a, 3, Period.YEAR_END, again, today=BEFORE_MID)
    report.refresh_from_db()
    assert report.file_name == "新台帐.pdf" and private_storage.exists(report.file.name)
    # The replaced file goes once the change is committed (the test's transaction never commits).
    assert report.actual == 6


def test_a_refused_report_leaves_no_file_behind(cast, private_storage):
    agreement = two_indicators(cast)
    first, second = agreement.indicators.all()
    data = {first.pk: (5, "新建5个", SimpleUploadedFile("台帐.pdf", b"%PDF-1.4")), second.pk: (10, "增幅", None)}
    with pytest.raises(StaleEdit):
        agreement.report(cast.committee_a, 1, Period.YEAR_END, data, today=BEFORE_MID)  # stale version
    assert not IndicatorReport.objects.exists()
    assert not list(Path(private_storage.location).rglob("*.pdf"))


# --- concurrent edits ----------------------------------------------------------------------------


def test_two_reporters_at_once_the_second_is_refused(cast):
    agreement = two_indicators(cast)
    mine = TargetAgreement.objects.get(pk=agreement.pk)
    theirs = TargetAgreement.objects.get(pk=agreement.pk)
    mine.report(cast.committee_a, mine.version, Period.MID_YEAR, entries(mine, [1, 1]), today=BEFORE_MID)
    with pytest.raises(StaleEdit):
        theirs.report(cast.office, theirs.version, Period.MID_YEAR, entries(theirs, [2, 2]), today=BEFORE_MID)
    assert set(IndicatorReport.objects.values_list("actual", flat=True)) == {1}


def test_two_scorers_at_once_the_second_is_refused(cast):
    agreement = advance(two_indicators(cast), cast.office, S.YEAR_END)
    mine = TargetAgreement.objects.get(pk=agreement.pk)
    theirs = TargetAgreement.objects.get(pk=agreement.pk)
    mine.confirm_score(cast.office, mine.version, today=BEFORE_MID)
    with pytest.raises(StaleEdit):
        theirs.confirm_score(cast.admin, theirs.version, D(90), "考虑到客观困难", today=BEFORE_MID)
    agreement.refresh_from_db()
    assert agreement.score == 100 and agreement.scored_by == cast.office


# --- the score -----------------------------------------------------------------------------------


def test_scoring_from_the_year_end_report(cast):
    agreement = two_indicators(cast)
    # 8 of 5 (+3 bonus, capped), 7 of 10 (28 − 3 deducted = 25): 60 + 25 + 3 = 88.
    advance(agreement, cast.committee_a, S.YEAR_END, actuals=[8, 7])
    result = agreement.confirm_score(cast.office, agreement.version, today=BEFORE_MID)
    agreement.refresh_from_db()
    assert result.total == D("88.0") and agreement.score == agreement.computed_score == D("88.0")
    assert agreement.status == S.SCORED and agreement.short_count == 1 and agreement.scored_by == cast.office
    entry = audit(agreement)[-1]
    assert entry.changes["score"] == ["", "88.0"] and entry.changes["status"][1] == str(S.SCORED.label)


def test_an_adjusted_score_needs_a_reason_and_stays_in_range(cast):
    agreement = advance(two_indicators(cast), cast.committee_a, S.YEAR_END)
    version = agreement.version
    refused(
        lambda: agreement.confirm_score(cast.office, version, D(95)),
        "The score differs from the computed %(computed)s: give the reason for the adjustment.",
        computed="100.0",
    )
    refused(
        lambda: agreement.confirm_score(cast.office, version, D("110.1"), "超额很多"),
        "A score lies between 0 and %(max)s (100 and at most %(cap)s bonus points).",
        max="110",
        cap="10",
    )
    refused(
        lambda: agreement.confirm_score(cast.office, version, "-1", "扣分"),
        "Enter 0 or more for %(what)s: it cannot be negative.",
        what=zh("the score"),
    )
    refused(
        lambda: agreement.confirm_score(cast.office, version, "九十", "理由"),
        "Enter %(what)s as a number, e.g. 12 or 98.5.",
        what=zh("the score"),
    )
    agreement.refresh_from_db()
    assert agreement.status == S.YEAR_END and agreement.score is None
    agreement.confirm_score(cast.office, version, D("95.04"), "宣传报道质量不高，酌情扣分")
    agreement.refresh_from_db()
    assert (agreement.score, agreement.computed_score) == (D("95.0"), D("100.0"))
    assert agreement.score_reason == "宣传报道质量不高，酌情扣分"
    assert audit(agreement)[-1].changes["reason"] == ["", "宣传报道质量不高，酌情扣分"]


def test_a_confirmed_score_is_corrected_with_a_reason(cast):
    agreement = advance(two_indicators(cast), cast.committee_a, S.SCORED)  # every target met: 100.0
    agreement.confirm_score(cast.office, agreement.version)  # the same score again needs no reason
    agreement.refresh_from_db()
    refused(
        lambda: agreement.confirm_score(cast.office, agreement.version, D(98)),
        "The score differs from the computed %(computed)s: give the reason for the adjustment.",
        computed="100.0",
    )
    agreement.confirm_score(cast.office, agreement.version, D(98), "复核后更正")
    agreement.refresh_from_db()
    assert agreement.score == 98 and audit(agreement)[-1].changes["score"] == ["100.0", "98.0"]
    # Back to the computed score: a change of the confirmed score, so a reason again.
    refused(
        lambda: agreement.confirm_score(cast.office, agreement.version),
        "Give the reason for changing the confirmed score.",
    )
    agreement.confirm_score(cast.office, agreement.version, reason="撤销酌情扣分")
    agreement.refresh_from_db()
    assert agreement.score == 100


def test_no_score_before_the_year_end_report_or_its_deadline(cast):
    agreement = advance(two_indicators(cast), cast.committee_a, S.MID_YEAR)
    refused(
        lambda: agreement.confirm_score(cast.office, agreement.version, today=BEFORE_MID),
        "Score the agreement once the year-end report is in or its due date (%(date)s) has passed.",
        date=YEAR_END_DUE.isoformat(),
    )
    draft = make_agreement(cast.city, cast.town_b, cast.office)
    refused(lambda: draft.confirm_score(cast.office, 1), "A draft agreement is not scored: issue it first.")


def test_after_the_deadline_missing_actuals_count_as_nothing(cast):
    agreement = advance(two_indicators(cast), cast.committee_a, S.MID_YEAR)
    after = YEAR_END_DUE + datetime.timedelta(days=1)
    result = agreement.confirm_score(cast.office, agreement.version, today=after)
    agreement.refresh_from_db()
    assert result.total == 0 and agreement.score == 0 and agreement.short_count == 2


# --- the notice list -----------------------------------------------------------------------------


def test_the_notice_list(cast):
    short = advance(two_indicators(cast), cast.committee_a, S.SCORED, actuals=[5, 9])
    fine = advance(make_agreement(cast.city, cast.town_b, cast.office), cast.office, S.SCORED)
    late = OrganizationFactory(name="丙镇党委", code="TOWN-C", level="town", parent=cast.city)
    overdue = advance(make_agreement(cast.city, late, cast.office), cast.office, S.ISSUED)
    after_mid = MID_DUE + datetime.timedelta(days=1)
    listed = set(TargetAgreement.objects.on_notice(after_mid))
    assert listed == {short, overdue} and fine not in listed
    assert short.notice_reasons(after_mid) == [zh("%(n)s indicators short of target", n=1)]
    assert overdue.notice_reasons(after_mid) == [zh("mid-year report overdue")]
    assert set(TargetAgreement.objects.on_notice(BEFORE_MID)) == {short}
    after_year = YEAR_END_DUE + datetime.timedelta(days=1)
    assert overdue.notice_reasons(after_year) == [zh("mid-year report overdue"), zh("year-end report overdue")]


def test_each_indicator_says_its_rule_in_words(cast):
    agreement = make_agreement(cast.city, cast.town_a, cast.office)
    first, second, *_rest, rate = agreement.indicators.order_by("order")
    separator = "；"
    assert first.rule_text() == separator.join(
        [
            zh("+%(rate)s per percent over the target, at most %(cap)s", rate="0.1", cap="3"),
            zh("−%(rate)s per %(unit)s short of the target, at most %(cap)s", rate="2", unit="个", cap="6"),
        ]
    )
    assert second.rule_text().startswith(
        zh("+%(rate)s per %(unit)s over the target, at most %(cap)s", rate="1", unit="个", cap="2")
    )
    assert rate.rule_text() == zh("full points when the target is reached, none otherwise")
    plain_indicator = make_agreement(cast.city, cast.town_b, cast.office, indicators=[indicator()]).indicators.get()
    assert plain_indicator.rule_text() == zh("points in proportion to the target")
