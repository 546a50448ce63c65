"""Business events, announced from the one place each happens, for whoever follows them.

- ``stage.changed``: ``core.workflow.perform_transition`` (every transition of every record);
- ``signature.recorded``: ``core.signatures.sign``;
- ``warning.raised``: ``notifications.services.process_deadlines`` (a deadline's reminder and
  its escalation once overdue).

``emit`` runs inside the transaction of the change: a follower that writes (the webhook outbox,
``webhooks.receivers``) commits or rolls back with the change, and sends nothing before the
commit. Followers register with ``follow`` from their ``AppConfig.ready``; core knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

STAGE_CHANGED = "stage.changed"
SIGNATURE_RECORDED = "signature.recorded"
WARNING_RAISED = "warning.raised"


@dataclass(frozen=True)
class Event:
    type: str
    record: Any  # the record the event is about
    actor: Any = None  # the acting user; None for the system (a periodic job)
    source: str | None = None  # the state before (stage.changed)
    target: str | None = None  # the state after (stage.changed)
    details: dict = field(default_factory=dict)  # e.g. the signature's form and role
    occurred_at: datetime = field(default_factory=timezone.now)


_followers: list[Callable[[Event], None]] = []


def follow(handler: Callable[[Event], None]) -> Callable[[Event], None]:
    """Call ``handler(event)`` for every event (inside the change's transaction)."""
    if handler not in _followers:
        _followers.append(handler)
    return handler


def emit(type: str, record, *, actor=None, source=None, target=None, **details) -> Event:
    event = Event(type, record, actor, source, target, details)
    for handler in _followers:
        handler(event)
    return event
