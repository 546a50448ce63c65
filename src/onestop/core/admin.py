"""Read-only admin pages for the security records: nobody edits or deletes them here."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from onestop.core.models import ListExport, SecurityEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "actor", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "ip_address", "username", "failures_since_start"]
    search_fields = ["ip_address", "username"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "logout_time", "ip_address", "username"]
    search_fields = ["ip_address", "username"]


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "ip_address", "username", "locked_out"]
    search_fields = ["ip_address", "username"]


@admin.register(ListExport)
class ListExportAdmin(ReadOnlyAdmin):
    """Downloads of lists (core/list_export.py): read, never edited."""

    list_display = ["at", "user", "list_key", "file_format", "rows", "query"]
    list_filter = ["list_key", "file_format"]
    date_hierarchy = "at"
