"""Who may see and do what with risks, warnings and emergency plans (RSK-1..5, EXT-1, X-3).

Rows are scoped by each model's ``scope_for`` (models.py): project risks follow their project
(core/access.py), company risks are seen by management, quality and their owners; clients see
none of it — the register is internal.
"""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin, user_roles
from onestop.core.roles import Role
from onestop.risks.matrix import Level
from onestop.risks.states import RISK_OPEN, WARNING_OPEN, ActivationState, ResponseActionState, RiskState

is_management = is_internal & has_role(Role.MANAGEMENT)
is_quality = is_internal & has_role(Role.QUALITY)
# Management and quality keep the company's register (policy 6: 組織相關部門和人員).
keeps_register = is_system_admin | is_management | is_quality


@rules.predicate
def owns_risk(user, risk=None) -> bool:
    return risk is None or risk.owner_id == user.pk


@rules.predicate
def is_open_risk(user, risk=None) -> bool:
    return risk is None or risk.state in RISK_OPEN


@rules.predicate
def is_low_or_medium(user, risk=None) -> bool:
    return risk is None or risk.level in (Level.LOW, Level.MEDIUM)


@rules.predicate
def is_not_owner(user, risk=None) -> bool:
    return risk is None or risk.owner_id != user.pk


@rules.predicate
def leads_risk_project(user, risk=None) -> bool:
    if risk is None:
        return True
    project = risk.project
    return project is not None and project.project_lead_id == user.pk


@rules.predicate
def owns_action(user, action=None) -> bool:
    return action is None or action.owner_id == user.pk


@rules.predicate
def owns_actions_risk(user, action=None) -> bool:
    return action is None or action.risk.owner_id == user.pk


@rules.predicate
def is_open_action(user, action=None) -> bool:
    return action is None or action.state == ResponseActionState.OPEN


@rules.predicate
def holds_warning_role(user, warning=None) -> bool:
    """One of the roles the warning's indicator names, or the lead of the warning's project."""
    if warning is None:
        return True
    if warning.project_id is not None and warning.project.project_lead_id == user.pk:
        return True
    return bool(user_roles(user) & set(warning.role_list))


@rules.predicate
def is_open_warning(user, warning=None) -> bool:
    return warning is None or warning.state in WARNING_OPEN


@rules.predicate
def activated_it(user, activation=None) -> bool:
    return activation is None or activation.activated_by_id == user.pk


@rules.predicate
def is_active_activation(user, activation=None) -> bool:
    return activation is None or activation.state == ActivationState.ACTIVE


@rules.predicate
def facilitates(user, session=None) -> bool:
    return session is None or session.facilitator_id == user.pk


@rules.predicate
def awaits_sign_off(user, risk=None) -> bool:
    return risk is None or risk.state == RiskState.ACCEPTANCE_PENDING


# Risks (風險登記冊)
can_view_risk = is_internal
can_add_risk = is_internal
manages_risk = keeps_register | (is_internal & owns_risk) | (is_internal & leads_risk_project)
can_edit_risk = manages_risk & is_open_risk
can_assess_risk = manages_risk
can_respond_risk = (
    is_system_admin | is_management | (is_internal & owns_risk) | (is_internal & leads_risk_project)
)
# Accepting a risk is signed off by the right level: management for high and critical risks,
# quality (not the owner) for low and medium ones.
can_sign_acceptance = (is_system_admin | is_management | (is_quality & is_low_or_medium & is_not_owner)) & (
    awaits_sign_off
)
can_review_risk = manages_risk
can_close_risk = manages_risk
can_delete_risk = rules.always_deny  # risks are closed with their outcome, never deleted

# Response actions (應對措施)
can_view_action = is_internal
can_add_action = is_internal  # the service checks the risk's manage right
can_edit_action = (keeps_register | (is_internal & owns_actions_risk)) & is_open_action
can_complete_action = keeps_register | (is_internal & owns_action) | (is_internal & owns_actions_risk)
can_cancel_action = keeps_register | (is_internal & owns_actions_risk)

# Identification sessions (頭腦風暴、問卷調查、案例分析)
can_view_session = is_internal
can_add_session = is_internal
can_edit_session = keeps_register | (is_internal & facilitates)

# Company settings: categories, matrix versions, indicators, emergency plans
can_view_settings = is_internal
can_manage_settings = is_system_admin | is_management
can_manage_plans = is_system_admin | is_management | is_quality

# Warnings (風險預警) and emergency response (應急響應)
can_view_warning = is_internal
can_handle_warning = (is_system_admin | is_management | (is_internal & holds_warning_role)) & is_open_warning
can_activate = keeps_register | (is_internal & has_role(Role.PROJECT_LEAD))
can_view_activation = is_internal
can_run_activation = (is_system_admin | is_management | is_quality | (is_internal & activated_it)) & (
    is_active_activation
)
