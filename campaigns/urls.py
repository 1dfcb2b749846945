from django.urls import path

from .views import agreements, campaigns, plans

app_name = "campaigns"
urlpatterns = [
    path("", campaigns.campaign_list, name="list"),
    path("new/", campaigns.create, name="create"),
    path("<int:pk>/", campaigns.detail, name="detail"),
    path("<int:pk>/edit/", campaigns.edit, name="edit"),
    path("<int:pk>/carriers/", campaigns.carriers, name="carriers"),
    path("<int:pk>/criteria/new/", campaigns.criteria_create, name="criteria_create"),
    path("criteria/<int:pk>/", campaigns.criteria_edit, name="criteria_edit"),
    path("criteria/<int:pk>/delete/", campaigns.criteria_delete, name="criteria_delete"),
    path("<int:pk>/plans/<int:org_pk>/", plans.plan, name="plan"),
    path("<int:pk>/plans/<int:org_pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("attachments/<int:pk>/", plans.attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", plans.attachment_delete, name="attachment_delete"),
    # target agreements (目标责任书)
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/new/", agreements.start, name="agreement_create"),
    path("agreements/notice/", agreements.notice, name="agreement_notice"),
    path("agreements/<int:pk>/", agreements.detail, name="agreement"),
    path("agreements/<int:pk>/edit/", agreements.edit, name="agreement_edit"),
    path("agreements/<int:pk>/issue/", agreements.issue, name="agreement_issue"),
    path("agreements/<int:pk>/delete/", agreements.remove, name="agreement_delete"),
    path("agreements/<int:pk>/report/<slug:period>/", agreements.report, name="agreement_report"),
    path("agreements/<int:pk>/score/", agreements.score, name="agreement_score"),
    path("agreements/files/<int:pk>/", agreements.report_file, name="agreement_file"),
]
