"""Who sees a person's career page (HR-10): the people app's rule for one person, plus
management, which decides the moves."""

from onestop.careers import rules
from onestop.people.access import supervises


def may_see_career(user, person) -> bool:
    """The person, their superiors, HR and management (who decides the moves)."""
    if not user.is_authenticated or user.client_organization_id is not None:
        return False
    return (
        user.pk == person.pk
        or bool(rules.sees_all_people(user))
        or bool(rules.is_management(user))
        or supervises(user, person)
    )
