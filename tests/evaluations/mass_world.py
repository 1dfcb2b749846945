"""Mass evaluation objects and rows of the scope matrix (tests/portal/test_scope_matrix.py), made when a case
asks for one.

    mass_round_a / _b / _other    the opened round of town_a (campaign_city), town_b (campaign_city) and
                                  other_city (campaign_other); each evaluates the branches below it
    mass_draft_a / _b / _other    a round of the same organizers still being prepared
    mass_p_a, mass_p_a2, mass_p_b, mass_p_other
                                  branch_a, branch_a2 (in mass_round_a), branch_b, other_branch evaluated
    mass_batch_<x>                a batch of two codes of mass_p_<x>
    mass_entry_<x>                a hotline entry in the ledger of mass_p_<x>
    mass_rect_<x>                 an open rectification of mass_p_<x>; mass_reported_<x>: one reported done
    ballot_fresh / ballot_used    a code of mass_p_a not used yet / already used (with ``code``)
    open_a / open_off             mass_p_a with the open channel on / mass_p_a2 with it off (``code``)
    suggest_a / suggest_unknown   mass_p_a's suggestion box / an address that leads nowhere

Seen from each role: rounds from anywhere below their organizer (a branch secretary sees town_a's round),
managed within the organizer's reach (committees, office, admin); an evaluated organization's page within
its reach, its codes, paper ballots and rectifications opened and accepted by its superior, its ledger
kept and rectification reported by its own staff too. The public pages answer everyone alike.
Expected answers use the matrix's markers as strings ("LOGIN", "DONE"), in the order of its ROLES.
"""

import datetime
from types import SimpleNamespace

from evaluations import mass_services as services
from evaluations.mass_models import Channel, Option, Participant, Question, Round, Target

from ..campaigns.world import campaign_of

L, DONE = "LOGIN", "DONE"
GET, POST = "GET", "POST"
TODAY = datetime.date.today()
PLACES = {  # suffix → (campaign, organizer, evaluated organization)
    "a": ("campaign_city", "town_a", "branch_a"),
    "a2": ("campaign_city", "town_a", "branch_a2"),
    "b": ("campaign_city", "town_b", "branch_b"),
    "other": ("campaign_other", "other_city", "other_branch"),
}


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def get(w, name):
    if not hasattr(w, name):
        setattr(w, name, MAKERS[name](w))
    return getattr(w, name)


def _draft(w, suffix):
    """A draft round; the matrix's campaigns have no criteria sets, so it gets two questions of its own."""
    campaign, organizer, _org = PLACES[suffix]
    round = services.create_round(
        w.office if suffix != "other" else w.admin,
        campaign_of(w, campaign),
        getattr(w, organizer),
        title=f"{getattr(w, organizer).name}群众评议",
        opens_on=_days(-5),
        closes_on=_days(20),
    )
    Question.objects.create(round=round, target=Target.ORGANIZATION, text="领导班子好")
    Question.objects.create(round=round, target=Target.MEMBER, text="带头学习提高")
    return round


def _organizer(w, org_name):
    """An organization to prepare a round of, with a campaign over its tree (made before the request)."""
    campaign_of(w, "campaign_other" if org_name == "other_city" else "campaign_city")
    return getattr(w, org_name)


def _round(w, suffix):
    round = _draft(w, suffix)
    services.open_round(None, round, round.version)
    round.refresh_from_db()
    return round


def _participant(w, suffix):
    round_suffix = "a" if suffix == "a2" else suffix
    round = get(w, f"mass_round_{round_suffix}")
    org = getattr(w, PLACES[suffix][2])
    return Participant.objects.select_related("round", "organization").get(round=round, organization=org)


def _batch(w, suffix):
    batch, _codes = services.generate_codes(None, get(w, f"mass_p_{suffix}"), 2)
    return batch


def _entry(w, suffix):
    return services.record_entry(None, get(w, f"mass_p_{suffix}"), Channel.HOTLINE, TODAY, "热线反映：路灯不亮")


def _rectification(w, suffix, reported=False):
    item = services.open_rectification(None, get(w, f"mass_p_{suffix}"), "路灯长期不亮", "书记", _days(30))
    if reported:
        services.save_progress(None, item, item.version, "已报修", "已修好", submit=True)
        item.refresh_from_db()
    return item


def _code(w, used=False):
    participant = get(w, "mass_p_a")
    code = services.generate_codes(None, participant, 1)[1][0]
    if used:
        services.cast_ballot(code, participant, _answers(participant))
    return SimpleNamespace(code=code, participant=participant)


def _answers(participant):
    first = participant.round.options.order_by("order").first()
    questions = participant.round.questions_for(Target.ORGANIZATION, participant.organization.sector)
    return [(q, None, first) for q in questions]


def _open_channel(w, suffix, on):
    participant = get(w, f"mass_p_{suffix}")
    Round.objects.filter(pk=participant.round_id).update(open_channel=on)
    participant.round.open_channel = on
    return participant


MAKERS = {
    **{f"mass_org_{o}": (lambda w, o=o: _organizer(w, o)) for o in ("city", "town_a", "branch_a", "town_b")},
    "mass_org_other_city": lambda w: _organizer(w, "other_city"),
    **{f"mass_round_{s}": (lambda w, s=s: _round(w, s)) for s in ("a", "b", "other")},
    **{f"mass_draft_{s}": (lambda w, s=s: _draft(w, s)) for s in ("a", "b", "other")},
    **{f"mass_p_{s}": (lambda w, s=s: _participant(w, s)) for s in PLACES},
    **{f"mass_batch_{s}": (lambda w, s=s: _batch(w, s)) for s in PLACES},
    **{f"mass_entry_{s}": (lambda w, s=s: _entry(w, s)) for s in PLACES},
    **{f"mass_rect_{s}": (lambda w, s=s: _rectification(w, s)) for s in PLACES},
    **{f"mass_reported_{s}": (lambda w, s=s: _rectification(w, s, reported=True)) for s in PLACES},
    "ballot_fresh": lambda w: _code(w),
    "ballot_used": lambda w: _code(w, used=True),
    "open_a": lambda w: _open_channel(w, "a", True),
    "open_off": lambda w: _open_channel(w, "a2", False),
    "suggest_a": lambda w: get(w, "mass_p_a"),
    "suggest_unknown": lambda w: SimpleNamespace(code="nosuchbox"),
}
MASS_OBJECTS = {name: (lambda w, name=name: get(w, name)) for name in MAKERS}


# --- Payloads: the POST that succeeds for an allowed role ---------------------------------------


def _settings(round, **changes):
    data = {
        "title": round.title,
        "opens_on": round.opens_on.isoformat(),
        "closes_on": round.closes_on.isoformat(),
        "reach": round.reach,
        "open_channel_limit": round.open_channel_limit,
        "rectify_threshold": str(round.rectify_threshold),
        "min_valid": round.min_valid,
        "rectify_days": round.rectify_days,
        "version": round.version,
        **({"evaluate_members": "on"} if round.evaluate_members else {}),
    }
    return {**data, **changes}


def _create(w, org_name):
    campaign = "campaign_other" if org_name == "mass_org_other_city" else "campaign_city"
    data = _settings(_draft_like(), title="新的群众评议")
    del data["version"]
    return {**data, "campaign": campaign_of(w, campaign).pk}


def _draft_like():
    return Round(title="", opens_on=TODAY, closes_on=_days(20))


def _questionnaire(round):
    data = {"version": round.version}
    for prefix, rows, fields in (
        ("questions", list(round.questions.all()), ("target", "sector", "order", "text")),
        ("options", list(round.options.all()), ("order", "label", "kind")),
    ):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        for i, obj in enumerate(rows):
            data[f"{prefix}-{i}-id"] = obj.pk
            data.update({f"{prefix}-{i}-{field}": getattr(obj, field) for field in fields})
    data["questions-0-text"] = "领导班子团结廉洁吗？"
    return data


def _paper(participant):
    round = participant.round
    question = round.questions_for(Target.ORGANIZATION, participant.organization.sector)[0]
    option = round.options.filter(kind=Option.Kind.SATISFIED).order_by("order").first()
    return {"ballots": "3", f"c{question.pk}-{option.pk}": "3"}


def _ballot(obj):
    participant = obj.participant
    return {
        "code": getattr(obj, "code", ""),
        **{f"q{q.pk}": str(o.pk) for q, _m, o in _answers(participant)},
    }


MASS_PAYLOADS = {
    "evaluations:mass_round_create": lambda w, org: _create(w, org),
    "evaluations:mass_round_edit": lambda w, r: _settings(get(w, r), title="改过的群众评议"),
    "evaluations:mass_questions": lambda w, r: _questionnaire(get(w, r)),
    "evaluations:mass_round_open": lambda w, r: {"version": get(w, r).version},
    "evaluations:mass_round_close": lambda w, r: {"version": get(w, r).version},
    "evaluations:mass_paper": lambda w, p: _paper(get(w, p)),
    "evaluations:mass_entry_create": lambda w, p: {
        "channel": "symposium",
        "received_on": TODAY.isoformat(),
        "content": "座谈会意见",
    },
    "evaluations:mass_rectification_create": lambda w, p: {
        "problem": "群众反映办事慢",
        "owner": "书记",
        "deadline": _days(30).isoformat(),
    },
    "evaluations:mass_batch_void": lambda w, batch: {},
    "evaluations:mass_entry": lambda w, e: {"version": get(w, e).version, "handling": "已答复"},
    "evaluations:mass_rectification": lambda w, r: {"version": get(w, r).version, "measures": "整改措施"},
    "evaluations:mass_rectification_decide": lambda w, r: {"version": get(w, r).version, "decision": "accept"},
    "evaluations:mass_ballot_submit": lambda w, obj: _ballot(get(w, obj)),
    "evaluations:mass_open": lambda w, obj: _ballot(SimpleNamespace(participant=get(w, obj))),
    "evaluations:mass_suggest": lambda w, obj: {"content": "希望多开展志愿服务活动"},
}


# --- Expected answers ---------------------------------------------------------------------------
# fmt: off
#                      anon secretary_a committee_a office admin member_user inactive secretary_b
STAFF_ONLY = {None:   (L,   200,        200,        200,   200,  403,        L,       200)}
PUBLIC_PAGE = {None:  (200, 200,        200,        200,   200,  200,        200,     200)}
# Preparing a round of an organization: superiors within reach (organization.view, then evaluation.manage).
ROUND_CREATE = {
    "mass_org_city":        (L,   404,        404,        200,   200,  404,        L,       404),
    "mass_org_town_a":      (L,   404,        200,        200,   200,  404,        L,       404),
    "mass_org_branch_a":    (L,   403,        200,        200,   200,  403,        L,       404),
    "mass_org_town_b":      (L,   404,        404,        200,   200,  404,        L,       404),
    "mass_org_other_city":  (L,   404,        404,        404,   200,  404,        L,       404),
}
# A branch has no subordinates to evaluate: an allowed POST is refused by the service (the form again).
ROUND_CREATE_POST = {
    "mass_org_city":        (L,   404,        404,        DONE,  DONE, 404,        L,       404),
    "mass_org_town_a":      (L,   404,        DONE,       DONE,  DONE, 404,        L,       404),
    "mass_org_branch_a":    (L,   403,        200,        200,   200,  403,        L,       404),
    "mass_org_town_b":      (L,   404,        404,        DONE,  DONE, 404,        L,       404),
    "mass_org_other_city":  (L,   404,        404,        404,   DONE, 404,        L,       404),
}
ROUND_VIEW = {
    "mass_round_a":     (L, 200,        200,        200,   200,  404,        L,       404),
    "mass_round_b":     (L, 404,        404,        200,   200,  404,        L,       200),
    "mass_round_other": (L, 404,        404,        404,   200,  404,        L,       404),
}
ROUND_MANAGE = {
    "mass_draft_a":     (L, 403,        200,        200,   200,  404,        L,       404),
    "mass_draft_b":     (L, 404,        404,        200,   200,  404,        L,       403),
    "mass_draft_other": (L, 404,        404,        404,   200,  404,        L,       404),
}
ROUND_CLOSE = {
    "mass_round_a":     (L, 403,        200,        200,   200,  404,        L,       404),
    "mass_round_b":     (L, 404,        404,        200,   200,  404,        L,       403),
    "mass_round_other": (L, 404,        404,        404,   200,  404,        L,       404),
}
# An evaluated organization: seen (and its ledger kept) within its reach ...
PARTICIPANT_VIEW = {
    "mass_p_a":         (L, 200,        200,        200,   200,  404,        L,       404),
    "mass_p_a2":        (L, 404,        200,        200,   200,  404,        L,       404),
    "mass_p_b":         (L, 404,        404,        200,   200,  404,        L,       200),
    "mass_p_other":     (L, 404,        404,        404,   200,  404,        L,       404),
}
# ... its codes, paper ballots and new rectifications are its superior's.
PARTICIPANT_SUPERIOR = {
    "mass_p_a":         (L, 403,        200,        200,   200,  404,        L,       404),
    "mass_p_a2":        (L, 404,        200,        200,   200,  404,        L,       404),
    "mass_p_b":         (L, 404,        404,        200,   200,  404,        L,       403),
    "mass_p_other":     (L, 404,        404,        404,   200,  404,        L,       404),
}
# fmt: on


def renamed(table, prefix):
    """``table`` with its objects' names ``mass_p_<x>`` turned into ``<prefix>_<x>``."""
    return {name.replace("mass_p", prefix): expected for name, expected in table.items()}


def posted(table):
    return {obj: tuple(DONE if e == 200 else e for e in expected) for obj, expected in table.items()}


# Public, alike for everyone: a fresh code casts a ballot, a used one brings the code page back with the reason.
BALLOT_POST = {"ballot_fresh": (DONE,) * 8, "ballot_used": (200,) * 8}
OPEN_CHANNEL = {"open_a": (200,) * 8, "open_off": (404,) * 8}
OPEN_CHANNEL_POST = {"open_a": (DONE,) * 8, "open_off": (404,) * 8}
SUGGESTION_BOX = {"suggest_a": (200,) * 8, "suggest_unknown": (404,) * 8}
SUGGESTION_POST = {"suggest_a": (DONE,) * 8, "suggest_unknown": (404,) * 8}

MASS_ROWS = [
    ("evaluations:mass_rounds", GET, STAFF_ONLY),
    ("evaluations:mass_round_create", GET, ROUND_CREATE),
    ("evaluations:mass_round_create", POST, ROUND_CREATE_POST),
    ("evaluations:mass_round", GET, ROUND_VIEW),
    ("evaluations:mass_ledger", GET, ROUND_VIEW),
    ("evaluations:mass_round_edit", GET, ROUND_MANAGE),
    ("evaluations:mass_round_edit", POST, posted(ROUND_MANAGE)),
    ("evaluations:mass_questions", GET, ROUND_MANAGE),
    ("evaluations:mass_questions", POST, posted(ROUND_MANAGE)),
    ("evaluations:mass_round_open", GET, ROUND_MANAGE),
    ("evaluations:mass_round_open", POST, posted(ROUND_MANAGE)),
    ("evaluations:mass_round_close", GET, ROUND_CLOSE),
    ("evaluations:mass_round_close", POST, posted(ROUND_CLOSE)),
    ("evaluations:mass_participant", GET, PARTICIPANT_VIEW),
    ("evaluations:mass_codes", GET, PARTICIPANT_SUPERIOR),  # its POST answers the PDF: tests/evaluations
    ("evaluations:mass_paper", GET, PARTICIPANT_SUPERIOR),
    ("evaluations:mass_paper", POST, posted(PARTICIPANT_SUPERIOR)),
    ("evaluations:mass_entry_create", GET, PARTICIPANT_VIEW),
    ("evaluations:mass_entry_create", POST, posted(PARTICIPANT_VIEW)),
    ("evaluations:mass_rectification_create", GET, PARTICIPANT_SUPERIOR),
    ("evaluations:mass_rectification_create", POST, posted(PARTICIPANT_SUPERIOR)),
    ("evaluations:mass_batch_void", GET, renamed(PARTICIPANT_SUPERIOR, "mass_batch")),
    ("evaluations:mass_batch_void", POST, posted(renamed(PARTICIPANT_SUPERIOR, "mass_batch"))),
    ("evaluations:mass_entry", GET, renamed(PARTICIPANT_VIEW, "mass_entry")),
    ("evaluations:mass_entry", POST, posted(renamed(PARTICIPANT_VIEW, "mass_entry"))),
    ("evaluations:mass_rectifications", GET, STAFF_ONLY),
    ("evaluations:mass_rectification", GET, renamed(PARTICIPANT_VIEW, "mass_rect")),
    ("evaluations:mass_rectification", POST, posted(renamed(PARTICIPANT_VIEW, "mass_rect"))),
    ("evaluations:mass_rectification_decide", GET, renamed(PARTICIPANT_SUPERIOR, "mass_reported")),
    ("evaluations:mass_rectification_decide", POST, posted(renamed(PARTICIPANT_SUPERIOR, "mass_reported"))),
    ("evaluations:mass_ballot", GET, PUBLIC_PAGE),  # its POST (the code) is tested in tests/evaluations
    ("evaluations:mass_ballot_submit", POST, BALLOT_POST),
    ("evaluations:mass_done", GET, PUBLIC_PAGE),
    ("evaluations:mass_open", GET, OPEN_CHANNEL),
    ("evaluations:mass_open", POST, OPEN_CHANNEL_POST),
    ("evaluations:mass_suggest", GET, SUGGESTION_BOX),
    ("evaluations:mass_suggest", POST, SUGGESTION_POST),
]
MASS_PUBLIC = {
    "evaluations:mass_ballot",
    "evaluations:mass_ballot_submit",
    "evaluations:mass_done",
    "evaluations:mass_open",
    "evaluations:mass_suggest",
}
MASS_OBJECT_IN_BODY = {"evaluations:mass_ballot_submit"}
MASS_URL_ARG = {"evaluations:mass_open": "code", "evaluations:mass_suggest": "code"}
