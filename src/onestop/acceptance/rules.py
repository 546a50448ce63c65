"""Who may see and run acceptance (ACC-1..3, X-3)."""

import rules

from onestop.core.predicates import is_client_user, is_internal, is_system_admin
from onestop.projects.rules import is_management, leads_project


@rules.predicate
def is_own_client_round(user, obj=None) -> bool:
    if obj is None:
        return True
    acceptance_round = getattr(obj, "round", obj)
    return acceptance_round.project.engagement.client_id == user.client_organization_id


can_view_round = is_internal | (is_client_user & is_own_client_round)
can_apply = is_system_admin | is_management | (is_internal & leads_project)
can_delete_round = is_system_admin
