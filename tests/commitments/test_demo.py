"""The demo campaign of ``seed_demo`` (commitments/demo.py): every state of the flow, with the history
the model methods write, visible on the public boards as the rules say, deterministic and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign, ImplementationPlan, Meeting, Milestone
from campaigns.services import DEMO_STEPS
from commitments.demo import DEMO_BRANCH, NEIGHBOUR, TOWN, build_demo_campaign
from commitments.demo_texts import RETURN_REASONS
from commitments.models import Board, Comment, Commitment, Event, Evidence, Item, ProgressUpdate
from portal.demo import minimums
from portal.models import Organization
from portal.scope import Scope

from ..portal.test_seed_demo import wipe, wipe_campaigns

State = Commitment.State
User = get_user_model()
SMALL = {"orgs": 60, "members": 600}  # the size of the browser tests' demo
DEMO_ACCOUNTS = {"admin", "office", "committee", "secretary", "member"}
# Each transition the model allows: from → to (a step within a state is a meeting, progress or assessment).
TRANSITIONS = {
    (State.DRAFT, State.SUBMITTED),
    (State.RETURNED, State.SUBMITTED),
    (State.SUBMITTED, State.RETURNED),
    (State.SUBMITTED, State.ACCEPTED),
    (State.ACCEPTED, State.PUBLISHED),
}


def seed(**options):
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def demo(db):
    seed()
    return Campaign.objects.get()


def org(code):
    return Organization.objects.get(code=code)


def user(username):
    return User.objects.get(username=username)


def counts():
    models = (Campaign, Commitment, Item, Event, ProgressUpdate, Evidence, Comment, Board, ImplementationPlan, Meeting)
    return {model.__name__: model.objects.count() for model in models}


def test_the_campaign_has_its_schedule_and_commitments_in_every_state(demo):
    assert demo.name == "2010–2012年创先争优活动"
    assert demo.area.code == "WJ"
    assert demo.phases.count() == 3
    assert demo.milestones.count() == len(DEMO_STEPS)
    assert demo.milestones.filter(kind=Milestone.Kind.FULFILMENT).get().is_open()
    assert Campaign.objects.running().filter(pk=demo.pk).exists()
    for kind in Commitment.Kind.values:
        states = set(demo.commitments.filter(kind=kind).values_list("state", flat=True))
        assert states == set(State.values), kind
    assert set(demo.commitments.values_list("audience", flat=True)) == set(Commitment.Audience.values)
    assessed = Item.objects.filter(commitment__campaign=demo).exclude(fulfilment="")
    assert set(assessed.values_list("fulfilment", flat=True)) == set(Item.Fulfilment.values)
    assert not assessed.exclude(commitment__state=State.PUBLISHED).exists()
    assert not assessed.filter(Q(assessed_by=None) | Q(assessed_at=None) | Q(fulfilment_comment="")).exists()
    # Items: 3-5 per organization, 2-3 per member, each on a criterion of the campaign, Chinese text.
    sizes = demo.commitments.annotate(n=Count("items")).values_list("kind", "n")
    assert {n for kind, n in sizes if kind == "organization"} == {3, 4, 5}
    assert {n for kind, n in sizes if kind == "member"} == {2, 3}
    items = Item.objects.filter(commitment__campaign=demo)
    assert not items.filter(criterion=None).exists()
    assert not items.exclude(criterion__criteria_set__campaign=demo).exists()
    assert items.exclude(carrier=None).exists()
    assert all("\u4e00" <= text[0] <= "\u9fff" for text in items.values_list("content", flat=True))
    assert all(demo.starts_on <= day <= demo.ends_on for day in items.values_list("deadline", flat=True))
    assert set(items.values_list("weight", flat=True)) > {1}


def test_the_criteria_follow_the_sector(demo):
    """Agencies commit on 五个注重 / 五个表率, non-public firms on 五个好 / 五个先锋, the others on 五个好 / 五带头."""
    items = Item.objects.filter(commitment__campaign=demo).values_list(
        "commitment__kind", "commitment__organization__sector", "criterion__criteria_set__name"
    )
    expected = {
        ("organization", "agency"): "五个注重",
        ("member", "agency"): "五个表率",
        ("organization", "non_public"): "五个好",
        ("member", "non_public"): "五个先锋",
        ("organization", "community"): "五个好",
        ("member", "community"): "五带头",
    }
    seen = {(kind, sector): name for kind, sector, name in items}
    for key, name in expected.items():
        assert seen.get(key, name) == name, key
    assert ("member", "community") in seen and ("organization", "agency") in seen


def test_the_history_is_what_the_flow_writes(demo):
    """Every commitment's events replay from a draft to its state, in order, by the demo accounts."""
    events = {}
    for event in Event.objects.filter(commitment__campaign=demo).select_related("actor").order_by("at", "pk"):
        events.setdefault(event.commitment_id, []).append(event)
    commitments = demo.commitments.select_related("meeting")
    assert len(events) == commitments.count()
    for c in commitments:
        history = events[c.pk]
        assert (history[0].from_state, history[0].to_state) == (State.DRAFT, State.DRAFT)
        state = State.DRAFT
        for event in history[1:]:
            assert event.from_state == state, c
            if event.to_state != state:
                assert (event.from_state, event.to_state) in TRANSITIONS, c
                state = event.to_state
        assert state == c.state, c
        assert {e.actor.username for e in history} <= DEMO_ACCOUNTS
        assert [e.at for e in history] == sorted(e.at for e in history)
        assert c.created_at == history[0].at and c.updated_at == history[-1].at
        times = [c.created_at, c.submitted_at, c.accepted_at, c.published_at]
        filled = [t for t in times if t]
        assert filled == sorted(filled), c
        assert bool(c.submitted_at) == (c.state != State.DRAFT)
        assert bool(c.accepted_at) == (c.state in (State.ACCEPTED, State.PUBLISHED))
        assert bool(c.published_at) == (c.state == State.PUBLISHED)
        assert bool(c.return_reason) == (c.state == State.RETURNED)
        # The general meeting of members is there wherever the flow needs it.
        if c.kind == "organization" and c.state != State.DRAFT:
            assert c.meeting.organization_id == c.organization_id
            assert c.meeting.kind == Meeting.Kind.GENERAL_ASSEMBLY
            assert 0 < c.meeting.attendance <= c.meeting.members_total
            assert c.meeting.held_on <= timezone.localdate(c.submitted_at)
        if c.kind == "member":
            assert c.acceptor_id == c.organization_id == c.member.organization_id
        else:
            assert c.acceptor_id == c.organization.parent_id


def test_progress_matches_its_updates(demo):
    items = Item.objects.filter(commitment__campaign=demo).select_related("commitment").prefetch_related("updates")
    for item in items:
        updates = sorted(item.updates.all(), key=lambda u: (u.created_at, u.pk))
        if item.commitment.state != State.PUBLISHED:
            assert not updates and item.progress == 0
        else:
            assert item.progress == (updates[-1].progress if updates else 0)
            assert [u.progress for u in updates] == sorted(u.progress for u in updates)
            assert all(u.created_at >= item.commitment.published_at for u in updates)
    photo = Evidence.objects.select_related("update__item__commitment").filter(is_image=True).first()
    assert photo.update.item.commitment.organization.code == NEIGHBOUR
    assert photo.thumbnail and photo.file.size == photo.size


def test_the_demo_accounts_find_their_work(demo):
    branch, town = org(DEMO_BRANCH), org(TOWN)
    secretary, committee = Scope(user("secretary")), Scope(user("committee"))

    # The secretary's branch has no commitment of its own yet: filing it is the demo's first task.
    assert not demo.commitments.filter(kind="organization", organization=branch).exists()
    Commitment.start(user("secretary"), demo, branch, Commitment.Audience.SUPERIOR, "流虹社区党支部公开承诺")
    # Its members' commitments are in every state, the member filed his own, and eight have none yet.
    members = demo.commitments.filter(kind="member", organization=branch)
    assert set(members.values_list("state", flat=True)) == set(State.values)
    own = members.get(member__user__username="member")
    assert own.created_by.username == "member" and own.state == State.PUBLISHED
    committed = members.values("member")
    assert branch.members.filter(active=True).exclude(pk__in=committed).count() == 8
    waiting = secretary.filter(Commitment.objects.filter(state=State.SUBMITTED), "commitment.accept")
    assert waiting.count() == members.filter(state=State.SUBMITTED).count() == 2

    # The committee officer's queue holds submitted commitments of the town's organizations.
    queue = committee.filter(Commitment.objects.filter(state=State.SUBMITTED), "commitment.accept")
    assert queue.filter(kind="organization", acceptor=town).exists()
    assert not queue.exclude(acceptor__path__startswith=town.path).exists()
    queued = queue.filter(kind="organization").first()
    queued.accept(user("committee"))
    returned = demo.commitments.filter(state=State.RETURNED, kind="organization")
    returned = committee.filter(returned, "commitment.view").get()
    assert returned.return_reason in RETURN_REASONS and returned.acceptor == town

    # Comments wait for each: approved ones carry replies, pending ones are in the moderation queues.
    for scope in (secretary, committee):
        assert scope.filter(Comment.objects.pending(), "comment.moderate").exists()
    assert Comment.objects.filter(status=Comment.Status.REJECTED).exists()
    approved = Comment.objects.filter(status=Comment.Status.APPROVED)
    assert approved.exclude(reply="").exists()
    assert not approved.filter(moderated_by=None).exists()

    # Implementation plans: filed ones and drafts, the secretary's branch and the town among them.
    plans = ImplementationPlan.objects.filter(campaign=demo)
    assert plans.filter(organization=branch, filed_by__username="secretary").exclude(filed_at=None).exists()
    assert plans.filter(organization=town).exclude(filed_at=None).exists()
    assert plans.filter(filed_at=None).exists()
    assert not plans.filter(carriers=None).exclude(filed_at=None).exists()


def test_published_commitments_are_on_the_boards_and_nothing_else(demo, client):
    branch, neighbour = org(DEMO_BRANCH), org(NEIGHBOUR)
    assert set(Board.objects.values_list("organization", flat=True)) == set(
        demo.commitments.published().values_list("organization", flat=True)
    )
    for organization in (branch, neighbour):
        page = client.get(organization.board.get_absolute_url())
        assert page.status_code == 200
        text = page.content.decode()
        shown = demo.commitments.filter(organization=organization)
        for c in shown.published():
            assert c.title in text
        for c in shown.exclude(state=State.PUBLISHED):
            assert c.title not in text
    text = client.get(neighbour.board.get_absolute_url()).content.decode()
    comments = Comment.objects.filter(commitment__organization=neighbour)
    for comment in comments.filter(status=Comment.Status.APPROVED):
        assert comment.body in text and comment.reply in text
    for comment in comments.exclude(status=Comment.Status.APPROVED):
        assert comment.body not in text
    assert not any(contact in text for contact in comments.exclude(contact="").values_list("contact", flat=True))
    # A photo of the progress is served to the public from the board.
    photo = Evidence.objects.filter(is_image=True, update__item__commitment__organization=neighbour).first()
    response = client.get(f"/b/{neighbour.board.code}/e/{photo.pk}/?thumb=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # read to the end: the client closes it


def test_a_second_run_adds_nothing(demo):
    before = counts()
    seed()  # the city is there: nothing is built
    assert build_demo_campaign() is None
    assert counts() == before


def snapshot():
    """What the demo campaign holds, without ids and the times (they are counted back from now)."""
    return {
        "commitments": list(
            Commitment.objects.order_by("organization__code", "member__name", "audience").values_list(
                "organization__code", "member__name", "audience", "title", "state", "return_reason", "acceptor__code"
            )
        ),
        "items": list(
            Item.objects.order_by(  # a total order: ties would come back in any order on PostgreSQL
                "commitment__organization__code", "commitment__member__name", "commitment__audience", "order", "content"
            ).values_list("content", "target", "criterion__title", "carrier__name", "weight", "progress", "fulfilment")
        ),
        "events": Event.objects.count(),
        "updates": sorted(ProgressUpdate.objects.values_list("text", "progress")),
        "comments": sorted(Comment.objects.values_list("reference", "body", "status", "reply")),
        "boards": sorted(Board.objects.values_list("organization__code", "code")),
        "plans": sorted(ImplementationPlan.objects.values_list("organization__code", "text")),
    }


def test_is_deterministic(db):
    seed()
    first = snapshot()
    wipe()
    seed()
    assert snapshot() == first


def committed_organizations():
    return set(Commitment.objects.values_list("organization", flat=True))


def rebuild(limit):
    wipe_campaigns()
    Board.objects.all().delete()
    return build_demo_campaign(limit=limit)


def test_scales_with_the_city_or_the_commitments_option(db):
    seed(orgs=120, members=1200)
    everyone = committed_organizations()
    assert len(everyone) > 0.8 * Organization.objects.count()
    campaign = rebuild(limit=0)  # the showcase only
    assert set(campaign.commitments.values_list("state", flat=True)) == set(State.values)
    showcase = committed_organizations()
    assert len(showcase) < 30
    rebuild(limit=10)  # the showcase and ten more organizations, nine in ten of them with a commitment
    assert 5 <= len(committed_organizations() - showcase) <= 10


def test_the_smallest_city_has_every_state(db):
    min_orgs, min_members = minimums()
    seed(orgs=min_orgs, members=min_members)
    assert set(Commitment.objects.values_list("state", flat=True)) == set(State.values)


def test_a_negative_number_of_commitments_is_refused(db):
    with pytest.raises(CommandError, match="--commitments"):
        seed(commitments=-1)
    assert not Organization.objects.exists()
