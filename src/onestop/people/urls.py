from django.urls import path

from onestop.people import views

app_name = "people"

urlpatterns = [
    path("appraisals/distribution/", views.distribution, name="distribution"),
    path("appraisals/<int:pk>/figures/<slug:code>/", views.appraisal_figures, name="appraisal_figures"),
    path("skills/matrix/", views.skills_matrix, name="skills_matrix"),
    path("courses/plan/", views.training_plan, name="training_plan"),
    *views.IndicatorTemplateViews.urls(),
    *views.IndicatorViews.urls(),
    *views.CycleViews.urls(),
    *views.AppraisalViews.urls(),
    *views.ResultActionViews.urls(),
    *views.ImprovementPlanViews.urls(),
    *views.CheckInViews.urls(),
    *views.SkillViews.urls(),
    *views.PersonSkillViews.urls(),
    *views.CourseViews.urls(),
    *views.TrainingSessionViews.urls(),
    *views.EnrolmentViews.urls(),
]
