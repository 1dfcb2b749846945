from django.urls import path

from .views import progress, rollup, staff

urlpatterns = [
    path("commitments/", staff.commitment_list, name="list"),
    path("commitments/queue/", staff.queue, name="queue"),
    path("commitments/rollup/", rollup.rollup, name="rollup"),
    path("commitments/rollup/<int:pk>/", rollup.rollup_org, name="rollup_org"),
    path("commitments/missing/<int:pk>/", staff.missing_members, name="missing"),
    path("commitments/new/<int:pk>/", staff.create, name="create"),
    path("commitments/new/member/<int:pk>/", staff.create_member, name="create_member"),
    path("commitments/<int:pk>/", staff.detail, name="detail"),
    path("commitments/<int:pk>/edit/", staff.edit, name="edit"),
    path("commitments/<int:pk>/meeting/", staff.meeting, name="meeting"),
    path("commitments/<int:pk>/submit/", staff.submit, name="submit"),
    path("commitments/<int:pk>/accept/", staff.accept, name="accept"),
    path("commitments/<int:pk>/return/", staff.return_for_changes, name="return"),
    path("commitments/<int:pk>/publish/", staff.publish, name="publish"),
    path("commitments/items/<int:pk>/progress/", progress.progress, name="progress"),
    path("commitments/items/<int:pk>/assess/", progress.assess, name="assess"),
    path("commitments/evidence/<int:pk>/", progress.evidence, name="evidence"),
]
