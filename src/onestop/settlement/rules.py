"""Who may see and do what in fee settlement (FEE-1..3, X-3).

Staff follow settlements; the project lead applies for the settlement of the projects they
lead; finance reviews, records payments and write-offs, and exports the ledger. A client
sees its own organisation's approved settlements and the payments received from it, never
internal notes, returns or payments made to others.
"""

import rules

from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.settlement.states import CLIENT_VISIBLE, EDITABLE, PaymentDirection, SettlementState

is_finance = is_internal & has_role(Role.FINANCE)
is_management = is_internal & has_role(Role.MANAGEMENT)
is_project_lead = is_internal & has_role(Role.PROJECT_LEAD)


def _settlement(obj):
    return getattr(obj, "settlement", obj)


def _client_id(obj):
    contract = getattr(obj, "contract", None)
    if contract is None:
        contract = _settlement(obj).contract
    return contract.engagement.client_id


@rules.predicate
def is_own_client_record(user, obj=None) -> bool:
    if obj is None:
        return True
    return _client_id(obj) == user.client_organization_id


@rules.predicate
def is_client_visible(user, obj=None) -> bool:
    """Clients see approved settlements (and their items) and payments received from them."""
    if obj is None:
        return True
    if hasattr(obj, "direction"):
        return obj.direction == PaymentDirection.RECEIVED
    return _settlement(obj).state in CLIENT_VISIBLE


@rules.predicate
def leads_the_project(user, obj=None) -> bool:
    if obj is None:
        return True
    contract = getattr(_settlement(obj), "contract", None)
    project = getattr(contract, "project", None) if contract is not None else None
    return project is not None and project.project_lead_id == user.pk


@rules.predicate
def is_editable(user, obj=None) -> bool:
    if obj is None:
        return True
    return _settlement(obj).state in EDITABLE


@rules.predicate
def is_draft(user, obj=None) -> bool:
    if obj is None:
        return True
    return _settlement(obj).state == SettlementState.DRAFT


can_view_settlement = is_internal | (is_client_user & is_own_client_record & is_client_visible)
can_apply = is_system_admin | is_project_lead
can_edit_settlement = is_system_admin | (is_project_lead & leads_the_project & is_editable)
can_delete_settlement = is_system_admin & is_draft
can_review = is_system_admin | is_finance
can_attach_settlement = is_system_admin | (is_project_lead & leads_the_project & is_editable) | is_finance

can_view_payment = is_internal | (is_client_user & is_own_client_record & is_client_visible)
can_record_payment = is_system_admin | is_finance
can_view_writeoff = is_internal
can_export = is_system_admin | is_finance | is_management
