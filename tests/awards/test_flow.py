"""Level by level: a branch nominates, the town forwards within its quota, the city shortlists within its own,
announces, answers objections and approves; each step's guards, records and refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from awards.models import AwardQuota, AwardRound, Nomination, NominationStep, Objection
from portal.models import AuditEntry, StaleEdit

from ..factories import MemberFactory
from .conftest import TODAY, days

pytestmark = pytest.mark.django_db


def nominate(cast, round, category, member=None, organization=None, actor=None):
    return Nomination.nominate(actor or cast.secretary_a, round, category, member=member, organization=organization)


def forward(nomination, actor, opinion="同意推荐"):
    nomination.refresh_from_db()
    nomination.forward(actor, nomination.version, opinion)
    return nomination


def shortlisted(cast, round, category, member):
    nomination = forward(forward(nominate(cast, round, category, member=member), cast.secretary_a), cast.committee_a)
    nomination.put_on_list(cast.office, nomination.version)
    return nomination


def test_the_whole_flow(cast, round, categories):
    excellent = categories["优秀共产党员"]
    nomination = nominate(cast, round, excellent, member=cast.member_a)
    assert (nomination.holder, nomination.state) == (cast.branch_a, Nomination.State.NOMINATED)
    nomination.edit_deeds(cast.secretary_a, nomination.version, "带头服务群众")
    forward(nomination, cast.secretary_a, "支部大会推荐")
    assert nomination.holder == cast.town_a
    forward(nomination, cast.committee_a, "镇党委同意")
    assert nomination.holder == cast.city and nomination.at_top
    with pytest.raises(ValidationError, match="shortlist it instead"):
        forward(nomination, cast.office)
    nomination.put_on_list(cast.office, nomination.version, "列入公示")
    assert nomination.state == Nomination.State.SHORTLISTED

    round.start_publicity(cast.office, on=TODAY)
    assert (round.publicity_starts_on, round.publicity_ends_on) == (TODAY, days(6))
    objection = Objection.file(round, nomination, name="", contact="13800000000", body="请核实", on=TODAY)
    objection.answer_with(cast.office, "经核实无此事", Objection.Outcome.DISMISSED)
    round.approve(cast.office, "吴委〔2026〕1号", on=days(7))
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.APPROVED
    assert nomination.certificate_no == f"{days(7):%Y}-{round.pk:03d}-001"
    assert [s.action for s in nomination.steps.all()] == [
        "nominated",
        "forwarded",
        "forwarded",
        "shortlisted",
        "approved",
    ]
    assert [s.organization for s in nomination.steps.all()][:3] == [cast.branch_a, cast.branch_a, cast.town_a]
    assert AuditEntry.objects.filter(object_type="awards.Nomination", object_id=str(nomination.pk)).count() >= 5
    assert AuditEntry.objects.filter(object_type="awards.AwardRound", changes__has_key="state").count() == 2


def test_a_committee_nominates_its_subordinate_organization(cast, round, categories):
    nomination = nominate(cast, round, categories["先进基层党组织"], organization=cast.branch_a, actor=cast.committee_a)
    assert nomination.holder == cast.town_a
    with pytest.raises(ValidationError, match="awards organizations"):
        nominate(cast, round, categories["先进基层党组织"], member=cast.member_a)
    with pytest.raises(ValidationError, match="cannot nominate itself"):
        nominate(cast, round, categories["先进基层党组织"], organization=cast.city, actor=cast.office)


def test_a_nominee_once_per_category(cast, round, categories):
    nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    with pytest.raises(ValidationError, match="nominated in this category already"):
        nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    nominate(cast, round, categories["优秀党务工作者"], member=cast.member_a)  # another category: fine


def test_nominations_close_on_the_due_date(cast, campaign, round, categories):
    AwardRound.objects.filter(pk=round.pk).update(nominations_due_on=days(-1))
    round.refresh_from_db()
    with pytest.raises(ValidationError, match="Nominations closed"):
        nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)


def test_nominees_outside_the_round_are_refused(cast, round, categories):
    outsider = MemberFactory(organization=cast.other_city)
    with pytest.raises(ValidationError, match="outside the area"):
        nominate(cast, round, categories["优秀共产党员"], member=outsider)


def test_the_level_quota_is_enforced(cast, round, categories):
    excellent = categories["优秀共产党员"]
    AwardQuota.objects.create(round=round, category=excellent, level="branch", number=1)
    first = nominate(cast, round, excellent, member=cast.member_a)
    second = nominate(cast, round, excellent, member=MemberFactory(organization=cast.branch_a))
    forward(first, cast.secretary_a)
    with pytest.raises(ValidationError, match="quota of 甲村党支部 for 优秀共产党员 is 1"):
        forward(second, cast.secretary_a)
    second.refresh_from_db()
    assert second.holder == cast.branch_a
    # Another branch has its own quota of the level.
    forward(nominate(cast, round, excellent, member=cast.member_a2, actor=cast.committee_a), cast.committee_a)


def test_a_named_organizations_quota_overrides_its_levels(cast, round, categories):
    excellent = categories["优秀共产党员"]
    AwardQuota.objects.create(round=round, category=excellent, level="branch", number=0)
    AwardQuota.objects.create(round=round, category=excellent, organization=cast.branch_a, number=2)
    forward(nominate(cast, round, excellent, member=cast.member_a), cast.secretary_a)
    with pytest.raises(ValidationError, match="is 0"):
        forward(nominate(cast, round, excellent, member=cast.member_a2, actor=cast.committee_a), cast.committee_a)


def test_the_organizers_quota_limits_the_list(cast, round, categories):
    excellent = categories["优秀共产党员"]
    AwardQuota.objects.create(round=round, category=excellent, organization=cast.city, number=1)
    shortlisted(cast, round, excellent, cast.member_a)
    other = forward(
        forward(nominate(cast, round, excellent, member=cast.member_b, actor=cast.office), cast.office), cast.office
    )
    with pytest.raises(ValidationError, match="quota of 测试市委"):
        other.put_on_list(cast.office, other.version)


def test_declining_needs_a_reason_and_ends_the_nomination(cast, round, categories):
    nomination = nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    with pytest.raises(ValidationError):
        nomination.decline(cast.secretary_a, nomination.version, " ")
    nomination.decline(cast.secretary_a, nomination.version, "票数不足")
    assert nomination.state == Nomination.State.DECLINED
    assert nomination.steps.last().opinion == "票数不足"
    with pytest.raises(ValidationError, match="no longer open"):
        forward(nomination, cast.secretary_a)


def test_a_stale_edit_is_refused(cast, round, categories):
    nomination = nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    loaded = nomination.version
    nomination.edit_deeds(cast.secretary_a, loaded, "第一稿")
    with pytest.raises(StaleEdit):
        nomination.edit_deeds(cast.committee_a, loaded, "另一稿")
    with pytest.raises(StaleEdit):
        nomination.forward(cast.secretary_a, loaded)
    nomination.refresh_from_db()
    assert (nomination.deeds, nomination.holder) == ("第一稿", cast.branch_a)
    assert NominationStep.objects.filter(nomination=nomination).count() == 1


# --- 公示 timing and the objection gate --------------------------------------------------------


@pytest.fixture
def announced(cast, round, categories):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=TODAY)
    return nomination


def test_announcing_needs_a_list(cast, round):
    with pytest.raises(ValidationError, match="Shortlist at least one"):
        round.start_publicity(cast.office)
    assert AwardRound.objects.get(pk=round.pk).state == AwardRound.State.NOMINATING


def test_the_list_is_frozen_while_announced(cast, round, categories, announced):
    with pytest.raises(ValidationError):
        nominate(cast, round, categories["优秀共产党员"], member=cast.member_a2)
    with pytest.raises(ValidationError, match="already been announced"):
        round.start_publicity(cast.office)


@pytest.mark.parametrize(("day", "taken"), [(-1, False), (0, True), (6, True), (7, False)])
def test_objections_only_during_the_announcement(cast, round, announced, day, taken):
    if taken:
        assert Objection.file(round, announced, name="", contact="x@example.com", body="异议", on=days(day)).pk
    else:
        with pytest.raises(ValidationError, match="only while the list is announced"):
            Objection.file(round, announced, name="", contact="x@example.com", body="异议", on=days(day))


@pytest.mark.parametrize(("day", "approved"), [(6, False), (7, True)])
def test_approval_only_after_the_period(cast, round, announced, day, approved):
    if approved:
        round.approve(cast.office, on=days(day))
        assert round.state == AwardRound.State.DECIDED and round.decided_on == days(day)
    else:
        with pytest.raises(ValidationError, match="approve from the day after"):
            round.approve(cast.office, on=days(day))
        assert AwardRound.objects.get(pk=round.pk).state == AwardRound.State.PUBLICITY


def test_an_open_objection_blocks_approval_until_answered(cast, round, announced):
    objection = Objection.file(round, announced, name="", contact="13800000000", body="异议", on=TODAY)
    with pytest.raises(ValidationError, match="1 objections are not answered"):
        round.approve(cast.office, on=days(8))
    with pytest.raises(ValidationError):
        objection.answer_with(cast.office, "", Objection.Outcome.DISMISSED)
    objection.answer_with(cast.office, "已核实", Objection.Outcome.DISMISSED)
    with pytest.raises(ValidationError, match="answered already"):
        objection.answer_with(cast.office, "再答", Objection.Outcome.UPHELD)
    round.approve(cast.office, on=days(8))
    announced.refresh_from_db()
    assert announced.state == Nomination.State.APPROVED


def test_an_upheld_objection_withdraws_the_candidate(cast, round, announced):
    objection = Objection.file(round, announced, name="", contact="13800000000", body="有违纪行为", on=TODAY)
    objection.answer_with(cast.office, "情况属实，撤销推荐", Objection.Outcome.UPHELD)
    announced.refresh_from_db()
    assert announced.state == Nomination.State.REJECTED
    round.approve(cast.office, on=days(7))
    announced.refresh_from_db()
    assert (announced.state, announced.certificate_no) == (Nomination.State.REJECTED, "")


def test_the_period_is_the_rounds_number_of_days(cast, round, categories):
    AwardRound.objects.filter(pk=round.pk).update(publicity_days=5)
    round.refresh_from_db()
    shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=datetime.date(2026, 3, 1))
    assert round.publicity_ends_on == datetime.date(2026, 3, 5)
