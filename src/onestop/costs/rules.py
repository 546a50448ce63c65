"""Who may see and do what with allocations, team building and project costs (RES-4..7, X-3).

Which rows a member of staff sees is decided in the querysets (core/access.py: costs follow their
project; finance sees all money; a person always sees their own allocations and timesheets);
these predicates say what they may do with what they see. Clients never see any of it.
"""

import rules
from django.apps import apps

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.costs.states import EXPENSE_EDITABLE, ExpenseState, ReallocationState

is_management = is_internal & has_role(Role.MANAGEMENT)
is_finance = is_internal & has_role(Role.FINANCE)
is_hr = is_internal & has_role(Role.HR)
is_lead_role = is_internal & has_role(Role.PROJECT_LEAD)


def _department_model():
    return apps.get_model("accounts", "Department")


@rules.predicate
def heads_a_department(user) -> bool:
    return bool(user.is_authenticated) and _department_model()._base_manager.filter(head=user).exists()


def heads(user, department) -> bool:
    """Does ``user`` head ``department`` or a department above it?"""
    seen = set()
    while department is not None and department.pk not in seen:
        if department.head_id == user.pk:
            return True
        seen.add(department.pk)
        department = department.parent
    return False


@rules.predicate
def leads_project(user, obj=None) -> bool:
    """The lead of the record's project (any record with a ``project``)."""
    if obj is None:
        return True
    return obj.project.project_lead_id == user.pk


@rules.predicate
def is_own(user, obj=None) -> bool:
    if obj is None:
        return True
    return obj.user_id == user.pk


@rules.predicate
def is_claimant(user, expense=None) -> bool:
    return expense is None or expense.claimant_id == user.pk


@rules.predicate
def is_requester(user, request=None) -> bool:
    return request is None or request.requested_by_id == user.pk


@rules.predicate
def heads_releasing_department(user, request=None) -> bool:
    """The head of the department the person is released from (or of one above it)."""
    if request is None:
        return True
    return heads(user, request.from_department)


@rules.predicate
def is_requested(user, request=None) -> bool:
    return request is None or request.state == ReallocationState.REQUESTED


@rules.predicate
def is_draft_expense(user, expense=None) -> bool:
    return expense is None or expense.state in EXPENSE_EDITABLE


@rules.predicate
def is_pending_expense(user, expense=None) -> bool:
    return expense is None or expense.state == ExpenseState.SUBMITTED


@rules.predicate
def spending_needs_management(user, obj=None) -> bool:
    """RES-6: the project's spending has passed the approval threshold (an open alert)."""
    if obj is None:
        return False
    alerts = apps.get_model("costs", "BudgetAlert")._base_manager
    return alerts.filter(project_id=obj.project_id, level="approval", cleared_at__isnull=True).exists()


@rules.predicate
def is_participant(user, participant=None) -> bool:
    return participant is None or participant.user_id == user.pk


allocates = is_system_admin | is_management | is_hr

# Allocations (人員調配): HR and management for every project, a project lead for their own.
can_view_allocation = is_internal
can_add_allocation = allocates | is_lead_role
can_change_allocation = allocates | (is_lead_role & leads_project)
# The capacity heat map: whoever plans people — management, HR, project leads, department heads.
can_view_heatmap = allocates | is_lead_role | (is_internal & heads_a_department)

# Reallocation requests between departments: decided by the releasing department's head.
can_view_reallocation = is_internal
can_request_reallocation = allocates | is_lead_role
can_edit_reallocation = (is_internal & is_requester & is_requested) | is_system_admin
can_decide_reallocation = is_system_admin | is_management | (is_internal & heads_releasing_department)
can_withdraw_reallocation = is_internal & is_requester

# Team building (團隊建設): organised by HR (and management); participants give feedback.
organises = is_system_admin | is_management | is_hr
can_view_team = is_internal
can_change_participant = organises | (is_internal & is_participant)

# Cost rates (人工成本費率): finance keeps them; management and HR read them.
can_view_rate = is_system_admin | is_management | is_finance | is_hr
can_change_rate = is_system_admin | is_management | is_finance

# Timesheets (工時): everyone records their own; finance corrects any.
can_add_timesheet = is_internal
can_change_timesheet = is_system_admin | is_finance | (is_internal & is_own)

# Expenses (費用報銷): claimed by anyone on the project, approved by the project lead or
# finance — by management only once the project has passed the approval threshold (RES-6).
can_add_expense = is_internal
can_change_expense = is_system_admin | (is_internal & is_claimant & is_draft_expense)
can_submit_expense = is_system_admin | (is_internal & is_claimant)
can_approve_expense = (
    is_system_admin
    | is_management
    | ((is_finance | (is_internal & leads_project)) & ~spending_needs_management)
)

# Purchases (採購): recorded by finance or the project lead; management past the threshold.
can_add_purchase = is_system_admin | is_management | is_finance | is_lead_role
can_change_purchase = is_system_admin | is_management | is_finance | (is_lead_role & leads_project)

# Cost figures of a project (the cost page) and the roll-ups.
can_view_costs = is_internal
can_view_rollup = is_system_admin | is_management | is_finance
