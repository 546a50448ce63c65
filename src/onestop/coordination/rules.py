"""Who may see and act on a project's coordination records (PRJ-3, X-3)."""

import rules

from onestop.coordination.states import ClientReportState, ResourceRequestState
from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.projects.rules import leads_project

is_management = is_internal & has_role(Role.MANAGEMENT)
is_project_lead_role = is_internal & has_role(Role.PROJECT_LEAD)


@rules.predicate
def raised_issue(user, issue=None) -> bool:
    if issue is None:
        return True
    return issue.raised_by_id == user.pk


@rules.predicate
def owns_issue(user, issue=None) -> bool:
    if issue is None:
        return True
    return issue.owner_id == user.pk


@rules.predicate
def is_draft(user, obj=None) -> bool:
    """A client report or change request still being drafted (its model's editable states)."""
    if obj is None:
        return True
    return obj.state in type(obj).editable_states


@rules.predicate
def is_pending_request(user, obj=None) -> bool:
    if obj is None:
        return True
    return obj.state == ResourceRequestState.REQUESTED


@rules.predicate
def requested_it(user, obj=None) -> bool:
    if obj is None:
        return True
    return obj.requested_by_id == user.pk


@rules.predicate
def heads_department(user, request=None) -> bool:
    """The head of the department a resource request is addressed to."""
    if request is None:
        return True
    department = request.department
    return department is not None and department.head_id == user.pk


@rules.predicate
def is_own_sent_report(user, report=None) -> bool:
    """A client sees its own organisation's reports, and only once they are sent."""
    if report is None:
        return True
    return (
        report.state == ClientReportState.SENT
        and report.project.engagement.client_id == user.client_organization_id
    )


@rules.predicate
def wrote_feedback(user, feedback=None) -> bool:
    if feedback is None:
        return True
    return feedback.author_id == user.pk


# People who work on projects may raise issues and requests; the rest of the staff follow them.
works_on_projects = is_internal & has_role(Role.PROJECT_LEAD, Role.TECHNICIAN, Role.QUALITY, Role.MANAGEMENT)
runs_project = is_system_admin | is_management | (is_internal & leads_project)

# Issue log.
can_view_issue = is_internal
can_raise_issue = is_system_admin | works_on_projects
can_edit_issue = runs_project | (is_internal & raised_issue)
can_resolve_issue = runs_project | (is_internal & owns_issue)
can_delete_issue = is_system_admin

# Client progress reports and their schedule.
can_view_report = is_internal | (is_client_user & is_own_sent_report)
can_prepare_report = is_system_admin | is_management | is_project_lead_role
can_edit_report = runs_project & is_draft
can_send_report = runs_project
can_view_schedule = is_internal
can_manage_schedule = runs_project
can_add_schedule = is_system_admin | is_management | is_project_lead_role

# Client feedback on a sent report.
can_view_feedback = is_internal | is_client_user  # which ones: visible_to (own organisation)
# The client answers in the portal; customer service or the lead may record feedback received
# by phone or in a meeting on the client's behalf.
can_give_feedback = (
    is_client_user
    | is_system_admin
    | (is_internal & has_role(Role.CUSTOMER_SERVICE, Role.PROJECT_LEAD, Role.MANAGEMENT))
)
can_edit_feedback = wrote_feedback

# Change requests (scope, schedule, budget).
can_view_change = is_internal
can_request_change = is_system_admin | is_management | is_project_lead_role
can_edit_change = runs_project & is_draft
can_decide_change = is_system_admin | is_management

# Resource requests to other departments.
can_view_resource_request = is_internal
can_request_resources = is_system_admin | works_on_projects
can_edit_resource_request = (runs_project | (is_internal & requested_it)) & is_pending_request
can_answer_resource_request = is_system_admin | is_management | (is_internal & heads_department)
