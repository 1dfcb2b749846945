from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import exports, health, home, members, notifications, organizations, roll

portal_patterns = [
    path("", home.home, name="home"),
    path("orgs/", organizations.tree, name="org_tree"),
    path("orgs/<int:pk>/", organizations.detail, name="org_detail"),
    path("orgs/<int:pk>/children/", organizations.children, name="org_children"),
    path("orgs/<int:parent_pk>/new/", organizations.create, name="org_create"),
    path("orgs/<int:pk>/edit/", organizations.edit, name="org_edit"),
    path("orgs/<int:pk>/dissolve/", organizations.dissolve, name="org_dissolve"),
    path("orgs/<int:pk>/audit/", organizations.audit_log, name="org_audit"),
    path("warnings/", organizations.warnings, name="warnings"),
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.create, name="member_create"),
    path("members/<int:pk>/", members.detail, name="member_detail"),
    path("members/<int:pk>/edit/", members.edit, name="member_edit"),
    path("members/<int:pk>/transfer/", members.transfer, name="member_transfer"),
    path("members/<int:pk>/remove/", members.remove, name="member_remove"),
    path("downloads/", exports.export_list, name="export_list"),
    path("downloads/new/<slug:identifier>/", exports.export_start, name="export_start"),
    path("downloads/<uuid:code>/status/", exports.export_status, name="export_status"),
    path("downloads/<uuid:code>/file/", exports.export_download, name="export_download"),
    path("downloads/<uuid:code>/again/", exports.export_retry, name="export_retry"),
    path("roll/import/<slug:kind>/", roll.import_upload, name="roll_import"),
    path("roll/import/<slug:kind>/template/", roll.template, name="roll_template"),
    path("roll/jobs/<uuid:code>/", roll.import_job, name="roll_import_job"),
    path("roll/jobs/<uuid:code>/status/", roll.import_status, name="roll_import_status"),
    path("roll/export/", roll.member_export, name="member_export"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("notifications/read/", notifications.notification_read_all, name="notifications_read_all"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("campaigns/", include("campaigns.urls")),
    path("", include("commitments.urls")),
    path("", include("evaluations.urls")),
    path("", include("awards.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
