"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "acceptance",
    MenuItem(
        _("Acceptance rounds"),
        "acceptance:acceptanceround_list",
        "clipboard2-check",
        "acceptance.view_acceptanceround",
        roles=(Role.PROJECT_LEAD, Role.TECHNICIAN, Role.QUALITY, Role.CLIENT),
    ),
    MenuItem(
        _("Apply for acceptance"),
        "acceptance:acceptanceround_add",
        "plus-circle",
        "acceptance.add_acceptanceround",
    ),
    MenuItem(
        _("Rectification tasks"),
        "acceptance:acceptanceproblem_list",
        "exclamation-triangle",
        "acceptance.view_acceptanceproblem",
        roles=(Role.PROJECT_LEAD, Role.TECHNICIAN, Role.CLIENT),
    ),
)
