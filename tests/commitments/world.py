"""Commitment objects for the scope matrix (tests/portal/test_scope_matrix.py), made when a case asks
for them (``COMMITMENT_OBJECTS``, joined into the matrix's ``OBJECTS``).

For each place, a commitment in the state its URLs act on: branch_a's own (``<state>_a``), member_a's
(``member_<state>_a``: the member has a login), branch_b's (``<state>_b``) and other_branch's
(``<state>_other``), each in a campaign of its own over the city or the other tree:

    draft_*        a draft with one item (and for an organization the general meeting): ready to submit
    submitted_*    waiting to be accepted or returned
    accepted_*     waiting to be published
    item_*         the item of a published commitment, with a progress update and a PDF (evidence_*);
                   the fulfilment step is open, so an allowed assessment goes through

``start_<org>`` and ``start_<member>`` are the organization or member, with a campaign over its tree
in which it has no commitment yet (``start_commitment`` is the POST that starts one).
Written through the model's own flow; the matrix tests access, not content.
"""

import datetime

from django.core.files.base import ContentFile

from campaigns.models import Campaign, Meeting, Milestone
from commitments.models import Commitment, Evidence, Item

PDF = b"%PDF-1.4\n%%EOF\n"
STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "accepted": ["submit", "accept"],
    "published": ["submit", "accept", "publish"],
}
OWNERS = {  # place → (tree, organization, member)
    "a": ("city", "branch_a", None),
    "member_a": ("city", None, "member_a"),
    "b": ("city", "branch_b", None),
    "other": ("other", "other_branch", None),
}


def campaign(world, tree, purpose):
    """The campaign over the city (or the other tree) that holds the commitments of ``purpose``."""
    name = f"campaign_commit_{tree}_{purpose}"
    if not hasattr(world, name):
        today = datetime.date.today()
        made = Campaign.objects.create(
            name=f"承诺{tree}{purpose}",
            area=world.city if tree == "city" else world.other_city,
            starts_on=today - datetime.timedelta(days=100),
            ends_on=today + datetime.timedelta(days=300),
        )
        Milestone.objects.create(
            campaign=made, kind=Milestone.Kind.FULFILMENT, title="兑现评议", opens_on=today, due_on=today
        )
        setattr(world, name, made)
    return getattr(world, name)


def _commitment(world, place, state):
    tree, org, member = OWNERS[place]
    owner = getattr(world, member or org)
    commitment = Commitment.start(
        None,
        campaign(world, tree, state),
        None if member else owner,
        Commitment.Audience.SUPERIOR,
        f"{state}承诺",
        member=owner if member else None,
    )
    today = datetime.date.today()
    Item.objects.create(commitment=commitment, content="承诺事项", target="目标", deadline=today, weight=1)
    if not member:
        meeting = Meeting.objects.create(
            campaign=commitment.campaign, organization=owner, held_on=today, attendance=3, members_total=3, topic="大会"
        )
        commitment.attach_meeting(None, meeting)
    for step in STEPS[state]:
        getattr(commitment, step)(None)
    return commitment


def _evidence(world, place):
    item = _commitment(world, place, "published").items.get()
    update = item.post_progress(None, "进展", 50)
    evidence = Evidence(update=update, name="证明.pdf", content_type="application/pdf", size=len(PDF))
    evidence.file.save("evidence.pdf", ContentFile(PDF), save=True)
    return evidence


def _start(world, name):
    tree = "other" if name.endswith("other") or name == "other_branch" else "city"
    campaign(world, tree, "new")
    return getattr(world, name)


def _object_name(state, place):
    return f"member_{state}_a" if place == "member_a" else f"{state}_{place}"


COMMITMENT_OBJECTS = {
    **{
        _object_name(state, place): lambda w, state=state, place=place: _commitment(w, place, state)
        for state in ("draft", "submitted", "accepted")
        for place in OWNERS
    },
    **{_object_name("item", place): lambda w, place=place: _evidence(w, place).update.item for place in OWNERS},
    **{_object_name("evidence", place): lambda w, place=place: _evidence(w, place) for place in OWNERS},
    **{
        f"start_{name}": lambda w, name=name: _start(w, name)
        for name in (
            "city",
            "town_a",
            "branch_a",
            "branch_a2",
            "town_b",
            "branch_b",
            "other_branch",
            "member_a",
            "member_a2",
            "member_b",
            "member_other",
        )
    },
}


def start_commitment(world, name):
    """The POST that starts a commitment of ``start_<name>``, in the campaign made for it."""
    tree = "other" if name.endswith("other") or name == "start_other_branch" else "city"
    return {"campaign": campaign(world, tree, "new").pk, "audience": "superior", "title": "新的承诺"}


def commitment_form(commitment):
    """The edit form of a draft, as its page posts it, with the item's text changed."""
    item = commitment.items.get()
    return {
        "title": f"{commitment.title}（改）",
        "version": commitment.version,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-0-id": item.pk,
        "items-0-content": "改过的承诺事项",
        "items-0-target": item.target,
        "items-0-deadline": item.deadline.isoformat(),
        "items-0-weight": "1",
    }


def meeting_form():
    """The general meeting's form, as its page posts it."""
    return {
        "held_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        "attendance": "3",
        "members_total": "3",
        "staff_representatives": "0",
        "topic": "党员大会讨论公开承诺",
    }
