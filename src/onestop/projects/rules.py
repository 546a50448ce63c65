"""Who may see and run a project (PRJ-1..3, X-3)."""

import rules

from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role

is_management = is_internal & has_role(Role.MANAGEMENT)


@rules.predicate
def is_own_client_project(user, project=None) -> bool:
    if project is None:
        return True
    project = getattr(project, "project", project)  # a project's own rows: milestones, tasks…
    return project.engagement.client_id == user.client_organization_id


@rules.predicate
def leads_project(user, project=None) -> bool:
    if project is None:
        return True
    project = getattr(project, "project", project)
    return project.project_lead_id == user.pk


# Staff follow every project; a client its own organisation's projects (the portal).
can_view_project = is_internal | (is_client_user & is_own_client_project)
# Projects are opened from a signed contract by the project lead or management (PRJ-1).
can_open_project = is_system_admin | is_management | (is_internal & has_role(Role.PROJECT_LEAD))
can_manage_project = (
    is_system_admin | is_management | (is_internal & has_role(Role.PROJECT_LEAD) & leads_project)
)
can_delete_project = is_system_admin


@rules.predicate
def is_project_member(user, obj=None) -> bool:
    if obj is None:
        return True
    project = getattr(obj, "project", obj)
    if project is None:
        return False
    return project.members.filter(user_id=user.pk).exists()


# Team members fill the progress table; the lead (or management) submits and reviews it (PRJ-2).
can_fill_report = is_system_admin | is_management | (is_internal & (leads_project | is_project_member))
