from onestop.coordination import views

app_name = "coordination"

urlpatterns = [
    *views.ProjectIssueViews.urls(),
    *views.ClientReportViews.urls(),
    *views.ClientReportScheduleViews.urls(),
    *views.ClientFeedbackViews.urls(),
    *views.ChangeRequestViews.urls(),
    *views.ResourceRequestViews.urls(),
]
