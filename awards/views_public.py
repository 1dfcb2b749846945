"""The public side of awards (no login): the announced list (公示) with the objection form and the printable
notice, the lookup of an objection's answer by its reference, the honour roll by campaign and level, the
list of published exemplary-deeds articles, the deeds of an award with its article and photos.

Objectors' contact data is never loaded into a public page. The objection form carries the public
comment form's spam checks (honeypot, timing) and a rate limit per client address.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.cache import cache_control, never_cache

from campaigns.models import Campaign
from portal.models import Level
from portal.ratelimit import RateLimit

from . import documents
from .forms import ObjectionForm
from .models import Article, ArticlePhoto, AwardRound, Nomination, Objection

OBJECTION_LIMIT = RateLimit("objection", 5, 600)  # 5 objections per 10 minutes per address
LOOKUP_LIMIT = RateLimit("objection-lookup", 30, 600)  # reference numbers are not to be guessed
PAGE_SIZE = 50
ARTICLES_PAGE_SIZE = 20
PUBLIC_ROUNDS = AwardRound.objects.exclude(state=AwardRound.State.NOMINATING).select_related("campaign", "organizer")


def _public_round(code):
    return get_object_or_404(PUBLIC_ROUNDS, code=code)


def _too_many(request, limit):
    """429 with the shared 'please wait' page and a Retry-After header."""
    response = render(
        request, "commitments/comment_ratelimited.html", {"minutes": -(-limit.retry_after() // 60)}, status=429
    )
    response["Retry-After"] = str(limit.retry_after())
    return response


@never_cache
def announcement(request, code):
    """The announced list and, while the announcement runs, the objection form."""
    round = _public_round(code)
    form = None
    if round.publicity_open():
        if request.method == "POST":
            if not OBJECTION_LIMIT.hit(request):
                return _too_many(request, OBJECTION_LIMIT)
            form = ObjectionForm(request.POST, round=round)
            if form.is_valid():
                try:
                    objection = Objection.file(round, form.cleaned_data["nomination"], **form.objection_fields())
                except ValidationError as error:  # the announcement ended while the form was open
                    form.add_error(None, error)
                else:
                    query = urlencode({"ref": objection.reference, "new": 1})
                    return redirect(f"{reverse('awards:objection_lookup')}?{query}")
        else:
            form = ObjectionForm(round=round)
    elif request.method == "POST":
        raise Http404
    context = {
        "round": round,
        "nominations": round.listed(),
        "form": form,
    }
    return render(request, "awards/announcement.html", context)


@never_cache
def objection_lookup(request):
    """An objector looks up the answer to their objection by its reference number, and nothing else."""
    reference = request.GET.get("ref", "").strip().upper()[:12]
    context = {"reference": reference, "new": request.GET.get("new") == "1"}
    if reference:
        if not LOOKUP_LIMIT.hit(request):
            return _too_many(request, LOOKUP_LIMIT)
        context["objection"] = Objection.look_up(reference)
    return render(request, "awards/objection_lookup.html", context)


def notice(request, code):
    """The printable notice of the announced list, as PDF."""
    round = _public_round(code)
    response = HttpResponse(documents.notice_pdf(round), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{round.title}-公示.pdf"
    )
    return response


@cache_control(private=True, max_age=60)
def honours(request):
    """The honour roll: approved awards by campaign and by the awarding organization's level, with the deeds."""
    awards = Nomination.objects.honoured().select_related(
        "category", "organization", "member", "round__organizer", "round__campaign"
    )
    campaigns = Campaign.objects.filter(award_rounds__state=AwardRound.State.DECIDED).distinct().order_by("-starts_on")
    campaign = next((c for c in campaigns if str(c.pk) == request.GET.get("campaign")), None)
    if campaign:
        awards = awards.filter(round__campaign=campaign)
    level = request.GET.get("level", "")
    if level in Level.values:
        awards = awards.filter(round__organizer__level=level)
    awards = awards.prefetch_related(Prefetch("article", queryset=Article.objects.filter(published=True)))
    awards = awards.order_by("-round__decided_on", "round_id", "category__order", "certificate_no")
    context = {
        "page": Paginator(awards, PAGE_SIZE).get_page(request.GET.get("page")),
        "campaigns": campaigns,
        "campaign": campaign,
        "levels": Level.choices,
        "level": level,
    }
    return render(request, "awards/honours.html", context)


@cache_control(private=True, max_age=60)
def articles(request):
    """The published exemplary-deeds articles, newest first, searchable by title and by the awardee's name."""
    query = request.GET.get("q", "").strip()[:50]
    rows = Article.objects.public().select_related(
        "nomination__member", "nomination__organization", "nomination__category", "nomination__round__organizer"
    )
    if query:
        rows = rows.filter(
            Q(title__icontains=query)
            | Q(nomination__member__name__icontains=query)
            | Q(nomination__member__isnull=True, nomination__organization__name__icontains=query)
        )
    rows = rows.order_by("-published_at", "-pk")
    page = Paginator(rows, ARTICLES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/articles.html", {"page": page, "query": query})


@cache_control(private=True, max_age=60)
def deeds(request, code):
    """One award's deeds and, once published, its exemplary-deeds article with photos."""
    award = get_object_or_404(
        Nomination.objects.honoured().select_related("category", "organization", "member", "round__organizer"),
        code=code,
    )
    article = Article.objects.filter(nomination=award, published=True).prefetch_related("photos").first()
    return render(request, "awards/deeds.html", {"award": award, "article": article})


@cache_control(private=True, max_age=3600)
def photo(request, pk):
    """A photo of a published article (of a draft: for those who may edit it)."""
    item = get_object_or_404(ArticlePhoto.objects.select_related("article__nomination__round__organizer"), pk=pk)
    if not item.article.published and not request.scope.allows("article.change", item.article):
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "image/png" if item.file.name.endswith(".png") else "image/jpeg"
    return FileResponse(handle, content_type=content_type)
