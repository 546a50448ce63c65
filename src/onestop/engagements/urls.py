from django.urls import path

from onestop.engagements import views

app_name = "engagements"

urlpatterns = [
    *[pattern for pattern in views.EngagementViews.urls() if pattern.name != "engagement_detail"],
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/forward/", views.forward, name="forward"),
    path("engagements/<int:pk>/assess/", views.assess, name="assess"),
    path("engagements/<int:pk>/propose/", views.propose, name="propose"),
    path("engagements/<int:pk>/rounds/<int:round>/accept/", views.accept, name="accept"),
    path("engagements/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("engagements/lookup/", views.client_lookup, name="client_lookup"),
]
