"""The staff side of the public board: its address, QR code and poster; moderating public comments.

Every object comes through ``request.scope``: the board of an organization the user may view
(``organization.view``), the comments of organizations the user may moderate (``comment.moderate``:
the organization's secretary or a superior committee). Outside the scope: 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from portal.models import Organization

from .. import poster
from ..forms_board import ModerationForm
from ..models import Board, Comment, TransitionError

QUEUE_PAGE_SIZE = 30


def _board_of(request, pk):
    org = request.scope.get(Organization.objects.all(), "organization.view", pk=pk)
    return Board.for_organization(org)


@login_required
def board_share(request, pk):
    """The board's public address and QR code, with the poster to print, for the organization's staff."""
    board = _board_of(request, pk)
    org = board.organization
    context = {
        "board": board,
        "org": org,
        "url": poster.board_url(board),
        "qr": poster.qr_svg_data_uri(board),
        "pending": request.scope.filter(Comment.objects.pending(), "comment.moderate")
        .filter(commitment__organization=org)
        .count(),
    }
    return render(request, "commitments/board_share.html", context)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


@login_required
@cache_control(private=True, max_age=3600)
def board_qr(request, pk):
    """The QR code alone, as a PNG large enough to print."""
    board = _board_of(request, pk)
    return _download(poster.qr_png(board), "image/png", f"{board.organization.name}-{board.code}.png")


@login_required
@cache_control(private=True, max_age=3600)
def board_poster(request, pk):
    """The A4 poster for the physical bulletin board, as PDF."""
    board = _board_of(request, pk)
    return _download(poster.poster_pdf(board), "application/pdf", f"{board.organization.name}-{board.code}.pdf")


@login_required
def queue(request):
    """Comments awaiting moderation in the user's area, oldest first."""
    request.scope.require_any("comment.moderate", Comment)
    comments = (
        request.scope.filter(Comment.objects.pending(), "comment.moderate")
        .select_related("commitment__organization", "commitment__member")
        .order_by("created_at", "pk")
    )
    page = Paginator(comments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commitments/comment_queue.html", {"page": page, "form": ModerationForm()})


@login_required
def moderate(request, pk):
    """Approve or reject one comment, with an optional reply; rejecting asks for confirmation first."""
    comment = request.scope.get(
        Comment.objects.select_related("commitment__organization", "commitment__member", "moderated_by"),
        "comment.moderate",
        pk=pk,
    )
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.approves and not form.cleaned_data["confirm"]:
            return render(request, "commitments/comment_reject.html", {"comment": comment, "form": form})
        try:
            comment.moderate(request.user, form.approves, form.cleaned_data["reply"])
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form.approves:
                messages.success(request, _("Comment %(ref)s is now shown on the board.") % {"ref": comment.reference})
            else:
                messages.success(request, _("Comment %(ref)s will not be shown.") % {"ref": comment.reference})
        return redirect("commitments:moderation_queue")
    return render(request, "commitments/comment_moderate.html", {"comment": comment, "form": form})
