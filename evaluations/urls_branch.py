"""The URLs of an organization's own review: the 专题组织生活会, self-assessment, member scores."""

from django.urls import path

from .views import branch

urlpatterns = [
    path("own/", branch.own_start, name="own_start"),
    path("own/<int:org_pk>/", branch.own, name="own"),
    path("own/<int:org_pk>/meeting/", branch.own_meeting, name="own_meeting"),
    path("own/<int:org_pk>/reports/", branch.own_reports, name="own_reports"),
    path("own/<int:org_pk>/assessment/", branch.own_assessment, name="own_assessment"),
    path("own/<int:org_pk>/members/", branch.member_scores, name="member_scores"),
    path("members/<int:member_pk>/score/", branch.member_score, name="member_score"),
    path("mine/", branch.mine, name="mine"),
]
