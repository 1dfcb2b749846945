from django.shortcuts import get_object_or_404, render

from ..models import Board


def board(request, code):
    """An organization's public board: published commitments only, no login."""
    board = get_object_or_404(Board.objects.select_related("organization"), code=code)
    commitments = board.organization.commitments.published().with_progress().select_related("member")
    return render(request, "commitments/board.html", {"board": board, "commitments": commitments})
