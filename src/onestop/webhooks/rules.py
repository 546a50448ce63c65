"""Who may see and do what with webhooks: system administrators only (the endpoints and their
delivery log hold no engagement data, but they say where OneStop's events go)."""

import rules

from onestop.core.predicates import is_system_admin

can_manage_webhooks = is_system_admin
never = rules.always_deny

__all__ = ["can_manage_webhooks", "is_system_admin", "never"]
