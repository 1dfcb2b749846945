"""Creating campaigns: the seeds' defaults, the schedule rules, the demo campaign."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import defaults
from campaigns.models import ActivityCarrier, Campaign, CriteriaSet, Milestone
from campaigns.services import create_campaign, create_demo_campaign
from portal.models import AuditEntry

from .conftest import END, START


def titles(criteria_set):
    return [c.title for c in criteria_set.criteria.order_by("order")]


def test_a_new_campaign_gets_the_seeds_criteria_sets(campaign):
    sets = {(s.target, s.sector): s for s in campaign.criteria_sets.all()}
    assert {key: s.name for key, s in sets.items()} == {
        ("organization", ""): "五个好",
        ("organization", "non_public"): "五个好",
        ("organization", "social"): "五个好",
        ("organization", "agency"): "五个注重",
        ("member", ""): "五带头",
        ("member", "non_public"): "五个先锋",
        ("member", "social"): "五个先锋",
        ("member", "agency"): "五个表率",
    }
    assert titles(sets["organization", ""]) == ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
    assert titles(sets["organization", "non_public"])[3] == "发展业绩好"  # seed 000's wording
    assert titles(sets["organization", "agency"]) == [
        "注重领导班子建设",
        "注重党员队伍建设",
        "注重工作机制建设",
        "注重建功立业",
        "注重服务群众",
    ]
    assert titles(sets["member", ""]) == [
        "带头学习提高",
        "带头争创佳绩",
        "带头服务群众",
        "带头遵纪守法",
        "带头弘扬正气",
    ]
    assert titles(sets["member", "non_public"]) == [
        "做创业发展的先锋",
        "做爱岗敬业的先锋",
        "做诚信服务的先锋",
        "做促进和谐的先锋",
        "做奉献爱心的先锋",
    ]
    assert titles(sets["member", "agency"]) == [
        "作建功立业的表率",
        "作爱岗敬业的表率",
        "作服务群众的表率",
        "作永葆先进的表率",
        "作廉洁自律的表率",
    ]
    for criteria_set in sets.values():
        assert criteria_set.total_weight == 100
        assert all(c.weight == 20 and c.description for c in criteria_set.criteria.all())
    assert (
        sets["organization", ""]
        .criteria.get(title="领导班子好")
        .description.startswith("领导班子深入学习实践科学发展观")
    )


def test_a_new_campaign_gets_the_seeds_carriers(campaign):
    carriers = {(c.sector, c.name) for c in campaign.carriers.all()}
    for expected in [
        ("non_public", "五个一"),
        ("social", "五个一"),
        ("agency", "三走进三服务"),
        ("agency", "党员先锋岗"),
        ("agency", "党员责任区"),
        ("state_enterprise", "党员先锋岗"),
        ("state_enterprise", "党员责任区"),
        ("non_public", "红领成长计划"),
        ("rural", "四议两公开工作法"),
        ("", "结对共建"),
    ]:
        assert expected in carriers
    assert len(carriers) == len(defaults.CARRIERS)
    five_ones = campaign.carriers.get(sector="non_public", name="五个一")
    assert "结对帮扶一名困难员工" in five_ones.description


def test_two_campaigns_have_their_own_defaults(cast, campaign, town_campaign):
    assert CriteriaSet.objects.filter(campaign=town_campaign).count() == len(defaults.CRITERIA_SETS)
    assert ActivityCarrier.objects.filter(campaign=campaign).count() == len(defaults.CARRIERS)


def test_creation_is_audited(cast, campaign):
    entry = AuditEntry.objects.get(object_type="campaigns.Campaign", object_id=str(campaign.pk))
    assert entry.verb == AuditEntry.Verb.CREATE
    assert entry.actor == cast.office
    assert entry.organization == cast.city
    assert entry.changes["name"] == ["", campaign.name]
    assert "第一时段" in entry.changes["phases"][1]


@pytest.mark.parametrize(
    ("target", "sector", "expected"),
    [
        ("organization", "agency", "五个注重"),
        ("organization", "rural", "五个好"),
        ("organization", "non_public", "五个好"),
        ("member", "agency", "五个表率"),
        ("member", "non_public", "五个先锋"),
        ("member", "social", "五个先锋"),
        ("member", "community", "五带头"),
        ("member", "university", "五带头"),
    ],
)
def test_criteria_for_picks_the_sector_variant_or_the_general_set(campaign, target, sector, expected):
    chosen = campaign.criteria_for(target, sector)
    assert chosen.name == expected
    assert chosen.sector in (sector, "")
    if expected in ("五个好", "五带头") and sector not in ("non_public", "social"):
        assert chosen.sector == ""


def test_criteria_for_without_a_general_set_answers_none_for_other_sectors(campaign):
    campaign.criteria_sets.filter(target="member", sector="").delete()
    assert campaign.criteria_for("member", "rural") is None
    assert campaign.criteria_for("member", "agency").name == "五个表率"


@pytest.mark.parametrize(
    ("phases", "steps", "message"),
    [
        ([("一", START - datetime.timedelta(days=1), END)], [], "starts before the campaign"),
        ([("一", START, END + datetime.timedelta(days=1))], [], "ends after the campaign"),
        ([("一", START, datetime.date(2026, 7, 1)), ("二", datetime.date(2026, 7, 1), END)], [], "overlaps"),
        ([], [(START - datetime.timedelta(days=1), END)], "opens before the campaign starts"),
        ([], [(START, END + datetime.timedelta(days=1))], "is due after the campaign ends"),
    ],
)
def test_create_campaign_refuses_a_schedule_outside_the_campaign(cast, phases, steps, message):
    with pytest.raises(ValidationError) as refused:
        create_campaign(
            cast.office,
            name="试点",
            area=cast.city,
            starts_on=START,
            ends_on=END,
            phases=[{"name": n, "theme": "", "starts_on": s, "ends_on": e} for n, s, e in phases],
            milestones=[{"kind": "review", "title": "讲评", "opens_on": s, "due_on": e} for s, e in steps],
        )
    assert message in " ".join(refused.value.messages)
    assert not Campaign.objects.exists()
    assert not CriteriaSet.objects.exists()


def test_create_campaign_refuses_an_end_before_the_start(cast):
    with pytest.raises(ValidationError) as refused:
        create_campaign(cast.office, name="试点", area=cast.city, starts_on=END, ends_on=START)
    assert refused.value.message_dict["ends_on"] == ["The end date must be after the start date."]
    assert not Campaign.objects.exists()


def test_the_demo_campaign_keeps_its_history_and_has_open_steps(cast):
    campaign = create_demo_campaign(cast.city)
    assert campaign.name == "2010–2012年创先争优活动"
    assert campaign.starts_on == datetime.date(2010, 6, 1)
    phases = list(campaign.phases.order_by("order").values_list("order", "theme", "starts_on", "ends_on"))
    assert phases == [
        (1, "迎接建党90周年", datetime.date(2010, 6, 1), datetime.date(2010, 12, 31)),
        (2, "迎接建党90周年", datetime.date(2011, 1, 1), datetime.date(2011, 6, 30)),
        (3, "迎接党的十八大胜利召开", datetime.date(2011, 7, 1), datetime.date(2012, 11, 7)),
    ]
    today = timezone.localdate()
    open_kinds = {m.kind for m in campaign.milestones.all() if m.is_open(today)}
    assert open_kinds == set(Milestone.Kind.values)
    assert campaign.milestones.filter(kind="review").count() == 3  # last year's (closed), this half-year's, the next
    assert campaign in Campaign.objects.running()
    assert campaign.criteria_sets.count() == len(defaults.CRITERIA_SETS)


def test_the_demo_campaign_is_created_once(cast):
    first = create_demo_campaign(cast.city)
    again = create_demo_campaign(cast.city, actor=cast.office)
    assert again.pk == first.pk
    assert Campaign.objects.count() == 1
    assert CriteriaSet.objects.count() == len(defaults.CRITERIA_SETS)
