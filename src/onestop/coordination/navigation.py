"""Menu entries of this app (core.navigation.register), in the chapter "projects"."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "projects",
    MenuItem(
        _("Issue log"),
        "coordination:projectissue_list",
        "bug",
        "coordination.view_projectissue",
        roles=(Role.PROJECT_LEAD, Role.TECHNICIAN, Role.QUALITY),
    ),
    MenuItem(
        _("Client progress reports"),
        "coordination:clientreport_list",
        "envelope-paper",
        "coordination.view_clientreport",
        roles=(Role.PROJECT_LEAD, Role.CLIENT),
    ),
    MenuItem(
        _("Report schedules"),
        "coordination:clientreportschedule_list",
        "calendar-week",
        "coordination.view_clientreportschedule",
        roles=(Role.PROJECT_LEAD,),
    ),
    MenuItem(
        _("Change requests"),
        "coordination:changerequest_list",
        "arrow-left-right",
        "coordination.view_changerequest",
        roles=(Role.PROJECT_LEAD, Role.LEGAL, Role.FINANCE),
    ),
    MenuItem(
        _("Resource requests"),
        "coordination:resourcerequest_list",
        "people",
        "coordination.view_resourcerequest",
    ),
)
