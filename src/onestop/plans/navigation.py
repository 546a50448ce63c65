from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "plans",
    MenuItem(
        _("Service plans"),
        "plans:plan_list",
        "journal-text",
        "plans.view_plan",
        roles=(Role.PROJECT_LEAD, Role.REVIEWER, Role.TECHNICIAN, Role.FINANCE),
    ),
)
