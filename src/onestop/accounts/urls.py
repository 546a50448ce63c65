from onestop.accounts import views

app_name = "accounts"

urlpatterns = [
    *views.DepartmentViews.urls(),
    *views.PositionViews.urls(),
    *views.UserViews.urls(),
    *views.ClientOrganizationViews.urls(),
    *views.ClientContactViews.urls(),
]
