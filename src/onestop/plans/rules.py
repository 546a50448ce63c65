"""Who may see and act on service plans (PLN-1..3, X-3)."""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin, user_roles
from onestop.core.roles import Role

is_management = is_internal & has_role(Role.MANAGEMENT)
is_reviewer = is_internal & has_role(Role.REVIEWER)

# Plans are company records: every staff member sees them, no client does.
can_view_plan = is_internal


def _plan_of(obj):
    return getattr(obj, "plan", obj)


@rules.predicate
def is_plan_lead(user, obj=None) -> bool:
    """The project lead of the plan (of a plan version); without a record: a project lead at all."""
    if obj is None:
        return Role.PROJECT_LEAD in user_roles(user)
    return _plan_of(obj).project_lead_id == user.pk


@rules.predicate
def is_on_panel(user, version=None) -> bool:
    if version is None:
        return Role.REVIEWER in user_roles(user)
    return any(member.pk == user.pk for member in version.reviewers.all())


# Management creates the plan and assigns the project lead.
can_create_plan = is_system_admin | is_management
can_edit_plan = is_system_admin | is_management
# The project lead drafts, revises and submits versions; management may step in.
can_draft = is_system_admin | (is_internal & is_plan_lead) | is_management
can_review = is_internal & is_on_panel
can_approve = is_system_admin | is_management
can_delete_plan = rules.always_deny  # a plan is the record of the stage; never deleted
