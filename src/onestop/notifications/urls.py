from django.urls import path

from onestop.notifications import views
from onestop.notifications.views_calendar import HolidayViews

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/open/", views.open_notification, name="open"),
    path("inbox/read-all/", views.mark_all_read, name="read_all"),
    *HolidayViews.urls(),
]
