"""The organization's own review through its pages: the steps, the meeting, the members' reports, the
self-assessment; who may see and change them; bad input, stale edits, locking and reopening.

The cast's branch_a (secretary_a; member_a with a login) in the open ``cycle`` of the review campaign
over the city (tests/evaluations/conftest.py), with two more members on the roll: a probationary one and
one taken off the roll (not expected at the meeting).
"""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Meeting
from commitments.models import Commitment, Item
from evaluations import self_review
from evaluations.models import MemberReport, Reopening, SelfAssessment, SelfReview
from portal.models import AuditEntry, Member, StaleEdit

from ..factories import MemberFactory
from ..portal.helpers import flashed, form_errors, zh
from .conftest import TODAY, days

pytestmark = pytest.mark.django_db


def own_url(name, org, cycle=None):
    return reverse(f"evaluations:{name}", args=[org.pk]) + (f"?cycle={cycle.pk}" if cycle else "")


@pytest.fixture
def roll(cast):
    """branch_a's roll: member_a (full), 钱七 (probationary); 孙八 is off the roll."""
    cast.probationary = MemberFactory(name="钱七", organization=cast.branch_a, status=Member.Status.PROBATIONARY)
    cast.gone = MemberFactory(name="孙八", organization=cast.branch_a, active=False)
    return cast


def meeting_data(**changes):
    data = {
        "held_on": (TODAY - datetime.timedelta(days=2)).isoformat(),
        "attendance": "2",
        "members_total": "2",
        "staff_representatives": "3",
        "topic": "上半年创先争优专题组织生活会",
        "minutes": "每名党员讲述参加活动情况，职工代表提出意见。",
        "version": "",
    }
    return {**data, **changes}


def record_meeting(cast, cycle, **fields):
    review = self_review.start(cycle, cast.branch_a)
    data = {
        "held_on": days(-2),
        "attendance": 2,
        "members_total": 2,
        "staff_representatives": 1,
        "topic": "专题组织生活会",
        "minutes": "",
        **fields,
    }
    self_review.record_meeting(cast.secretary_a, review, review.version, data)
    return SelfReview.objects.get(cycle=cycle, organization=cast.branch_a)


# --- The review page: steps, reach, read-only for superiors ------------------------------------------


def test_the_secretary_sees_the_steps_of_the_current_cycle(client, roll, cycle):
    client.force_login(roll.secretary_a)
    response = client.get(own_url("own", roll.branch_a))
    assert response.status_code == 200
    assert response.context["cycle"] == cycle  # no ?cycle=: the open one
    assert response.context["window"].state == "open"
    assert [m.name for m in response.context["members"]] == ["张三", "钱七"]
    page = response.content.decode()
    for name in ("own_meeting", "own_assessment", "member_scores"):
        assert own_url(name, roll.branch_a, cycle) in page
    assert own_url("own_reports", roll.branch_a, cycle) not in page  # after the meeting


def test_the_secretary_is_sent_to_the_own_review_from_the_menu_entry(client, cast, cycle):
    client.force_login(cast.secretary_a)
    response = client.get(reverse("evaluations:own_start"))
    assert response.status_code == 302
    assert response["Location"] == own_url("own", cast.branch_a)


def test_a_superior_sees_the_review_read_only(client, roll, cycle):
    record_meeting(roll, cycle)
    client.force_login(roll.committee_a)
    response = client.get(own_url("own", roll.branch_a))
    assert response.status_code == 200
    assert not response.context["can_change"] and not response.context["can_score"]
    assert response.context["meeting"].topic == "专题组织生活会"
    page = response.content.decode()
    assert own_url("own_meeting", roll.branch_a, cycle) not in page
    for name in ("own_meeting", "own_reports", "own_assessment", "member_scores"):
        assert client.get(own_url(name, roll.branch_a)).status_code == 403
    assert client.post(own_url("own_meeting", roll.branch_a), meeting_data()).status_code == 403
    assert Meeting.objects.count() == 1


def test_the_superior_sees_where_its_subordinates_stand(client, roll, cycle):
    record_meeting(roll, cycle)
    client.force_login(roll.committee_a)
    response = client.get(own_url("own", roll.town_a))
    assert response.status_code == 200
    rows = {sub.org.name: sub for sub in response.context["subordinates"]}
    assert set(rows) == {"甲村党支部", "甲二村党支部"}
    assert rows["甲村党支部"].meeting.held_on == days(-2)
    assert rows["甲村党支部"].members == 2 and rows["甲二村党支部"].meeting is None
    assert own_url("own", roll.branch_a, cycle) in response.content.decode()


def test_a_member_may_not_see_the_review_and_outsiders_get_not_found(client, cast, cycle):
    client.force_login(cast.member_user)
    assert client.get(own_url("own", cast.branch_a)).status_code == 403
    assert client.get(reverse("evaluations:own_start")).status_code == 403
    client.force_login(cast.secretary_b)
    assert client.get(own_url("own", cast.branch_a)).status_code == 404
    assert client.get(own_url("own_meeting", cast.branch_a)).status_code == 404
    denied = AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED)
    assert denied.filter(actor=cast.member_user).exists() and denied.filter(actor=cast.secretary_b).exists()


def test_the_cycle_is_chosen_among_the_organizations_cycles(client, cast, cycle, past_cycle):
    client.force_login(cast.secretary_a)
    response = client.get(own_url("own", cast.branch_a, past_cycle))
    assert response.context["cycle"] == past_cycle
    assert response.context["window"].state == "locked"
    assert client.get(own_url("own", cast.branch_a) + "?cycle=999999").status_code == 404
    assert client.get(own_url("own", cast.branch_a) + "?cycle=x").status_code == 404


def test_without_a_review_cycle_the_page_says_so(client, cast):
    client.force_login(cast.secretary_a)
    response = client.get(own_url("own", cast.branch_a))
    assert response.status_code == 200
    assert response.context["cycle"] is None
    assert client.get(own_url("own_meeting", cast.branch_a)).status_code == 404


# --- The meeting -----------------------------------------------------------------------------------------


def test_the_meeting_form_counts_the_roll(client, roll, cycle):
    client.force_login(roll.secretary_a)
    form = client.get(own_url("own_meeting", roll.branch_a)).context["form"]
    assert form.initial["members_total"] == 2  # member_a and the probationary member; not the one off the roll
    assert form.initial["attendance"] == 2
    assert cycle.title in form.initial["topic"]


def test_recording_the_meeting(client, roll, cycle):
    client.force_login(roll.secretary_a)
    response = client.post(own_url("own_meeting", roll.branch_a, cycle), meeting_data())
    assert response.status_code == 302
    assert response["Location"] == own_url("own", roll.branch_a, cycle)
    review = SelfReview.objects.get()
    meeting = review.meeting
    assert (meeting.kind, meeting.organization, meeting.campaign) == ("review", roll.branch_a, cycle.campaign)
    assert (meeting.attendance, meeting.members_total, meeting.staff_representatives) == (2, 2, 3)
    assert meeting.recorded_by == roll.secretary_a and review.version == 1
    entry = AuditEntry.objects.get(object_type="evaluations.SelfReview")
    assert entry.verb == AuditEntry.Verb.CREATE and entry.changes["attendance"] == ["", "2"]
    assert flashed(response) == [zh("The meeting is recorded.")]

    # Corrected later over the version read: the same meeting, the change audited.
    response = client.post(own_url("own_meeting", roll.branch_a), meeting_data(attendance="1", version="1"))
    assert response.status_code == 302
    assert Meeting.objects.get().attendance == 1
    entry = AuditEntry.objects.filter(object_type="evaluations.SelfReview").latest("id")
    assert entry.changes == {"attendance": ["2", "1"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"held_on": days(1).isoformat()},
            "held_on",
            "A meeting cannot be recorded before it is held: enter a date up to today.",
        ),
        (
            {"held_on": days(-11).isoformat()},
            "held_on",
            "The meeting of this review cycle is held from its opening on %(date)s: check the date.",
        ),
        ({"attendance": "3"}, "attendance", "More members present than expected: check both numbers."),
        ({"attendance": "两"}, "attendance", "Enter a whole number."),
        ({"topic": ""}, "topic", "This field is required."),
    ],
)
def test_a_wrong_meeting_is_refused_and_nothing_is_saved(client, roll, cycle, changes, field, message):
    client.force_login(roll.secretary_a)
    response = client.post(own_url("own_meeting", roll.branch_a), meeting_data(**changes))
    assert response.status_code == 200
    assert form_errors(response, field) == [zh(message, date=cycle.opens_on.isoformat())]
    assert not Meeting.objects.exists() and not SelfReview.objects.exists()


def test_a_stale_meeting_edit_is_refused_with_the_input_kept(client, roll, cycle):
    record_meeting(roll, cycle)
    record_meeting(roll, cycle, attendance=1)  # someone else corrected it: version 2
    client.force_login(roll.secretary_a)
    response = client.post(own_url("own_meeting", roll.branch_a), meeting_data(topic="我的改动", version="1"))
    assert response.status_code == 200
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert "我的改动" in response.content.decode()
    assert Meeting.objects.get().attendance == 1 and Meeting.objects.get().topic == "专题组织生活会"


def test_a_meeting_started_by_someone_else_meanwhile_is_a_stale_edit(client, roll, cycle):
    client.force_login(roll.secretary_a)
    record_meeting(roll, cycle)  # after this user's page was loaded (version empty)
    response = client.post(own_url("own_meeting", roll.branch_a), meeting_data(topic="我的会议"))
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert Meeting.objects.count() == 1


def test_a_locked_cycle_is_read_only_until_the_superior_reopens_it(client, roll, past_cycle):
    client.force_login(roll.secretary_a)
    response = client.get(own_url("own_meeting", roll.branch_a, past_cycle))
    assert response.status_code == 200
    assert all(field.disabled for field in response.context["form"].fields.values())
    page = response.content.decode()
    assert roll.town_a.name in page  # who can reopen
    held = (past_cycle.opens_on + datetime.timedelta(days=5)).isoformat()
    response = client.post(own_url("own_meeting", roll.branch_a, past_cycle), meeting_data(held_on=held))
    assert response.status_code == 200
    assert zh(
        "The review cycle closed on %(date)s and its entries are locked. Ask the superior organization to reopen "
        "them for you.",
        date=past_cycle.due_on,
    ) in form_errors(response)
    assert not Meeting.objects.exists()

    Reopening.grant(roll.committee_a, past_cycle, roll.branch_a, Reopening.Kind.OWN, days(3), "补录会议记录")
    response = client.get(own_url("own_meeting", roll.branch_a, past_cycle))
    assert response.context["window"].reopening.reason == "补录会议记录"
    assert not any(field.disabled for field in response.context["form"].fields.values())
    response = client.post(own_url("own_meeting", roll.branch_a, past_cycle), meeting_data(held_on=held))
    assert response.status_code == 302
    assert Meeting.objects.get().held_on.isoformat() == held


# --- The members' reports ------------------------------------------------------------------------------


def reports_data(cast, version="1", **entries):
    """``entries``: {member attribute name: (absent, text)}."""
    data = {"version": version}
    for name, (absent, text) in entries.items():
        member = getattr(cast, name)
        data[f"report-{member.pk}"] = text
        if absent:
            data[f"absent-{member.pk}"] = "on"
    return data


def test_reports_need_the_meeting_first(client, roll, cycle):
    client.force_login(roll.secretary_a)
    response = client.get(own_url("own_reports", roll.branch_a))
    assert response.status_code == 200
    assert 'id="meeting-first"' in response.content.decode()
    response = client.post(own_url("own_reports", roll.branch_a), reports_data(roll, "", member_a=(False, "讲述")))
    assert form_errors(response) == [zh("Record the meeting first: the reports are what the members said there.")]
    assert not MemberReport.objects.exists()


def test_the_reports_page_shows_each_members_commitment(client, roll, cycle):
    record_meeting(roll, cycle)
    commitment = Commitment.start(None, cycle.campaign, None, "superior", "张三同志创先争优承诺", member=roll.member_a)
    Item.objects.create(commitment=commitment, content="每月走访困难户", target="12次", deadline=days(30), progress=40)
    client.force_login(roll.secretary_a)
    response = client.get(own_url("own_reports", roll.branch_a))
    rows = {member.name: commitments for member, _f, _a, commitments in response.context["rows"]}
    assert [c.title for c in rows["张三"]] == ["张三同志创先争优承诺"] and rows["钱七"] == []
    assert rows["张三"][0].progress == 40.0
    assert "每月走访困难户" in response.content.decode()


def test_saving_the_reports_all_at_once(client, roll, cycle):
    record_meeting(roll, cycle)
    client.force_login(roll.secretary_a)
    data = reports_data(roll, member_a=(False, "完成走访12户，帮助解决困难3件。"), probationary=(True, "因病请假"))
    response = client.post(own_url("own_reports", roll.branch_a), data)
    assert response.status_code == 302
    reports = {r.member.name: (r.absent, r.text) for r in MemberReport.objects.all()}
    assert reports == {"张三": (False, "完成走访12户，帮助解决困难3件。"), "钱七": (True, "因病请假")}
    assert SelfReview.objects.get().version == 2
    entry = AuditEntry.objects.filter(object_type="evaluations.SelfReview").latest("id")
    assert entry.changes["张三"] == ["", "完成走访12户，帮助解决困难3件。"]

    # Cleared: the report goes; absent without a reason stays absent.
    response = client.post(own_url("own_reports", roll.branch_a), reports_data(roll, "2", probationary=(True, "")))
    assert response.status_code == 302
    assert list(MemberReport.objects.values_list("member__name", "absent", "text")) == [("钱七", True, "")]


def test_reports_are_all_or_nothing(client, roll, cycle):
    record_meeting(roll, cycle)
    client.force_login(roll.secretary_a)
    data = reports_data(roll, member_a=(False, "讲述"), probationary=(False, "长" * 2001))
    response = client.post(own_url("own_reports", roll.branch_a), data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"report-{roll.probationary.pk}"]
    assert not MemberReport.objects.exists()
    assert "讲述" in response.content.decode()  # the input is kept


def test_a_stale_reports_save_is_refused(client, roll, cycle):
    record_meeting(roll, cycle)
    record_meeting(roll, cycle, attendance=1)  # version 2 now
    client.force_login(roll.secretary_a)
    response = client.post(own_url("own_reports", roll.branch_a), reports_data(roll, "1", member_a=(False, "讲述")))
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert not MemberReport.objects.exists()


# --- The self-assessment -----------------------------------------------------------------------------------


def org_criteria(cycle, org):
    return list(self_review.organization_criteria(cycle, org).criteria.all())


def assessment_data(criteria, scores, version="", summary="总体较好"):
    data = {"version": version, "summary": summary}
    for criterion, score in zip(criteria, scores, strict=False):
        data[f"score-{criterion.pk}"] = score
        data[f"text-{criterion.pk}"] = f"{criterion.title}：做法"
    return data


def test_the_self_assessment_is_saved_per_criterion(client, cast, cycle):
    criteria = org_criteria(cycle, cast.branch_a)
    client.force_login(cast.secretary_a)
    response = client.get(own_url("own_assessment", cast.branch_a))
    assert response.status_code == 200
    assert 'inputmode="decimal"' in response.content.decode()
    response = client.post(
        own_url("own_assessment", cast.branch_a), assessment_data(criteria, ["18", "17.5", "20", "19", "16"])
    )
    assert response.status_code == 302
    review = SelfReview.objects.get()
    assert review.summary == "总体较好" and review.meeting is None
    values = dict(SelfAssessment.objects.values_list("criterion__title", "value"))
    assert [values[c.title] for c in criteria] == [18, 17.5, 20, 19, 16]
    page = client.get(own_url("own", cast.branch_a)).context
    assert page["self_total"] == 90.5 and page["assessed"] == 5


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("21", "Enter a score from 0 to %(weight)s."),
        ("-1", "Enter a score from 0 to %(weight)s."),
        ("十八", "Enter a number, e.g. 18 or 17.5."),
        ("18.255", "Use at most two decimals."),
    ],
)
def test_a_bad_self_score_is_refused_and_nothing_is_saved(client, cast, cycle, score, message):
    criteria = org_criteria(cycle, cast.branch_a)
    client.force_login(cast.secretary_a)
    response = client.post(own_url("own_assessment", cast.branch_a), assessment_data(criteria, ["18", score]))
    assert response.status_code == 200
    assert form_errors(response, f"score-{criteria[1].pk}") == [zh(message, weight="20")]
    assert not SelfReview.objects.exists() and not SelfAssessment.objects.exists()


def test_a_stale_self_assessment_is_refused(client, cast, cycle):
    criteria = org_criteria(cycle, cast.branch_a)
    client.force_login(cast.secretary_a)
    client.post(own_url("own_assessment", cast.branch_a), assessment_data(criteria, ["18"]))
    client.post(own_url("own_assessment", cast.branch_a), assessment_data(criteria, ["19"], version="1"))
    response = client.post(own_url("own_assessment", cast.branch_a), assessment_data(criteria, ["5"], version="1"))
    assert form_errors(response) == [zh(StaleEdit.message)]
    assert SelfAssessment.objects.get(criterion=criteria[0]).value == 19
