"""The member scoring screen and a member's own reviews: a row saved through htmx or without JavaScript, bad
input, stale rows, locking and reopening, who may score and who sees what; a fixed number of queries.

branch_a (secretary_a) in the open ``cycle``; its members are scored against 五带头 (five criteria of 20).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import CriteriaSet
from commitments.models import Commitment, Item
from evaluations import self_review
from evaluations.models import Grade, MemberReport, MemberReview, Reopening, SelfAssessment
from portal.models import AuditEntry, StaleEdit

from ..factories import MemberFactory, OrganizationFactory
from ..portal.helpers import flashed, zh
from .conftest import days

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def scores_url(org, cycle=None):
    return reverse("evaluations:member_scores", args=[org.pk]) + (f"?cycle={cycle.pk}" if cycle else "")


def score_url(member, cycle=None):
    return reverse("evaluations:member_score", args=[member.pk]) + (f"?cycle={cycle.pk}" if cycle else "")


def member_criteria(cycle, org):
    return list(cycle.campaign.criteria_for(CriteriaSet.Target.MEMBER, org.sector).criteria.all())


def row_data(member, criteria, scores, comment="", version=""):
    prefix = f"m{member.pk}"
    data = {f"{prefix}-version": version, f"{prefix}-comment": comment}
    data.update({f"{prefix}-c{c.pk}": s for c, s in zip(criteria, scores, strict=True)})
    return data


@pytest.fixture
def criteria(cycle, cast):
    return member_criteria(cycle, cast.branch_a)


def test_the_screen_lists_every_member_of_the_roll_with_an_input_per_criterion(client, cast, cycle, criteria):
    MemberFactory(name="钱七", organization=cast.branch_a, status="probationary")
    MemberFactory(name="孙八", organization=cast.branch_a, active=False)
    client.force_login(cast.secretary_a)
    response = client.get(scores_url(cast.branch_a))
    assert response.status_code == 200
    assert [row.member.name for row in response.context["rows"]] == ["张三", "钱七"]
    assert [c.title for c in response.context["criteria"]][0] == "带头学习提高"
    page = response.content.decode()
    assert page.count('inputmode="decimal"') == 2 * len(criteria)
    assert f'hx-post="{score_url(cast.member_a, cycle)}"' in page


def test_a_row_saved_through_htmx_comes_back_with_total_and_grade(client, cast, cycle, criteria):
    client.force_login(cast.secretary_a)
    data = row_data(cast.member_a, criteria, ["18", "18", "17.5", "20", "19"], comment="带头作用明显")
    response = client.post(score_url(cast.member_a, cycle), data, **HTMX)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "evaluations/branch_score_row.html"
    row = response.context["row"]
    assert row.saved and row.total == "92.5"
    review = MemberReview.objects.get()
    assert (review.total, review.grade, review.comment) == (Decimal("92.5"), Grade.GOOD, "带头作用明显")
    assert review.organization == cast.branch_a and review.scored_by == cast.secretary_a
    assert f'name="m{cast.member_a.pk}-version" value="1"' in response.content.decode()
    entry = AuditEntry.objects.get(object_type="evaluations.MemberReview")
    assert entry.changes[criteria[2].title] == ["", "17.5"]

    # The next save of the row carries the version it came back with.
    data = row_data(cast.member_a, criteria, ["18", "18", "17.5", "20", "9"], version="1")
    response = client.post(score_url(cast.member_a, cycle), data, **HTMX)
    assert response.context["row"].saved
    assert MemberReview.objects.get().total == Decimal("82.5")


def test_without_javascript_a_row_saves_and_goes_back_to_the_screen(client, cast, cycle, criteria):
    client.force_login(cast.secretary_a)
    response = client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["20"] * 5))
    assert response.status_code == 302
    assert response["Location"] == f"{scores_url(cast.branch_a, cycle)}#member-{cast.member_a.pk}"
    assert flashed(response) == [zh("The scores of %(name)s are saved.", name="张三")]
    assert MemberReview.objects.get().total == 100
    # ... and the row has a page of its own (what a refused save without JavaScript shows).
    response = client.get(score_url(cast.member_a))
    assert response.status_code == 200
    assert response.context["row"].form.initial[f"c{criteria[0].pk}"] == "20"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("21", "Enter a score from 0 to %(weight)s."),
        ("-0.5", "Enter a score from 0 to %(weight)s."),
        ("好", "Enter a number, e.g. 18 or 17.5."),
        ("1e9", "Enter a score from 0 to %(weight)s."),
        ("NaN", "Enter a number, e.g. 18 or 17.5."),
    ],
)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_bad_scores_are_refused_with_a_clear_message_and_nothing_is_saved(
    client, cast, cycle, criteria, bad, message, headers
):
    client.force_login(cast.secretary_a)
    response = client.post(
        score_url(cast.member_a), row_data(cast.member_a, criteria, ["18", bad, "18", "18", "18"]), **headers
    )
    assert response.status_code == 200
    form = response.context["row"].form
    assert form.errors[f"c{criteria[1].pk}"] == [zh(message, weight="20")]
    assert zh(message, weight="20") in response.content.decode()
    assert f'value="{bad}"' in response.content.decode()  # the input is kept
    assert not MemberReview.objects.exists()
    assert not AuditEntry.objects.filter(object_type="evaluations.MemberReview").exists()


def test_a_stale_row_is_refused_with_the_input_kept(client, cast, cycle, criteria):
    client.force_login(cast.secretary_a)
    client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["18"] * 5), **HTMX)
    # Two pages loaded at version 1: the first save wins, the second is told.
    client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["19"] * 5, version="1"), **HTMX)
    response = client.post(
        score_url(cast.member_a), row_data(cast.member_a, criteria, ["12"] * 5, "我的评语", version="1"), **HTMX
    )
    assert response.status_code == 200
    assert response.context["row"].form.non_field_errors() == [zh(StaleEdit.message)]
    assert "我的评语" in response.content.decode()
    assert MemberReview.objects.get().total == 95


def test_a_row_started_by_someone_else_meanwhile_is_stale(client, cast, cycle, criteria):
    client.force_login(cast.secretary_a)
    client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["18"] * 5), **HTMX)
    response = client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["10"] * 5), **HTMX)
    assert response.context["row"].form.non_field_errors() == [zh(StaleEdit.message)]
    assert MemberReview.objects.get().total == 90


def test_a_partial_row_has_no_total_yet(client, cast, cycle, criteria):
    client.force_login(cast.secretary_a)
    response = client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["18", "", "", "", ""]), **HTMX)
    assert response.context["row"].saved and response.context["row"].total == ""
    assert MemberReview.objects.get().score_values() == {criteria[0].pk: 18}


def test_a_locked_cycle_is_read_only_until_reopened(client, cast, past_cycle, criteria):
    client.force_login(cast.secretary_a)
    response = client.get(scores_url(cast.branch_a, past_cycle))
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row.locked and all(f.disabled for f in row.form.fields.values())
    page = response.content.decode()
    assert 'data-state="locked"' in page and cast.town_a.name in page
    response = client.post(score_url(cast.member_a, past_cycle), row_data(cast.member_a, criteria, ["18"] * 5), **HTMX)
    assert response.context["row"].form.non_field_errors() == [
        zh(
            "The review cycle closed on %(date)s and its entries are locked. Ask the superior organization to reopen "
            "them for you.",
            date=past_cycle.due_on,
        )
    ]
    assert not MemberReview.objects.exists()

    Reopening.grant(cast.committee_a, past_cycle, cast.branch_a, Reopening.Kind.OWN, days(2), "补评")
    response = client.get(scores_url(cast.branch_a, past_cycle))
    assert not response.context["rows"][0].locked
    response = client.post(score_url(cast.member_a, past_cycle), row_data(cast.member_a, criteria, ["18"] * 5), **HTMX)
    assert response.context["row"].saved
    assert MemberReview.objects.get(cycle=past_cycle).total == 90


def test_a_superiors_reopening_for_its_own_score_does_not_open_member_scores(client, cast, past_cycle, criteria):
    Reopening.grant(cast.office, past_cycle, cast.branch_a, Reopening.Kind.SUPERIOR, days(2), "补评")
    client.force_login(cast.secretary_a)
    assert client.get(scores_url(cast.branch_a, past_cycle)).context["rows"][0].locked


@pytest.mark.parametrize("user", ["committee_a", "office", "member_user"])
def test_only_the_organizations_own_staff_score_its_members(client, cast, cycle, criteria, user):
    client.force_login(getattr(cast, user))
    assert client.get(scores_url(cast.branch_a)).status_code in (403, 404)
    response = client.post(score_url(cast.member_a), row_data(cast.member_a, criteria, ["18"] * 5), **HTMX)
    assert response.status_code == 403
    assert not MemberReview.objects.exists()


def test_members_off_the_roll_or_elsewhere_are_not_found(client, cast, cycle, criteria):
    gone = MemberFactory(name="孙八", organization=cast.branch_a, active=False)
    client.force_login(cast.secretary_a)
    assert client.post(score_url(gone), row_data(gone, criteria, ["18"] * 5)).status_code == 404
    assert client.get(score_url(cast.member_a2)).status_code == 404
    assert not MemberReview.objects.exists()


# --- A member's own reviews --------------------------------------------------------------------------------


def test_a_member_sees_their_own_scores_and_nothing_of_others(client, cast, cycle, past_cycle, criteria):
    mine = MemberReview.start(cycle, cast.member_a)
    mine.record(cast.secretary_a, 1, {c.pk: Decimal(17) for c in criteria}, {"comment": "服务群众主动"})
    colleague = MemberFactory(name="钱七", organization=cast.branch_a)
    other = MemberReview.start(cycle, colleague)
    other.record(cast.secretary_a, 1, {c.pk: Decimal(20) for c in criteria}, {"comment": "别人的评语"})
    client.force_login(cast.member_user)
    response = client.get(reverse("evaluations:mine"))
    assert response.status_code == 200
    [(review, rows, weight)] = response.context["reviews"]
    assert review == mine and weight == "100"
    assert [value for _c, value in rows] == ["17"] * 5
    page = response.content.decode()
    assert "服务群众主动" in page and "别人的评语" not in page and "钱七" not in page
    assert str(Grade.FAIRLY_GOOD.label) in page or zh(Grade.FAIRLY_GOOD.label) in page
    # The member's colleague's row on the scoring screen is out of reach.
    assert client.get(score_url(colleague)).status_code == 404


def test_a_user_without_a_member_record_has_no_reviews(client, cast):
    client.force_login(cast.committee_a)
    response = client.get(reverse("evaluations:mine"))
    assert response.status_code == 200
    assert response.context["member"] is None and 'id="no-member"' in response.content.decode()


# --- A fixed number of queries -------------------------------------------------------------------------------


def grow(cast, cycle, size):
    """``size`` more members of branch_a, half of them scored, reported at the meeting and assessed; as many
    branches under town_a with a meeting each."""
    members = [MemberFactory(name=f"党员{i:03d}", organization=cast.branch_a) for i in range(size)]
    criteria = member_criteria(cycle, cast.branch_a)
    for member in members[::2]:
        MemberReview.start(cycle, member).record(cast.secretary_a, 1, {c.pk: Decimal(15) for c in criteria})
    for member in members[1::2]:
        commitment = Commitment.start(None, cycle.campaign, None, "superior", f"{member.name}的承诺", member=member)
        Item.objects.bulk_create(
            Item(commitment=commitment, order=n, content=f"事项{n}", target="目标", deadline=days(30)) for n in (1, 2)
        )
    review = self_review.start(cycle, cast.branch_a)
    fields = {"held_on": days(-1), "attendance": 1, "members_total": size + 1, "staff_representatives": 0}
    self_review.record_meeting(cast.secretary_a, review, None, {**fields, "topic": "会", "minutes": ""})
    review = self_review.start(cycle, cast.branch_a)
    self_review.record_reports(cast.secretary_a, review, review.version, {m.pk: (False, "讲述") for m in members})
    org_criteria = self_review.organization_criteria(cycle, cast.branch_a).criteria.all()
    review = self_review.start(cycle, cast.branch_a)
    self_review.record_assessment(
        cast.secretary_a, review, review.version, {c.pk: (Decimal(18), "做法") for c in org_criteria}, "小结"
    )
    for i in range(size):
        branch = OrganizationFactory(name=f"新支部{i:03d}", code=f"NEW-{i}", parent=cast.town_a)
        MemberFactory(organization=branch)
    return members


# Every page: session and user (2), the scope's roles and member record (2), saving the session (3).
BASE = 7
PAGES = {
    # organization, the campaigns' review steps without a cycle, the cycles, roll, reopening? (no: open),
    # member criteria set and its criteria, reviews and their scores
    "member_scores": ("secretary_a", lambda c: scores_url(c.branch_a), BASE + 8),
    # organization, steps, cycles, self-review, roll, reports, commitments, their items
    "own_reports": ("secretary_a", lambda c: reverse("evaluations:own_reports", args=[c.branch_a.pk]), BASE + 8),
    # organization, steps, cycles, self-review (with its meeting), roll, reports, organization criteria (2),
    # assessments, member criteria (2), reviews and scores (2), subordinates (none)
    "own": ("secretary_a", lambda c: reverse("evaluations:own", args=[c.branch_a.pk]), BASE + 14),
    # for the town (no review of its own yet, no members): organization, steps, cycles, self-review, roll,
    # criteria (2 × 2), subordinates, their self-reviews, member counts and scored counts
    "own_town": ("committee_a", lambda c: reverse("evaluations:own", args=[c.town_a.pk]), BASE + 13),
}


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("page", list(PAGES))
def test_fixed_query_count(client, cast, cycle, django_assert_num_queries, size, page):
    grow(cast, cycle, size)
    user, url, expected = PAGES[page]
    client.force_login(getattr(cast, user))
    with django_assert_num_queries(expected):
        response = client.get(url(cast))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_the_pages_show_the_grown_data(client, cast, cycle, size):
    grow(cast, cycle, size)
    client.force_login(cast.secretary_a)
    assert len(client.get(scores_url(cast.branch_a)).context["rows"]) == size + 1
    page = client.get(reverse("evaluations:own", args=[cast.branch_a.pk])).context
    assert (page["scored"], page["reported"], page["assessed"]) == ((size + 1) // 2, size, 5)
    assert MemberReport.objects.count() == size and SelfAssessment.objects.count() == 5
    client.force_login(cast.committee_a)
    town = client.get(reverse("evaluations:own", args=[cast.town_a.pk])).context
    assert len(town["subordinates"]) == size + 2
