from django.urls import path

from onestop.accounts import views

app_name = "accounts"

urlpatterns = [
    *views.DepartmentViews.urls(),
    *views.PositionViews.urls(),
    *views.UserViews.urls(),
    *views.ClientOrganizationViews.urls(),
    *views.ClientContactViews.urls(),
    path("clientorganizations/<int:pk>/export/", views.export_client, name="clientorganization_export"),
]
