"""A panel listing a few records of one kind (``core/_records_panel.html``), for the panels the
company apps add to another record's page (core/panels.py): a code linking to the record, what
it is, a date or amount, its state, and a link to the list filtered to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.http import urlencode

# A page shows the newest few; the list behind "All of them" has the rest.
PANEL_ROWS = 20


def records_panel(
    *,
    key: str,
    icon: str,
    title,
    records: Iterable,
    code: Callable,
    text: Callable,
    meta: Callable,
    more: str = "",
) -> list[dict]:
    rows = [
        {
            "key": record.pk,
            "url": record.get_absolute_url(),
            "code": code(record),
            "text": text(record),
            "meta": meta(record),
            "state": record.get_state_display(),
        }
        for record in records
    ]
    if not rows:
        return []
    return [
        {
            "template": "core/_records_panel.html",
            "id": key,
            "icon": icon,
            "title": title,
            "rows": rows,
            "more_url": more,
        }
    ]


def list_url(model, **filters) -> str:
    return reverse(model.url_name("list")) + (f"?{urlencode(filters)}" if filters else "")
