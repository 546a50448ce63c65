from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from onestop.accounts.models import (
    ClientContact,
    ClientDataRecord,
    ClientOrganization,
    Department,
    Position,
    User,
)
from onestop.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "department", "client_organization", "is_active"]
    list_filter = ["is_active", "groups", "department", "client_organization"]
    search_fields = ["username", "full_name", "email"]

    def has_delete_permission(self, request, obj=None):
        # The same rule as the pages and the API: an account that has acted is deactivated.
        if obj is not None and obj.deletion_refusal():
            return False
        return super().has_delete_permission(request, obj)

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("OneStop"),
            {
                "fields": (
                    "full_name",
                    "phone",
                    "employee_no",
                    "department",
                    "position",
                    "client_organization",
                    "language",
                )
            },
        ),
    )


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "parent", "head", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department"]
    search_fields = ["name"]


@admin.register(ClientOrganization)
class ClientOrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "city", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ClientContact)
class ClientContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "email", "phone", "is_primary"]
    search_fields = ["name", "email"]


@admin.register(ClientDataRecord)
class ClientDataRecordAdmin(ReadOnlyAdmin):
    """Exports and anonymisations of client data (accounts/clientdata.py): read, never edited."""

    list_display = ["at", "kind", "organization", "actor", "counts"]
    list_filter = ["kind"]
    date_hierarchy = "at"
