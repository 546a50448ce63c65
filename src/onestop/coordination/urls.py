from django.urls import path

from onestop.coordination import views

app_name = "coordination"

urlpatterns = [
    *views.ProjectIssueViews.urls(),
    path("projectissues/<int:pk>/resolve/", views.issue_resolve, name="projectissue_resolve"),
    path("projectissues/<int:pk>/close/", views.issue_close, name="projectissue_close"),
    path("projectissues/<int:pk>/reopen/", views.issue_reopen, name="projectissue_reopen"),
    *views.ClientReportViews.urls(),
    path("clientreports/<int:pk>/send/", views.report_send, name="clientreport_send"),
    path("clientreports/<int:pk>/feedback/", views.report_feedback, name="clientreport_feedback"),
    *views.ClientReportScheduleViews.urls(),
    *views.ClientFeedbackViews.urls(),
    *views.ChangeRequestViews.urls(),
    path("changerequests/<int:pk>/submit/", views.change_submit, name="changerequest_submit"),
    path("changerequests/<int:pk>/decide/", views.change_decide, name="changerequest_decide"),
    *views.ResourceRequestViews.urls(),
    path("resourcerequests/<int:pk>/answer/", views.resource_answer, name="resourcerequest_answer"),
]
