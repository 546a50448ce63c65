from django.urls import path

from onestop.projects import views

app_name = "projects"

urlpatterns = [
    # The kickoff page shows the meeting once recorded; while the project awaits it, it is the
    # ``kickoff`` action's form (the action's own route, listed after it, is the same path).
    path("projects/<int:pk>/kickoff/", views.project_kickoff, name="project_kickoff"),
    *views.ProjectViews.urls(),
    path(
        "kickoff-meetings/<int:pk>/acknowledge/",
        views.acknowledge_kickoff.view,
        name="kickoffmeeting_acknowledge",
    ),
    *views.MilestoneViews.urls(),
    *views.ProjectMemberViews.urls(),
    *views.TaskViews.urls(),
    path("progress/<int:pk>/", views.fill_report.view, name="progressreport_detail"),
    path("progress/<int:pk>/rows/<int:row>/done/", views.mark_row_done.view, name="progressreport_row_done"),
    path("progress/<int:pk>/submit/", views.submit_report.view, name="progressreport_submit"),
    path("progress/<int:pk>/review/", views.review_report.view, name="progressreport_review"),
    path("progress/<int:pk>/pdf/", views.progressreport_pdf, name="progressreport_pdf"),
    path("progress/<int:pk>/xlsx/", views.progressreport_xlsx, name="progressreport_xlsx"),
]
