"""Who may see and manage the contract stage's records (CON-1..3, X-3)."""

import rules

from onestop.contracts import states
from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role

is_legal = is_internal & has_role(Role.LEGAL)
is_management = is_internal & has_role(Role.MANAGEMENT)
is_archive = is_internal & has_role(Role.ARCHIVE)

# CON-3: the register of who may sign for the company. Every staff member may look a
# signatory up; legal (and the system administrator) keep the register.
can_view_authorization = is_internal
can_manage_authorizations = is_system_admin | is_legal
can_delete_authorization = is_system_admin

# CON-1: the admin-managed contract templates, kept by legal.
can_view_template = is_internal
can_manage_templates = is_system_admin | is_legal
can_delete_template = is_system_admin

# CON-1..3: the contract itself.


@rules.predicate
def is_own_client_contract(user, contract=None) -> bool:
    if contract is None:
        return True
    return (
        contract.engagement.client_id == user.client_organization_id
        and contract.state in states.CLIENT_VISIBLE
    )


@rules.predicate
def in_copy_department(user, copy=None) -> bool:
    if copy is None:
        return True
    return user.department_id is not None and user.department_id == copy.department_id


@rules.predicate
def is_being_drafted(user, obj=None) -> bool:
    """A contract (or one of its instalments) can be edited only while drafting or returned."""
    if obj is None:
        return True
    contract = getattr(obj, "contract", obj)
    return contract.state in states.DRAFTING


can_view_contract = is_internal | (is_client_user & is_own_client_contract)
can_draft_contract = is_system_admin | is_legal  # legal, or a qualified person given the role
can_delete_contract = is_system_admin
can_edit_draft = can_draft_contract & is_being_drafted
can_legal_review = is_system_admin | is_legal
can_business_review = is_system_admin | is_management
can_sign_contract = is_internal | (is_client_user & is_own_client_contract)  # who exactly: the form
can_archive = is_system_admin | is_archive
can_attach_contract = is_system_admin | is_legal | is_archive
can_view_copy = is_internal
can_acknowledge_copy = is_system_admin | (is_internal & in_copy_department)
