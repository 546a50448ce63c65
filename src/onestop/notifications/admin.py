from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from onestop.notifications.models import Deadline, Holiday, Notification


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "due_at",
        "responsible",
        "escalate_to",
        "reminded_at",
        "escalated_at",
        "closed_at",
    ]
    list_filter = ["closed_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "level", "created_at", "read_at", "mail"]
    list_filter = ["level"]
    readonly_fields = ["created_at"]
