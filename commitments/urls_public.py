from django.urls import path

from .views import public

urlpatterns = [
    path("b/<str:code>/", public.board, name="board"),
]
