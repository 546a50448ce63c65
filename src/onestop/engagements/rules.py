"""Who may see and act on engagements (INT-1..3, X-3)."""

import rules

from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin, same_organization
from onestop.core.roles import Role

is_customer_service = is_internal & has_role(Role.CUSTOMER_SERVICE)
is_technician = is_internal & has_role(Role.TECHNICIAN)
is_management = is_internal & has_role(Role.MANAGEMENT)

can_view_engagement = is_internal | (is_client_user & same_organization("client_id"))


@rules.predicate
def is_assigned_technician(user, engagement=None) -> bool:
    return engagement is None or engagement.technician_id == user.pk


@rules.predicate
def is_own_client(user, engagement=None) -> bool:
    return engagement is None or engagement.client_id == user.client_organization_id


# Customer service records inquiries (by phone, e-mail, chat); clients file them in the portal.
can_record_inquiry = is_system_admin | is_customer_service | is_client_user
can_edit_engagement = is_system_admin | is_customer_service | is_management
can_forward = is_system_admin | is_customer_service | is_management
can_assess = is_system_admin | (is_technician & is_assigned_technician) | is_management
can_negotiate_for_company = is_system_admin | (is_technician & is_assigned_technician)
can_negotiate_for_client = is_client_user & is_own_client
can_negotiate = can_negotiate_for_company | can_negotiate_for_client
can_withdraw = can_forward | can_negotiate_for_client | (is_technician & is_assigned_technician)
can_sign = can_negotiate
can_delete_engagement = is_system_admin
# Closing follows from the last payment or a write-off, both recorded by finance (FEE-3).
can_close = is_system_admin | is_management | (is_internal & has_role(Role.FINANCE))
# Mail from unknown senders (engagements.IncomingMail): customer service assigns or ignores it.
can_triage_mail = is_system_admin | is_customer_service | is_management
# The portal chat (engagements/chat.py): a client user starts a conversation that opens a request.
can_start_chat = is_client_user
