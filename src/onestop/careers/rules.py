"""Who may see and do what with incentives and careers (HR-9, HR-10, X-3).

The person's own records, their superiors (heads of their department and above), HR and system
administrators — the people app's one rule (people/access.py). Management sees and decides the
recognitions, incentives and position moves it approves, and the summaries; clients nothing.
Votes are secret: HR sees every vote, a voter their own.
"""

import rules

from onestop.careers.states import IncentiveState, MoveState, PlanState, RecognitionState, SelectionState
from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.people import access
from onestop.people import rules as people_rules

is_hr = access.is_hr
sees_all_people = access.sees_all_people
is_management = is_internal & has_role(Role.MANAGEMENT)
is_own = people_rules.is_own
supervises_person = people_rules.supervises_person
heads_department = people_rules.heads_department
people_record = people_rules.people_record


def _state_is(*states):
    @rules.predicate
    def check(user, obj=None) -> bool:
        return obj is None or obj.state in states

    return check


@rules.predicate
def is_proposer(user, obj=None) -> bool:
    return obj is None or obj.proposed_by_id == user.pk


@rules.predicate
def is_first_approver(user, obj=None) -> bool:
    """The manager who gave a large incentive its first approval: the second must be someone else."""
    return obj is not None and getattr(obj, "first_approved_by_id", None) == user.pk


@rules.predicate
def is_plan_superior(user, obj=None) -> bool:
    if obj is None:
        return True
    plan = getattr(obj, "plan", obj)
    return plan.superior_id == user.pk


@rules.predicate
def is_plan_employee(user, obj=None) -> bool:
    if obj is None:
        return True
    return getattr(obj, "plan", obj).employee_id == user.pk


@rules.predicate
def supervises_plan_person(user, obj=None) -> bool:
    if obj is None:
        return True
    return access.supervises(user, getattr(obj, "plan", obj).employee)


@rules.predicate
def plan_is_running(user, obj=None) -> bool:
    return obj is None or getattr(obj, "plan", obj).state in (PlanState.AGREED,)


@rules.predicate
def is_nominator(user, obj=None) -> bool:
    return obj is None or obj.nominated_by_id == user.pk


@rules.predicate
def is_voter(user, obj=None) -> bool:
    return obj is None or obj.voter_id == user.pk


@rules.predicate
def selection_nominating(user, obj=None) -> bool:
    if obj is None:
        return True
    selection = getattr(obj, "selection", obj)
    return selection.state == SelectionState.NOMINATING


@rules.predicate
def selection_voting(user, obj=None) -> bool:
    if obj is None:
        return True
    return getattr(obj, "selection", obj).state == SelectionState.VOTING


proposes_for_people = sees_all_people | (is_internal & heads_department)
sees_and_decides = people_record | is_management

# Recognition (表彰): proposed by HR or a superior, approved by management.
can_view_recognition = sees_and_decides
can_propose_recognition = proposes_for_people
can_change_recognition = (sees_all_people | (is_internal & is_proposer)) & _state_is(
    RecognitionState.PROPOSED
)
can_decide_recognition = is_system_admin | is_management

# Incentives (獎金、提成、津貼): drafted and submitted by HR or a superior, approved by management.
can_view_incentive = sees_and_decides
can_propose_incentive = proposes_for_people
can_change_incentive = (sees_all_people | (is_internal & is_proposer)) & _state_is(IncentiveState.DRAFT)
can_submit_incentive = sees_all_people | (is_internal & is_proposer)
can_decide_incentive = (is_system_admin | is_management) & ~is_first_approver
can_export_incentive = sees_all_people | is_management

# Outstanding-employee selection (優秀員工評選): every member of staff sees it and votes; HR runs
# it; superiors and HR nominate; management announces the result.
can_view_selection = is_internal
can_manage_selection = sees_all_people
can_change_selection = sees_all_people & selection_nominating
can_open_voting = sees_all_people
can_announce_selection = is_system_admin | is_management
can_view_nomination = is_internal
can_nominate = (sees_all_people | (is_internal & heads_department)) & selection_nominating
can_change_nomination = (sees_all_people | (is_internal & is_nominator)) & selection_nominating
can_view_vote = sees_all_people | (is_internal & is_voter)
can_vote = is_internal & selection_voting
can_change_vote = is_internal & is_voter & selection_voting

# Career paths (職業發展通道): the company's, read by every member of staff, kept by HR.
can_view_path = is_internal
can_manage_path = sees_all_people

# Development plans (個人發展計劃): the employee, their superiors, HR.
can_view_plan = people_record
can_view_review = sees_all_people | (is_internal & (is_plan_employee | supervises_plan_person))
can_start_plan = sees_all_people | (is_internal & heads_department)
can_change_plan = (sees_all_people | (is_internal & is_plan_superior)) & _state_is(PlanState.DRAFT)
can_lead_plan = sees_all_people | (is_internal & is_plan_superior)
can_agree_plan = is_internal & is_plan_employee
can_review_plan = (sees_all_people | (is_internal & is_plan_superior)) & plan_is_running

# Promotion and job-rotation records (晉升、輪崗): proposed by HR or a superior, approved by
# management; the approval changes the person's position (people.services.move_person).
can_view_move = sees_and_decides
can_propose_move = proposes_for_people
can_change_move = (sees_all_people | (is_internal & is_proposer)) & _state_is(MoveState.PROPOSED)
can_decide_move = is_system_admin | is_management
