"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "projects",
    MenuItem(_("Projects"), "projects:project_list", "kanban", "projects.view_project"),
    MenuItem(_("Open a project"), "projects:project_add", "plus-circle", "projects.add_project"),
    MenuItem(
        _("Implementation tasks"),
        "projects:task_list",
        "list-check",
        "projects.view_task",
        roles=(Role.PROJECT_LEAD, Role.TECHNICIAN),
    ),
    MenuItem(
        _("Project milestones"),
        "projects:milestone_list",
        "flag",
        "projects.view_milestone",
        roles=(Role.PROJECT_LEAD, Role.TECHNICIAN, Role.CLIENT),
    ),
    MenuItem(
        _("Project teams"),
        "projects:projectmember_list",
        "people",
        "projects.view_projectmember",
        roles=(Role.PROJECT_LEAD, Role.HR),
    ),
)
