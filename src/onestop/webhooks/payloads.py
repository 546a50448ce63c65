"""The JSON body of a webhook: what happened to which record, by whom — nothing personal beyond
the acting user's user name (no names, e-mail addresses, amounts or texts of the record)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

NUMBER_FIELDS = ("code", "number")
TITLE_FIELDS = ("title", "name", "subject")


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _first(record, names):
    for name in names:
        value = getattr(record, name, None)
        if value not in (None, "") and not callable(value):
            return value if isinstance(value, int | str) else str(value)
    return None


def engagement_number(record) -> str | None:
    """The code of the engagement the record belongs to (``engagement_lookup``, core/access.py)."""
    lookup = getattr(type(record), "engagement_lookup", None)
    if not lookup:
        return None
    engagement = record
    if lookup != "pk":
        for part in lookup.split("__"):
            engagement = getattr(engagement, part, None)
            if engagement is None:
                return None
    return getattr(engagement, "code", None)


def describe(record) -> dict:
    return {
        "kind": record._meta.label_lower,
        "id": record.pk,
        "number": _first(record, NUMBER_FIELDS),
        "title": _first(record, TITLE_FIELDS),
    }


def payload(event) -> dict:
    """The body's content for a ``core.events.Event``."""
    details = {
        key: iso(value) if isinstance(value, datetime) else value for key, value in event.details.items()
    }
    return {
        "id": str(uuid.uuid4()),
        "type": event.type,
        "occurred_at": iso(event.occurred_at),
        "record": describe(event.record),
        "from_state": event.source,
        "to_state": event.target,
        "actor": getattr(event.actor, "username", None),
        "engagement": engagement_number(event.record),
        "details": details,
    }


def dumps(data: dict) -> str:
    """The exact text that is sent and signed (compact, keys sorted, UTF-8 kept)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
