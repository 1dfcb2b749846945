"""The scoring screen through the HTTP client: what it lists, saving a row (plain and htmx), bad input,
two officers at once, locked and upcoming cycles, refusals.

committee_a (town_a) scores branch_a (community: 五个好) and branch_a2 (agency: 五个注重) in ``cycle``.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from evaluations.models import Grade, OrganizationReview
from portal.models import AuditEntry

from ..commitments.factories import make_commitment
from .committee import criteria_of, row_data, score_url, scored, scored_in_the_past, self_review
from .conftest import days


@pytest.fixture
def area(cast, campaign, cycle, past_cycle):
    cast.branch_a2.sector = "agency"
    cast.branch_a2.save()
    cast.campaign, cast.cycle, cast.past_cycle = campaign, cycle, past_cycle
    cast.criteria_a = criteria_of(campaign, cast.branch_a)
    cast.criteria_a2 = criteria_of(campaign, cast.branch_a2)
    return cast


def zh(text):
    with translation.override("zh-hans"):
        return _(text)


def test_the_screen_lists_every_subordinate_with_its_own_criteria_progress_and_self_assessment(client, area):
    make_commitment(
        area.campaign, area.branch_a, "published", items=[{"weight": 1, "progress": 40}, {"weight": 3, "progress": 80}]
    )
    self_review(area.cycle, area.branch_a, "本期开展主题党日6次，党员全部参加组织生活会。", [18, 17])
    client.force_login(area.committee_a)
    response = client.get(score_url(area.town_a))
    assert response.status_code == 200
    assert response.context["cycle"] == area.cycle  # the open cycle by default
    rows = {row.organization: row for row in response.context["rows"]}
    assert set(rows) == {area.branch_a, area.branch_a2}
    assert [c.title for c in rows[area.branch_a].criteria][0] == "领导班子好"
    assert [c.title for c in rows[area.branch_a2].criteria][0] == "注重领导班子建设"
    assert rows[area.branch_a].progress.progress == 70.0 and rows[area.branch_a].progress.items == 2
    content = response.content.decode()
    assert "本期开展主题党日6次" in content
    assert zh("Not yet: the organization has not recorded its own review in this cycle.") in content  # branch_a2
    assert content.count('inputmode="decimal"') == len(area.criteria_a) + len(area.criteria_a2)
    assert f'name="r{area.branch_a.pk}-c{area.criteria_a[0].pk}"' in content
    assert 'hx-post="' in content and 'method="post"' in content


def test_a_plain_post_saves_the_row_and_comes_back_to_it(client, area):
    client.force_login(area.committee_a)
    data = row_data(area.branch_a, area.criteria_a, [20, 18, "17.5", 16, 16], achievements=" 党建引领有力 ")
    response = client.post(score_url(area.town_a, area.cycle), data)
    assert response.status_code == 302
    assert response["Location"] == f"{score_url(area.town_a, area.cycle)}#row-{area.branch_a.pk}"
    review = OrganizationReview.objects.get()
    assert (review.total, review.grade, review.achievements) == (Decimal("87.5"), Grade.FAIRLY_GOOD, "党建引领有力")
    assert review.scored_by == area.committee_a and review.reviewer == area.town_a
    assert AuditEntry.objects.filter(object_type="evaluations.OrganizationReview", actor=area.committee_a).exists()
    page = client.get(response["Location"])
    assert "87.5" in page.content.decode()
    assert any("87.5" in str(m) for m in page.context["messages"])


def test_an_htmx_post_answers_with_the_saved_row_and_the_count(client, area):
    client.force_login(area.committee_a)
    data = row_data(area.branch_a2, area.criteria_a2, [20, 20, 20, 20, 19])
    response = client.post(score_url(area.town_a, area.cycle), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "evaluations/_score_row.html"
    content = response.content.decode()
    assert f'id="row-{area.branch_a2.pk}"' in content and "is-saved" in content
    assert '<span id="scored-count" hx-swap-oob="true">1</span>' in content
    review = OrganizationReview.objects.get()
    assert review.total == 99 and review.version == 1
    assert f'name="r{area.branch_a2.pk}-version" value="1"' in content  # ready for the next change


def test_a_partial_row_is_kept_without_a_total(client, area):
    client.force_login(area.committee_a)
    client.post(
        score_url(area.town_a, area.cycle), row_data(area.branch_a, area.criteria_a, [18, None, None, 15, None])
    )
    review = OrganizationReview.objects.get()
    assert review.total is None and len(review.score_values()) == 2


def test_full_width_digits_are_numbers(client, area):
    client.force_login(area.committee_a)
    client.post(
        score_url(area.town_a, area.cycle), row_data(area.branch_a, area.criteria_a, ["１８．５", 20, 20, 20, 20])
    )
    assert OrganizationReview.objects.get().total == Decimal("98.5")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("十八", "Enter a number, e.g. 18 or 17.5."),
        ("18,5", "Enter a number, e.g. 18 or 17.5."),
        ("NaN", "Enter a number, e.g. 18 or 17.5."),
        ("25", "Enter a score from 0 to %(weight)s."),
        ("-1", "Enter a score from 0 to %(weight)s."),
        ("17.555", "Use at most two decimals, e.g. 17.25."),
    ],
)
def test_bad_input_is_answered_per_field_in_chinese_and_nothing_is_saved(client, area, bad, message):
    client.force_login(area.committee_a)
    data = row_data(area.branch_a, area.criteria_a, [20, bad, 18, 18, 18], problems="台账不全")
    response = client.post(score_url(area.town_a, area.cycle), data)
    assert response.status_code == 200
    form = response.context["form"]
    expected = zh(message) % {"weight": "20"} if "%(" in message else zh(message)
    assert form.errors[f"c{area.criteria_a[1].pk}"] == [expected]
    content = response.content.decode()
    assert expected in content
    assert zh("Nothing was saved: correct the marked boxes.") in content
    assert 'value="台账不全"' in content or "台账不全</textarea>" in content  # the input is kept
    assert "is-invalid" in content
    assert not OrganizationReview.objects.exists()


def test_a_row_of_an_organization_that_is_not_a_subordinate_is_refused(client, area):
    client.force_login(area.committee_a)
    response = client.post(score_url(area.town_a, area.cycle), row_data(area.branch_b, area.criteria_a, [20] * 5))
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not OrganizationReview.objects.exists()


def test_two_officers_on_a_new_review_never_overwrite_each_other(client, area):
    scored(area.cycle, area.branch_a, area.office, [20, 20, 20, 20, 20], {"achievements": "办公室录入"})
    client.force_login(area.committee_a)  # loaded the page before office saved: version empty
    data = row_data(area.branch_a, area.criteria_a, [15, 15, 15, 15, 15], achievements="镇党委意见")
    response = client.post(score_url(area.town_a, area.cycle), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    review = OrganizationReview.objects.get()
    assert review.total == 100 and review.achievements == "办公室录入"  # nothing overwritten
    assert "office" in content and "办公室录入" in content  # the other's saved values are shown
    assert "镇党委意见" in content  # the officer's input is kept
    assert f'name="r{area.branch_a.pk}-version" value="1"' in content
    stale = zh(
        "%(who)s saved this organization's scores at %(when)s, while you were entering yours. Their saved "
        "scores are shown below; your entries are kept in the form. Check them and save again to replace theirs."
    ).split("%(when)s")[1][:10]
    assert stale in content
    # Saving again, having seen the other's scores, replaces them knowingly.
    data[f"r{area.branch_a.pk}-version"] = "1"
    assert client.post(score_url(area.town_a, area.cycle), data).status_code == 302
    review.refresh_from_db()
    assert review.total == 75 and review.achievements == "镇党委意见" and review.version == 2


def test_a_stale_version_is_refused_without_javascript_too(client, area):
    scored(area.cycle, area.branch_a, area.committee_a, [20, 20, 20, 20, 20])
    scored(area.cycle, area.branch_a, area.office, [19, 20, 20, 20, 20])  # version 2 now
    client.force_login(area.committee_a)
    data = row_data(area.branch_a, area.criteria_a, [10, 10, 10, 10, 10], version=1)
    response = client.post(score_url(area.town_a, area.cycle), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    [row] = [r for r in response.context["rows"] if r.organization == area.branch_a]
    assert row.other.total == 99
    assert OrganizationReview.objects.get().total == 99


def test_a_locked_cycle_is_read_only_with_a_note_and_the_reopen_links_of_those_allowed(client, area):
    scored_in_the_past(
        area.past_cycle, area.branch_a, area.committee_a, [18, 18, 18, 18, 18], {"problems": "发展党员慢"}
    )
    self_review(area.past_cycle, area.branch_a, "上半年自评", [17])
    client.force_login(area.committee_a)
    response = client.get(score_url(area.town_a, area.past_cycle))
    content = response.content.decode()
    assert response.context["cycle_state"] == "locked"
    assert f"({zh('self')} 17)" in content  # the self-score beside the stored score
    assert 'inputmode="decimal"' not in content and "hx-post" not in content
    assert "发展党员慢" in content and "90" in content
    date = area.past_cycle.due_on
    assert zh("The review cycle closed on %(date)s: the scores are locked.") % {"date": date} in content
    own = reverse("evaluations:reopen", args=[area.past_cycle.pk, area.branch_a.pk, "own"])
    superior = reverse("evaluations:reopen", args=[area.past_cycle.pk, area.branch_a.pk, "superior"])
    assert own in content and superior not in content  # the town reopens its branches' own entries only
    client.force_login(area.office)
    content = client.get(score_url(area.town_a, area.past_cycle)).content.decode()
    assert superior in content  # the city reopens the town's scoring


def test_a_post_to_a_locked_cycle_is_refused_with_the_reason(client, area):
    client.force_login(area.committee_a)
    response = client.post(score_url(area.town_a, area.past_cycle), row_data(area.branch_a, area.criteria_a, [20] * 5))
    assert response.status_code == 200
    message = zh(
        "The review cycle closed on %(date)s and its entries are locked. Ask the superior organization "
        "to reopen them for you."
    ) % {"date": area.past_cycle.due_on}
    assert message in response.context["form"].non_field_errors()
    assert not OrganizationReview.objects.exists()


def test_reopened_rows_take_late_scores(client, area):
    client.force_login(area.office)
    url = reverse("evaluations:reopen", args=[area.past_cycle.pk, area.branch_a.pk, "superior"])
    assert client.get(url).status_code == 200
    back = score_url(area.town_a, area.past_cycle)
    response = client.post(url, {"until": days(5).isoformat(), "reason": "汛期推迟补录", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    client.force_login(area.committee_a)
    page = client.get(back)
    rows = {row.organization: row for row in page.context["rows"]}
    assert rows[area.branch_a].editable and not rows[area.branch_a2].editable
    assert "汛期推迟补录" in page.content.decode()  # the list of reopenings
    assert client.post(back, row_data(area.branch_a, area.criteria_a, [20] * 5)).status_code == 302
    assert OrganizationReview.objects.get(cycle=area.past_cycle).total == 100


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"until": "", "reason": "补录"}, "until"),
        ({"until": "明天", "reason": "补录"}, "until"),
        ({"until": "+40", "reason": "补录"}, "until"),
        ({"until": "-1", "reason": "补录"}, "until"),
        ({"until": "+5", "reason": "  "}, "reason"),
    ],
)
def test_a_reopening_needs_a_near_date_and_a_reason(client, area, form, field):
    if form["until"][:1] in "+-" and form["until"]:
        form = {**form, "until": days(int(form["until"])).isoformat()}
    client.force_login(area.committee_a)
    url = reverse("evaluations:reopen", args=[area.past_cycle.pk, area.branch_a.pk, "own"])
    response = client.post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not area.past_cycle.reopenings.exists()


def test_an_open_cycle_has_nothing_to_reopen(client, area):
    client.force_login(area.committee_a)
    url = reverse("evaluations:reopen", args=[area.cycle.pk, area.branch_a.pk, "own"])
    response = client.post(url, {"until": days(3).isoformat(), "reason": "补录"})
    assert response.status_code == 200
    assert (
        zh("The review cycle is still open: there is nothing to reopen.") in response.context["form"].non_field_errors()
    )


@pytest.mark.parametrize(
    ("user", "kind", "org", "status"),
    [
        ("committee_a", "superior", "branch_a", 403),  # the city reopens the town's scoring
        ("secretary_a", "own", "branch_a", 403),
        ("secretary_b", "own", "branch_a", 404),
        ("committee_a", "own", "branch_b", 404),
        ("office", "unknown", "branch_a", 404),
    ],
)
def test_reopening_refusals(client, area, user, kind, org, status):
    client.force_login(getattr(area, user))
    url = reverse("evaluations:reopen", args=[area.past_cycle.pk, getattr(area, org).pk, kind])
    assert client.get(url).status_code == status
    assert client.post(url, {"until": days(3).isoformat(), "reason": "补录"}).status_code == status
    assert not area.past_cycle.reopenings.exists()


def test_an_upcoming_cycle_is_read_only(client, area):
    from campaigns.models import Milestone

    Milestone.objects.create(
        campaign=area.campaign, kind="review", title="明年讲评", opens_on=days(50), due_on=days(80)
    )
    client.force_login(area.committee_a)
    first = client.get(score_url(area.town_a))  # makes the new step's cycle
    upcoming = next(c for c in first.context["cycles"] if c.title == "明年讲评")
    response = client.get(score_url(area.town_a, upcoming))
    assert response.context["cycle_state"] == "upcoming"
    assert not any(row.editable for row in response.context["rows"])


@pytest.mark.parametrize(
    ("user", "org", "status"),
    [
        ("secretary_b", "town_a", 404),
        ("committee_a", "city", 404),
        ("committee_a", "town_b", 404),
        ("member_user", "branch_a", 403),
        ("office", "town_a", 200),
        ("admin", "town_a", 200),
    ],
)
def test_scope_of_the_screen(client, area, user, org, status):
    client.force_login(getattr(area, user))
    url = score_url(getattr(area, org), area.cycle)
    assert client.get(url).status_code == status
    response = client.post(url, row_data(area.branch_a, area.criteria_a, [20] * 5))
    assert response.status_code == (302 if status == 200 else status)
    assert OrganizationReview.objects.exists() == (status == 200)


def test_a_town_without_campaign_says_so(client, cast):
    client.force_login(cast.committee_a)
    response = client.get(score_url(cast.town_a))
    assert response.status_code == 200 and response.context["cycle"] is None


def test_the_entry_page_leads_to_the_screens(client, area):
    client.force_login(area.committee_a)
    response = client.get(reverse("evaluations:reviews"))
    content = response.content.decode()
    assert reverse("evaluations:score", args=[area.town_a.pk]) in content
    assert reverse("evaluations:ranking", args=[area.town_a.pk]) in content
    client.force_login(area.member_user)
    assert client.get(reverse("evaluations:reviews")).status_code == 403


def test_the_organization_page_links_to_scoring_and_results(client, area):
    client.force_login(area.committee_a)
    content = client.get(reverse("portal:org_detail", args=[area.town_a.pk])).content.decode()
    assert reverse("evaluations:score", args=[area.town_a.pk]) in content
    assert reverse("evaluations:organization_results", args=[area.town_a.pk]) in content
    client.force_login(area.secretary_a)
    content = client.get(reverse("portal:org_detail", args=[area.branch_a.pk])).content.decode()
    assert reverse("evaluations:score", args=[area.branch_a.pk]) not in content  # no subordinates to score
    assert reverse("evaluations:organization_results", args=[area.branch_a.pk]) in content
    client.force_login(area.member_user)
    content = client.get(reverse("portal:org_detail", args=[area.branch_a.pk])).content.decode()
    assert reverse("evaluations:organization_results", args=[area.branch_a.pk]) not in content


@pytest.mark.parametrize(
    ("user", "destination"),
    [
        ("committee_a", lambda a: reverse("evaluations:score", args=[a.town_a.pk]) + f"?cycle={a.cycle.pk}"),
        ("office", lambda a: reverse("evaluations:score", args=[a.city.pk]) + f"?cycle={a.cycle.pk}"),
        ("secretary_a", lambda a: reverse("evaluations:own", args=[a.branch_a.pk]) + f"?cycle={a.cycle.pk}"),
        ("member_user", lambda a: reverse("evaluations:mine")),
    ],
)
def test_a_cycles_address_leads_to_where_the_user_works_on_it(client, area, user, destination):
    client.force_login(getattr(area, user))
    response = client.get(area.cycle.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == destination(area)
