"""Who may see and change people and organisations.

Read with core/predicates.py. Model-level questions (obj is None) decide whether
a user may open a list or a form at all; object-level ones decide a single row.
"""

import rules

from onestop.accounts.grants import may_manage_account
from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin, same_organization
from onestop.core.roles import Role

__all__ = ["is_internal"]

can_manage_organisation = is_system_admin | (is_internal & has_role(Role.HR))
can_manage_users = is_system_admin | (is_internal & has_role(Role.HR))
# One account: only when every role it holds is one the user may grant (accounts/grants.py).
can_change_user = can_manage_users & may_manage_account


@rules.predicate
def is_someone_else(user, target=None) -> bool:
    return target is None or target.pk != user.pk


# Nobody deletes their own account; accounts that have acted are deactivated instead (models.py).
can_delete_user = can_change_user & is_someone_else

can_view_client_records = is_internal | (is_client_user & same_organization("pk"))
can_view_contact = is_internal | (is_client_user & same_organization("organization_id"))
can_view_user = is_internal | (is_client_user & same_organization("client_organization_id"))

can_manage_clients = is_system_admin | (
    is_internal & has_role(Role.CUSTOMER_SERVICE, Role.MANAGEMENT, Role.LEGAL)
)
can_delete_clients = is_system_admin

# Pages that are not a model's list: the API token page and the admin site.
rules.add_perm("accounts.use_api_token", is_internal | is_client_user)
# The staff directory in the navigation; clients see their own portal users on their organisation's page.
rules.add_perm("accounts.browse_staff", is_internal)
rules.add_perm("core.use_admin_site", is_system_admin)
# Everything about one client organisation in one ZIP (accounts/clientdata.py): the roles that see
# every record of every engagement anyway (core/access.py), never a client user.
rules.add_perm("accounts.export_client_data", is_system_admin | (is_internal & has_role(Role.MANAGEMENT)))
