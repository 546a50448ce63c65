from django.urls import path

from onestop.cockpit import views
from onestop.cockpit.tiles import DASHBOARDS, MANAGEMENT

app_name = "cockpit"

urlpatterns = [
    *views.ReportSubscriptionViews.urls(),
    *views.PolicyVersionViews.urls(),
    path("cockpit/", views.cockpit, {"dashboard": MANAGEMENT}, name="cockpit"),
    *[
        path(f"cockpit/{key}/", views.cockpit, {"dashboard": key}, name=f"dashboard_{key}")
        for key in DASHBOARDS
        if key != MANAGEMENT
    ],
    path("cockpit/drill/<slug:tile_key>/<slug:drill_key>/", views.drill, name="drill"),
    path(
        "cockpit/export/<slug:dashboard>/<slug:tile_key>/<slug:table_key>.<str:file_format>",
        views.table_export,
        name="table_export",
    ),
]
