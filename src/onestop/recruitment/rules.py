"""Who may see and do what in recruitment and onboarding (HR-1..HR-3).

Candidate data is private (HR-2): HR and the opening's hiring panel — the hiring manager who
asked for the position and the interviewers of its candidates — see it; management sees a
candidate once an offer is put to it for approval (and keeps seeing it). Nobody else, and never a client. The rows each
user sees are decided in the querysets (models.py); the predicates here answer "may this user
open this kind of page / do this at all".
"""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.recruitment import states

is_hr = is_internal & has_role(Role.HR)
is_management = is_internal & has_role(Role.MANAGEMENT)


@rules.predicate
def is_department_head(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.client_organization_id is not None:
        return False
    return user.headed_departments.exists()


@rules.predicate
def is_interviewer(user) -> bool:
    """Named as an interviewer of any candidate (a member of some hiring panel)."""
    if not getattr(user, "is_authenticated", False) or user.client_organization_id is not None:
        return False
    from onestop.recruitment.models import Interview  # noqa: PLC0415 — models.py imports this module

    return Interview.objects.filter(interviewer=user).exists()


@rules.predicate
def manages_need(user, need=None) -> bool:
    if need is None:
        return True
    return user.pk in (need.hiring_manager_id, need.requested_by_id)


@rules.predicate
def need_editable(user, need=None) -> bool:
    return need is None or need.state in states.NEED_EDITABLE


@rules.predicate
def candidate_editable(user, candidate=None) -> bool:
    return candidate is None or candidate.stage in states.CANDIDATE_EDITABLE


@rules.predicate
def interview_unscored(user, interview=None) -> bool:
    return interview is None or interview.scored_at is None


@rules.predicate
def is_the_interviewer(user, interview=None) -> bool:
    return interview is None or interview.interviewer_id == user.pk


@rules.predicate
def is_the_new_hire(user, task=None) -> bool:
    return task is None or task.onboarding.user_id == user.pk


@rules.predicate
def is_the_superior(user, task=None) -> bool:
    return task is None or task.onboarding.superior_id == user.pk


# Who may open the recruitment pages at all (the rows are the querysets' business).
in_recruitment = is_system_admin | is_hr | is_management | is_department_head | is_interviewer

# Hiring needs (招聘需求)
can_view_need = in_recruitment
can_add_need = is_hr | is_department_head
can_change_need = (is_hr | (is_internal & manages_need)) & need_editable
can_submit_need = is_hr | (is_internal & manages_need)
can_decide_need = is_management
can_close_need = is_hr
can_delete_need = rules.always_deny  # a need is closed, never deleted: postings and candidates hang on it

# Postings (招聘發布)
can_view_posting = in_recruitment
can_manage_posting = is_hr

# Candidates (應聘者)
can_view_candidate = in_recruitment
can_manage_candidate = is_hr
can_change_candidate = is_hr & candidate_editable
can_approve_offer = is_management
can_delete_candidate = rules.always_deny  # the record of a selection is kept

# Interviews (面試) and their scores
can_view_interview = in_recruitment
can_manage_interview = is_hr
can_change_interview = is_hr & interview_unscored
can_score_interview = is_internal & is_the_interviewer & interview_unscored

# The onboarding programme (入職培訓): the template is HR's, every member of staff reads it
can_view_part = is_internal
can_manage_part = is_hr
# A programme: the new hire, the superior, their department heads, HR and management (rows:
# OnboardingQuerySet).
can_view_onboarding = is_internal
can_manage_onboarding = is_hr
can_delete_onboarding = rules.always_deny  # a programme is part of the person's record
can_complete_task = is_internal & is_the_new_hire
can_acknowledge_task = is_hr | (is_internal & is_the_superior)
