from django.urls import path

from onestop.plans import views

app_name = "plans"

urlpatterns = [
    *[pattern for pattern in views.PlanViews.urls() if pattern.name != "plan_detail"],
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/versions/new/", views.new_version, name="new_version"),
    path("plans/<int:pk>/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path("plans/<int:pk>/versions/<int:number>/submit/", views.submit, name="submit"),
    path("plans/<int:pk>/versions/<int:number>/review/", views.review, name="review"),
    path("plans/<int:pk>/versions/<int:number>/approve/", views.approve, name="approve"),
    path("plans/<int:pk>/versions/<int:number>/reject/", views.reject, name="reject"),
]
