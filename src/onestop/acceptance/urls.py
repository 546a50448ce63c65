from django.urls import path

from onestop.acceptance import views

app_name = "acceptance"

urlpatterns = [
    *views.AcceptanceRoundViews.urls(),
    *views.AcceptanceDeliverableViews.urls(),
    *views.AcceptanceTeamMemberViews.urls(),
    *views.ChecklistItemViews.urls(),
    *views.AcceptanceCriterionViews.urls(),
    *views.AcceptanceResultViews.urls(),
    *views.AcceptanceProblemViews.urls(),
    path("projects/<int:project>/rounds/", views.project_rounds, name="project_rounds"),
]
