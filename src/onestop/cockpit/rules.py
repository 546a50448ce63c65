"""Who may open the cockpit and the role dashboards (X-7).

The cockpit shows the whole company: management (and the system administrator who looks after
it). A role dashboard shows the user's own records (``visible_to``), so each role opens its own.
"""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role

is_management = is_internal & has_role(Role.MANAGEMENT)

rules.add_perm("cockpit.view_cockpit", is_system_admin | is_management)
rules.add_perm("cockpit.view_lead_dashboard", is_internal & (has_role(Role.PROJECT_LEAD) | is_management))
rules.add_perm(
    "cockpit.view_service_dashboard", is_internal & (has_role(Role.CUSTOMER_SERVICE) | is_management)
)
rules.add_perm("cockpit.view_quality_dashboard", is_internal & (has_role(Role.QUALITY) | is_management))
rules.add_perm("cockpit.view_finance_dashboard", is_internal & (has_role(Role.FINANCE) | is_management))
rules.add_perm("cockpit.view_hr_dashboard", is_internal & (has_role(Role.HR) | is_management))


@rules.predicate
def is_own_subscription(user, subscription=None) -> bool:
    return subscription is None or subscription.subscriber_id == user.pk


# Report subscriptions: staff subscribe themselves; management and system administrators keep
# anyone's (the subscriber must still be allowed to open the dashboard: ReportSubscription.clean).
manages_subscriptions = is_system_admin | is_management
can_change_subscription = manages_subscriptions | (is_internal & is_own_subscription)

# Policy settings (EXT-4): management proposes a new version and another manager approves it;
# system administrators see them (they run the system, they do not set the company's rules).
sees_policy = is_system_admin | is_management


@rules.predicate
def is_unapproved(user, version=None) -> bool:
    return version is None or version.approved_at is None


@rules.predicate
def is_not_proposer(user, version=None) -> bool:
    return version is None or version.proposed_by_id != user.pk


@rules.predicate
def is_proposer(user, version=None) -> bool:
    return version is None or version.proposed_by_id == user.pk


can_edit_policy = is_management & is_unapproved & is_proposer
can_approve_policy = is_management & is_unapproved & is_not_proposer
rules.add_perm("cockpit.approve_policyversion", can_approve_policy)
