"""The public board (党务公开栏): no login, published content only.

Everything here starts from the published commitments of one organization
(``Commitment.objects.on_board``) and the querysets that say what the public may see
(``ProgressUpdate.objects.public``, ``Evidence.objects.public``, ``Comment.objects.shown``); an
unknown board, an unpublished commitment or its evidence answer 404 alike. Commenters' contact
data is never loaded into a public page.

Pages carry a CSRF token (the language switch, the comment form), so they are cached by the
visitor's browser only (``private``), for a minute; the reference lookup is never cached.
"""

from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control, never_cache

from portal.ratelimit import RateLimit

from ..forms_board import PublicCommentForm
from ..models import Board, Comment, Commitment, Evidence, Item, ProgressUpdate

PAGE_SIZE = 20
LATEST = 10
COMMENT_LIMIT = RateLimit("comment", 5, 600)  # 5 comments per 10 minutes per address
LOOKUP_LIMIT = RateLimit("comment-lookup", 30, 600)  # reference numbers are not to be guessed
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
PUBLIC_COMMENT_FIELDS = ("kind", "name", "body", "reply", "created_at")  # never the contact


def _board(code):
    return get_object_or_404(Board.objects.select_related("organization"), code=code)


def _items():
    return Prefetch("items", queryset=Item.objects.select_related("criterion", "carrier"))


def _updates(queryset):
    return (
        queryset.select_related("item__commitment__member")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


@cache_control(private=True, max_age=60)
def board(request, code):
    """An organization's board: its published commitments and its members', progress, fulfilment, comments."""
    board = _board(code)
    org = board.organization
    commitments = (
        Commitment.objects.on_board(org)
        .with_progress()
        .with_comment_count()
        .select_related("organization", "member", "campaign")
        .prefetch_related(_items())
        .order_by(F("member__name").asc(nulls_first=True), "-published_at", "pk")
    )
    context = {
        "board": board,
        "org": org,
        "page": Paginator(commitments, PAGE_SIZE).get_page(request.GET.get("page")),
        "summary": Commitment.objects.on_board(org).item_summary(),
        "updates": _updates(ProgressUpdate.objects.public().filter(item__commitment__organization=org))[:LATEST],
        "comments": Comment.objects.shown()
        .filter(commitment__organization=org)
        .select_related("commitment")
        .only(*PUBLIC_COMMENT_FIELDS, "commitment__title")
        .order_by("-moderated_at", "-pk")[:LATEST],
    }
    return render(request, "commitments/board.html", context)


def _too_many(request, limit, template_context):
    response = render(
        request,
        "commitments/comment_ratelimited.html",
        {"minutes": -(-limit.retry_after() // 60), **template_context},
        status=429,
    )
    response["Retry-After"] = str(limit.retry_after())
    return response


@cache_control(private=True, max_age=60)
def commitment(request, code, pk):
    """One published commitment in full, its approved comments, and the form to comment or report."""
    board = _board(code)
    commitment = get_object_or_404(
        Commitment.objects.on_board(board.organization)
        .with_progress()
        .select_related("organization", "member", "campaign")
        .prefetch_related(_items()),
        pk=pk,
    )
    if request.method == "POST":
        if not COMMENT_LIMIT.hit(request):
            context = {"board": board, "commitment": commitment, "unsent": request.POST.get("body", "")[:1000]}
            return _too_many(request, COMMENT_LIMIT, context)
        form = PublicCommentForm(request.POST)
        if form.is_valid():
            comment = commitment.add_public_comment(**form.comment_fields())
            query = urlencode({"ref": comment.reference, "new": 1})
            return redirect(f"{reverse('commitments:comment_lookup')}?{query}")
    else:
        form = PublicCommentForm()
    comments = (
        Comment.objects.shown().filter(commitment=commitment).only(*PUBLIC_COMMENT_FIELDS).order_by("-created_at")
    )
    context = {
        "board": board,
        "commitment": commitment,
        "updates": _updates(ProgressUpdate.objects.public().filter(item__commitment=commitment))[:PAGE_SIZE],
        "page": Paginator(comments, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form,
    }
    return render(request, "commitments/board_commitment.html", context)


@cache_control(private=True, max_age=24 * 3600)
def evidence(request, code, pk):
    """A photo (or with ``?thumb=1`` its thumbnail) or file of a published commitment's progress.

    Photos are shown inline, anything else is a download, so an uploaded page never runs on our site.
    """
    board = _board(code)
    item = get_object_or_404(
        Evidence.objects.public().filter(update__item__commitment__organization=board.organization), pk=pk
    )
    inline = item.is_image and item.content_type in INLINE_IMAGE_TYPES
    if request.GET.get("thumb") == "1" and item.thumbnail:
        file, content_type = item.thumbnail, "image/jpeg"
    else:
        file, content_type = item.file, (item.content_type if inline else "application/octet-stream")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=not inline, filename=item.name, content_type=content_type)


@never_cache
def comment_lookup(request):
    """A commenter looks up their comment's status and the reply by its reference number, and nothing else."""
    reference = request.GET.get("ref", "").strip().upper()
    context = {"reference": reference, "new": request.GET.get("new") == "1"}
    if reference:
        if not LOOKUP_LIMIT.hit(request):
            return _too_many(request, LOOKUP_LIMIT, context)
        context["comment"] = (
            Comment.objects.only("reference", "status", "reply", "moderated_at").filter(reference=reference).first()
        )
    return render(request, "commitments/comment_lookup.html", context)
