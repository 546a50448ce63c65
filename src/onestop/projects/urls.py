from django.urls import path

from onestop.projects import views

app_name = "projects"

urlpatterns = [
    *views.ProjectViews.urls(),
    path("projects/<int:pk>/kickoff/", views.project_kickoff, name="project_kickoff"),
    path("projects/<int:pk>/kickoff/acknowledge/", views.kickoff_acknowledge, name="kickoff_acknowledge"),
    path("projects/<int:pk>/complete/", views.project_complete, name="project_complete"),
    path("projects/<int:pk>/progress/start/", views.project_start_report, name="project_start_report"),
    *views.MilestoneViews.urls(),
    *views.ProjectMemberViews.urls(),
    *views.TaskViews.urls(),
    path("progress/<int:pk>/", views.progressreport_detail, name="progressreport_detail"),
    path("progress/<int:pk>/submit/", views.progressreport_submit, name="progressreport_submit"),
    path("progress/<int:pk>/review/", views.progressreport_review, name="progressreport_review"),
    path("progress/<int:pk>/pdf/", views.progressreport_pdf, name="progressreport_pdf"),
    path("progress/<int:pk>/xlsx/", views.progressreport_xlsx, name="progressreport_xlsx"),
]
