from django.urls import path

from onestop.feedback import views

app_name = "feedback"

urlpatterns = [
    *views.SurveyViews.urls(),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
    path("satisfaction/results/", views.results_page, name="results"),
    path("satisfaction/results/export.<str:fmt>", views.results_export, name="results_export"),
    *views.ComplaintViews.urls(),
]
