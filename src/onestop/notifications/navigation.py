from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "system",
    MenuItem(
        _("Working-day calendar"),
        "notifications:holiday_list",
        "calendar3",
        "notifications.view_holiday",
        roles=(Role.HR, Role.CUSTOMER_SERVICE),
    ),
)
