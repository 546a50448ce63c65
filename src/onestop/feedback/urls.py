from django.urls import path

from onestop.feedback import views

app_name = "feedback"

urlpatterns = [
    *views.SurveyViews.urls(),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
    path("satisfaction/results/", views.results_page, name="results"),
    path("satisfaction/results/export.<str:fmt>", views.results_export, name="results_export"),
    *views.ComplaintViews.urls(),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="complaint_assign"),
    path("complaints/<int:pk>/respond/", views.complaint_respond, name="complaint_respond"),
    path("complaints/<int:pk>/confirm/", views.complaint_confirm, name="complaint_confirm"),
    path("complaints/<int:pk>/reopen/", views.complaint_reopen, name="complaint_reopen"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
]
