"""Building blocks for the `rules` predicates every app's rules.py combines.

Role membership is read once per user object and cached on it, so checking many
permissions on one page costs one query, not one per check.
"""

from __future__ import annotations

import rules

from onestop.core.roles import Role


def user_roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_onestop_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._onestop_roles = cached
    return cached


@rules.predicate
def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


@rules.predicate
def is_client_user(user) -> bool:
    """A user of a client organisation (the portal side)."""
    return bool(is_authenticated(user) and user.client_organization_id is not None)


@rules.predicate
def is_internal(user) -> bool:
    """A member of the company's own staff."""
    return bool(is_authenticated(user) and user.client_organization_id is None)


def has_role(*roles: Role) -> rules.Predicate:
    codes = frozenset(str(role) for role in roles)
    name = "has_role:" + ",".join(sorted(codes))

    def check(user) -> bool:
        return bool(is_authenticated(user) and codes & user_roles(user))

    return rules.Predicate(check, name=name)


is_system_admin = is_superuser | (is_internal & has_role(Role.SYSTEM_ADMIN))


def same_organization(attr: str = "client_organization_id") -> rules.Predicate:
    """True when the object belongs to the user's own client organisation.

    With no object (a model-level question such as "may this user open the list?")
    it answers True: the list itself is scoped by ``visible_to``.
    """

    def check(user, obj=None) -> bool:
        if obj is None:
            return True
        value = obj
        for part in attr.split("__"):
            value = getattr(value, part, None)
        return value is not None and value == user.client_organization_id

    return rules.Predicate(check, name=f"same_organization:{attr}")
