"""Who may see and run acceptance (ACC-1..3, X-3).

Staff follow every round; a client user sees its own organisation's rounds (the portal). The
project lead (or management) applies and looks after rectification; the client's users name
the acceptance team, whose members prepare, record the results, fill and sign the report.
Rows of a round (deliverables, team, checklist, criteria, results, problems) follow their round.
"""

import rules

from onestop.acceptance.states import AcceptanceProblemState, AcceptanceRoundState
from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role

is_management = is_internal & has_role(Role.MANAGEMENT)


def _round(obj):
    """The acceptance round of ``obj`` (a round, or one of its rows)."""
    return getattr(obj, "round", obj)


@rules.predicate
def is_own_client_round(user, obj=None) -> bool:
    if obj is None:
        return True
    return _round(obj).project.engagement.client_id == user.client_organization_id


@rules.predicate
def leads_round_project(user, obj=None) -> bool:
    if obj is None:
        return True
    return _round(obj).project.project_lead_id == user.pk


def team_user_ids(acceptance_round) -> set[int]:
    """The ids of the round's team members, read once per round object."""
    cached = getattr(acceptance_round, "_team_user_ids", None)
    if cached is None:
        cached = set(acceptance_round.team.values_list("user_id", flat=True))
        acceptance_round._team_user_ids = cached
    return cached


@rules.predicate
def is_team_member(user, obj=None) -> bool:
    if obj is None:
        return True
    return user.pk in team_user_ids(_round(obj))


def _in_state(*states):
    def check(user, obj=None) -> bool:
        return obj is None or _round(obj).state in states

    return rules.Predicate(check, name=f"round_in:{','.join(states)}")


@rules.predicate
def owns_problem(user, obj=None) -> bool:
    if obj is None:
        return True
    return getattr(obj, "owner_id", None) == user.pk


@rules.predicate
def problem_open(user, obj=None) -> bool:
    return obj is None or getattr(obj, "state", AcceptanceProblemState.OPEN) == AcceptanceProblemState.OPEN


round_applied = _in_state(AcceptanceRoundState.APPLIED)
round_in_acceptance = _in_state(AcceptanceRoundState.IN_ACCEPTANCE)

is_project_staff = (
    is_system_admin | is_management | (is_internal & has_role(Role.PROJECT_LEAD) & leads_round_project)
)
is_client_team = is_client_user & is_own_client_round & is_team_member

can_view_round = is_internal | (is_client_user & is_own_client_round)
can_apply = is_project_staff
can_delete_round = is_system_admin
# ACC-1: the application (and its deliverables) changes only before the acceptance starts.
can_edit_application = is_project_staff & round_applied
# ACC-2: the client's users name their acceptance team; its members prepare.
can_name_team = (is_system_admin | (is_client_user & is_own_client_round)) & round_applied
can_prepare = (is_system_admin | is_client_team) & round_applied
can_edit_criteria = (is_project_staff | is_client_team) & round_applied
can_start_round = is_system_admin | is_client_team | is_project_staff
# ACC-3: the team records results and fills the report; the client signs it.
can_work_round = is_system_admin | is_client_team
can_record = can_work_round & round_in_acceptance
can_sign_report = is_client_team | is_project_staff
can_list_problems = can_work_round & round_in_acceptance
can_change_problem = (can_list_problems | is_project_staff) & problem_open
can_resolve_problem = is_system_admin | is_management | (is_internal & (owns_problem | leads_round_project))
