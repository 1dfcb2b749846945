from django.urls import path

from .views import staff

urlpatterns = [
    path("commitments/", staff.commitment_list, name="list"),
]
