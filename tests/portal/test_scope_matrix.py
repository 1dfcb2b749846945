"""Every URL of the site × every role × objects at every place in the tree: the expected answer.

The cast (tests/conftest.py, plus ``world`` in tests/portal/conftest.py)::

    city ─┬─ town_a ─┬─ branch_a   (secretary_a; member_a, linked to member_user)
          │          └─ branch_a2  (member_a2)
          └─ town_b ─── branch_b   (secretary_b; member_b)
    other_city ─── other_branch    (member_other)

committee_a is committee officer of town_a, office is office staff of city, admin is administrator,
inactive is a deactivated user (who held a committee role of city). Seen from each role, the
objects of the table are:

    object        secretary_a       committee_a       office         secretary_b
    city          ancestor          ancestor          own            ancestor
    town_a        ancestor          own               subtree        other branch of the tree
    branch_a      own               subtree           subtree        other branch of the tree
    branch_a2     sibling           subtree           subtree        other branch of the tree
    town_b        other branch      sibling           subtree        ancestor
    branch_b      other branch      sibling's child   subtree        own
    other_city    another tree      another tree      another tree   another tree
    member_a      own branch        subtree           subtree        other branch of the tree
    member_a2     sibling branch    subtree           subtree        other branch of the tree
    member_b      other branch      sibling's child   subtree        own branch
    member_other  another tree      another tree      another tree   another tree

Expected answers:

    200    the page (for a POST: the form again, with errors; nothing changed)
    403    visible, but the role does not allow this (nothing changed)
    404    outside the user's scope (nothing changed)
    LOGIN  redirected to the login page (anonymous and deactivated users; nothing changed)
    BACK   redirected elsewhere, nothing changed (a guard refused, e.g. dissolving an organization
           that still has members, or the top of the tree)
    DONE   POST only: redirected after the change, and the database did change

A new URL of the site gets its rows in ``MATRIX`` (one row per object and method), and, if it
takes a POST, a payload in ``PAYLOADS`` that would succeed for an allowed role;
``test_every_url_is_in_the_matrix`` fails until it has. An object that only a few rows need is
better made by a function in ``OBJECTS`` (called when a case asks for it) than in the ``world``
fixture, which every one of the thousand cases builds.
"""

import datetime
import io
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook

from campaigns.models import ImplementationPlan
from portal import roll_format, roll_import
from portal.models import AuditEntry, ExportJob, ImportJob, Notification
from portal.tasks import run_export

from ..awards.world import (
    AWARD_OBJECT_IN_BODY,
    AWARD_OBJECTS,
    AWARD_PAYLOADS,
    AWARD_PUBLIC,
    AWARD_ROWS,
    AWARD_URL_ARG,
    AWARD_URL_ARGS,
)
from ..campaigns import agreement_world
from ..campaigns.agreement_world import AGREEMENT_OBJECTS
from ..campaigns.world import CAMPAIGN_OBJECTS
from ..commitments.board_data import comment_data
from ..commitments.world import COMMITMENT_OBJECTS, commitment_form, meeting_form, start_commitment
from ..evaluations import branch_world
from ..evaluations.branch_world import BRANCH_OBJECTS
from ..evaluations.committee_world import COMMITTEE_REVIEW_OBJECTS, reopen_form, score_row
from ..evaluations.mass_world import (
    MASS_OBJECT_IN_BODY,
    MASS_OBJECTS,
    MASS_PAYLOADS,
    MASS_PUBLIC,
    MASS_ROWS,
    MASS_URL_ARG,
)
from .helpers import db_state

GET, POST = "GET", "POST"
LOGIN, BACK, DONE = "LOGIN", "BACK", "DONE"
ROLES = ("anonymous", "secretary_a", "committee_a", "office", "admin", "member_user", "inactive", "secretary_b")


class Row(NamedTuple):
    url: str
    obj: str | None
    method: str
    expected: tuple


def rows(url, method, table):
    """``table``: {object name or None: (one expected answer per role, in the order of ROLES)}."""
    out = []
    for obj, expected in table.items():
        assert len(expected) == len(ROLES), (url, obj)
        out.append(Row(url, obj, method, expected))
    return out


def posted(table):
    """The POST table of a form page: where GET answers 200, the POST succeeds."""
    return {obj: tuple(DONE if e == 200 else e for e in expected) for obj, expected in table.items()}


L = LOGIN
# fmt: off
# Organizations seen by organization.view: what org_detail and org_children answer.
ORG_VIEW = {
    #             anon secretary_a committee_a office admin member_user inactive secretary_b
    "city":       (L,  404,        404,        200,   200,  404,        L,       404),
    "town_a":     (L,  404,        200,        200,   200,  404,        L,       404),
    "branch_a":   (L,  200,        200,        200,   200,  200,        L,       404),
    "branch_a2":  (L,  404,        200,        200,   200,  404,        L,       404),
    "town_b":     (L,  404,        404,        200,   200,  404,        L,       404),
    "branch_b":   (L,  404,        404,        200,   200,  404,        L,       200),
    "other_city": (L,  404,        404,        404,   200,  404,        L,       404),
}
# organization.change: every staff role within its reach; a member sees their branch but may not edit it.
ORG_CHANGE = {
    **ORG_VIEW,
    "branch_a":   (L,  200,        200,        200,   200,  403,        L,       404),
}
# Superior rights (create a subordinate, dissolve, read the change log): committee, office, admin.
ORG_SUPERIOR = {
    **ORG_VIEW,
    "branch_a":   (L,  403,        200,        200,   200,  403,        L,       404),
    "branch_b":   (L,  404,        404,        200,   200,  404,        L,       403),
}
# Dissolving: the top of a tree is refused with a message; every other organization of the cast
# still has members or subordinates, so an allowed POST is refused by that guard (see
# test_organizations.py for dissolving for real).
ORG_DISSOLVE = {
    **ORG_SUPERIOR,
    "city":       (L,  404,        404,        BACK,  BACK, 404,        L,       404),
    "other_city": (L,  404,        404,        404,   BACK, 404,        L,       404),
}
ORG_DISSOLVE_POST = {obj: tuple(BACK if e == 200 else e for e in expected) for obj, expected in ORG_DISSOLVE.items()}

MEMBER_VIEW = {
    #               anon secretary_a committee_a office admin member_user inactive secretary_b
    "member_a":     (L,  200,        200,        200,   200,  200,        L,       404),
    "member_a2":    (L,  404,        200,        200,   200,  404,        L,       404),
    "member_b":     (L,  404,        404,        200,   200,  404,        L,       200),
    "member_other": (L,  404,        404,        404,   200,  404,        L,       404),
}
MEMBER_CHANGE = {
    **MEMBER_VIEW,
    "member_a":     (L,  200,        200,        200,   200,  403,        L,       404),
}
# A transfer must also land inside the user's area (targets in TRANSFER_TO): a secretary reaches
# only their own branch, so the form refuses the destination.
MEMBER_TRANSFER_POST = {
    "member_a":     (L,  200,        DONE,       DONE,  DONE, 403,        L,       404),
    "member_a2":    (L,  404,        DONE,       DONE,  DONE, 404,        L,       404),
    "member_b":     (L,  404,        404,        DONE,  DONE, 404,        L,       200),
    "member_other": (L,  404,        404,        404,   DONE, 404,        L,       404),
}
# Adding a member: the organization is a code in the form; outside the user's area it is an error.
MEMBER_CREATE_POST = {
    "city":         (L,  200,        200,        DONE,  DONE, 403,        L,       200),
    "town_a":       (L,  200,        DONE,       DONE,  DONE, 403,        L,       200),
    "branch_a":     (L,  DONE,       DONE,       DONE,  DONE, 403,        L,       200),
    "branch_a2":    (L,  200,        DONE,       DONE,  DONE, 403,        L,       200),
    "town_b":       (L,  200,        200,        DONE,  DONE, 403,        L,       200),
    "branch_b":     (L,  200,        200,        DONE,  DONE, 403,        L,       DONE),
    "other_city":   (L,  200,        200,        200,   DONE, 403,        L,       200),
}
EVERYONE = {None: (L, 200, 200, 200, 200, 200, L, 200)}
STAFF_ONLY = {None: (L, 200, 200, 200, 200, 403, L, 200)}
# Campaigns are seen from everywhere inside their area (and within reach), managed by office staff within reach.
CAMPAIGN_VIEW = {
    #                  anon secretary_a committee_a office admin member_user inactive secretary_b
    "campaign_city":   (L,  200,        200,        200,   200,  200,        L,       200),
    "campaign_town_a": (L,  200,        200,        200,   200,  200,        L,       404),
    "campaign_other":  (L,  404,        404,        404,   200,  404,        L,       404),
}
CAMPAIGN_MANAGE = {
    "campaign_city":   (L,  403,        403,        200,   200,  403,        L,       403),
    "campaign_town_a": (L,  403,        403,        200,   200,  403,        L,       404),
    "campaign_other":  (L,  404,        404,        404,   200,  404,        L,       404),
}
CRITERIA_MANAGE = {
    "criteria_city":   CAMPAIGN_MANAGE["campaign_city"],
    "criteria_other":  CAMPAIGN_MANAGE["campaign_other"],
}
CAMPAIGN_CREATE = {None: (L, 403, 403, 200, 200, 403, L, 403)}
# A new campaign's area is a code in the form; outside the user's reach it is an error.
CAMPAIGN_CREATE_POST = {
    "city":            (L,  403,        403,        DONE,  DONE, 403,        L,       403),
    "town_a":          (L,  403,        403,        DONE,  DONE, 403,        L,       403),
    "other_city":      (L,  403,        403,        200,   DONE, 403,        L,       403),
}
# The implementation plan of each organization in campaign_city (other_city lies outside its area).
PLAN_VIEW = {
    "plan_city":       (L,  404,        404,        200,   200,  404,        L,       404),
    "plan_town_a":     (L,  404,        200,        200,   200,  404,        L,       404),
    "plan_branch_a":   (L,  200,        200,        200,   200,  403,        L,       404),
    "plan_branch_a2":  (L,  404,        200,        200,   200,  404,        L,       404),
    "plan_town_b":     (L,  404,        404,        200,   200,  404,        L,       404),
    "plan_branch_b":   (L,  404,        404,        200,   200,  404,        L,       200),
    "plan_other_city": (L,  404,        404,        404,   404,  404,        L,       404),
}
# Plan attachments: within the plan's reach (plan.view), never for a member.
PLAN_ATTACHMENT = {
    "attachment_a":     (L, 200,        200,        200,   200,  404,        L,       404),
    "attachment_a2":    (L, 404,        200,        200,   200,  404,        L,       404),
    "attachment_b":     (L, 404,        404,        200,   200,  404,        L,       200),
    "attachment_other": (L, 404,        404,        404,   200,  404,        L,       404),
}
# Public by design (no login): an organization's public board, by its opaque code.
PUBLIC_BOARD = {
    "board_a":       (200, 200,      200,        200,   200,  200,        200,     200),
    "unknown_board": (404, 404,      404,        404,   404,  404,        404,     404),
}
# Import of the roll: organizations by superiors, members by all staff; a kind that does not exist is 404.
ROLL_KINDS = {
    #                  anon secretary_a committee_a office admin member_user inactive secretary_b
    "kind_members":    (L,  200,        200,        200,   200,  403,        L,       200),
    "kind_orgs":       (L,  403,        200,        200,   200,  403,        L,       403),
    "kind_unknown":    (L,  404,        404,        404,   404,  404,        L,       404),
}
# The upload names the organization it is limited to (branch_a, town_a): outside the area, a form error.
ROLL_UPLOAD_POST = {
    "kind_members":    (L,  DONE,       DONE,       DONE,  DONE, 403,        L,       200),
    "kind_orgs":       (L,  403,        DONE,       DONE,  DONE, 403,        L,       403),
    "kind_unknown":    (L,  404,        404,        404,   404,  404,        L,       404),
}
# An import job (uploaded by office staff) is seen by its uploader and administrators, confirmed by the uploader.
IMPORT_JOB = {
    "import_office":   (L,  404,        404,        200,   200,  404,        L,       404),
}
IMPORT_JOB_POST = {
    "import_office":   (L,  404,        404,        DONE,  403,  404,        L,       404),
}
# Exports: anyone with a staff role may start one within reach; a job is seen by its requester only.
EXPORT_START_POST = {
    "roll_exporter": (L, 200,        200,        DONE,  DONE, 403,        L,       200),
}
OWN_EXPORT = {
    "export_done":   (L, 404,        404,        200,   404,  404,        L,       404),
}
OWN_EXPORT_RETRY_POST = {
    "export_failed": (L, 404,        404,        DONE,  404,  404,        L,       404),
}
# Notifications: each user's own only (office's here); "mark all read" marks the user's own, so for
# anyone else it changes nothing.
OWN_NOTIFICATION_POST = {
    "notification_office": (L, 404,  404,        DONE,  404,  404,        L,       404),
}
OWN_NOTIFICATIONS_POST = {
    "notification_office": (L, BACK, BACK,       DONE,  BACK, BACK,       L,       BACK),
}
# The public board's pages and photos, by the board's code: a published commitment for everyone, a draft
# for no one; a comment can be left by anyone, logged in or not (objects: tests/commitments/board_data.py).
PUBLIC_COMMITMENT = {
    #                      anon  secretary_a committee_a office admin member_user inactive secretary_b
    "public_commitment_a": (200, 200,        200,        200,   200,  200,        200,     200),
    "hidden_commitment_a": (404, 404,        404,        404,   404,  404,        404,     404),
}
PUBLIC_COMMENT_POST = {
    "public_commitment_a": (DONE, DONE,      DONE,       DONE,  DONE, DONE,       DONE,    DONE),
    "hidden_commitment_a": (404, 404,        404,        404,   404,  404,        404,     404),
}
PUBLIC_PHOTO = {
    "public_photo_a":      (200, 200,        200,        200,   200,  200,        200,     200),
    "hidden_photo_a":      (404, 404,        404,        404,   404,  404,        404,     404),
}
PUBLIC_PAGE = {None: (200, 200, 200, 200, 200, 200, 200, 200)}
# Moderating a comment: comment.moderate, the staff of the commented organization or a superior.
COMMENT_MODERATE = {
    "comment_a":     (L,  200,        200,        200,   200,  404,        L,       404),
    "comment_a2":    (L,  404,        200,        200,   200,  404,        L,       404),
    "comment_b":     (L,  404,        404,        200,   200,  404,        L,       200),
    "comment_other": (L,  404,        404,        404,   200,  404,        L,       404),
}
# Commitments (tests/commitments/world.py): a commitment is seen within its organization's reach (a
# member sees their own); filed, submitted, published and given progress on that side; accepted,
# returned and assessed within its acceptor's reach (the superior organization; for a member's
# commitment, the member's branch).
COMMITMENT_FILE = {
    #                   anon secretary_a committee_a office admin member_user inactive secretary_b
    "draft_a":          (L,  200,        200,        200,   200,  404,        L,       404),
    "member_draft_a":   (L,  200,        200,        200,   200,  200,        L,       404),
    "draft_b":          (L,  404,        404,        200,   200,  404,        L,       200),
    "draft_other":      (L,  404,        404,        404,   200,  404,        L,       404),
}
# The general meeting: staff only; a member's commitment has none (an allowed POST is refused by the model).
COMMITMENT_MEETING = {
    "draft_a":          (L,  200,        200,        200,   200,  404,        L,       404),
    "member_draft_a":   (L,  200,        200,        200,   200,  403,        L,       404),
    "draft_b":          (L,  404,        404,        200,   200,  404,        L,       200),
    "draft_other":      (L,  404,        404,        404,   200,  404,        L,       404),
}
COMMITMENT_MEETING_POST = {
    **posted(COMMITMENT_MEETING),
    "member_draft_a":   (L,  200,        200,        200,   200,  403,        L,       404),
}
COMMITMENT_ACCEPT = {
    "submitted_a":          (L, 403,     200,        200,   200,  404,        L,       404),
    "member_submitted_a":   (L, 200,     200,        200,   200,  403,        L,       404),
    "submitted_b":          (L, 404,     404,        200,   200,  404,        L,       403),
    "submitted_other":      (L, 404,     404,        404,   200,  404,        L,       404),
}
COMMITMENT_PUBLISH = {
    "accepted_a":           (L, 200,     200,        200,   200,  404,        L,       404),
    "member_accepted_a":    (L, 200,     200,        200,   200,  200,        L,       404),
    "accepted_b":           (L, 404,     404,        200,   200,  404,        L,       200),
    "accepted_other":       (L, 404,     404,        404,   200,  404,        L,       404),
}
ITEM_PROGRESS = {
    "item_a":               (L, 200,     200,        200,   200,  404,        L,       404),
    "member_item_a":        (L, 200,     200,        200,   200,  200,        L,       404),
    "item_b":               (L, 404,     404,        200,   200,  404,        L,       200),
    "item_other":           (L, 404,     404,        404,   200,  404,        L,       404),
}
ITEM_ASSESS = {
    "item_a":               (L, 403,     200,        200,   200,  404,        L,       404),
    "member_item_a":        (L, 200,     200,        200,   200,  403,        L,       404),
    "item_b":               (L, 404,     404,        200,   200,  404,        L,       403),
    "item_other":           (L, 404,     404,        404,   200,  404,        L,       404),
}
EVIDENCE_VIEW = {
    "evidence_a":           (L, 200,     200,        200,   200,  404,        L,       404),
    "member_evidence_a":    (L, 200,     200,        200,   200,  200,        L,       404),
    "evidence_b":           (L, 404,     404,        200,   200,  404,        L,       200),
    "evidence_other":       (L, 404,     404,        404,   200,  404,        L,       404),
}
# Starting an organization's commitment (start_*: the organization, with a campaign to commit in):
# within reach, never for a member; the top of a tree has no superior to commit to (an allowed POST
# is refused by the model). A member's commitment is started by whoever reaches the member.
COMMITMENT_CREATE = {
    "start_city":         (L, 404,       404,        200,   200,  404,        L,       404),
    "start_town_a":       (L, 404,       200,        200,   200,  404,        L,       404),
    "start_branch_a":     (L, 200,       200,        200,   200,  403,        L,       404),
    "start_branch_a2":    (L, 404,       200,        200,   200,  404,        L,       404),
    "start_town_b":       (L, 404,       404,        200,   200,  404,        L,       404),
    "start_branch_b":     (L, 404,       404,        200,   200,  404,        L,       200),
    "start_other_branch": (L, 404,       404,        404,   200,  404,        L,       404),
}
COMMITMENT_CREATE_POST = {**posted(COMMITMENT_CREATE), "start_city": COMMITMENT_CREATE["start_city"]}
COMMITMENT_CREATE_MEMBER = {f"start_{member}": expected for member, expected in MEMBER_VIEW.items()}
# The members' commitments are collected and the area rolled up by those who accept commitments in the
# organization: its secretary and the committees above (a member sees the branch but not these pages).
COMMITMENT_COLLECT = ORG_CHANGE
# Target agreements (tests/campaigns/agreement_world.py): seen and reported within the subordinate's reach
# (staff only), drafted, issued and scored within the issuer's (committee, office, admin).
AGREEMENT_VIEW = {
    #                         anon secretary_a committee_a office admin member_user inactive secretary_b
    "agreement_issued_a":     (L,  404,        200,        200,   200,  404,        L,       404),
    "agreement_issued_b":     (L,  404,        404,        200,   200,  404,        L,       404),
    "agreement_issued_town":  (L,  404,        200,        200,   200,  404,        L,       404),
    "agreement_issued_other": (L,  404,        404,        404,   200,  404,        L,       404),
}
AGREEMENT_REPORT = AGREEMENT_VIEW
AGREEMENT_FILE = {f"agreement_file_{p}": AGREEMENT_VIEW[f"agreement_issued_{p}"] for p in ("a", "b", "town", "other")}
AGREEMENT_ISSUE = {
    "agreement_draft_a":      (L,  404,        403,        200,   200,  404,        L,       404),
    "agreement_draft_b":      (L,  404,        404,        200,   200,  404,        L,       404),
    "agreement_draft_town":   (L,  404,        200,        200,   200,  404,        L,       404),
    "agreement_draft_other":  (L,  404,        404,        404,   200,  404,        L,       404),
}
AGREEMENT_SCORE = {name.replace("draft", "reported"): expected for name, expected in AGREEMENT_ISSUE.items()}
AGREEMENT_CREATE = {None: (L, 403, 200, 200, 200, 403, L, 403)}
# The issuer and the subordinate are codes in the form: outside the user's issuing reach, a form error.
AGREEMENT_CREATE_POST = {
    "new_agreement_a":        (L,  403,        200,        DONE,  DONE, 403,        L,       403),
    "new_agreement_town":     (L,  403,        DONE,       DONE,  DONE, 403,        L,       403),
    "new_agreement_other":    (L,  403,        200,        200,   DONE, 403,        L,       403),
}
# Reviews, the superior's side (tests/evaluations/committee_world.py): the scoring screen, ranking, calibration
# and results of an organization are seen by the staff within reach (a member sees the branch, not its reviews).
REVIEW_VIEW = ORG_CHANGE
# Scoring the first subordinate of the organization (reviewing_*: with a campaign and an open cycle); a branch
# has no subordinate, so an allowed POST is refused by the form.
REVIEW_SCORE_POST = {
    #                        anon secretary_a committee_a office admin member_user inactive secretary_b
    "reviewing_city":        (L,  404,        404,        DONE,  DONE, 404,        L,       404),
    "reviewing_town_a":      (L,  404,        DONE,       DONE,  DONE, 404,        L,       404),
    "reviewing_branch_a":    (L,  200,        200,        200,   200,  403,        L,       404),
    "reviewing_town_b":      (L,  404,        404,        DONE,  DONE, 404,        L,       404),
    "reviewing_branch_b":    (L,  404,        404,        200,   200,  404,        L,       200),
    "reviewing_other_city":  (L,  404,        404,        404,   DONE, 404,        L,       404),
}
# Reopening a locked cycle: decided on Reopening.granting_organization, the superior of whoever makes the
# entries (own: the organization's superior; superior: the superior's superior). The top has no superior.
REVIEW_REOPEN = {
    "reopen_town_a_superior":   (L, 404,     403,        200,   200,  404,        L,       404),
    "reopen_branch_a_superior": (L, 403,     403,        200,   200,  403,        L,       404),
    "reopen_branch_a_own":      (L, 403,     200,        200,   200,  403,        L,       404),
    "reopen_branch_b_own":      (L, 404,     404,        200,   200,  404,        L,       403),
    "reopen_other_branch_own":  (L, 404,     404,        404,   200,  404,        L,       404),
    "reopen_city_own":          (L, 404,     404,        404,   404,  404,        L,       404),
}
# A review cycle's address leads whoever sees its campaign to where they work on it (a redirect).
REVIEW_CYCLE = {
    "review_cycle_city":        (L, BACK,    BACK,       BACK,  BACK, BACK,       L,       BACK),
    "review_cycle_other":       (L, 404,     404,        404,   BACK, 404,        L,       404),
}
# The organization's own review (tests/evaluations/branch_world.py): seen by its staff and superiors within
# reach (a member sees the branch, not its review: 403); entered by its own staff only, never from above
# (portal.scope.OWN_ORGANIZATION_ACTIONS): office staff enter the city's, committee_a town_a's.
OWN_REVIEW_VIEW = {
    #                  anon secretary_a committee_a office admin member_user inactive secretary_b
    "own_city":       (L,  404,        404,        200,   200,  404,        L,       404),
    "own_town_a":     (L,  404,        200,        200,   200,  404,        L,       404),
    "own_branch_a":   (L,  200,        200,        200,   200,  403,        L,       404),
    "own_branch_a2":  (L,  404,        200,        200,   200,  404,        L,       404),
    "own_town_b":     (L,  404,        404,        200,   200,  404,        L,       404),
    "own_branch_b":   (L,  404,        404,        200,   200,  404,        L,       200),
    "own_other_city": (L,  404,        404,        404,   200,  404,        L,       404),
}
OWN_REVIEW_CHANGE = {
    "own_city":       (L,  404,        404,        200,   200,  404,        L,       404),
    "own_town_a":     (L,  404,        200,        403,   200,  404,        L,       404),
    "own_branch_a":   (L,  200,        403,        403,   200,  403,        L,       404),
    "own_branch_a2":  (L,  404,        403,        403,   200,  404,        L,       404),
    "own_town_b":     (L,  404,        404,        403,   200,  404,        L,       404),
    "own_branch_b":   (L,  404,        404,        403,   200,  404,        L,       200),
    "own_other_city": (L,  404,        404,        404,   200,  404,        L,       404),
}
# The members' reports, of an organization whose meeting is recorded (reports_*).
OWN_REPORTS = {f"reports_{name.removeprefix('own_')}": expected for name, expected in OWN_REVIEW_CHANGE.items()}
# A member's row of the scoring screen: scored by the member's organization's own staff.
MEMBER_SCORE = {
    "score_member_a":     (L, 200,     403,        403,   200,  403,        L,       404),
    "score_member_a2":    (L, 404,     403,        403,   200,  404,        L,       404),
    "score_member_b":     (L, 404,     404,        403,   200,  404,        L,       200),
    "score_member_other": (L, 404,     404,        404,   200,  404,        L,       404),
}
# The user's own organization: staff with one are sent to its review; a member has none to review.
OWN_REVIEW_START = {None: (L, BACK, BACK, BACK, 200, 403, L, BACK)}
# fmt: on

MATRIX = [
    *rows("portal:home", GET, EVERYONE),
    *rows("portal:org_tree", GET, EVERYONE),
    *rows("portal:warnings", GET, STAFF_ONLY),
    *rows("portal:org_detail", GET, ORG_VIEW),
    *rows("portal:org_children", GET, ORG_VIEW),
    *rows("portal:org_create", GET, ORG_SUPERIOR),
    *rows("portal:org_create", POST, posted(ORG_SUPERIOR)),
    *rows("portal:org_edit", GET, ORG_CHANGE),
    *rows("portal:org_edit", POST, posted(ORG_CHANGE)),
    *rows("portal:org_dissolve", GET, ORG_DISSOLVE),
    *rows("portal:org_dissolve", POST, ORG_DISSOLVE_POST),
    *rows("portal:org_audit", GET, ORG_SUPERIOR),
    *rows("portal:member_list", GET, EVERYONE),
    *rows("portal:member_create", GET, STAFF_ONLY),
    *rows("portal:member_create", POST, MEMBER_CREATE_POST),
    *rows("portal:member_detail", GET, MEMBER_VIEW),
    *rows("portal:member_edit", GET, MEMBER_CHANGE),
    *rows("portal:member_edit", POST, posted(MEMBER_CHANGE)),
    *rows("portal:member_transfer", GET, MEMBER_CHANGE),
    *rows("portal:member_transfer", POST, MEMBER_TRANSFER_POST),
    *rows("portal:member_remove", GET, MEMBER_CHANGE),
    *rows("portal:member_remove", POST, posted(MEMBER_CHANGE)),
    *rows("portal:member_export", GET, STAFF_ONLY),
    *rows("portal:roll_import", GET, ROLL_KINDS),
    *rows("portal:roll_import", POST, ROLL_UPLOAD_POST),
    *rows("portal:roll_template", GET, ROLL_KINDS),
    *rows("portal:roll_import_job", GET, IMPORT_JOB),
    *rows("portal:roll_import_job", POST, IMPORT_JOB_POST),
    *rows("portal:roll_import_status", GET, IMPORT_JOB),
    *rows("portal:export_list", GET, EVERYONE),
    *rows("portal:export_start", GET, {"roll_exporter": STAFF_ONLY[None]}),
    *rows("portal:export_start", POST, EXPORT_START_POST),
    *rows("portal:export_status", GET, OWN_EXPORT),
    *rows("portal:export_download", GET, OWN_EXPORT),
    *rows("portal:export_retry", POST, OWN_EXPORT_RETRY_POST),
    *rows("portal:notifications", GET, EVERYONE),
    *rows("portal:notification_read", POST, OWN_NOTIFICATION_POST),
    *rows("portal:notifications_read_all", POST, OWN_NOTIFICATIONS_POST),
    # campaigns
    *rows("campaigns:list", GET, EVERYONE),
    *rows("campaigns:create", GET, CAMPAIGN_CREATE),
    *rows("campaigns:create", POST, CAMPAIGN_CREATE_POST),
    *rows("campaigns:detail", GET, CAMPAIGN_VIEW),
    *rows("campaigns:edit", GET, CAMPAIGN_MANAGE),
    *rows("campaigns:edit", POST, posted(CAMPAIGN_MANAGE)),
    *rows("campaigns:carriers", GET, CAMPAIGN_MANAGE),
    *rows("campaigns:carriers", POST, posted(CAMPAIGN_MANAGE)),
    *rows("campaigns:criteria_create", GET, CAMPAIGN_MANAGE),
    *rows("campaigns:criteria_create", POST, posted(CAMPAIGN_MANAGE)),
    *rows("campaigns:criteria_edit", GET, CRITERIA_MANAGE),
    *rows("campaigns:criteria_edit", POST, posted(CRITERIA_MANAGE)),
    *rows("campaigns:criteria_delete", GET, CRITERIA_MANAGE),
    *rows("campaigns:criteria_delete", POST, posted(CRITERIA_MANAGE)),
    *rows("campaigns:plan", GET, PLAN_VIEW),
    *rows("campaigns:plan_edit", GET, PLAN_VIEW),
    *rows("campaigns:plan_edit", POST, posted(PLAN_VIEW)),
    *rows("campaigns:attachment", GET, PLAN_ATTACHMENT),
    *rows("campaigns:attachment_delete", GET, PLAN_ATTACHMENT),
    *rows("campaigns:attachment_delete", POST, posted(PLAN_ATTACHMENT)),
    *rows("campaigns:agreement_list", GET, STAFF_ONLY),
    *rows("campaigns:agreement_notice", GET, STAFF_ONLY),
    *rows("campaigns:agreement_create", GET, AGREEMENT_CREATE),
    *rows("campaigns:agreement_create", POST, AGREEMENT_CREATE_POST),
    *rows("campaigns:agreement", GET, AGREEMENT_VIEW),
    *rows("campaigns:agreement_edit", GET, AGREEMENT_ISSUE),
    *rows("campaigns:agreement_edit", POST, posted(AGREEMENT_ISSUE)),
    *rows("campaigns:agreement_issue", GET, AGREEMENT_ISSUE),
    *rows("campaigns:agreement_issue", POST, posted(AGREEMENT_ISSUE)),
    *rows("campaigns:agreement_delete", GET, AGREEMENT_ISSUE),
    *rows("campaigns:agreement_delete", POST, posted(AGREEMENT_ISSUE)),
    *rows("campaigns:agreement_report", GET, AGREEMENT_REPORT),
    *rows("campaigns:agreement_report", POST, posted(AGREEMENT_REPORT)),
    *rows("campaigns:agreement_score", GET, AGREEMENT_SCORE),
    *rows("campaigns:agreement_score", POST, posted(AGREEMENT_SCORE)),
    *rows("campaigns:agreement_file", GET, AGREEMENT_FILE),
    # commitments
    *rows("commitments:list", GET, EVERYONE),
    *rows("commitments:board", GET, PUBLIC_BOARD),
    *rows("commitments:board_commitment", GET, PUBLIC_COMMITMENT),
    *rows("commitments:board_commitment", POST, PUBLIC_COMMENT_POST),
    *rows("commitments:board_evidence", GET, PUBLIC_PHOTO),
    *rows("commitments:comment_lookup", GET, PUBLIC_PAGE),
    *rows("commitments:board_share", GET, ORG_VIEW),
    *rows("commitments:board_qr", GET, ORG_VIEW),
    *rows("commitments:board_poster", GET, ORG_VIEW),
    *rows("commitments:moderation_queue", GET, STAFF_ONLY),
    *rows("commitments:comment_moderate", GET, COMMENT_MODERATE),
    *rows("commitments:comment_moderate", POST, posted(COMMENT_MODERATE)),
    *rows("commitments:detail", GET, COMMITMENT_FILE),
    *rows("commitments:edit", GET, COMMITMENT_FILE),
    *rows("commitments:edit", POST, posted(COMMITMENT_FILE)),
    *rows("commitments:meeting", GET, COMMITMENT_MEETING),
    *rows("commitments:meeting", POST, COMMITMENT_MEETING_POST),
    *rows("commitments:submit", GET, COMMITMENT_FILE),
    *rows("commitments:submit", POST, posted(COMMITMENT_FILE)),
    *rows("commitments:accept", GET, COMMITMENT_ACCEPT),
    *rows("commitments:accept", POST, posted(COMMITMENT_ACCEPT)),
    *rows("commitments:return", GET, COMMITMENT_ACCEPT),
    *rows("commitments:return", POST, posted(COMMITMENT_ACCEPT)),
    *rows("commitments:publish", GET, COMMITMENT_PUBLISH),
    *rows("commitments:publish", POST, posted(COMMITMENT_PUBLISH)),
    *rows("commitments:progress", GET, ITEM_PROGRESS),
    *rows("commitments:progress", POST, posted(ITEM_PROGRESS)),
    *rows("commitments:assess", GET, ITEM_ASSESS),
    *rows("commitments:assess", POST, posted(ITEM_ASSESS)),
    *rows("commitments:evidence", GET, EVIDENCE_VIEW),
    *rows("commitments:create", GET, COMMITMENT_CREATE),
    *rows("commitments:create", POST, COMMITMENT_CREATE_POST),
    *rows("commitments:create_member", GET, COMMITMENT_CREATE_MEMBER),
    *rows("commitments:create_member", POST, posted(COMMITMENT_CREATE_MEMBER)),
    *rows("commitments:missing", GET, COMMITMENT_COLLECT),
    *rows("commitments:rollup_org", GET, COMMITMENT_COLLECT),
    *rows("commitments:queue", GET, STAFF_ONLY),
    *rows("commitments:rollup", GET, STAFF_ONLY),
    # reviews: the superior's side
    *rows("evaluations:reviews", GET, STAFF_ONLY),
    *rows("evaluations:cycle", GET, REVIEW_CYCLE),
    *rows("evaluations:score", GET, REVIEW_VIEW),
    *rows("evaluations:score", POST, REVIEW_SCORE_POST),
    *rows("evaluations:reopen", GET, REVIEW_REOPEN),
    *rows("evaluations:reopen", POST, posted(REVIEW_REOPEN)),
    *rows("evaluations:bands", GET, CAMPAIGN_MANAGE),
    *rows("evaluations:bands", POST, posted(CAMPAIGN_MANAGE)),
    *rows("evaluations:organization_results", GET, REVIEW_VIEW),
    *rows("evaluations:ranking", GET, REVIEW_VIEW),
    *rows("evaluations:calibration", GET, REVIEW_VIEW),
    # reviews: the organization's own side
    *rows("evaluations:own_start", GET, OWN_REVIEW_START),
    *rows("evaluations:own", GET, OWN_REVIEW_VIEW),
    *rows("evaluations:own_meeting", GET, OWN_REVIEW_CHANGE),
    *rows("evaluations:own_meeting", POST, posted(OWN_REVIEW_CHANGE)),
    *rows("evaluations:own_reports", GET, OWN_REPORTS),
    *rows("evaluations:own_reports", POST, posted(OWN_REPORTS)),
    *rows("evaluations:own_assessment", GET, OWN_REVIEW_CHANGE),
    *rows("evaluations:own_assessment", POST, posted(OWN_REVIEW_CHANGE)),
    *rows("evaluations:member_scores", GET, OWN_REVIEW_CHANGE),
    *rows("evaluations:member_score", GET, MEMBER_SCORE),
    *rows("evaluations:member_score", POST, posted(MEMBER_SCORE)),
    *rows("evaluations:mine", GET, EVERYONE),
]

# URLs open to the public by design: their 404 is a plain "not found", not a refusal of the scope layer.
PUBLIC = {
    "commitments:board",
    "commitments:board_commitment",
    "commitments:board_evidence",
    "commitments:comment_lookup",
}

# URLs whose object travels in the form rather than in the URL.
OBJECT_IN_BODY = {"portal:member_create", "campaigns:create", "portal:notifications_read_all"}
OBJECT_IN_BODY.add("campaigns:agreement_create")  # the issuer and the subordinate are codes in the form
# URLs of a plan: the campaign and the organization whose plan it is (see tests/campaigns/world.py).
PLAN_URLS = {"campaigns:plan", "campaigns:plan_edit"}
# URLs that name their object by another attribute than the primary key.
URL_ARG = {
    "commitments:board": "code",
    "portal:roll_import": "kind",
    "portal:roll_template": "kind",
    "portal:roll_import_job": "code",
    "portal:roll_import_status": "code",
    "portal:export_start": "identifier",
    "portal:export_status": "code",
    "portal:export_download": "code",
    "portal:export_retry": "code",
}

# Where the transfer rows move each member: a destination the allowed roles reach.
TRANSFER_TO = {"member_a": "branch_a2", "member_a2": "branch_a", "member_b": "town_b", "member_other": "other_city"}


def _org_form(org):
    data = {"name": f"{org.name}（改）", "code": org.code, "level": org.level, "sector": org.sector}
    data["version"] = org.version
    if org.parent_id:
        data["parent"] = org.parent.code
    return data


def _formsets(*prefixes):
    return {f"{p}-{n}_FORMS": "0" for p in prefixes for n in ("TOTAL", "INITIAL")}


def _campaign_form(campaign):
    data = {"name": f"{campaign.name}（改）", "area": campaign.area.code, "version": campaign.version}
    data.update(starts_on=campaign.starts_on.isoformat(), ends_on=campaign.ends_on.isoformat())
    return {**data, **_formsets("phases", "steps")}


def _criteria_form(criteria_set):
    criterion = criteria_set.criteria.get()
    return {
        "name": f"{criteria_set.name}（改）",
        "version": criteria_set.version,
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-0-id": criterion.pk,
        "criteria-0-order": "1",
        "criteria-0-title": criterion.title,
        "criteria-0-weight": "100",
    }


def _plan_form(world, name):
    page = getattr(world, name)
    plan = ImplementationPlan.objects.filter(campaign=page.campaign, organization=page.organization).first()
    return {"text": "实施方案（改）", "action": "draft", **({"version": plan.version} if plan else {})}


def _member_form(member):
    return {
        "name": f"{member.name}改",
        "gender": member.gender,
        "birth_date": "1980-05-01",
        "status": member.status,
        "joined_on": "2005-07-01",
        "role": "",
        "staff_kind": "",
        "phone": "13800000000",
        "version": member.version,
    }


# url → (world, object name) → the POST data that succeeds for a role allowed to do it.
PAYLOADS = {
    "portal:org_create": lambda w, parent: {
        "name": "新建党支部",
        "code": "NEW-01",
        "level": "branch",
        "sector": "community",
        "parent": getattr(w, parent).code,
    },
    "portal:org_edit": lambda w, org: _org_form(getattr(w, org)),
    "portal:org_dissolve": lambda w, org: {},
    "portal:member_create": lambda w, org: {
        "name": "新党员",
        "gender": "f",
        "status": "probationary",
        "joined_on": (datetime.date.today() - datetime.timedelta(days=30)).isoformat(),
        "organization": getattr(w, org).code,
    },
    "portal:member_edit": lambda w, member: _member_form(getattr(w, member)),
    "portal:member_transfer": lambda w, member: {"to": getattr(w, TRANSFER_TO[member]).code, "note": "工作调动"},
    "portal:member_remove": lambda w, member: {"reason": "出党"},
    "commitments:board_commitment": lambda w, commitment: comment_data(),
    "commitments:comment_moderate": lambda w, comment: {"decision": "approve", "reply": "谢谢监督"},
    "portal:roll_import": lambda w, kind: _upload(getattr(w, kind).kind),
    "portal:roll_import_job": lambda w, job: {},
    "campaigns:create": lambda w, org: {
        "name": "新的创先争优活动",
        "area": getattr(w, org).code,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        **_formsets("phases", "steps"),
    },
    "campaigns:edit": lambda w, campaign: _campaign_form(getattr(w, campaign)),
    "campaigns:carriers": lambda w, campaign: {
        "version": getattr(w, campaign).version,
        "carriers-TOTAL_FORMS": "1",
        "carriers-INITIAL_FORMS": "0",
        "carriers-0-name": "结对共建",
    },
    "campaigns:criteria_create": lambda w, campaign: {"target": "member", "sector": "", "name": "五带头"},
    "campaigns:criteria_edit": lambda w, criteria_set: _criteria_form(getattr(w, criteria_set)),
    "campaigns:criteria_delete": lambda w, criteria_set: {},
    "campaigns:plan_edit": _plan_form,
    "campaigns:attachment_delete": lambda w, attachment: {},
    "campaigns:agreement_create": agreement_world.start_form,
    "campaigns:agreement_edit": agreement_world.edit_form,
    "campaigns:agreement_issue": agreement_world.version_form,
    "campaigns:agreement_delete": agreement_world.version_form,
    "campaigns:agreement_report": agreement_world.report_form,
    "campaigns:agreement_score": agreement_world.version_form,
    "portal:export_start": lambda w, exporter: {"organization": w.city.code},
    "portal:export_retry": lambda w, job: {},
    "portal:notification_read": lambda w, notification: {},
    "portal:notifications_read_all": lambda w, obj: {},
    "commitments:create": start_commitment,
    "commitments:create_member": start_commitment,
    "commitments:edit": lambda w, commitment: commitment_form(getattr(w, commitment)),
    "commitments:meeting": lambda w, commitment: meeting_form(),
    "commitments:submit": lambda w, commitment: {},
    "commitments:accept": lambda w, commitment: {},
    "commitments:return": lambda w, commitment: {"reason": "请把目标写得可衡量"},
    "commitments:publish": lambda w, commitment: {},
    "commitments:progress": lambda w, item: {"text": "完成过半", "progress": "60"},
    "commitments:assess": lambda w, item: {"fulfilment": "fulfilled", "comment": "如期兑现"},
    "evaluations:score": score_row,
    "evaluations:reopen": reopen_form,
    "evaluations:bands": lambda w, campaign: {"good_from": "92", "fairly_good_from": "82", "average_from": "62"},
    "evaluations:own_meeting": branch_world.meeting_form,
    "evaluations:own_reports": branch_world.reports_form,
    "evaluations:own_assessment": branch_world.assessment_form,
    "evaluations:member_score": branch_world.score_form,
}


def _roll_file(kind, code):
    """A one-row .xlsx laid out as the import template of ``kind``: a member of, or an organization under, ``code``."""
    spec = roll_format.SPECS[kind]
    row = dict(zip((c.field for c in spec.columns), spec.example, strict=True))
    if kind == "members":
        row.update(name="周十", organization=code)
    else:
        row.update(name="新建村党支部", code="IMP-01", parent=code)
    workbook = Workbook()
    workbook.active.append([c.title for c in spec.columns])
    workbook.active.append([row[c.field] for c in spec.columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(kind):
    """The upload form of ``kind``: one row, limited to the organization the row names."""
    if kind not in roll_format.SPECS:
        return {}
    code = "BR-A" if kind == "members" else "TOWN-A"
    return {"file": SimpleUploadedFile("名册.xlsx", _roll_file(kind, code)), "organization": code}


def _import_job(w):
    """Office staff's upload of one member into branch_a2, checked and waiting for confirmation."""
    job = ImportJob.objects.create(
        kind="members",
        file=SimpleUploadedFile("名册.xlsx", _roll_file("members", "BR-A2")),
        file_name="名册.xlsx",
        organization=w.branch_a2,
        created_by=w.office,
    )
    roll_import.start(job, 1)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID, job.errors
    return job


# Objects only some rows need, made when a case asks for them (``obj_of``).
def _export_job(world):
    """An export office staff requested, run to completion: only they may follow and download it."""
    job = ExportJob.objects.create(
        exporter="member_roll", title="党员名册", organization=world.city, requested_by=world.office
    )
    run_export(job.pk)
    job.refresh_from_db()
    return job


OBJECTS = {
    "kind_members": lambda w: SimpleNamespace(kind="members"),
    "kind_orgs": lambda w: SimpleNamespace(kind="organizations"),
    "kind_unknown": lambda w: SimpleNamespace(kind="units"),
    "import_office": _import_job,
    "roll_exporter": lambda w: SimpleNamespace(identifier="member_roll"),
    "export_done": _export_job,
    "export_failed": lambda w: ExportJob.objects.create(
        exporter="member_roll", title="党员名册", organization=w.city, requested_by=w.office,
        status=ExportJob.Status.FAILED, error="interrupted",
    ),
    "notification_office": lambda w: Notification.objects.create(recipient=w.office, title="请审核承诺", url="/"),
    **CAMPAIGN_OBJECTS,
    **AGREEMENT_OBJECTS,
    **COMMITMENT_OBJECTS,
    **COMMITTEE_REVIEW_OBJECTS,
    **BRANCH_OBJECTS,
}


# Awards (tests/awards/world.py): their rows, lazy objects, payloads and URL shapes.
MATRIX += [row for url, method, table in AWARD_ROWS for row in rows(url, method, table)]
OBJECTS.update(AWARD_OBJECTS)
PAYLOADS.update(AWARD_PAYLOADS)
PUBLIC |= AWARD_PUBLIC
OBJECT_IN_BODY |= AWARD_OBJECT_IN_BODY
URL_ARG.update(AWARD_URL_ARG)


# Mass evaluation (tests/evaluations/mass_world.py): its rows, lazy objects, payloads and URL shapes.
MATRIX += [row for url, method, table in MASS_ROWS for row in rows(url, method, table)]
OBJECTS.update(MASS_OBJECTS)
PAYLOADS.update(MASS_PAYLOADS)
PUBLIC |= MASS_PUBLIC
OBJECT_IN_BODY |= MASS_OBJECT_IN_BODY
URL_ARG.update(MASS_URL_ARG)


def obj_of(world, name):
    if not hasattr(world, name):
        setattr(world, name, OBJECTS[name](world))
    return getattr(world, name)


# Objects that do not exist at all: their 404 is a plain "not found", not a refusal of the scope layer.
NOT_FOUND = {"kind_unknown"}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploaded files of the cases go to a temporary folder."""
    private = settings.STORAGES["private"]
    options = {**private.get("OPTIONS", {}), "location": tmp_path}
    settings.STORAGES = {**settings.STORAGES, "private": {**private, "OPTIONS": options}}


def _case_id(row, role):
    return f"{row.url.split(':')[-1]}-{row.obj or 'page'}-{row.method}-{role}"


CASES = [
    pytest.param(row, role, expected, id=_case_id(row, role))
    for row in MATRIX
    for role, expected in zip(ROLES, row.expected, strict=True)
]


# URLs with two arguments: the object's attributes that fill them, in order.
URL_ARGS = {
    "commitments:board_commitment": ("board_code", "pk"),
    "commitments:board_evidence": ("board_code", "pk"),
    "evaluations:reopen": ("cycle_pk", "pk", "kind"),
    "campaigns:agreement_report": ("pk", "period"),
}

URL_ARGS.update(AWARD_URL_ARGS)


def url_of(row, world):
    if row.obj is None or row.url in OBJECT_IN_BODY:
        return reverse(row.url)
    if row.url in URL_ARGS:
        return reverse(row.url, args=[getattr(getattr(world, row.obj), attr) for attr in URL_ARGS[row.url]])
    if row.url in PLAN_URLS:
        plan = getattr(world, row.obj)
        return reverse(row.url, args=[plan.campaign.pk, plan.organization.pk])
    return reverse(row.url, args=[getattr(getattr(world, row.obj), URL_ARG.get(row.url, "pk"))])


@pytest.mark.parametrize(("row", "role", "expected"), CASES)
def test_access(client, world, row, role, expected):
    if row.obj:
        obj_of(world, row.obj)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = url_of(row, world)
    before = db_state()
    response = client.get(url) if row.method == GET else client.post(url, PAYLOADS[row.url](world, row.obj))
    if response.streaming:  # a download: read it to the end, so that the test client closes it
        b"".join(response.streaming_content)
    after = db_state()

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected in (BACK, DONE):
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if row.method == POST and expected == 200:
        assert response.context["form"].errors, "a refused POST re-renders the form with the reason"
    if expected == DONE:
        assert after != before, "the POST should have changed the database"
    else:
        assert after == before, "a refused POST (or any GET) must change nothing"
    if expected in (403, 404) and role != "anonymous" and row.url not in PUBLIC and row.obj not in NOT_FOUND:
        assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=getattr(world, role)).exists()


# --- CSRF: every state-changing URL refuses a POST without the token --------------------------


def _first_allowed_post(url):
    """The first POST row of ``url`` and a role that may carry it out."""
    for row in MATRIX:
        if row.url == url and row.method == POST:
            for role, expected in zip(ROLES, row.expected, strict=True):
                if expected in (DONE, BACK) and role != "anonymous":  # the token test logs in
                    return row, role
    raise AssertionError(f"no role may POST to {url}")


@pytest.mark.parametrize("url", sorted(PAYLOADS))
def test_every_post_needs_the_csrf_token(world, url):
    row, role = _first_allowed_post(url)
    obj_of(world, row.obj)
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(world, role))
    before = db_state()
    response = client.post(url_of(row, world), PAYLOADS[url](world, row.obj))
    assert response.status_code == 403
    assert db_state() == before
    # The same POST with the token (as the page's form sends it) goes through.
    client.get(reverse("portal:home"))
    token = client.cookies["csrftoken"].value
    response = client.post(url_of(row, world), {**PAYLOADS[url](world, row.obj), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_roll_refusals_are_logged(client, world):
    client.force_login(world.member_user)
    assert client.get(reverse("portal:roll_import", args=["members"])).status_code == 403
    client.force_login(world.secretary_a)
    assert client.get(reverse("portal:roll_import_job", args=[obj_of(world, "import_office").code])).status_code == 404
    denied = AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED)
    assert denied.filter(actor=world.member_user).exists()
    assert denied.filter(actor=world.secretary_a).exists()


# --- The meta-test: no URL of the site may be missing from the matrix -------------------------

# Tested on their own below: Django's admin (superuser-only by Django's own permissions), the
# language switch, the health check (public by design), and the account pages.
EXEMPT = {"set_language", "healthz", "login", "logout", "password_change", "password_change_done"}
EXEMPT_NAMESPACES = {"admin"}


def named_urls(resolver=None, namespace=""):
    """(full name or None, pattern) of every URL pattern, walking includes recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), pattern


def test_every_url_is_in_the_matrix():
    in_matrix = {row.url for row in MATRIX}
    urls = list(named_urls())
    unnamed = [str(p.pattern) for name, p in urls if name is None]
    assert not unnamed, f"unnamed URL patterns cannot be in the scope matrix: {unnamed}"
    missing = sorted({name for name, _p in urls} - in_matrix - EXEMPT)
    assert not missing, f"URLs missing from the scope matrix of {__name__}: {missing}"
    stale = sorted(in_matrix - {name for name, _p in urls})
    assert not stale, f"the matrix names URLs that do not exist: {stale}"


def test_every_state_changing_url_has_post_rows():
    """A URL whose form POSTs (it has a payload) is checked with POST as well as GET."""
    posted_urls = {row.url for row in MATRIX if row.method == POST}
    assert posted_urls == set(PAYLOADS)


def test_the_matrix_covers_every_role_and_place():
    for row in MATRIX:
        assert len(row.expected) == len(ROLES)
    objects = {row.obj for row in MATRIX}
    assert {"city", "town_a", "branch_a", "branch_a2", "town_b", "branch_b", "other_city"} <= objects
    assert {"member_a", "member_a2", "member_b", "member_other"} <= objects


# --- The exempt URLs, each on its own ---------------------------------------------------------


@pytest.mark.parametrize("role", ["secretary_a", "committee_a", "office", "member_user"])
def test_django_admin_sends_non_staff_to_its_login(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_django_admin_sends_anonymous_to_its_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_django_admin_opens_for_a_superuser(client, db):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345")
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_healthz_is_public_json(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "ok"


def test_set_language_switches_and_returns(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/orgs/"})
    assert response.status_code == 302
    assert response["Location"] == "/orgs/"
    assert response.cookies["django_language"].value == "en"


def test_login_page_and_login(client, cast):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "secretary_a", "password": "pw-test-12345"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.LOGIN, actor=cast.secretary_a).exists()


def test_login_refuses_a_deactivated_user(client, cast):
    cast.inactive.set_password("pw-test-12345")
    cast.inactive.save()
    response = client.post(reverse("login"), {"username": "gone", "password": "pw-test-12345"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.LOGIN_FAILED, actor_name="gone").exists()


def test_logout_is_post_only(client, cast):
    client.force_login(cast.secretary_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302


def test_password_change_needs_login(client, db):
    for name in ("password_change", "password_change_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_password_change(client, cast):
    client.force_login(cast.secretary_a)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-test-12345", "new_password1": "Vr8#kq2-lantern", "new_password2": "Vr8#kq2-lantern"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    cast.secretary_a.refresh_from_db()
    assert cast.secretary_a.check_password("Vr8#kq2-lantern")
    assert client.get(reverse("password_change_done")).status_code == 200


def test_password_change_refuses_a_weak_password(client, cast):
    client.force_login(cast.secretary_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-test-12345", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    cast.secretary_a.refresh_from_db()
    assert cast.secretary_a.check_password("pw-test-12345")


def test_a_deactivated_user_loses_access_on_the_next_request(client, cast):
    client.force_login(cast.committee_a)
    assert client.get(reverse("portal:org_detail", args=[cast.town_a.pk])).status_code == 200
    cast.committee_a.is_active = False
    cast.committee_a.save()
    response = client.get(reverse("portal:org_detail", args=[cast.town_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_moved_user_loses_access_on_the_next_request(client, cast):
    client.force_login(cast.committee_a)
    assert client.get(reverse("portal:org_detail", args=[cast.branch_a.pk])).status_code == 200
    cast.committee_a.roles.update(organization=cast.town_b)
    assert client.get(reverse("portal:org_detail", args=[cast.branch_a.pk])).status_code == 404
    assert client.get(reverse("portal:org_detail", args=[cast.branch_b.pk])).status_code == 200
