"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "projects",
    MenuItem(_("Projects"), "projects:project_list", "kanban", "projects.view_project"),
    MenuItem(_("Open a project"), "projects:project_add", "plus-circle", "projects.add_project"),
    MenuItem(_("Implementation tasks"), "projects:task_list", "list-check", "projects.view_task"),
    MenuItem(_("Project milestones"), "projects:milestone_list", "flag", "projects.view_milestone"),
    MenuItem(_("Project teams"), "projects:projectmember_list", "people", "projects.view_projectmember"),
)
