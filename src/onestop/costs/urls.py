from django.urls import path

from onestop.costs import views

app_name = "costs"

urlpatterns = [
    path("costs/heatmap/", views.heatmap, name="heatmap"),
    path("costs/projects/<int:pk>/", views.project_costs, name="project_costs"),
    path("costs/projects/<int:pk>/allocate-team/", views.allocate_team, name="allocate_team"),
    path("costs/rollup/", views.rollup_page, name="rollup"),
    path("costs/rollup/run/", views.rollup_run, name="rollup_run"),
    *views.AllocationViews.urls(),
    *views.ReallocationRequestViews.urls(),
    *views.TeamActivityViews.urls(),
    *views.TeamParticipantViews.urls(),
    *views.CostRateViews.urls(),
    *views.TimesheetViews.urls(),
    *views.ExpenseViews.urls(),
    *views.PurchaseViews.urls(),
]
