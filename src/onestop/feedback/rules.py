"""Who may see and do what with satisfaction surveys and complaints (EXT-2, X-3)."""

import rules

from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.feedback.states import EDITABLE, ComplaintState

is_management = is_internal & has_role(Role.MANAGEMENT)
is_quality = is_internal & has_role(Role.QUALITY)
is_customer_service = is_internal & has_role(Role.CUSTOMER_SERVICE)

# Management and quality follow every survey and every complaint; customer service keeps the
# relationship with the clients, so it sees them all too. Other staff see the surveys of the
# projects they led and of their own department (see SurveyQuerySet.scope_for).
sees_all_feedback = is_system_admin | is_management | is_quality | is_customer_service


@rules.predicate
def is_own_client_record(user, obj=None) -> bool:
    if obj is None:
        return True
    return obj.client_id == user.client_organization_id


@rules.predicate
def is_own_survey(user, survey=None) -> bool:
    """A staff member's own survey: of a project they led, or of their department."""
    if survey is None:
        return True
    return survey.project_lead_id == user.pk or (
        user.department_id is not None and survey.department_id == user.department_id
    )


@rules.predicate
def is_unanswered(user, survey=None) -> bool:
    return survey is None or survey.answered_at is None


@rules.predicate
def handles_complaint(user, complaint=None) -> bool:
    if complaint is None:
        return True
    return complaint.handler_id == user.pk


@rules.predicate
def is_open_complaint(user, complaint=None) -> bool:
    return complaint is None or complaint.state in EDITABLE


@rules.predicate
def is_just_filed(user, complaint=None) -> bool:
    return complaint is None or complaint.state == ComplaintState.FILED


# Surveys (滿意度調查)
can_view_survey = sees_all_feedback | (is_internal & is_own_survey) | (is_client_user & is_own_client_record)
can_invite = sees_all_feedback
can_edit_survey = sees_all_feedback & is_unanswered
can_answer_survey = is_client_user & is_own_client_record & is_unanswered
can_view_results = is_internal
can_delete_survey = rules.always_deny  # surveys are kept; an answer is the client's record

# Complaints (客訴)
can_view_complaint = is_internal | (is_client_user & is_own_client_record)
# Clients file in the portal; staff who take calls and e-mails from clients record them.
can_file_complaint = is_system_admin | is_management | is_customer_service | is_quality | is_client_user
can_edit_complaint = (is_system_admin | is_management | is_customer_service) & is_open_complaint | (
    is_client_user & is_own_client_record & is_just_filed
)
can_assign_complaint = is_system_admin | is_management | is_customer_service
can_respond_complaint = is_system_admin | is_management | (is_internal & handles_complaint)
can_confirm_complaint = is_client_user & is_own_client_record
can_close_complaint = is_system_admin | is_management | is_customer_service
can_comment_complaint = is_internal | (is_client_user & is_own_client_record)
can_delete_complaint = rules.always_deny  # complaints are closed, never deleted
