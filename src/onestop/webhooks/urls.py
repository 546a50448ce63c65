from django.urls import path

from onestop.webhooks import views

app_name = "webhooks"

urlpatterns = [
    *views.EndpointViews.urls(),
    path("endpoints/<int:pk>/deliveries/", views.delivery_log, name="endpoint_deliveries"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver.view, name="delivery_redeliver"),
]
