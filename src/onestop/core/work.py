"""The "My work" page collects what each stage says a user must do next.

Each later stage registers a provider: a function taking the user and returning
``WorkItem`` rows (an inquiry to forward, a plan to review, a notice to answer…).
Providers must run a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class WorkItem:
    title: str
    url: str
    kind: str
    since: datetime | None = None
    due: datetime | None = None
    icon: str = "circle"
    overdue: bool = False
    is_deadline: bool = False  # an open deadline (notifications) rather than a stage's own item
    is_handoff: bool = False  # from the engagement's ball (engagements/ball.py), the catch-all


_providers: list[Callable[[object], Iterable[WorkItem]]] = []


def register(provider: Callable[[object], Iterable[WorkItem]]) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def work_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for provider in _providers:
        items.extend(provider(user))
    items = merge_deadlines(drop_repeated_handoffs(items))
    latest = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda item: (item.due is None, item.due or item.since or latest))


def drop_repeated_handoffs(items: list[WorkItem]) -> list[WorkItem]:
    """The engagement's ball names every waiting step, so that none waits unseen; where a stage's
    own provider already lists the same record (with its own words and deadline), that item stays
    and the hand-off is not repeated."""
    own = {item.url for item in items if not item.is_handoff}
    return [item for item in items if not item.is_handoff or item.url not in own]


def merge_deadlines(items: list[WorkItem]) -> list[WorkItem]:
    """A deadline on a record its stage already lists is one task, not two: the stage's item
    (which says what to do) takes the deadline's due time and overdue flag."""
    own: dict[str, WorkItem] = {}
    for item in items:
        if not item.is_deadline:
            own.setdefault(item.url, item)
    merged = []
    for item in items:
        target = own.get(item.url) if item.is_deadline else None
        if target is None:
            merged.append(item)
            continue
        if item.due and (target.due is None or item.due < target.due):
            target.due = item.due
        target.overdue = target.overdue or item.overdue
    return merged
