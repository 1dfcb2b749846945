"""Campaign list, detail, create and edit (with phases and schedule), criteria and carriers."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import ActivityCarrier, Campaign, CriteriaSet, Criterion, ImplementationPlan, Milestone
from commitments.models import Commitment, Item
from portal.models import AuditEntry

from .conftest import END, make_campaign


def management(prefix, total=0, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def campaign_data(area_code, phases=(), steps=(), **overrides):
    data = {
        "name": "2027年创先争优活动",
        "area": area_code,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "description": "",
        **management("phases", len(phases)),
        **management("steps", len(steps)),
    }
    for i, (name, theme, start, end) in enumerate(phases):
        data.update({f"phases-{i}-name": name, f"phases-{i}-theme": theme})
        data.update({f"phases-{i}-starts_on": start, f"phases-{i}-ends_on": end})
    for i, (kind, title, opens, due) in enumerate(steps):
        data.update({f"steps-{i}-kind": kind, f"steps-{i}-title": title})
        data.update({f"steps-{i}-opens_on": opens, f"steps-{i}-due_on": due})
    data.update(overrides)
    return data


def edit_data(campaign, **overrides):
    """The edit form as loaded for ``campaign``: its phases and steps, unchanged."""
    phases, steps = list(campaign.phases.all()), list(campaign.milestones.all())
    data = {
        "name": campaign.name,
        "area": campaign.area.code,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "description": campaign.description,
        "version": campaign.version,
        **management("phases", len(phases), len(phases)),
        **management("steps", len(steps), len(steps)),
    }
    for i, p in enumerate(phases):
        data.update({f"phases-{i}-id": p.pk, f"phases-{i}-name": p.name, f"phases-{i}-theme": p.theme})
        data.update({f"phases-{i}-starts_on": p.starts_on.isoformat(), f"phases-{i}-ends_on": p.ends_on.isoformat()})
    for i, m in enumerate(steps):
        data.update({f"steps-{i}-id": m.pk, f"steps-{i}-kind": m.kind, f"steps-{i}-title": m.title})
        data.update({f"steps-{i}-opens_on": m.opens_on.isoformat(), f"steps-{i}-due_on": m.due_on.isoformat()})
    data.update(overrides)
    return data


# --- list and detail ------------------------------------------------------------------------------


def test_the_list_shows_campaigns_covering_the_users_place(client, cast, campaign, town_campaign):
    elsewhere = make_campaign(cast.other_city, name="邻市活动")
    town_b = make_campaign(cast.town_b, name="乙镇活动")
    client.force_login(cast.secretary_a)
    response = client.get(reverse("campaigns:list"))
    shown = {c.pk for c in response.context["page"]}
    assert shown == {campaign.pk, town_campaign.pk}
    assert not response.context["can_create"]
    client.force_login(cast.office)
    response = client.get(reverse("campaigns:list"))
    assert {c.pk for c in response.context["page"]} == {campaign.pk, town_campaign.pk, town_b.pk}
    assert elsewhere.pk not in {c.pk for c in response.context["page"]}
    assert response.context["can_create"]
    assert reverse("campaigns:create") in response.content.decode()


def test_a_member_with_a_login_sees_the_campaigns_of_their_branch(client, cast, campaign):
    client.force_login(cast.member_user)
    assert [c.pk for c in client.get(reverse("campaigns:list")).context["page"]] == [campaign.pk]
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert "plan_page" not in response.context  # plans are for staff


def test_detail_shows_phases_schedule_criteria_and_carriers(client, cast, campaign):
    client.force_login(cast.secretary_a)
    response = client.get(campaign.get_absolute_url())
    page = response.content.decode()
    for text in ["第一时段", "迎接建党105周年", "实施方案报送", "五个注重", "带头弘扬正气", "三走进三服务", "五个一"]:
        assert text in page
    assert not response.context["can_manage"]
    assert reverse("campaigns:edit", args=[campaign.pk]) not in page


def test_detail_warns_when_weights_do_not_add_up_to_100(client, cast, campaign):
    criterion = Criterion.objects.filter(criteria_set__campaign=campaign, criteria_set__name="五个注重").first()
    Criterion.objects.filter(pk=criterion.pk).update(weight=25)
    client.force_login(cast.office)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Total weight 105" in page
    assert "not 100" in page


def test_the_page_speaks_chinese_by_default(client, cast, campaign, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(cast.office)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "权重合计" in page  # "Total weight"


def test_a_campaign_outside_the_users_place_is_404(client, cast, town_campaign):
    client.force_login(cast.secretary_b)
    assert client.get(town_campaign.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=cast.secretary_b).exists()


# --- create and edit ------------------------------------------------------------------------------


def test_office_creates_a_campaign_with_phases_schedule_and_defaults(client, cast):
    client.force_login(cast.office)
    assert client.get(reverse("campaigns:create")).status_code == 200
    data = campaign_data(
        "TOWN-A",
        phases=[("第一时段", "学习", "2027-01-01", "2027-06-30"), ("第二时段", "实践", "2027-07-01", "2027-12-31")],
        steps=[("commitment_filing", "承诺报送", "2027-01-10", "2027-02-28")],
    )
    response = client.post(reverse("campaigns:create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.area == cast.town_a
    assert campaign.created_by == cast.office
    assert list(campaign.phases.values_list("order", "name")) == [(1, "第一时段"), (2, "第二时段")]
    assert campaign.milestone(Milestone.Kind.COMMITMENT_FILING).due_on == datetime.date(2027, 2, 28)
    assert campaign.criteria_for("organization", "agency").name == "五个注重"
    assert campaign.carriers.filter(name="三走进三服务").exists()


@pytest.mark.parametrize("role", ["secretary_a", "committee_a", "member_user"])
def test_only_office_staff_may_create_a_campaign(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.post(reverse("campaigns:create"), campaign_data("BR-A")).status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("code", ["OTHER", "NO-SUCH-ORG"])
def test_an_area_outside_the_offices_reach_is_a_form_error(client, cast, code):
    client.force_login(cast.office)
    response = client.post(reverse("campaigns:create"), campaign_data(code))
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == [
        "No organization with this code in your area. Check the code on the organization's page."
    ]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("phases", "steps", "form", "field", "message"),
    [
        (
            [("一", "", "2026-12-01", "2027-06-30")],
            [],
            "phases",
            "starts_on",
            "The phase starts before the campaign (2027-01-01). Move it inside the campaign.",
        ),
        (
            [("一", "", "2027-01-01", "2028-01-31")],
            [],
            "phases",
            "ends_on",
            "The phase ends after the campaign (2027-12-31). Move it inside the campaign.",
        ),
        (
            [("一", "", "2027-03-01", "2027-02-01")],
            [],
            "phases",
            "ends_on",
            "The end date must not be before the start date.",
        ),
        (
            [],
            [("review", "讲评", "2027-06-01", "2028-01-15")],
            "steps",
            "due_on",
            "The step is due after the campaign ends (2027-12-31).",
        ),
        (
            [],
            [("review", "讲评", "2026-06-01", "2027-01-15")],
            "steps",
            "opens_on",
            "The step opens before the campaign starts (2027-01-01).",
        ),
        (
            [],
            [("review", "讲评", "2027-06-01", "2027-05-15")],
            "steps",
            "due_on",
            "The due date must not be before the opening date.",
        ),
    ],
)
def test_phase_and_schedule_dates_are_checked_with_clear_messages(client, cast, phases, steps, form, field, message):
    client.force_login(cast.office)
    response = client.post(reverse("campaigns:create"), campaign_data("CITY", phases=phases, steps=steps))
    assert response.status_code == 200
    assert response.context[form].forms[0].errors[field] == [message]
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_overlapping_phases_are_refused(client, cast):
    client.force_login(cast.office)
    phases = [("第一时段", "", "2027-01-01", "2027-07-31"), ("第二时段", "", "2027-07-01", "2027-12-31")]
    response = client.post(reverse("campaigns:create"), campaign_data("CITY", phases=phases))
    assert response.context["phases"].forms[1].errors["starts_on"] == [
        "This phase overlaps “第一时段” (until 2027-07-31): a phase starts after the one before ends."
    ]
    assert not Campaign.objects.exists()


def test_the_campaign_end_must_follow_its_start(client, cast):
    client.force_login(cast.office)
    response = client.post(reverse("campaigns:create"), campaign_data("CITY", ends_on="2026-12-31"))
    assert response.context["form"].errors["ends_on"] == ["The end date must be after the start date."]
    assert not Campaign.objects.exists()


def test_office_edits_phases_and_schedule(client, cast, campaign):
    client.force_login(cast.office)
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 200
    phase = campaign.phases.get()
    data = edit_data(campaign, **{"phases-0-ends_on": "2026-06-30"})
    data.update(management("phases", 2, 1))
    data.update({"phases-1-name": "第二时段", "phases-1-theme": "迎接十八大"})
    data.update({"phases-1-starts_on": "2026-07-01", "phases-1-ends_on": "2026-12-31", "steps-0-DELETE": "on"})
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    assert list(campaign.phases.values_list("name", "ends_on")) == [
        ("第一时段", datetime.date(2026, 6, 30)),
        ("第二时段", datetime.date(2026, 12, 31)),
    ]
    assert campaign.phases.get(pk=phase.pk).order == 1
    assert not campaign.milestones.exists()
    campaign.refresh_from_db()
    assert campaign.version == 2
    entry = AuditEntry.objects.filter(object_id=str(campaign.pk), verb=AuditEntry.Verb.UPDATE).get()
    assert "第二时段" in entry.changes["phases"][1]


def test_shrinking_the_campaign_around_its_phases_is_refused(client, cast, campaign):
    client.force_login(cast.office)
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), edit_data(campaign, ends_on="2026-10-31"))
    assert response.status_code == 200
    assert response.context["phases"].forms[0].errors["ends_on"] == [
        "The phase ends after the campaign (2026-10-31). Move it inside the campaign."
    ]
    campaign.refresh_from_db()
    assert campaign.ends_on == END


def test_a_second_editor_is_refused_and_keeps_their_input(client, cast, campaign):
    client.force_login(cast.office)
    first = edit_data(campaign, name="第一位的名称")
    second = edit_data(campaign, name="第二位的名称")
    assert client.post(reverse("campaigns:edit", args=[campaign.pk]), first).status_code == 302
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), second)
    assert response.status_code == 200
    assert "Someone else changed this record" in " ".join(response.context["form"].non_field_errors())
    assert "第二位的名称" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "第一位的名称"


@pytest.mark.parametrize(("role", "status"), [("committee_a", 403), ("secretary_a", 403), ("member_user", 403)])
def test_only_office_staff_edit_a_campaign(client, cast, campaign, role, status):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == status
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), edit_data(campaign, name="改"))
    assert response.status_code == status
    campaign.refresh_from_db()
    assert campaign.name != "改"


def test_office_staff_of_a_town_cannot_manage_the_city_campaign(client, cast, campaign):
    from portal.models import Role

    from ..factories import UserFactory, grant

    town_office = grant(UserFactory(username="town_office"), Role.OFFICE, cast.town_a)
    client.force_login(town_office)
    assert client.get(campaign.get_absolute_url()).status_code == 200
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    response = client.post(reverse("campaigns:create"), campaign_data("CITY"))
    assert "area" in response.context["form"].errors


def test_moving_the_area_away_from_filed_plans_is_refused(client, cast, campaign):
    ImplementationPlan.objects.create(campaign=campaign, organization=cast.branch_b, text="方案")
    client.force_login(cast.office)
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), edit_data(campaign, area="TOWN-A"))
    assert response.context["form"].errors["area"] == [
        "1 organizations outside this area have implementation plans in the campaign already; "
        "choose an area that contains them."
    ]
    campaign.refresh_from_db()
    assert campaign.area == cast.city


# --- criteria -------------------------------------------------------------------------------------


def criteria_data(criteria_set, **overrides):
    criteria = list(criteria_set.criteria.order_by("order"))
    data = {
        "name": criteria_set.name,
        "version": criteria_set.version,
        **management("criteria", len(criteria), len(criteria)),
    }
    for i, c in enumerate(criteria):
        data.update({f"criteria-{i}-id": c.pk, f"criteria-{i}-order": c.order, f"criteria-{i}-title": c.title})
        data.update({f"criteria-{i}-description": c.description, f"criteria-{i}-weight": str(c.weight)})
    data.update(overrides)
    return data


def test_office_edits_criteria_and_is_warned_about_the_total_weight(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="organization", sector="agency")
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_edit", args=[criteria_set.pk])
    assert client.get(url).status_code == 200
    data = criteria_data(criteria_set, **{"criteria-0-weight": "30", "criteria-4-DELETE": "on"})
    data.update(management("criteria", 6, 5))
    data.update({"criteria-5-order": "6", "criteria-5-title": "注重作风建设", "criteria-5-weight": "15"})
    response = client.post(url, data, follow=True)
    assert [c.title for c in criteria_set.criteria.order_by("order")] == [
        "注重领导班子建设",
        "注重党员队伍建设",
        "注重工作机制建设",
        "注重建功立业",
        "注重作风建设",
    ]
    criteria_set.refresh_from_db()
    assert criteria_set.total_weight == 105
    assert criteria_set.version == 2
    shown = [str(m) for m in response.context["messages"]]
    assert "The weights of “五个注重” add up to 105, not 100: adjust them so that they do." in shown


def test_criteria_at_100_give_no_warning(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="member", sector="")
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_edit", args=[criteria_set.pk])
    data = criteria_data(criteria_set, **{"criteria-0-weight": "30", "criteria-1-weight": "10"})
    response = client.post(url, data, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_a_criterion_used_by_a_commitment_item_is_not_removed(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="organization", sector="")
    used = criteria_set.criteria.get(order=1)
    commitment = Commitment.objects.create(
        campaign=campaign, kind="organization", organization=cast.branch_a, title="甲村承诺"
    )
    Item.objects.create(commitment=commitment, content="建设活动室", target="一个", deadline=END, criterion=used)
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_edit", args=[criteria_set.pk])
    response = client.post(url, criteria_data(criteria_set, **{"criteria-0-DELETE": "on", "name": "五好"}))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "“领导班子好” is used by commitments or scores already and cannot be removed; edit its text instead."
    ]
    criteria_set.refresh_from_db()
    assert criteria_set.name == "五个好"
    assert criteria_set.criteria.count() == 5


def test_a_set_keeps_at_least_one_criterion(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="member", sector="agency")
    client.force_login(cast.office)
    data = criteria_data(criteria_set, **{f"criteria-{i}-DELETE": "on" for i in range(5)})
    response = client.post(reverse("campaigns:criteria_edit", args=[criteria_set.pk]), data)
    assert response.context["formset"].non_form_errors() == [
        "Keep at least one criterion: a set without criteria cannot be scored."
    ]
    assert criteria_set.criteria.count() == 5


def test_a_new_sector_set_starts_from_the_general_set(client, cast, campaign):
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_create", args=[campaign.pk])
    response = client.post(url, {"target": "organization", "sector": "rural", "name": "五个好（农村）"})
    created = campaign.criteria_sets.get(target="organization", sector="rural")
    assert response["Location"] == reverse("campaigns:criteria_edit", args=[created.pk])
    assert [c.title for c in created.criteria.order_by("order")][3] == "工作业绩好"
    assert campaign.criteria_for("organization", "rural") == created
    again = client.post(url, {"target": "organization", "sector": "rural", "name": "重复"})
    assert again.context["form"].non_field_errors() == [
        "The campaign has a set for organizations in this sector already: edit that one instead."
    ]


def test_removing_a_set_asks_first_and_falls_back_to_the_general_set(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="member", sector="agency")
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_delete", args=[criteria_set.pk])
    assert "Remove the set" in client.get(url).content.decode()
    assert CriteriaSet.objects.filter(pk=criteria_set.pk).exists()
    client.post(url)
    assert not CriteriaSet.objects.filter(pk=criteria_set.pk).exists()
    assert campaign.criteria_for("member", "agency").name == "五带头"


@pytest.mark.parametrize("role", ["committee_a", "secretary_a"])
def test_criteria_are_edited_by_office_staff_only(client, cast, campaign, role):
    criteria_set = campaign.criteria_sets.get(target="member", sector="")
    client.force_login(getattr(cast, role))
    assert client.get(reverse("campaigns:criteria_edit", args=[criteria_set.pk])).status_code == 403
    assert client.post(reverse("campaigns:criteria_delete", args=[criteria_set.pk])).status_code == 403
    assert client.get(reverse("campaigns:criteria_create", args=[campaign.pk])).status_code == 403
    assert CriteriaSet.objects.filter(pk=criteria_set.pk).exists()


# --- carriers -------------------------------------------------------------------------------------


def carrier_data(campaign, **overrides):
    carriers = list(campaign.carriers.all())
    data = {"version": campaign.version, **management("carriers", len(carriers), len(carriers))}
    for i, c in enumerate(carriers):
        data.update({f"carriers-{i}-id": c.pk, f"carriers-{i}-sector": c.sector, f"carriers-{i}-name": c.name})
        data[f"carriers-{i}-description"] = c.description
    data.update(overrides)
    return data


def index_of(campaign, name, sector):
    return [(c.name, c.sector) for c in campaign.carriers.all()].index((name, sector))


def test_office_adds_renames_and_removes_carriers(client, cast, campaign):
    count = campaign.carriers.count()
    client.force_login(cast.office)
    url = reverse("campaigns:carriers", args=[campaign.pk])
    assert client.get(url).status_code == 200
    data = carrier_data(campaign)
    data.update(management("carriers", count + 1, count))
    data.update({f"carriers-{count}-sector": "rural", f"carriers-{count}-name": "党员设岗定责"})
    data[f"carriers-{index_of(campaign, '红领成长计划', 'non_public')}-DELETE"] = "on"
    data[f"carriers-{index_of(campaign, '三级联创', 'rural')}-name"] = "农村三级联创"
    response = client.post(url, data)
    assert response.status_code == 302
    names = set(campaign.carriers.values_list("name", flat=True))
    assert {"党员设岗定责", "农村三级联创"} <= names
    assert not {"红领成长计划", "三级联创"} & names
    campaign.refresh_from_db()
    assert campaign.version == 2


def test_an_adopted_carrier_is_not_removed(client, cast, campaign):
    carrier = campaign.carriers.get(name="结对共建")
    plan = ImplementationPlan.objects.create(campaign=campaign, organization=cast.branch_a, text="方案")
    plan.carriers.add(carrier)
    client.force_login(cast.office)
    data = carrier_data(campaign, **{f"carriers-{index_of(campaign, '结对共建', '')}-DELETE": "on"})
    response = client.post(reverse("campaigns:carriers", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "“结对共建” has been adopted by plans or commitments already and cannot be removed."
    ]
    assert ActivityCarrier.objects.filter(pk=carrier.pk).exists()


def test_carriers_of_a_stale_page_are_refused(client, cast, campaign):
    client.force_login(cast.office)
    url = reverse("campaigns:carriers", args=[campaign.pk])
    stale = carrier_data(campaign, **{"carriers-0-name": "迟到的修改"})
    assert client.post(url, carrier_data(campaign, **{"carriers-0-name": "先到的修改"})).status_code == 302
    response = client.post(url, stale)
    assert "Someone else changed this record" in " ".join(response.context["form"].non_field_errors())
    assert campaign.carriers.filter(name="先到的修改").exists()
    assert not campaign.carriers.filter(name="迟到的修改").exists()


def test_a_stale_criteria_page_is_refused_with_a_clear_message(client, cast, campaign):
    criteria_set = campaign.criteria_sets.get(target="member", sector="")
    client.force_login(cast.office)
    url = reverse("campaigns:criteria_edit", args=[criteria_set.pk])
    stale = criteria_data(criteria_set, **{"criteria-4-title": "带头弘扬新风"})
    assert client.post(url, criteria_data(criteria_set, **{"criteria-4-DELETE": "on"})).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else changed this record" in " ".join(response.context["form"].non_field_errors())
    assert not criteria_set.criteria.filter(title="带头弘扬新风").exists()
    assert criteria_set.criteria.count() == 4
