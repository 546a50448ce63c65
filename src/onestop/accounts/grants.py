"""Who may grant which role, and whose account a user may change.

The rule (issue 10, item 1): a system administrator grants every role. HR grants the
operational roles — the staff roles at or below its own level, and the client role — but
never management or system administrator: those are above HR, and a role above one's own
is granted only by someone who holds the authority for it. Because nobody may grant what
they could not hold, an HR user also may not change, reset the password of, deactivate or
delete an account that holds such a role (that would be acting with authority they lack).
System administrator is granted by a system administrator only.

Every change of roles is recorded in the account's history (its ``groups`` are tracked)
and announced to the person and to the system administrators (``accounts.services``).
"""

from __future__ import annotations

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin, user_roles
from onestop.core.roles import Role

# Roles above HR: only a system administrator grants them.
ABOVE_HR = frozenset({Role.MANAGEMENT.value, Role.SYSTEM_ADMIN.value})
ALL_ROLES = frozenset(Role.values)


def grantable_roles(actor) -> frozenset[str]:
    """The role codes ``actor`` may grant or take away."""
    if is_system_admin(actor):
        return ALL_ROLES
    if is_internal(actor) and has_role(Role.HR)(actor):
        return ALL_ROLES - ABOVE_HR
    return frozenset()


def account_roles(user) -> frozenset[str]:
    """The role codes of an account, from the list's prefetched groups when it has them."""
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
    if prefetched is not None:
        return frozenset(group.name for group in prefetched)
    if user.pk is None:
        return frozenset()
    return user_roles(user) if user.is_authenticated else frozenset()


@rules.predicate
def may_manage_account(actor, target=None) -> bool:
    """True when every role ``target`` holds is one ``actor`` may grant.

    With no target (may the user open the list or the add form?) the answer is the
    model-level rule alone; each account is then judged on its own.
    """
    if target is None:
        return True
    if target.is_superuser and not getattr(actor, "is_superuser", False):
        return False
    return account_roles(target) <= grantable_roles(actor)


def refused_roles(actor, before: frozenset[str], after: frozenset[str]) -> frozenset[str]:
    """The roles in this change (added or removed) that ``actor`` may not grant."""
    return (before ^ after) - grantable_roles(actor)
