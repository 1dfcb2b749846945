"""The reviews' URLs: the superior's scoring and results (urls_committee), the organization's own review
and member scores (urls_branch)."""

from django.urls import include, path

app_name = "evaluations"

urlpatterns = [
    path("reviews/", include("evaluations.urls_committee")),
    path("reviews/", include("evaluations.urls_branch")),
    path("", include("evaluations.urls_mass")),  # mass evaluation: /evaluation/… (staff), /v/… (the public)
]
