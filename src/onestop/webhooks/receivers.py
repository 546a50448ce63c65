"""Events become deliveries: one row per subscribed endpoint, in the change's own transaction."""

from __future__ import annotations

from onestop.core.events import Event
from onestop.webhooks import services


def record_event(event: Event) -> None:
    """``core.events`` follower: queue ``event`` for every active endpoint that wants it."""
    services.queue_event(event)
