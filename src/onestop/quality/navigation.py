"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "quality",
    MenuItem(
        _("Quality analysis"),
        "quality:analysis",
        "bar-chart-line",
        "quality.view_inspection",
        roles=(Role.QUALITY,),
    ),
    MenuItem(
        _("Inspections"),
        "quality:inspection_list",
        "search",
        "quality.view_inspection",
        roles=(Role.QUALITY, Role.PROJECT_LEAD, Role.TECHNICIAN),
    ),
    MenuItem(
        _("Rectification notices"),
        "quality:rectificationnotice_list",
        "exclamation-triangle",
        "quality.view_rectificationnotice",
        roles=(Role.QUALITY, Role.PROJECT_LEAD, Role.TECHNICIAN),
    ),
    MenuItem(
        _("QC plans"),
        "quality:qcplan_list",
        "clipboard2-check",
        "quality.view_qcplan",
        roles=(Role.QUALITY, Role.PROJECT_LEAD),
    ),
    MenuItem(
        _("Spot-check draws"),
        "quality:spotcheckdraw_list",
        "shuffle",
        "quality.view_spotcheckdraw",
        roles=(Role.QUALITY,),
    ),
    MenuItem(
        _("Improvement actions"),
        "quality:improvementaction_list",
        "graph-up-arrow",
        "quality.view_improvementaction",
        roles=(Role.QUALITY, Role.PROJECT_LEAD),
    ),
    MenuItem(_("QC plan templates"), "quality:qctemplate_list", "journal-check", "quality.change_qctemplate"),
)
