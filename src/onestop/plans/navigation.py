from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "plans",
    MenuItem(_("Service plans"), "plans:plan_list", "journal-text", "plans.view_plan"),
)
