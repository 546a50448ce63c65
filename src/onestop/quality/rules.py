"""Who may see and act on the quality records (QA-1..3, X-3).

Quality monitoring is internal: every staff member may follow it, no client sees any of it.
Quality staff keep the templates, run inspections, raise and verify rectification notices;
the project lead adjusts the project's QC plan; the responsible department answers notices.
"""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.quality.states import InspectionState, QCPlanState, RectificationNoticeState

is_quality = is_internal & has_role(Role.QUALITY)
is_management = is_internal & has_role(Role.MANAGEMENT)


def _project_of(obj):
    """The project of a QC plan, a plan's checkpoint, an inspection or a notice."""
    if hasattr(obj, "plan"):
        return obj.plan.project
    return getattr(obj, "project", obj)


@rules.predicate
def leads_project(user, obj=None) -> bool:
    """The project lead of the record's project; without a record: a project lead at all."""
    if obj is None:
        return has_role(Role.PROJECT_LEAD)(user)
    return _project_of(obj).project_lead_id == user.pk


@rules.predicate
def plan_is_draft(user, obj=None) -> bool:
    if obj is None:
        return True
    plan = getattr(obj, "plan", obj)
    return plan.state == QCPlanState.DRAFT


@rules.predicate
def is_inspector(user, inspection=None) -> bool:
    if inspection is None:
        return False  # only for a given inspection; quality staff have the right in general
    inspection = getattr(inspection, "inspection", inspection)
    return inspection.inspector_id == user.pk


@rules.predicate
def inspection_open(user, obj=None) -> bool:
    if obj is None:
        return True
    inspection = getattr(obj, "inspection", obj)
    return inspection.state != InspectionState.COMPLETED


@rules.predicate
def in_responsible_department(user, notice=None) -> bool:
    """A member of the notice's department, or its head."""
    if notice is None:
        return user.department_id is not None or user.headed_departments.exists()
    department = notice.department
    return user.department_id == department.pk or department.head_id == user.pk


@rules.predicate
def notice_open(user, notice=None) -> bool:
    if notice is None:
        return True
    return notice.state != RectificationNoticeState.CLOSED


@rules.predicate
def owns_action(user, action=None) -> bool:
    if action is None:
        return True
    return action.owner_id == user.pk


can_view = is_internal
# QA-1: the admin-managed templates.
can_manage_templates = is_system_admin | is_quality
can_delete_template = is_system_admin
# QA-1: the project's QC plan — created by quality or the lead, adjusted by the lead (and quality).
can_create_plan = is_system_admin | is_quality | (is_internal & leads_project) | is_management
can_manage_plan = is_system_admin | is_quality | (is_internal & leads_project)
can_edit_checkpoints = can_manage_plan & plan_is_draft
# QA-2: inspections, run by quality staff (the assigned inspector among them).
can_plan_inspection = is_system_admin | is_quality
can_run_inspection = is_system_admin | is_quality | (is_internal & is_inspector)
can_record_item = can_run_inspection & inspection_open
can_delete_inspection = is_system_admin
# QA-2: rectification notices.
can_raise_notice = is_system_admin | is_quality
can_edit_notice = can_raise_notice & notice_open
can_respond_notice = is_system_admin | (is_internal & in_responsible_department)
can_verify_notice = is_system_admin | is_quality
# QA-3: improvement actions.
can_manage_actions = is_system_admin | is_quality | is_management
can_complete_action = can_manage_actions | (is_internal & owns_action)
can_check_action = is_system_admin | is_quality
can_delete = rules.always_deny
