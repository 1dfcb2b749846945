"""The public's side of mass evaluation: the ballot with a one-time code, the open channel, the suggestion box.

No login, and nothing about the visitor is kept: no session data (no ``messages``), no audit entry, no
address beyond the rate limit's expiring counter (see the anonymity design in ``mass_models``). The code
reaches the server only in the body of a POST: the slip's QR link carries it in the fragment of /v/, and
the page's script (static/evaluations/mass_ballot.js) moves it into the form. Pages are never cached.

A code that cannot be used (unknown, mistyped, used, the round not open yet or over) brings back the code
page with a message that says so and what to do. Every public POST counts against a per-address limit in
the shared cache; past it the answer is 429 with a Chinese page and a Retry-After header.
"""

import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.ratelimit import RateLimit

from .. import mass_services as services
from ..mass_forms import BallotForm, CodeForm, SuggestionForm, members_of
from ..mass_models import Participant

DONE_KINDS = ("ballot", "suggestion")
MEMBER_FIELD = re.compile(r"^m(\d+)-q\d+$")


def limit(name, default):
    """The rate limit ``name``: (hits, seconds) from ``settings.MASS_<NAME>_RATE``, else ``default``."""
    hits, period = getattr(settings, f"MASS_{name.upper()}_RATE", default)
    return RateLimit(f"mass-{name}", hits, period)


def ballot_limit():
    return limit("ballot", (60, 600))  # code checks and ballots per address: a village hall shares one address


def suggestion_limit():
    return limit("suggestion", (5, 3600))


def open_limit(round):
    return RateLimit(f"mass-open-{round.pk}", round.open_channel_limit, 24 * 3600)


def too_many(request, rate):
    minutes = -(-rate.retry_after() // 60)
    response = render(request, "evaluations/mass_ratelimited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(rate.retry_after())
    return response


def problem_message(problem):
    """What the visitor reads when a code (or the round) does not take a ballot now."""
    reason, round = problem.reason, problem.round
    if reason == "unknown":
        return _(
            "This code is not known. Compare it with your slip; if it is right, ask the organization that gave it "
            "to you."
        )
    if reason == "used":
        return _("This code has already been used: each code gives one ballot. Thank you for taking part.")
    if reason == "scheduled":
        return _("The evaluation has not started yet: ballots are taken from %(date)s.") % {"date": round.opens_on}
    if reason == "ended":
        return _("The evaluation is over: ballots were taken until %(date)s.") % {"date": round.closes_on}
    return _("The evaluation is closed and its results are published on the organization's public board.")


def closed_page(request, participant, problem):
    context = {"participant": participant, "round": participant.round, "message": problem_message(problem)}
    return render(request, "evaluations/mass_closed.html", context)


def code_page(request, form, problem=None):
    if problem is not None:
        form.add_error(None, problem_message(problem))
    context = {"form": form, "problem": problem.reason if problem else ""}
    return render(request, "evaluations/mass_ballot_start.html", context)


def ballot_form(participant, data=None, every_member=False):
    """The questionnaire of ``participant``. Bound to ``data`` it reads only the members answered about (all
    of them with ``every_member``: to show the form again with its errors)."""
    round = participant.round
    questions, options = services.questionnaire(round)
    members = ()
    if round.evaluate_members:
        members = members_of(participant)
        if data is not None and not every_member:
            members = members.filter(pk__in=answered_members(data))
    return BallotForm(data, participant=participant, questions=questions, options=options, members=members)


def shown_again(participant, data):
    """The refused ballot, to be shown again with every member and its errors."""
    form = ballot_form(participant, data, every_member=True)
    form.is_valid()
    return form


def answered_members(data):
    """The members a posted ballot has answers about (fields ``m<member>-q<question>`` with a value)."""
    ids = set()
    for name, value in data.items():
        if value and (match := MEMBER_FIELD.match(name)):
            ids.add(int(match.group(1)))
    return sorted(ids)


def ballot_page(request, participant, form, code=""):
    context = {"participant": participant, "round": participant.round, "form": form, "code": code}
    return render(request, "evaluations/mass_ballot.html", context)


@never_cache
def ballot(request):
    """The ballot page: the code (typed, or brought by the QR link's fragment), then the questionnaire."""
    if request.method != "POST":
        return code_page(request, CodeForm())
    rate = ballot_limit()
    if not rate.hit(request):
        return too_many(request, rate)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return code_page(request, form)
    try:
        code, participant = services.find_code(form.cleaned_data["code"])
    except services.CodeProblem as problem:
        return code_page(request, form, problem)
    return ballot_page(request, participant, ballot_form(participant), code)


@never_cache
@require_POST
def ballot_submit(request):
    """Cast the ballot: the code is claimed and the answers stored in one transaction."""
    rate = ballot_limit()
    if not rate.hit(request):
        return too_many(request, rate)
    code_form = CodeForm(request.POST)
    if not code_form.is_valid():
        return code_page(request, code_form)
    try:
        code, participant = services.find_code(code_form.cleaned_data["code"])
        form = ballot_form(participant, request.POST)
        if not form.is_valid():
            return ballot_page(request, participant, shown_again(participant, request.POST), code)
        services.cast_ballot(code, participant, form.answers(), form.cleaned_data["comment"])
    except services.CodeProblem as problem:
        return code_page(request, code_form, problem)
    return redirect(f"{reverse('evaluations:mass_done')}?kind=ballot")


@never_cache
def done(request):
    kind = request.GET.get("kind")
    return render(request, "evaluations/mass_done.html", {"kind": kind if kind in DONE_KINDS else "ballot"})


def _participant(code):
    return get_object_or_404(Participant.objects.select_related("round", "organization"), code=code)


@never_cache
def open_ballot(request, code):
    """The open online channel: the questionnaire without a code, for the organization's public (if the round
    has one), limited per address and day."""
    participant = _participant(code)
    round = participant.round
    if not round.open_channel or round.is_draft:
        raise Http404
    if problem := services.ballot_problem(round):
        return closed_page(request, participant, problem)
    if request.method != "POST":
        return ballot_page(request, participant, ballot_form(participant))
    rate = open_limit(round)
    if not rate.hit(request):
        return too_many(request, rate)
    form = ballot_form(participant, request.POST)
    if not form.is_valid():
        return ballot_page(request, participant, shown_again(participant, request.POST))
    try:
        services.cast_open_ballot(participant, form.answers(), form.cleaned_data["comment"])
    except services.CodeProblem as problem:
        return closed_page(request, participant, problem)
    return redirect(f"{reverse('evaluations:mass_done')}?kind=ballot")


@never_cache
def suggest(request, code):
    """The online suggestion box (意见箱) of an evaluated organization: an entry of the round's ledger."""
    participant = _participant(code)
    round = participant.round
    if round.is_draft:
        raise Http404
    if problem := services.suggestion_problem(round):
        return closed_page(request, participant, problem)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST":
        rate = suggestion_limit()
        if not rate.hit(request):
            return too_many(request, rate)
        if form.is_valid():
            try:
                services.suggest(participant, form.cleaned_data["content"])
            except services.CodeProblem as problem:
                return closed_page(request, participant, problem)
            return redirect(f"{reverse('evaluations:mass_done')}?kind=suggestion")
    context = {"participant": participant, "round": round, "form": form}
    return render(request, "evaluations/mass_suggest.html", context)
