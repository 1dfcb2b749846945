"""The public board: its pages for the public (no login, short opaque addresses) and its staff side
(the board's address, QR code and poster; moderation of the public's comments)."""

from django.urls import path

from .views import moderation, public

urlpatterns = [
    path("b/<str:code>/", public.board, name="board"),
    path("b/<str:code>/c/<int:pk>/", public.commitment, name="board_commitment"),
    path("b/<str:code>/e/<int:pk>/", public.evidence, name="board_evidence"),
    path("reply/", public.comment_lookup, name="comment_lookup"),
    path("orgs/<int:pk>/board/", moderation.board_share, name="board_share"),
    path("orgs/<int:pk>/board/qr.png", moderation.board_qr, name="board_qr"),
    path("orgs/<int:pk>/board/poster.pdf", moderation.board_poster, name="board_poster"),
    path("comments/moderation/", moderation.queue, name="moderation_queue"),
    path("comments/<int:pk>/moderate/", moderation.moderate, name="comment_moderate"),
]
