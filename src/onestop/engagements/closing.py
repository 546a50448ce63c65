"""Closing the engagement (X-1, X-2): when acceptance has passed and the settlement is paid in
full or written off by finance, the engagement's path ends in the "closed" stage.

The settlement service calls ``close_if_complete`` in the transaction that records the last
payment or the write-off, so the engagement closes exactly when it becomes complete.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.core.workflow import perform_transition


def closing_blockers(engagement) -> list[str]:
    """What still keeps ``engagement`` open, as messages; empty when it may close."""
    from onestop.acceptance.selectors import passed_round
    from onestop.settlement.selectors import is_settled

    project = getattr(engagement, "project", None) if engagement.pk else None
    blockers = []
    if project is None or passed_round(project) is None:
        blockers.append(_("The project's acceptance has not passed yet."))
    if not is_settled(engagement):
        blockers.append(_("The fees are not yet paid in full or written off."))
    return blockers


def close_if_complete(engagement, *, actor) -> bool:
    """Close ``engagement`` if nothing keeps it open; True when it was closed now."""
    if engagement.stage != engagement.Stage.CONFIRMED or closing_blockers(engagement):
        return False
    perform_transition(engagement, "close", actor=actor, comment=_("Acceptance passed and fees settled."))
    return True
