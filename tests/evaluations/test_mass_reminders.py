"""The mass evaluation's deadline sources: rounds whose organizations have no ballot yet, rectifications due."""

from django.urls import reverse

from evaluations import mass_services as services
from evaluations.mass_models import Round
from portal import reminders
from portal.models import Role

from ..factories import UserFactory, grant
from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import cast_directly, days

ROUND = reminders.REGISTRY["evaluations.round"]
RECTIFICATION = reminders.REGISTRY["evaluations.rectification"]


def window(day_offset):
    return reminders.Window.for_day(days(day_offset))


def test_the_sources_are_registered():
    assert {"evaluations.round", "evaluations.rectification"} <= set(reminders.sources())


def test_organizations_without_any_ballot_are_reminded_before_the_round_closes(cast, participant_a, participant_a2):
    cast_directly(participant_a, [0])
    deadlines = list(ROUND(window(20 - 7)))  # the round closes in 20 days: 7 days before
    assert [d.organization for d in deadlines] == [cast.branch_a2]
    deadline = deadlines[0]
    assert deadline.key == f"evaluations.round:{participant_a2.round_id}:{cast.branch_a2.pk}"
    assert deadline.due_on == days(20)
    assert deadline.url == reverse("evaluations:mass_participant", args=[participant_a2.pk])
    assert deadline.escalate_to == cast.town_a
    assert list(ROUND(window(3))) == []  # not a reminder day
    Round.objects.filter(pk=participant_a.round_id).update(state=Round.State.CLOSED)
    assert list(ROUND(window(20 - 7))) == []


def test_open_rectifications_are_reminded_until_completion_is_reported(cast, participant_a):
    item = services.open_rectification(cast.committee_a, participant_a, "路灯不亮", "徐丽萍", days(30))
    deadlines = list(RECTIFICATION(window(29)))  # due tomorrow
    assert len(deadlines) == 1
    assert deadlines[0].recipients == [cast.secretary_a]
    assert deadlines[0].organization == cast.branch_a and deadlines[0].url == item.get_absolute_url()
    assert [d.key for d in RECTIFICATION(window(31))] == [f"evaluations.rectification:{item.pk}:{cast.branch_a.pk}"]
    services.save_progress(cast.secretary_a, item, item.version, "措施", "报告", submit=True)
    assert list(RECTIFICATION(window(29))) == []


def test_the_people_reminded_are_those_who_act_for_the_organization(cast, participant_a2):
    deputy = grant(UserFactory(username="deputy_a2"), Role.SECRETARY, cast.branch_a2)
    deadlines = list(ROUND(window(19)))
    assert [d.recipients for d in deadlines if d.organization == cast.branch_a2] == [[deputy]]
