from django.urls import path

from onestop.recruitment import views, views_board

app_name = "recruitment"

urlpatterns = [
    path("candidates/board/", views_board.candidate_board, name="candidate_board"),
    path("candidates/<int:pk>/move/<str:to>/", views_board.candidate_move, name="candidate_move"),
    *views.HiringNeedViews.urls(),
    *views.PostingViews.urls(),
    *views.CandidateViews.urls(),
    *views.InterviewViews.urls(),
    *views.OnboardingPartViews.urls(),
    *views.OnboardingViews.urls(),
    path("onboardingtasks/<int:pk>/complete/", views.complete_task.view, name="onboardingtask_complete"),
    path(
        "onboardingtasks/<int:pk>/acknowledge/",
        views.acknowledge_task.view,
        name="onboardingtask_acknowledge",
    ),
    path("onboardingtasks/<int:pk>/redo/", views.redo_task.view, name="onboardingtask_redo"),
]
