"""Menu entries of incentives and careers, in the people chapter (人員管理)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import STAFF_ROLES, Role

EVERYONE = tuple(STAFF_ROLES)
HR = (Role.HR,)
DECIDERS = (Role.HR, Role.MANAGEMENT)

register(
    "people",
    MenuItem(_("My career"), "careers:my_career", "person-badge", "careers.view_careerpath", roles=EVERYONE),
    MenuItem(
        _("Recognitions"), "careers:recognition_list", "award", "careers.view_recognition", roles=EVERYONE
    ),
    MenuItem(
        _("Incentives"), "careers:incentive_list", "cash-coin", "careers.view_incentive", roles=EVERYONE
    ),
    MenuItem(
        _("Payroll export"),
        "careers:payroll",
        "file-earmark-spreadsheet",
        "careers.export_incentive",
        roles=DECIDERS,
    ),
    MenuItem(
        _("Outstanding-employee selections"),
        "careers:selection_list",
        "trophy",
        "careers.view_selection",
        roles=EVERYONE,
    ),
    MenuItem(
        _("Career paths"),
        "careers:careerpath_list",
        "signpost-split",
        "careers.view_careerpath",
        roles=EVERYONE,
    ),
    MenuItem(
        _("Development plans"),
        "careers:developmentplan_list",
        "map",
        "careers.view_developmentplan",
        roles=EVERYONE,
    ),
    MenuItem(
        _("Promotions and rotations"),
        "careers:positionmove_list",
        "arrow-left-right",
        "careers.view_positionmove",
        roles=EVERYONE,
    ),
)
