from django.urls import path

from onestop.plans import views

app_name = "plans"

urlpatterns = [
    *views.PlanViews.urls(),
    *[
        path(f"plan-versions/<int:pk>/{action.name}/", action.view, name=f"planversion_{action.key}")
        for action in views.VERSION_ACTIONS
    ],
]
