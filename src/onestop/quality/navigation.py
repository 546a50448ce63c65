"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "quality",
    MenuItem(_("Quality analysis"), "quality:analysis", "bar-chart-line", "quality.view_inspection"),
    MenuItem(_("Inspections"), "quality:inspection_list", "search", "quality.view_inspection"),
    MenuItem(
        _("Rectification notices"),
        "quality:rectificationnotice_list",
        "exclamation-triangle",
        "quality.view_rectificationnotice",
    ),
    MenuItem(_("QC plans"), "quality:qcplan_list", "clipboard2-check", "quality.view_qcplan"),
    MenuItem(_("Spot-check draws"), "quality:spotcheckdraw_list", "shuffle", "quality.view_spotcheckdraw"),
    MenuItem(
        _("Improvement actions"),
        "quality:improvementaction_list",
        "graph-up-arrow",
        "quality.view_improvementaction",
    ),
    MenuItem(_("QC plan templates"), "quality:qctemplate_list", "journal-check", "quality.change_qctemplate"),
)
