"""Who sees a person's career page (HR-10): the people app's rule for one person, plus
management, which decides the moves."""

from onestop.careers import rules
from onestop.people.access import sees_records_of


def may_see_career(user, person) -> bool:
    """The person, their superiors, HR and management (who decides the moves)."""
    return sees_records_of(user, person) or (
        user.is_authenticated and user.client_organization_id is None and bool(rules.is_management(user))
    )
