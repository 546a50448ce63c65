"""Menu entries of the risk chapter (policy chapter 6)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

STAFF_ROLES = (Role.MANAGEMENT, Role.QUALITY, Role.PROJECT_LEAD, Role.TECHNICIAN)

register(
    "risks",
    MenuItem(
        _("Risk register"), "risks:risk_list", "exclamation-triangle", "risks.view_risk", roles=STAFF_ROLES
    ),
    MenuItem(_("Heat map"), "risks:heatmap", "grid-3x3", "risks.view_risk", roles=STAFF_ROLES),
    MenuItem(
        _("Warnings"),
        "risks:warning_list",
        "bell",
        "risks.view_warning",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.PROJECT_LEAD, Role.FINANCE, Role.CUSTOMER_SERVICE),
    ),
    MenuItem(
        _("Response actions"),
        "risks:responseaction_list",
        "list-check",
        "risks.view_responseaction",
        roles=STAFF_ROLES,
    ),
    MenuItem(
        _("Identification sessions"),
        "risks:identificationsession_list",
        "people",
        "risks.view_identificationsession",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.PROJECT_LEAD),
    ),
    MenuItem(
        _("Emergency plans"),
        "risks:emergencyplan_list",
        "life-preserver",
        "risks.view_emergencyplan",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.PROJECT_LEAD),
    ),
    MenuItem(
        _("Emergency responses"),
        "risks:emergencyactivation_list",
        "broadcast",
        "risks.view_emergencyactivation",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.PROJECT_LEAD),
    ),
    MenuItem(
        _("Warning indicators"),
        "risks:indicator_list",
        "speedometer2",
        "risks.view_indicator",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.SYSTEM_ADMIN),
    ),
    MenuItem(
        _("Risk categories"),
        "risks:riskcategory_list",
        "tags",
        "risks.view_riskcategory",
        roles=(Role.MANAGEMENT, Role.SYSTEM_ADMIN),
    ),
    MenuItem(
        _("Risk matrix"),
        "risks:matrix",
        "grid",
        "risks.view_riskmatrix",
        roles=(Role.MANAGEMENT, Role.QUALITY, Role.SYSTEM_ADMIN),
    ),
)
