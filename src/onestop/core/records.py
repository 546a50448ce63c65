"""Who may add things (files, comments) to a record: the record's own rules decide."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied


def may_view(user, obj) -> bool:
    opts = obj._meta
    manager = type(obj)._default_manager
    return bool(
        hasattr(manager, "visible_to")
        and manager.visible_to(user).filter(pk=obj.pk).exists()
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}", obj)
    )


def may_act(user, obj, action: str, fallback: str) -> bool:
    """``<app>.<action>_<model>`` for this record when the model defines it, else ``fallback``."""
    opts = obj._meta
    name = f"{opts.app_label}.{action}_{opts.model_name}"
    if not rules.perm_exists(name):
        name = f"{opts.app_label}.{fallback}_{opts.model_name}"
    return bool(user.has_perm(name, obj))


def require(user, obj, action: str, fallback: str) -> None:
    if not may_view(user, obj) or not may_act(user, obj, action, fallback):
        raise PermissionDenied
