"""The demo campaign "2010–2012年创先争优活动" over the demo city, with its commitments in every state.

``build_demo_campaign`` runs after ``portal.demo.build_demo_city`` (``manage.py seed_demo``). It
creates the campaign (``campaigns.services.create_demo_campaign``) and then two kinds of data:

- **The showcase** (``Showcase``): the commitments the demo accounts meet first, moved through the
  flow by the model's own methods (``start``, ``attach_meeting``, ``submit``, ``return_for_changes``,
  ``accept``, ``publish``, ``Item.post_progress``/``services.post_progress``, ``Item.assess``,
  ``add_public_comment``, ``Comment.moderate``), so the history (``Event``) and the audit trail are
  what the portal itself writes, with the demo accounts as actors. In 松陵镇: the neighbour branch
  松陵镇鲈乡社区党支部 has published commitments with progress, a photo, assessed items and
  public comments (approved with replies, waiting, rejected); its siblings have commitments
  submitted (in the ``committee`` account's queue), returned with a reason, accepted, a draft and
  one published. Members of the demo branch 松陵镇流虹社区党支部 have commitments in every state
  (``member`` files his own; the ``secretary`` accepts them) and eight members have none yet. The
  demo branch itself gets *no* commitment of its own: filing it is the demo's first task (and that
  of the browser test ``tests/e2e/test_commitment_journey.py``). Elsewhere: 盛泽镇, 七都镇, the
  agencies' working committee and the college to the city, a non-public firm and a small
  cooperative to their towns. Organizations without an account of their own are represented by the
  ``office`` account (the campaign office enters their paper returns); commitments are accepted,
  assessed and comments moderated by ``committee`` inside 松陵镇 and by ``office`` elsewhere.
- **The rest of the city** (``Bulk``): every other active organization under the city (the demo
  branch excepted) draws a state — none yet, draft, submitted, returned, accepted or published —
  and gets one commitment to its superior with 3–5 items, and its secretary and deputy secretary
  their own when the branch's is accepted or published. These rows are written with
  ``bulk_create`` a thousand organizations at a time, with the same ``Event`` rows, meetings,
  progress updates, assessments, boards and implementation plans the model methods would have
  written, so that a province-sized city (``seed_demo --orgs 100000``) gets proportionate data;
  ``seed_demo --commitments N`` (``limit``) caps this part at N organizations.

Everything is deterministic: random draws come from generators seeded with ``portal.demo.SEED``,
public codes (boards, comment references) included, and dates are counted back from today so that
the campaign's open steps (``campaigns.services.DEMO_STEPS``) fit: filed about a month ago,
published two to three weeks ago, progress since, fulfilment assessed in the last week.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import reset_queries, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from PIL import Image, ImageDraw

from campaigns import defaults
from campaigns.demo import PlanBatch, date_back, file_plan
from campaigns.models import Campaign, CriteriaSet, Meeting
from campaigns.services import create_demo_campaign
from portal.demo import ACCOUNTS, CITY_CODE, SEED
from portal.models import BRANCH_LEVELS, Level, Member, Organization, Sector

from . import services
from .demo_texts import (
    APPROVE,
    ASSESSMENTS,
    COMMENTS,
    MEETING_MINUTES,
    MEETING_TOPIC,
    MEMBER_ITEMS,
    ORG_ITEMS,
    PROGRESS_TEXTS,
    RETURN_REASONS,
)
from .forms import check_upload
from .models import Board, Comment, Commitment, Event, Item, ProgressUpdate

State = Commitment.State
Audience = Commitment.Audience
Kind = Commitment.Kind
FULFILLED, PARTLY, NOT = Item.Fulfilment.FULFILLED, Item.Fulfilment.PARTLY, Item.Fulfilment.NOT
ORG, MEMBER = CriteriaSet.Target.ORGANIZATION, CriteriaSet.Target.MEMBER

TOWN = f"{CITY_CODE}-SL"
DEMO_BRANCH = f"{TOWN}-LH"  # 松陵镇流虹社区党支部: the demo secretary's branch
NEIGHBOUR = f"{TOWN}-LX"  # 松陵镇鲈乡社区党支部
CHUNK = 1000  # organizations per round of the bulk part
BATCH = 2000


ORG_FAMILY = {
    Sector.COMMUNITY: "community",
    Sector.RURAL: "rural",
    Sector.AGENCY: "agency",
    Sector.STATE_ENTERPRISE: "firm",
    Sector.NON_PUBLIC: "firm",
    Sector.SOCIAL: "firm",
    Sector.UNIVERSITY: "school",
    Sector.INSTITUTION: "school",
}
MEMBER_FAMILY = {Sector.NON_PUBLIC: "pioneer", Sector.SOCIAL: "pioneer", Sector.AGENCY: "agency"}
WEIGHTS = (Decimal(1), Decimal(1), Decimal(1), Decimal("1.5"), Decimal(2))
DEADLINES = (-20, 45, 90, 120, 180, 240, 300)  # days from today: a few have passed


@dataclass(frozen=True)
class Script:
    """How far one showcase commitment goes, and what happens on the way."""

    state: str
    days_ago: int  # when it was started
    items: int
    audience: str = Audience.SUPERIOR
    progress: tuple = ()  # final progress per item (0: none reported)
    assess: tuple = ()  # fulfilment per item ("" or missing: not assessed)
    photo: bool = False  # the first progress update carries a photo
    comments: str = ""  # key of COMMENTS
    reason: int = 0  # index of RETURN_REASONS


SIBLING = "sibling"  # the next child of 松陵镇党委 that is neither the demo branch nor the neighbour
# (organization code or SIBLING, script). Each state occurs outside 松陵镇 as well, so a small city has them all.
ORG_SCRIPTS = (
    (
        NEIGHBOUR,
        Script(
            State.PUBLISHED,
            27,
            5,
            progress=(100, 80, 60, 30, 0),
            assess=(FULFILLED, PARTLY),
            photo=True,
            comments="neighbour",
        ),
    ),
    (
        NEIGHBOUR,
        Script(State.PUBLISHED, 26, 3, audience=Audience.PUBLIC, progress=(50, 20, 0), comments="neighbour_public"),
    ),
    (SIBLING, Script(State.SUBMITTED, 12, 4)),
    (SIBLING, Script(State.RETURNED, 20, 4, reason=0)),
    (SIBLING, Script(State.SUBMITTED, 9, 5)),
    (SIBLING, Script(State.ACCEPTED, 18, 3)),
    (SIBLING, Script(State.DRAFT, 6, 3)),
    (SIBLING, Script(State.PUBLISHED, 25, 4, progress=(100, 60, 40, 0), assess=(FULFILLED,), comments="sibling")),
    (TOWN, Script(State.SUBMITTED, 10, 5)),
    (
        f"{CITY_CODE}-SZ",
        Script(State.PUBLISHED, 28, 5, progress=(80, 100, 50, 40, 20), assess=(PARTLY, FULFILLED), comments="town"),
    ),
    (f"{CITY_CODE}-SZ-HY", Script(State.RETURNED, 19, 4, reason=1)),
    (f"{CITY_CODE}-QD-YY", Script(State.DRAFT, 8, 3)),
    (f"{CITY_CODE}-QD", Script(State.ACCEPTED, 16, 4)),
    (f"{CITY_CODE}-JG", Script(State.PUBLISHED, 24, 5, progress=(60, 40, 80, 20, 0), assess=("", "", PARTLY, "", NOT))),
    (f"{CITY_CODE}-XY", Script(State.SUBMITTED, 11, 4)),
)
# (organization code, the member's place on the roll, script): the demo branch's members first;
# 0 is the secretary 徐丽萍, 1 the member 钱志明, who files his own. Members 10-17 have none yet.
MEMBER_SCRIPTS = (
    (
        DEMO_BRANCH,
        0,
        Script(State.PUBLISHED, 23, 3, audience=Audience.PUBLIC, progress=(60, 40, 100), assess=("", "", FULFILLED)),
    ),
    (DEMO_BRANCH, 1, Script(State.PUBLISHED, 22, 3, progress=(70, 50, 30), photo=True, comments="member")),
    (DEMO_BRANCH, 2, Script(State.PUBLISHED, 21, 2, progress=(40, 20))),
    (DEMO_BRANCH, 3, Script(State.PUBLISHED, 21, 3, progress=(100, 80, 50), assess=(FULFILLED,))),
    (DEMO_BRANCH, 4, Script(State.PUBLISHED, 20, 2, progress=(30, 0))),
    (DEMO_BRANCH, 5, Script(State.SUBMITTED, 8, 3)),
    (DEMO_BRANCH, 6, Script(State.SUBMITTED, 7, 2)),
    (DEMO_BRANCH, 7, Script(State.RETURNED, 15, 2, reason=2)),
    (DEMO_BRANCH, 8, Script(State.ACCEPTED, 12, 3)),
    (DEMO_BRANCH, 9, Script(State.DRAFT, 4, 2)),
    (NEIGHBOUR, 0, Script(State.PUBLISHED, 24, 3, progress=(50, 60, 20))),
    (NEIGHBOUR, 1, Script(State.PUBLISHED, 23, 2, progress=(100, 40), assess=(FULFILLED,))),
    (NEIGHBOUR, 2, Script(State.SUBMITTED, 9, 3)),
    (NEIGHBOUR, 3, Script(State.DRAFT, 5, 2)),
    (f"{CITY_CODE}-SZ-HY", 0, Script(State.PUBLISHED, 25, 3, progress=(90, 60, 40), assess=(PARTLY,))),
    (f"{CITY_CODE}-SZ-HY", 1, Script(State.PUBLISHED, 24, 2, progress=(100, 30))),
    (f"{CITY_CODE}-SZ-HY", 2, Script(State.SUBMITTED, 10, 3)),
)
# (organization code, filed or draft, account that files it): implementation plans filed through the model.
PLAN_SCRIPTS = (
    (TOWN, True, "committee"),
    (DEMO_BRANCH, True, "secretary"),
    (NEIGHBOUR, True, "office"),
    (f"{CITY_CODE}-SZ", True, "office"),
    (f"{CITY_CODE}-JG", True, "office"),
    (f"{CITY_CODE}-QD-YY", False, "office"),
)

# The bulk part: the share of organizations in each state (None: nothing filed yet), and of members.
ORG_STATES = (
    (None, 10),
    (State.DRAFT, 8),
    (State.SUBMITTED, 12),
    (State.RETURNED, 4),
    (State.ACCEPTED, 8),
    (State.PUBLISHED, 58),
)
MEMBER_STATES = ((State.DRAFT, 10), (State.SUBMITTED, 15), (State.ACCEPTED, 10), (State.PUBLISHED, 65))
PROGRESS_STEPS = (0, 20, 30, 40, 50, 60, 70, 80, 100, 100)
KEY_ROLES = (Member.Role.SECRETARY, Member.Role.DEPUTY)
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def org_family(level, sector):
    if level in (Level.TOWN, Level.WORKING, Level.DISTRICT) and sector != Sector.AGENCY:
        return "committee"
    return ORG_FAMILY[sector]


def org_title(name, audience):
    return f"{name}{'向群众' if audience == Audience.PUBLIC else '创先争优'}公开承诺"


def member_title(name, audience):
    return f"{name}同志{'向群众公开' if audience == Audience.PUBLIC else '创先争优'}承诺"


def progress_text(progress, rng):
    index = min(progress // 30, 3) if progress < 100 else 4
    return PROGRESS_TEXTS[index].format(n=rng.randint(2, 6), m=rng.randint(12, 60))


def meeting_size(members, level, rng):
    """(members expected, present): a branch's roll, or a committee's members (委员) at its plenary."""
    expected = members if level in BRANCH_LEVELS and members else rng.randint(7, 11)
    return expected, max(1, expected - rng.randint(0, max(1, expected // 6)))


def demo_photo(rng, name):
    """A small JPEG drawn in memory, standing for a photo of an activity: a banner over a row of people."""
    image = Image.new("RGB", (640, 480), (170 + rng.randint(0, 40), 200 + rng.randint(0, 30), 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 320, 640, 480), fill=(120 + rng.randint(0, 30), 150, 90))
    draw.rectangle((70, 50, 570, 120), fill=(196, 18, 48))
    draw.rectangle((90, 72, 550, 98), fill=(240, 200, 60))
    for i in range(9):
        x = 50 + i * 62 + rng.randint(-8, 8)
        colour = (rng.randint(20, 230), rng.randint(20, 230), rng.randint(20, 230))
        draw.ellipse((x, 220, x + 36, 256), fill=(235, 200, 170))
        draw.rectangle((x - 4, 258, x + 40, 360), fill=colour)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class Clock:
    """Moments counted back from now: ``at(days_ago)`` is a time of that day in office hours, never in the future."""

    def __init__(self, rng):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def at(self, days_ago, hours=(8, 12)):
        day = self.today - datetime.timedelta(days=days_ago)
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(*hours), self.rng.randint(0, 59)))
        return min(timezone.make_aware(moment), self.now)

    def day(self, days_ago):
        return self.today - datetime.timedelta(days=days_ago)


class SlotClock(Clock):
    """A ``Clock`` with one moment per day and period until ``reset``: rows written in bulk share a few
    moments, so that dating them back (``date_back``) takes a few UPDATEs, not one per row."""

    def __init__(self, rng):
        super().__init__(rng)
        self.slots = {}

    def at(self, days_ago, hours=(8, 12)):
        if (days_ago, hours) not in self.slots:
            self.slots[days_ago, hours] = super().at(days_ago, hours)
        return self.slots[days_ago, hours]

    def reset(self):
        self.slots.clear()


class Catalogue:
    """The campaign's criteria and carriers per sector, and items drawn from ``demo_texts``."""

    def __init__(self, campaign):
        self.criteria = {}
        for target in (ORG, MEMBER):
            for sector in Sector.values:
                criteria_set = campaign.criteria_for(target, sector)
                self.criteria[target, sector] = (criteria_set.name, list(criteria_set.criteria.all()))
        carriers = list(campaign.carriers.all())
        self.carriers = {sector: {c.name: c for c in carriers if c.sector in ("", sector)} for sector in Sector.values}

    def criteria_name(self, sector):
        return self.criteria[ORG, sector][0]

    def plan_carriers(self, sector, rng):
        """One or two carriers of the sector (its own before the general ones) for a plan to adopt."""
        offered = sorted(self.carriers[sector].values(), key=lambda c: (c.sector == "", c.pk))
        return offered[: rng.randint(1, 2)]

    def items(self, target, family, sector, count, rng, clock):
        """``count`` item field dicts on distinct criteria, in the criteria set's order."""
        texts = (ORG_ITEMS if target == ORG else MEMBER_ITEMS)[family]
        _name, criteria = self.criteria[target, sector]
        rows = []
        for order, index in enumerate(sorted(rng.sample(range(len(criteria)), count)), start=1):
            content, goal, carrier_names = rng.choice(texts[index])
            carrier = next((self.carriers[sector][n] for n in carrier_names if n in self.carriers[sector]), None)
            rows.append(
                {
                    "order": order,
                    "content": content,
                    "target": goal,
                    "deadline": clock.today + datetime.timedelta(days=rng.choice(DEADLINES)),
                    "criterion": criteria[index],
                    "carrier": carrier,
                    "weight": rng.choice(WEIGHTS),
                }
            )
        return rows


class Codes:
    """Public codes (boards, comment references) drawn from a seeded generator: the same on every build."""

    def __init__(self):
        self.rng = random.Random(f"{SEED}-codes")
        self.used = set()

    def _draw(self, alphabet, length):
        while True:
            code = "".join(self.rng.choice(alphabet) for _ in range(length))
            if code not in self.used:
                self.used.add(code)
                return code

    def board(self):
        return self._draw(CODE_ALPHABET, 8)

    def reference(self):
        return self._draw("0123456789ABCDEF", 10)


class Showcase:
    """The commitments the demo accounts meet first, moved through the flow by the model's methods."""

    def __init__(self, campaign, users, catalogue, codes):
        self.campaign, self.users, self.catalogue, self.codes = campaign, users, catalogue, codes
        self.rng = random.Random(f"{SEED}-showcase")
        self.clock = Clock(self.rng)
        self.town = Organization.objects.get(code=TOWN)
        self.boards = set()

    # -- who acts -----------------------------------------------------------------------------
    def filer(self, org, member=None):
        if member is not None and member.user_id:
            return member.user  # a member with a login files their own
        return self.users["secretary"] if org.code == DEMO_BRANCH else self.users["office"]

    def decider(self, acceptor):
        """Who accepts, assesses and moderates for ``acceptor``: its secretary, the town's officer or the office."""
        if acceptor.code == DEMO_BRANCH:
            return self.users["secretary"]
        return self.users["committee"] if acceptor.path.startswith(self.town.path) else self.users["office"]

    # -- the scripts --------------------------------------------------------------------------
    def build(self):
        codes = {code for code, _script in ORG_SCRIPTS} | {code for code, *_rest in MEMBER_SCRIPTS}
        orgs = {org.code: org for org in Organization.objects.active().filter(code__in=codes | {DEMO_BRANCH})}
        siblings = iter(
            self.town.children.active().exclude(code__in=(DEMO_BRANCH, NEIGHBOUR)).order_by("code")[: len(ORG_SCRIPTS)]
        )
        for code, script in ORG_SCRIPTS:
            org = next(siblings, None) if code == SIBLING else orgs.get(code)
            if org is not None:
                self.commitment(org, script)
        rolls = {}
        for code, place, script in MEMBER_SCRIPTS:
            org = orgs.get(code)
            if org is None:
                continue
            if code not in rolls:
                rolls[code] = list(org.members.filter(active=True).select_related("user").order_by("pk"))
            if place < len(rolls[code]):
                self.commitment(org, script, member=rolls[code][place])
        for code, filed, username in PLAN_SCRIPTS:
            if code in orgs:
                self.plan(orgs[code], filed, self.users[username])
        self.write_boards()
        committed = Commitment.objects.filter(campaign=self.campaign).values_list("organization", flat=True)
        return {org.pk for org in orgs.values()} | set(committed)

    def commitment(self, org, script, member=None):
        """Move a new commitment as far as ``script.state``; its history is dated back at the end."""
        rng, clock, day = self.rng, self.clock, script.days_ago
        filer = self.filer(org, member)
        if member:
            title, target = member_title(member.name, script.audience), MEMBER
            family = MEMBER_FAMILY.get(org.sector, "general")
        else:
            title, target, family = org_title(org.name, script.audience), ORG, org_family(org.level, org.sector)
        commitment = Commitment.start(filer, self.campaign, org, script.audience, title, member=member)
        moments, times = [clock.at(day)], {}  # when each Event happened; the commitment's own times
        items = Item.objects.bulk_create(
            Item(commitment=commitment, **fields)
            for fields in self.catalogue.items(target, family, org.sector, script.items, rng, clock)
        )
        decider = self.decider(commitment.acceptor)
        if script.state != State.DRAFT:
            if not member:
                commitment.attach_meeting(filer, self.meeting(org, day - 1, filer))
                moments.append(clock.at(day - 1, (14, 17)))
            commitment.submit(filer)
            moments.append(times.setdefault("submitted_at", clock.at(day - 2)))
        if script.state == State.RETURNED:
            commitment.return_for_changes(decider, RETURN_REASONS[script.reason])
            moments.append(clock.at(day - 4))
        elif script.state in (State.ACCEPTED, State.PUBLISHED):
            commitment.accept(decider)
            moments.append(times.setdefault("accepted_at", clock.at(day - 4)))
        if script.state == State.PUBLISHED:
            published = day - 5
            commitment.publish(filer)
            moments.append(times.setdefault("published_at", clock.at(published, (14, 17))))
            self.boards.add(org.pk)
            moments += self.progress(items, script, filer, published)
            for item, fulfilment in zip(items, script.assess, strict=False):
                if fulfilment:
                    item.assess(decider, fulfilment, ASSESSMENTS[fulfilment])
                    moments.append(clock.at(rng.randint(1, 3), (14, 17)))
                    Item.objects.filter(pk=item.pk).update(assessed_at=moments[-1])
            for spec in COMMENTS.get(script.comments, ()):
                self.comment(commitment, spec, published, decider)
        events = list(commitment.events.order_by("pk"))
        for event, moment in zip(events, moments, strict=True):
            event.at = moment
        Event.objects.bulk_update(events, ["at"])
        Commitment.objects.filter(pk=commitment.pk).update(created_at=moments[0], updated_at=max(moments), **times)
        return commitment

    def meeting(self, org, day, filer):
        expected, present = meeting_size(org.members.filter(active=True).count(), org.level, self.rng)
        meeting = Meeting(
            campaign=self.campaign,
            organization=org,
            kind=Meeting.Kind.GENERAL_ASSEMBLY,
            held_on=self.clock.day(day),
            attendance=present,
            members_total=expected,
            staff_representatives=self.rng.randint(1, 3) if org.sector == Sector.NON_PUBLIC else 0,
            topic=MEETING_TOPIC,
            minutes=MEETING_MINUTES,
            recorded_by=filer,
        )
        meeting.full_clean()
        meeting.save()
        return meeting

    def progress(self, items, script, filer, published):
        """Post the script's progress (the first update with a photo if it says so); returns the moments."""
        rng, clock, moments = self.rng, self.clock, []
        photo = script.photo
        for index, (item, final) in enumerate(zip(items, script.progress, strict=False)):
            if not final:
                continue
            first = max(2, published - 2 - index)
            steps = [(first, final)] if final < 60 else [(first, final // 20 * 10), (max(1, first - 6), final)]
            for day, value in steps:
                text = progress_text(value, rng)
                if photo:
                    upload = check_upload(demo_photo(rng, "活动照片.jpg"))
                    update = services.post_progress(filer, item, text, value, [upload])
                    photo = False
                else:
                    update = item.post_progress(filer, text, value)
                moments.append(clock.at(day))
                ProgressUpdate.objects.filter(pk=update.pk).update(created_at=moments[-1])
        return moments

    def comment(self, commitment, spec, published, moderator):
        kind, name, contact, body, after, decision, reply = spec
        day = max(1, published - after)
        comment = commitment.add_public_comment(
            kind=kind, name=name, contact=contact, body=body, reference=self.codes.reference()
        )
        Comment.objects.filter(pk=comment.pk).update(created_at=self.clock.at(day))
        if decision:
            comment.moderate(moderator, decision == APPROVE, reply)
            Comment.objects.filter(pk=comment.pk).update(moderated_at=self.clock.at(day - 1, (14, 17)))

    def plan(self, org, filed, actor):
        carriers = self.catalogue.plan_carriers(org.sector, self.rng)
        plan = file_plan(self.campaign, org, actor, self.catalogue.criteria_name(org.sector), carriers, filed)
        when = self.clock.at(self.rng.randint(35, 50))
        type(plan).objects.filter(pk=plan.pk).update(updated_at=when, filed_at=when if filed else None)

    def write_boards(self):
        Board.objects.bulk_create(Board(organization_id=pk, code=self.codes.board()) for pk in sorted(self.boards))


class Bulk:
    """One commitment (and plan) for every other organization, written with ``bulk_create``, chunk by chunk.

    Each row gets what the model methods would have written: the start, meeting, submit, return or
    accept, publish, progress and assessment ``Event`` rows, in order, with the same notes.
    """

    def __init__(self, campaign, users, catalogue, codes):
        self.campaign, self.catalogue, self.codes = campaign, catalogue, codes
        self.office, self.committee = users["office"], users["committee"]
        self.rng = random.Random(f"{SEED}-bulk")
        self.clock = SlotClock(self.rng)
        self.town_path = Organization.objects.get(code=TOWN).path

    def write(self, exclude, limit=None):
        """Give the organizations not in ``exclude`` their commitments, at most ``limit`` of them (None: all)."""
        orgs = (
            Organization.objects.active()
            .filter(path__startswith=self.campaign.area.path, parent__isnull=False)
            .exclude(pk__in=exclude)
            .order_by("pk")
            .values("pk", "name", "level", "sector", "parent_id", "path", "secretary_name")
        )
        last, left = 0, limit
        while left != 0 and (chunk := list(orgs.filter(pk__gt=last)[: CHUNK if left is None else min(CHUNK, left)])):
            self.chunk(chunk)
            last = chunk[-1]["pk"]
            left = None if left is None else left - len(chunk)

    def draw(self, table):
        states, weights = zip(*table, strict=True)
        return self.rng.choices(states, weights)[0]

    def chunk(self, orgs):
        reset_queries()  # with DEBUG on, the log of these large INSERTs would hold on to memory
        self.clock.reset()
        rows = Rows()
        states = {org["pk"]: self.draw(ORG_STATES) for org in orgs}
        rolls = dict(
            Member.objects.filter(organization__in=[o["pk"] for o in orgs], active=True)
            .order_by()
            .values_list("organization")
            .annotate(n=Count("pk"))
        )
        committing = [
            o["pk"]
            for o in orgs
            if o["level"] in BRANCH_LEVELS and states[o["pk"]] in (State.ACCEPTED, State.PUBLISHED)
        ]
        key_members = {}
        for pk, name, org_pk in (
            Member.objects.filter(organization__in=committing, active=True, role__in=KEY_ROLES)
            .order_by("organization", "pk")
            .values_list("pk", "name", "organization")
        ):
            key_members.setdefault(org_pk, []).append((pk, name))
        plans = PlanBatch(self.campaign)
        for org in orgs:
            state = states[org["pk"]]
            if state is None:
                continue
            decider = self.committee if org["path"].startswith(self.town_path) else self.office
            start = self.rng.randint(22, 29)
            published = self.story(rows, org, state, start, decider, roll=rolls.get(org["pk"], 0))
            for member_pk, name in key_members.get(org["pk"], ()):
                member_state = self.draw(MEMBER_STATES)
                member_published = self.story(
                    rows, org, member_state, start - self.rng.randint(0, 3), decider, member=(member_pk, name)
                )
                published = published or member_published
            if published:
                rows.boards.append(Board(organization_id=org["pk"], code=self.codes.board()))
            plan_day = start + self.rng.randint(3, 15)
            plans.add(
                org["pk"],
                org["name"],
                org["secretary_name"],
                self.catalogue.criteria_name(org["sector"]),
                self.catalogue.plan_carriers(org["sector"], self.rng),
                self.office,
                self.clock.at(plan_day),
                filed=state != State.DRAFT,
            )
        rows.write()
        plans.flush(BATCH)

    def story(self, rows, org, state, start, decider, roll=0, member=None):
        """Add one commitment that went as far as ``state``; returns whether it is published."""
        rng, clock = self.rng, self.clock
        sector = org["sector"]
        if member:
            kind, target, family = Kind.MEMBER, MEMBER, MEMBER_FAMILY.get(sector, "general")
            title, acceptor = member_title(member[1], Audience.SUPERIOR), org["pk"]
            count = rng.randint(2, 3)
        else:
            kind, target, family = Kind.ORGANIZATION, ORG, org_family(org["level"], sector)
            title, acceptor = org_title(org["name"], Audience.SUPERIOR), org["parent_id"]
            count = rng.randint(3, 5)
        commitment = Commitment(
            campaign=self.campaign,
            kind=kind,
            audience=Audience.SUPERIOR,
            organization_id=org["pk"],
            member_id=member[0] if member else None,
            acceptor_id=acceptor,
            title=title,
            state=state,
            created_by=self.office,
        )
        events = [(State.DRAFT, State.DRAFT, self.office, clock.at(start), "")]
        items = [
            Item(commitment=commitment, **fields)
            for fields in self.catalogue.items(target, family, sector, count, rng, clock)
        ]
        day = start
        if state != State.DRAFT:
            if not member:
                expected, present = meeting_size(roll, org["level"], rng)
                day -= rng.randint(1, 2)
                meeting = Meeting(
                    campaign=self.campaign,
                    organization_id=org["pk"],
                    kind=Meeting.Kind.GENERAL_ASSEMBLY,
                    held_on=clock.day(day),
                    attendance=present,
                    members_total=expected,
                    staff_representatives=rng.randint(1, 3) if sector == Sector.NON_PUBLIC else 0,
                    topic=MEETING_TOPIC,
                    minutes=MEETING_MINUTES,
                    recorded_by=self.office,
                )
                rows.meetings.append(meeting)
                commitment.meeting = meeting
                events.append((State.DRAFT, State.DRAFT, self.office, clock.at(day, (13, 15)), str(meeting)))
            day -= rng.randint(0, 1)
            commitment.submitted_at = clock.at(day, (16, 17))  # after a meeting that day
            events.append((State.DRAFT, State.SUBMITTED, self.office, commitment.submitted_at, ""))
            commitment.version += 1
        if state in (State.RETURNED, State.ACCEPTED, State.PUBLISHED):
            day -= rng.randint(1, 3)
            decided = clock.at(day)
            commitment.version += 1
            if state == State.RETURNED:
                commitment.return_reason = rng.choice(RETURN_REASONS)
                events.append((State.SUBMITTED, State.RETURNED, decider, decided, commitment.return_reason))
            else:
                commitment.accepted_at = decided
                events.append((State.SUBMITTED, State.ACCEPTED, decider, decided, ""))
        if state == State.PUBLISHED:
            day -= rng.randint(0, 1)
            commitment.published_at = clock.at(day, (14, 17))
            commitment.version += 1
            events.append((State.ACCEPTED, State.PUBLISHED, self.office, commitment.published_at, ""))
            events += self.progress(rows, items, day, decider)
        rows.commitments.append(commitment)
        rows.items += items
        rows.events += [
            Event(commitment=commitment, from_state=a, to_state=b, actor=actor, at=at, note=note)
            for a, b, actor, at, note in events
        ]
        return state == State.PUBLISHED

    def progress(self, rows, items, published, decider):
        """Progress updates of a published commitment's items, and for some an assessment: their events."""
        rng, clock, events = self.rng, self.clock, []
        assessed = rng.random() < 0.3
        for item in items:
            final = rng.choice(PROGRESS_STEPS)
            last_day = published
            if final:
                first = rng.randint(max(2, published // 2), max(2, published - 1))
                steps = (
                    [(first, final)] if final < 60 else [(first, final // 20 * 10), (rng.randint(1, first - 1), final)]
                )
                before = 0
                for day, value in steps:
                    when = clock.at(day)
                    update = ProgressUpdate(
                        item=item, text=progress_text(value, rng), progress=value, created_by=self.office
                    )
                    rows.updates.append((update, when))
                    events.append(
                        (
                            State.PUBLISHED,
                            State.PUBLISHED,
                            self.office,
                            when,
                            f"{item.content[:50]}: {before}% → {value}%",
                        )
                    )
                    before, last_day = value, day
                item.progress = final
            overdue = item.deadline < clock.today
            if assessed and (final >= 50 or overdue):
                fulfilment = FULFILLED if final == 100 else PARTLY if final >= 50 else NOT
                item.fulfilment, item.fulfilment_comment = fulfilment, ASSESSMENTS[fulfilment]
                item.assessed_by, item.assessed_at = decider, clock.at(rng.randint(1, min(6, last_day)), (14, 17))
                label = Item.Fulfilment(fulfilment).label
                events.append(
                    (State.PUBLISHED, State.PUBLISHED, decider, item.assessed_at, f"{item.content[:50]}: — → {label}")
                )
        return events


class Rows:
    """The rows of one chunk, written parents first so that every foreign key has its id."""

    def __init__(self):
        self.meetings, self.commitments, self.items, self.events, self.boards = [], [], [], [], []
        self.updates = []  # (progress update, when it was posted)

    def write(self):
        Meeting.objects.bulk_create(self.meetings, batch_size=BATCH)
        Commitment.objects.bulk_create(self.commitments, batch_size=BATCH)
        Item.objects.bulk_create(self.items, batch_size=BATCH)
        ProgressUpdate.objects.bulk_create([update for update, _when in self.updates], batch_size=BATCH)
        Event.objects.bulk_create(self.events, batch_size=BATCH)
        Board.objects.bulk_create(self.boards, batch_size=BATCH)
        # created_at/updated_at are automatic (bulk_create stamps the time of writing): date them back.
        events = Event.objects.filter(commitment=OuterRef("pk")).order_by("at", "pk").values("at")
        Commitment.objects.filter(pk__in=[c.pk for c in self.commitments]).update(
            created_at=Subquery(events[:1]), updated_at=Subquery(events.reverse()[:1])
        )
        date_back(ProgressUpdate, "created_at", self.updates)


def demo_users():
    usernames = [username for username, *_rest in ACCOUNTS]
    return {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}


@transaction.atomic
def build_demo_campaign(limit=None):
    """Create the demo campaign over the demo city, with its commitments and plans; ``None`` if it exists.

    ``limit``: how many organizations beyond the showcase get commitments (None: all, proportionate to
    the city; 0: the showcase only). Returns the campaign. Needs the demo city and its accounts
    (``portal.demo.build_demo_city``).
    """
    city = Organization.objects.get(code=CITY_CODE)
    if Campaign.objects.filter(name=defaults.DEMO_NAME, area=city).exists():
        return None
    users = demo_users()
    campaign = create_demo_campaign(city, actor=users["office"])
    catalogue, codes = Catalogue(campaign), Codes()
    shown = Showcase(campaign, users, catalogue, codes).build()
    Bulk(campaign, users, catalogue, codes).write(exclude=shown, limit=limit)
    return campaign
