"""The URLs of the superior's side of reviews: scoring subordinates, results, calibration, reopenings."""

from django.urls import path

from .views import results, scoring

urlpatterns = [
    path("", scoring.home, name="reviews"),
    path("score/<int:pk>/", scoring.score, name="score"),
    path("cycles/<int:pk>/", scoring.cycle, name="cycle"),
    path("cycles/<int:cycle_pk>/reopen/<int:pk>/<slug:kind>/", scoring.reopen, name="reopen"),
    path("bands/<int:pk>/", scoring.bands, name="bands"),
    path("org/<int:pk>/", results.organization_results, name="organization_results"),
    path("ranking/<int:pk>/", results.ranking, name="ranking"),
    path("calibration/<int:pk>/", results.calibration, name="calibration"),
]
