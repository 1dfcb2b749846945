"""Data for the public-board tests: a campaign, commitments in every state, progress, evidence, comments.

Commitments reach their state through the model's own flow (submit, accept, return, publish), so the
board is tested against what the flow really produces.
"""

import datetime
import time

import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Campaign, Meeting
from commitments.forms_board import PublicCommentForm
from commitments.models import Comment, Commitment, Evidence, Item, ProgressUpdate

# A 1×1 PNG: enough for an evidence photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
STATES = ("draft", "submitted", "returned", "accepted", "published")
HIDDEN_STATES = ("draft", "submitted", "returned", "accepted")


def make_campaign(area):
    return Campaign.objects.create(
        name="2010–2012年创先争优活动",
        area=area,
        starts_on=datetime.date(2010, 6, 1),
        ends_on=datetime.date(2012, 11, 30),
    )


def make_commitment(campaign, org, state, actor, *, member=None, title=None, items=2, audience="superior"):
    """A commitment of ``org`` (or of ``member``) with ``items`` items, brought to ``state`` by the flow."""
    kind = Commitment.Kind.MEMBER if member else Commitment.Kind.ORGANIZATION
    commitment = Commitment.objects.create(
        campaign=campaign,
        kind=kind,
        audience=audience,
        organization=member.organization if member else org,
        member=member,
        title=title or f"{member.name if member else org.name}{state}承诺",
    )
    for n in range(items):
        Item.objects.create(
            commitment=commitment,
            order=n + 1,
            content=f"{commitment.title}事项{n + 1}",
            target=f"目标{n + 1}",
            deadline=datetime.date(2011, 6, 30),
        )
    if state == "draft":
        return commitment
    meeting = None
    if kind == Commitment.Kind.ORGANIZATION:
        meeting = Meeting.objects.create(
            campaign=campaign,
            organization=org,
            held_on=datetime.date(2010, 7, 1),
            attendance=20,
            members_total=25,
            topic="讨论公开承诺",
        )
    commitment.submit(actor, meeting)
    if state == "returned":
        commitment.return_for_changes(actor, "目标不够具体")
    elif state in ("accepted", "published"):
        commitment.accept(actor)
        if state == "published":
            commitment.publish(actor)
    assert commitment.state == state
    return commitment


def add_update(commitment, actor, *, text=None, progress=40, photo=True):
    """A progress update with a photo on the first item. Bypasses the model's published-only guard on
    purpose: the board must not rely on that guard to keep unpublished work hidden."""
    item = commitment.items.first()
    update = ProgressUpdate.objects.create(
        item=item, text=text or f"{commitment.title}进展", progress=progress, created_by=actor
    )
    Item.objects.filter(pk=item.pk).update(progress=progress)
    evidence = None
    if photo:
        evidence = Evidence.objects.create(
            update=update,
            file=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
            name="现场照片.png",
            content_type="image/png",
            size=len(PNG),
            is_image=True,
        )
    return update, evidence


def add_comment(
    commitment, *, status=Comment.Status.PENDING, body=None, name="张小明", contact="13900001111", reply=""
):
    return Comment.objects.create(
        commitment=commitment,
        body=body or f"对{commitment.title}的意见",
        name=name,
        contact=contact,
        status=status,
        reply=reply,
    )


def form_token(seconds_ago=10):
    """The comment form's signed timestamp, as if the form had been shown ``seconds_ago``."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        return PublicCommentForm.new_token()


def comment_data(**overrides):
    data = {"kind": "comment", "body": "希望尽快完成道路硬化。", "name": "王小二", "contact": "", "website": ""}
    data["started"] = form_token()
    data.update(overrides)
    return data


def board_world(world):
    """The public board's objects of the scope matrix (tests/portal/test_scope_matrix.py), on its ``world``:

    ``public_commitment_a`` and ``hidden_commitment_a``, a published and a draft commitment of branch_a,
    with their photos ``public_photo_a`` and ``hidden_photo_a``; ``comment_a``, ``comment_a2``,
    ``comment_b`` and ``comment_other``, a pending comment on a published commitment of branch_a,
    branch_a2, branch_b and other_branch. The board's objects carry ``board_code`` for their URL.
    The rate limits start afresh.
    """
    cache.clear()
    campaign = make_campaign(world.city)

    def commitment(org, state, audience=Commitment.Audience.SUPERIOR):
        made = Commitment.objects.create(
            campaign=campaign,
            kind=Commitment.Kind.ORGANIZATION,
            audience=audience,
            organization=org,
            title=f"{org.name}的承诺",
            state=state,
        )
        Item.objects.create(
            commitment=made, content=f"{org.name}的事项", target="目标", deadline=datetime.date(2011, 6, 30)
        )
        return made

    world.public_commitment_a = commitment(world.branch_a, Commitment.State.PUBLISHED)
    world.hidden_commitment_a = commitment(world.branch_a, Commitment.State.DRAFT, Commitment.Audience.PUBLIC)
    _update, world.public_photo_a = add_update(world.public_commitment_a, world.secretary_a)
    _update, world.hidden_photo_a = add_update(world.hidden_commitment_a, world.secretary_a)
    for public_object in (
        world.public_commitment_a,
        world.hidden_commitment_a,
        world.public_photo_a,
        world.hidden_photo_a,
    ):
        public_object.board_code = world.board_a.code
    world.comment_a = add_comment(world.public_commitment_a)
    for name, org in (
        ("comment_a2", world.branch_a2),
        ("comment_b", world.branch_b),
        ("comment_other", world.other_branch),
    ):
        setattr(world, name, add_comment(commitment(org, Commitment.State.PUBLISHED)))
    return world
