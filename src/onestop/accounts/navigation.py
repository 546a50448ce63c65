from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "intake",
    MenuItem(
        _("Client organisations"),
        "accounts:clientorganization_list",
        "building",
        "accounts.view_clientorganization",
        roles=(
            Role.CUSTOMER_SERVICE,
            Role.TECHNICIAN,
            Role.PROJECT_LEAD,
            Role.LEGAL,
            Role.FINANCE,
            Role.ARCHIVE,
            Role.CLIENT,
        ),
    ),
    MenuItem(
        _("Client contacts"),
        "accounts:clientcontact_list",
        "person-vcard",
        "accounts.view_clientcontact",
        roles=(
            Role.CUSTOMER_SERVICE,
            Role.TECHNICIAN,
            Role.PROJECT_LEAD,
            Role.LEGAL,
            Role.FINANCE,
            Role.CLIENT,
        ),
    ),
)
register(
    "organisation",
    MenuItem(
        _("Departments"),
        "accounts:department_list",
        "diagram-3",
        "accounts.view_department",
        roles=(Role.HR,),
    ),
    MenuItem(
        _("Positions"), "accounts:position_list", "person-badge", "accounts.view_position", roles=(Role.HR,)
    ),
    MenuItem(
        _("Staff and users"),
        "accounts:user_list",
        "person-lines-fill",
        "accounts.browse_staff",
        roles=(Role.HR,),
    ),
)
register(
    "system",
    MenuItem(_("API documentation"), "api-docs", "braces", None),
    MenuItem(_("Administration"), "admin:index", "shield-lock", "core.use_admin_site"),
)
