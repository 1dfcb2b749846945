from django.urls import path

from .views import campaigns, plans

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
]
