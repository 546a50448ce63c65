from django.urls import path

from onestop.careers import views

app_name = "careers"

urlpatterns = [
    path("careers/incentives/payroll/", views.payroll, name="payroll"),
    path("careers/me/", views.my_career, name="my_career"),
    path("careers/people/<int:pk>/", views.person, name="person"),
    *views.RecognitionViews.urls(),
    *views.IncentiveViews.urls(),
    *views.SelectionViews.urls(),
    *views.NominationViews.urls(),
    *views.VoteViews.urls(),
    *views.CareerPathViews.urls(),
    *views.CareerLevelViews.urls(),
    *views.DevelopmentPlanViews.urls(),
    *views.DevelopmentReviewViews.urls(),
    *views.PositionMoveViews.urls(),
]
