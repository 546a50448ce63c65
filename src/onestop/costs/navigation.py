"""Menu entries of this app, under the policy's chapter on resources (chapter 5)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

PLANNERS = (Role.MANAGEMENT, Role.HR, Role.PROJECT_LEAD)
register(
    "resources",
    MenuItem(
        _("Capacity heat map"), "costs:heatmap", "grid-3x3-gap", "costs.heatmap_allocation", roles=PLANNERS
    ),
    MenuItem(
        _("Staff allocations"),
        "costs:allocation_list",
        "person-lines-fill",
        "costs.view_allocation",
        roles=PLANNERS,
    ),
    MenuItem(
        _("Reallocation requests"),
        "costs:reallocationrequest_list",
        "arrow-left-right",
        "costs.view_reallocationrequest",
        roles=PLANNERS,
    ),
    MenuItem(
        _("Team building"), "costs:teamactivity_list", "people", "costs.view_teamactivity", roles=(Role.HR,)
    ),
    MenuItem(
        _("Timesheets"),
        "costs:timesheet_list",
        "clock-history",
        "costs.view_timesheet",
        roles=(Role.TECHNICIAN, Role.PROJECT_LEAD, Role.FINANCE),
    ),
    MenuItem(
        _("Expenses"),
        "costs:expense_list",
        "receipt",
        "costs.view_expense",
        roles=(Role.TECHNICIAN, Role.PROJECT_LEAD, Role.FINANCE),
    ),
    MenuItem(
        _("Purchases"),
        "costs:purchase_list",
        "cart",
        "costs.view_purchase",
        roles=(Role.PROJECT_LEAD, Role.FINANCE),
    ),
    MenuItem(
        _("Cost roll-up"),
        "costs:rollup",
        "bar-chart-line",
        "costs.view_costrollup",
        roles=(Role.FINANCE, Role.MANAGEMENT),
    ),
    MenuItem(
        _("Cost rates"),
        "costs:costrate_list",
        "currency-exchange",
        "costs.view_costrate",
        roles=(Role.FINANCE,),
    ),
)
