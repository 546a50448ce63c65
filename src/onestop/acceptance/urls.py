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
    path("acceptancerounds/<int:pk>/team/", views.team_add, name="round_team_add"),
    path("acceptancerounds/<int:pk>/team/<int:member>/remove/", views.team_remove, name="round_team_remove"),
    path("acceptancerounds/<int:pk>/checklist/", views.checklist_add, name="round_checklist_add"),
    path(
        "acceptancerounds/<int:pk>/checklist/<int:item>/tick/",
        views.checklist_tick,
        name="round_checklist_tick",
    ),
    path("acceptancerounds/<int:pk>/checklist/skip/", views.checklist_skip, name="round_checklist_skip"),
    path("acceptancerounds/<int:pk>/start/", views.round_start, name="round_start"),
    path("acceptancerounds/<int:pk>/results/", views.results_record, name="round_results"),
    path("acceptancerounds/<int:pk>/problems/", views.problem_add, name="round_problem_add"),
    path("acceptancerounds/<int:pk>/report/", views.report_fill, name="round_report"),
    path("acceptancerounds/<int:pk>/report/withdraw/", views.report_withdraw, name="round_report_withdraw"),
    path("acceptancerounds/<int:pk>/next-round/", views.next_round, name="round_next"),
    path("acceptanceproblems/<int:pk>/assign/", views.problem_assign, name="problem_assign"),
    path("acceptanceproblems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("projects/<int:project>/rounds/", views.project_rounds, name="project_rounds"),
]
