"""Who may see and do what with appraisals, skills and training (HR-3..HR-8, X-3)."""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.people import access
from onestop.people.states import ActionState, AppraisalState, EnrolmentState, PlanState

is_hr = access.is_hr
sees_all_people = access.sees_all_people
is_management = is_internal & has_role(Role.MANAGEMENT)
is_project_lead = is_internal & has_role(Role.PROJECT_LEAD)


def _person(obj):
    return getattr(obj, "employee", None)


@rules.predicate
def is_own(user, obj=None) -> bool:
    """The record is about the user themself."""
    if obj is None:
        return True
    return getattr(obj, "employee_id", None) == user.pk


@rules.predicate
def supervises_person(user, obj=None) -> bool:
    """The user heads the person's department or one above it."""
    if obj is None:
        return True
    return access.supervises(user, _person(obj))


@rules.predicate
def heads_department(user) -> bool:
    return access.heads_a_department(user)


@rules.predicate
def is_appraisal_superior(user, appraisal=None) -> bool:
    if appraisal is None:
        return True
    return appraisal.superior_id == user.pk


@rules.predicate
def is_plan_superior(user, plan=None) -> bool:
    if plan is None:
        return True
    plan = getattr(plan, "plan", plan)
    return plan.superior_id == user.pk


@rules.predicate
def is_proposed(user, obj=None) -> bool:
    return obj is None or obj.state == ActionState.PROPOSED


@rules.predicate
def is_active_plan(user, obj=None) -> bool:
    if obj is None:
        return True
    plan = getattr(obj, "plan", obj)
    return plan.state == PlanState.ACTIVE


@rules.predicate
def is_requested(user, obj=None) -> bool:
    return obj is None or obj.state == EnrolmentState.REQUESTED


@rules.predicate
def template_unused(user, obj=None) -> bool:
    if obj is None:
        return True
    template = getattr(obj, "template", obj)
    return template.first_used_at is None


@rules.predicate
def is_open_cycle(user, obj=None) -> bool:
    return obj is None or obj.state == "open"


@rules.predicate
def is_scoring(user, appraisal=None) -> bool:
    return appraisal is None or appraisal.state in (AppraisalState.SELF_ASSESSMENT, AppraisalState.SCORING)


people_record = sees_all_people | (is_internal & (is_own | supervises_person))

# Indicator templates (考核指標) and cycles (考核週期): company records every member of staff reads.
can_view_template = is_internal
can_manage_template = sees_all_people
can_change_template = sees_all_people & template_unused
can_view_cycle = is_internal
can_manage_cycle = sees_all_people
can_change_cycle = sees_all_people & is_open_cycle

# Appraisals (考核表): the person, their superiors, HR. Management sees the summaries only.
can_view_appraisal = people_record
can_self_assess = is_internal & is_own
can_score = is_internal & is_appraisal_superior
can_read_appraisal = is_internal & is_own
can_close_appraisal = sees_all_people
can_refresh_appraisal = (sees_all_people | (is_internal & is_appraisal_superior)) & is_scoring
can_view_distribution = sees_all_people | is_management | heads_department

# Results applied (結果應用): proposed by HR or a superior, approved by management.
can_view_action = people_record | is_management
can_propose_action = sees_all_people | (is_internal & heads_department)
can_change_action = (sees_all_people | (is_internal & supervises_person)) & is_proposed
can_decide_action = is_system_admin | is_management

# Performance-improvement plans (績效改進計劃) and their check-ins.
can_view_plan = people_record
can_start_plan = sees_all_people | (is_internal & heads_department)
can_change_plan = (sees_all_people | (is_internal & is_plan_superior)) & is_active_plan
can_conclude_plan = sees_all_people | (is_internal & is_plan_superior)

# Skills (技能矩陣): the catalogue is the company's; a person's levels are seen by the person, the
# superiors, HR, and those who staff projects (project leads, management).
can_view_skill = is_internal
can_manage_skill = sees_all_people
can_view_person_skill = people_record | is_project_lead | is_management
can_rate_skill = sees_all_people | (is_internal & heads_department & supervises_person)
can_search_skills = sees_all_people | is_project_lead | is_management | heads_department

# Training (培訓): courses and sessions are the company's; enrolments are HR data.
can_view_course = is_internal
can_manage_course = sees_all_people
can_view_enrolment = people_record
can_enrol = is_internal
can_change_enrolment = sees_all_people | (is_internal & is_own & is_requested)
can_approve_enrolment = sees_all_people | (is_internal & supervises_person)
can_record_result = sees_all_people
