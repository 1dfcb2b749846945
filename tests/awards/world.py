"""Award objects and rows of the scope matrix (tests/portal/test_scope_matrix.py), made when a case asks for one.

    round_city       the city's round in campaign_city (rules cleared, so that anyone may be nominated)
    round_town_a     town_a's round in campaign_city;  round_other: other_city's round in campaign_other
    category_city    优秀共产党员 of round_city;  category_other: of round_other
    quota_city       a branch-level quota of category_city;  quota_other: of category_other
    level_<org>      the level page of branch_a, town_a, branch_b in round_city
    nomination_a/_b  member_a's / member_b's nomination in round_city, still with their branch
    nomination_other member_other's in round_other
    top_nomination   member_a's, forwarded up to the city
    listed_round     round_city with top_nomination on the list;  open_round: the list announced today
    announced_round  round_city whose announcement ended yesterday;  decided_round: approved, with
                     approved_nomination (and its article's photos published_photo, draft_photo)
    objection_city   an open objection in open_round;  objection_other: one in round_other's announcement
    award_attachment_a/_b  material of nomination_a / nomination_b
    organizer_<org>  the awarding organization (and campaign) a new round's form names
    unknown_round    an announcement address that leads nowhere

Expected answers use the matrix's markers as strings ("LOGIN", "BACK", "DONE"), in the order of its ROLES.
"""

import datetime
import time
from types import SimpleNamespace

import time_machine
from django.core.files.base import ContentFile

from awards.forms import ObjectionForm
from awards.models import (
    Article,
    ArticlePhoto,
    AwardCategory,
    AwardQuota,
    AwardRound,
    Nomination,
    NominationAttachment,
    Objection,
)

from ..campaigns.world import campaign_of

L, BACK, DONE = "LOGIN", "BACK", "DONE"
TODAY = datetime.date.today()


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def get(w, name):
    if not hasattr(w, name):
        setattr(w, name, MAKERS[name](w))
    return getattr(w, name)


def _round(w, campaign_name, organizer):
    round = AwardRound.open(
        AwardRound(
            campaign=campaign_of(w, campaign_name),
            organizer=organizer,
            title=f"{organizer.name}评选表彰",
            nominations_due_on=_days(20),
            reviews_from=_days(-100),
            reviews_to=_days(0),
        ),
        w.office,
    )
    AwardCategory.objects.filter(round=round).update(
        min_grade="", min_fulfilment=None, min_satisfaction=None, no_open_rectification=False
    )
    return round


def _category(round):
    return round.categories.get(name="优秀共产党员")


def _nominate(w, round, member, actor):
    return Nomination.nominate(actor, round, _category(round), member=member)


def _forward(nomination, actor):
    nomination.refresh_from_db()
    nomination.forward(actor, nomination.version)
    nomination.refresh_from_db()
    return nomination


def _top(w):
    nomination = _nominate(w, get(w, "round_city"), w.member_a, w.secretary_a)
    return _forward(_forward(nomination, w.secretary_a), w.committee_a)


def _listed(w):
    nomination = get(w, "top_nomination")
    nomination.put_on_list(w.office, nomination.version)
    return AwardRound.objects.get(pk=nomination.round_id)


def _open(w):
    round = get(w, "listed_round")
    round.start_publicity(w.office)
    return round


def _announced(w):
    round = get(w, "listed_round")
    round.start_publicity(w.office, on=_days(-8))
    return round


def _decided(w):
    round = get(w, "announced_round")
    round.approve(w.office)
    return round


def _approved(w):
    get(w, "decided_round")
    nomination = Nomination.objects.get(state=Nomination.State.APPROVED)
    article = Article(nomination=nomination, title="先进事迹", body="事迹正文")
    article.save_edit(w.office, None)
    return nomination


def _photo(w, published):
    article = get(w, "approved_nomination").article
    if published:
        article.published = True
        article.save_edit(w.office, article.version)
    photo = ArticlePhoto(article=article, caption="照片")
    photo.file.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0demo"), save=True)
    return photo


def _objection(round):
    nomination = round.nominations.get(state=Nomination.State.SHORTLISTED)
    return Objection.file(round, nomination, name="", contact="13800003333", body="请核实")


def _objection_other(w):
    round = get(w, "round_other")
    nomination = _forward(_nominate(w, round, w.member_other, w.admin), w.admin)
    nomination.put_on_list(w.admin, nomination.version)
    round.start_publicity(w.admin)
    return _objection(round)


def _attachment(w, nomination_name):
    nomination = get(w, nomination_name)
    attachment = NominationAttachment(nomination=nomination, organization=nomination.holder, name="事迹.pdf", size=15)
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return attachment


def _quota(round):
    return AwardQuota.objects.create(round=round, category=_category(round), level="branch", number=2)


def _level(w, org_name):
    round, org = get(w, "round_city"), getattr(w, org_name)
    return SimpleNamespace(round=round, org=org, round_pk=round.pk, org_pk=org.pk)


MAKERS = {
    "round_city": lambda w: _round(w, "campaign_city", w.city),
    "round_town_a": lambda w: _round(w, "campaign_city", w.town_a),
    "round_other": lambda w: _round(w, "campaign_other", w.other_city),
    "category_city": lambda w: _category(get(w, "round_city")),
    "category_other": lambda w: _category(get(w, "round_other")),
    "quota_city": lambda w: _quota(get(w, "round_city")),
    "quota_other": lambda w: _quota(get(w, "round_other")),
    "level_branch_a": lambda w: _level(w, "branch_a"),
    "level_town_a": lambda w: _level(w, "town_a"),
    "level_branch_b": lambda w: _level(w, "branch_b"),
    "nomination_a": lambda w: _nominate(w, get(w, "round_city"), w.member_a, w.secretary_a),
    "nomination_b": lambda w: _nominate(w, get(w, "round_city"), w.member_b, w.secretary_b),
    "nomination_other": lambda w: _nominate(w, get(w, "round_other"), w.member_other, w.admin),
    "top_nomination": _top,
    "listed_round": _listed,
    "open_round": _open,
    "announced_round": _announced,
    "decided_round": _decided,
    "approved_nomination": _approved,
    "published_photo": lambda w: _photo(w, True),
    "draft_photo": lambda w: _photo(w, False),
    "objection_city": lambda w: _objection(get(w, "open_round")),
    "objection_other": _objection_other,
    "award_attachment_a": lambda w: _attachment(w, "nomination_a"),
    "award_attachment_b": lambda w: _attachment(w, "nomination_b"),
    "organizer_city": lambda w: SimpleNamespace(code=w.city.code, campaign=campaign_of(w, "campaign_city")),
    "organizer_town_a": lambda w: SimpleNamespace(code=w.town_a.code, campaign=campaign_of(w, "campaign_city")),
    "organizer_other": lambda w: SimpleNamespace(code=w.other_city.code, campaign=campaign_of(w, "campaign_other")),
    "unknown_round": lambda w: SimpleNamespace(code="NOSUCHROUND"),
}
AWARD_OBJECTS = {name: (lambda w, name=name: get(w, name)) for name in MAKERS}

# fmt: off
#                       anon secretary_a committee_a office admin member_user inactive secretary_b
AWARD_VIEW = {
    "round_city":       (L,  200,        200,        200,   200,  404,        L,       200),
    "round_town_a":     (L,  200,        200,        200,   200,  404,        L,       404),
    "round_other":      (L,  404,        404,        404,   200,  404,        L,       404),
}
AWARD_MANAGE = {
    "round_city":       (L,  403,        403,        200,   200,  404,        L,       403),
    "round_other":      (L,  404,        404,        404,   200,  404,        L,       404),
}
CATEGORY_MANAGE = {"category_city": AWARD_MANAGE["round_city"], "category_other": AWARD_MANAGE["round_other"]}
QUOTA_MANAGE = {"quota_city": AWARD_MANAGE["round_city"], "quota_other": AWARD_MANAGE["round_other"]}
AWARD_CREATE = {None:   (L,  403,        200,        200,   200,  403,        L,       403)}
AWARD_CREATE_POST = {
    "organizer_city":   (L,  403,        200,        DONE,  DONE, 403,        L,       403),
    "organizer_town_a": (L,  403,        DONE,       DONE,  DONE, 403,        L,       403),
    "organizer_other":  (L,  403,        200,        200,   DONE, 403,        L,       403),
}
LEVEL = {
    "level_branch_a":   (L,  200,        200,        200,   200,  404,        L,       404),
    "level_town_a":     (L,  404,        200,        200,   200,  404,        L,       404),
    "level_branch_b":   (L,  404,        404,        200,   200,  404,        L,       200),
}
# A nomination is seen within its nominee's reach and moved on by whoever reaches its holder.
NOMINATION = {
    "nomination_a":     (L,  200,        200,        200,   200,  404,        L,       404),
    "nomination_b":     (L,  404,        404,        200,   200,  404,        L,       200),
    "nomination_other": (L,  404,        404,        404,   200,  404,        L,       404),
}
AT_THE_TOP = {"top_nomination": (L, 403,  403,        200,   200,  404,        L,       404)}
PUBLICITY_POST = {
    "listed_round":     (L,  403,        403,        DONE,  DONE, 404,        L,       403),
    "round_other":      (L,  404,        404,        404,   BACK, 404,        L,       404),
}
APPROVE_POST = {
    "announced_round":  (L,  403,        403,        DONE,  DONE, 404,        L,       403),
    "round_other":      (L,  404,        404,        404,   BACK, 404,        L,       404),
}
CERTIFICATES = {
    "decided_round":    (L,  403,        403,        200,   200,  404,        L,       403),
    "round_other":      (L,  404,        404,        404,   BACK, 404,        L,       404),
}
OBJECTION = {
    "objection_city":   (L,  404,        404,        200,   200,  404,        L,       404),
    "objection_other":  (L,  404,        404,        404,   200,  404,        L,       404),
}
CERTIFICATE = {"approved_nomination": (L, 200, 200,      200,   200,  404,        L,       404)}
ARTICLE = {"approved_nomination": (L, 403, 403,          200,   200,  404,        L,       404)}
ATTACHMENT = {
    "award_attachment_a": (L, 200,       200,        200,   200,  404,        L,       404),
    "award_attachment_b": (L, 404,       404,        200,   200,  404,        L,       200),
}
# Public by design (no login).
ANNOUNCEMENT = {
    "open_round":       (200, 200,       200,        200,   200,  200,        200,     200),
    "unknown_round":    (404, 404,       404,        404,   404,  404,        404,     404),
}
ANNOUNCEMENT_POST = {
    "open_round":       (DONE, DONE,     DONE,       DONE,  DONE, DONE,       DONE,    DONE),
    "unknown_round":    (404, 404,       404,        404,   404,  404,        404,     404),
}
DEEDS = {
    "approved_nomination": (200, 200,    200,        200,   200,  200,        200,     200),
    "nomination_a":     (404, 404,       404,        404,   404,  404,        404,     404),
}
PHOTO = {
    "published_photo":  (200, 200,       200,        200,   200,  200,        200,     200),
    "draft_photo":      (404, 404,       404,        200,   200,  404,        404,     404),
}
EVERYONE_PUBLIC = {None: (200, 200,      200,        200,   200,  200,        200,     200)}
STAFF_ONLY = {None:     (L,  200,        200,        200,   200,  403,        L,       200)}
# fmt: on


def _posted(table):
    return {obj: tuple(DONE if e == 200 else e for e in expected) for obj, expected in table.items()}


GET, POST = "GET", "POST"
AWARD_ROWS = [
    ("awards:list", GET, STAFF_ONLY),
    ("awards:create", GET, AWARD_CREATE),
    ("awards:create", POST, AWARD_CREATE_POST),
    ("awards:detail", GET, AWARD_VIEW),
    ("awards:edit", GET, AWARD_MANAGE),
    ("awards:edit", POST, _posted(AWARD_MANAGE)),
    ("awards:quotas", GET, AWARD_MANAGE),
    ("awards:quotas", POST, _posted(AWARD_MANAGE)),
    ("awards:quota", GET, QUOTA_MANAGE),
    ("awards:quota", POST, _posted(QUOTA_MANAGE)),
    ("awards:category", GET, CATEGORY_MANAGE),
    ("awards:category", POST, _posted(CATEGORY_MANAGE)),
    ("awards:level", GET, LEVEL),
    ("awards:level", POST, _posted(LEVEL)),
    ("awards:nomination", GET, NOMINATION),
    ("awards:nomination_edit", GET, NOMINATION),
    ("awards:nomination_edit", POST, _posted(NOMINATION)),
    ("awards:forward", GET, NOMINATION),
    ("awards:forward", POST, _posted(NOMINATION)),
    ("awards:decline", GET, NOMINATION),
    ("awards:decline", POST, _posted(NOMINATION)),
    ("awards:shortlist", GET, AT_THE_TOP),
    ("awards:shortlist", POST, _posted(AT_THE_TOP)),
    ("awards:attachment", GET, ATTACHMENT),
    ("awards:publicity", POST, PUBLICITY_POST),
    ("awards:approve", POST, APPROVE_POST),
    ("awards:objections", GET, AWARD_MANAGE),
    ("awards:objection", GET, OBJECTION),
    ("awards:objection", POST, _posted(OBJECTION)),
    ("awards:certificates", GET, CERTIFICATES),
    ("awards:certificate", GET, CERTIFICATE),
    ("awards:article", GET, ARTICLE),
    ("awards:article", POST, _posted(ARTICLE)),
    ("awards:objection_lookup", GET, EVERYONE_PUBLIC),
    ("awards:announcement", GET, ANNOUNCEMENT),
    ("awards:announcement", POST, ANNOUNCEMENT_POST),
    ("awards:notice", GET, ANNOUNCEMENT),
    ("awards:honours", GET, EVERYONE_PUBLIC),
    ("awards:articles", GET, EVERYONE_PUBLIC),
    ("awards:deeds", GET, DEEDS),
    ("awards:photo", GET, PHOTO),
]
AWARD_PUBLIC = {
    "awards:announcement",
    "awards:notice",
    "awards:honours",
    "awards:deeds",
    "awards:photo",
    "awards:objection_lookup",
    "awards:articles",
}
AWARD_OBJECT_IN_BODY = {"awards:create"}
AWARD_URL_ARG = {"awards:announcement": "code", "awards:notice": "code", "awards:deeds": "code"}
AWARD_URL_ARGS = {"awards:level": ("round_pk", "org_pk")}


def _objection_form(w, name):
    with time_machine.travel(time.time() - 10, tick=False):
        started = ObjectionForm.new_token()
    nomination = get(w, name).nominations.get(state=Nomination.State.SHORTLISTED) if name == "open_round" else None
    return {
        "nomination": nomination.pk if nomination else "",
        "body": "该同志有违纪行为",
        "contact": "13800004444",
        "website": "",
        "started": started,
    }


def _round_form(round):
    return {
        "title": f"{round.title}（改）",
        "campaign": round.campaign_id,
        "nominations_due_on": round.nominations_due_on.isoformat(),
        "publicity_days": round.publicity_days,
        "reviews_from": round.reviews_from.isoformat(),
        "reviews_to": round.reviews_to.isoformat(),
        "version": round.version,
    }


def _level_form(w, name):
    level = get(w, name)
    if name == "level_town_a":
        return {"category": level.round.categories.get(name="先进基层党组织").pk, "candidate": w.branch_a.pk}
    member = {"level_branch_a": w.member_a, "level_branch_b": w.member_b}[name]
    return {"category": _category(level.round).pk, "candidate": member.pk}


def _version(w, name):
    return {"version": get(w, name).version}


AWARD_PAYLOADS = {
    "awards:create": lambda w, name: {
        **_round_form(
            SimpleNamespace(
                title="新一轮评选",
                campaign_id=get(w, name).campaign.pk,
                nominations_due_on=_days(30),
                publicity_days=7,
                reviews_from=_days(-100),
                reviews_to=_days(0),
                version="",
            )
        ),
        "organizer": get(w, name).code,
    },
    "awards:edit": lambda w, name: _round_form(get(w, name)),
    "awards:quotas": lambda w, name: {"category": _category(get(w, name)).pk, "level": "branch", "number": 2},
    "awards:quota": lambda w, name: {"number": 3, **_version(w, name)},
    "awards:category": lambda w, name: {
        "name": get(w, name).name,
        "order": 2,
        "min_grade": "good",
        "full_members_only": "on",
        "version": get(w, name).version,
    },
    "awards:level": _level_form,
    "awards:nomination_edit": lambda w, name: {"deeds": "带头服务群众", **_version(w, name)},
    "awards:forward": lambda w, name: {"opinion": "同意推荐", **_version(w, name)},
    "awards:decline": lambda w, name: {"opinion": "名额有限", **_version(w, name)},
    "awards:shortlist": lambda w, name: {"opinion": "列入公示", **_version(w, name)},
    "awards:publicity": lambda w, name: {},
    "awards:approve": lambda w, name: {"decision": "吴委〔2026〕8号"},
    "awards:objection": lambda w, name: {"outcome": "dismissed", "answer": "经核实，反映情况不属实"},
    "awards:article": lambda w, name: {
        "title": "先进事迹（改）",
        "body": "正文",
        "published": "on",
        "version": get(w, name).article.version,
    },
    "awards:announcement": _objection_form,
}
