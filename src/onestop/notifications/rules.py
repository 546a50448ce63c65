import rules

from onestop.core.predicates import is_authenticated, is_internal, is_system_admin

is_logged_in = is_authenticated


@rules.predicate
def is_recipient(user, notification=None) -> bool:
    return notification is None or notification.recipient_id == user.pk


can_manage_calendar = is_system_admin

__all__ = ["can_manage_calendar", "is_internal", "is_logged_in", "is_recipient"]
