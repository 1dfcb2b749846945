"""The URLs of the superior's side of reviews: scoring subordinates, results, calibration, reopenings."""

urlpatterns = []
