"""Awards: the staff side under /awards/, the public pages (公示, honour roll, deeds) under /awards/public/."""

from django.urls import path

from . import views, views_public

app_name = "awards"

urlpatterns = [
    path("awards/", views.round_list, name="list"),
    path("awards/new/", views.round_create, name="create"),
    path("awards/<int:pk>/", views.round_detail, name="detail"),
    path("awards/<int:pk>/edit/", views.round_edit, name="edit"),
    path("awards/<int:pk>/quotas/", views.quotas, name="quotas"),
    path("awards/quotas/<int:pk>/", views.quota, name="quota"),
    path("awards/<int:pk>/orgs/<int:org_pk>/", views.level, name="level"),
    path("awards/<int:pk>/announce/", views.publicity, name="publicity"),
    path("awards/<int:pk>/approve/", views.approve, name="approve"),
    path("awards/<int:pk>/objections/", views.objections, name="objections"),
    path("awards/<int:pk>/certificates/", views.certificates, name="certificates"),
    path("awards/categories/<int:pk>/", views.category_edit, name="category"),
    path("awards/nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("awards/nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("awards/nominations/<int:pk>/forward/", views.forward, name="forward"),
    path("awards/nominations/<int:pk>/decline/", views.decline, name="decline"),
    path("awards/nominations/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("awards/nominations/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("awards/nominations/<int:pk>/article/", views.article_edit, name="article"),
    path("awards/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("awards/objections/<int:pk>/", views.objection_answer, name="objection"),
    # public, no login
    path("awards/public/objection/", views_public.objection_lookup, name="objection_lookup"),
    path("awards/public/<str:code>/", views_public.announcement, name="announcement"),
    path("awards/public/<str:code>/notice/", views_public.notice, name="notice"),
    path("awards/honours/", views_public.honours, name="honours"),
    path("awards/articles/", views_public.articles, name="articles"),
    path("awards/honours/<str:code>/", views_public.deeds, name="deeds"),
    path("awards/photos/<int:pk>/", views_public.photo, name="photo"),
]
