"""The tile registry of the cockpit and the role dashboards (X-7).

A tile is one figure group — the pipeline, the cycle times, the revenue… — computed over a
``Scope`` into plain data (key figures, charts, tables), with its drill-downs: for each figure,
the list of the records behind it. Every app may offer tiles in its ``cockpit.py`` (a ``TILES``
list), found like the stages' modules through ``core.stages.app_modules("cockpit")``; the
cockpit's own tiles (the stages that exist today) are in ``cockpit/cockpit.py``. A dashboard is a
list of tile keys, so the people, resources, costs and risk apps add a tile by adding it to
their ``cockpit.py`` and naming the dashboards it belongs to.

The data a tile returns is what the page draws, the API answers and the exports write — one
computation for the three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db.models import FloatField, Func
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core.stages import app_modules

MANAGEMENT = "management"
LEAD = "lead"
SERVICE = "service"
QUALITY = "quality"
FINANCE = "finance"
HR = "hr"

# The dashboards: who opens them (a rule in cockpit/rules.py), whether they show the user's
# own engagements only ("mine") rather than everything the user may see, and which of the
# filters apply to them ("filters"; all of them when not said).
DASHBOARDS: dict[str, dict] = {
    MANAGEMENT: {"label": _("Management cockpit"), "permission": "cockpit.view_cockpit", "mine": False},
    LEAD: {"label": _("Project lead dashboard"), "permission": "cockpit.view_lead_dashboard", "mine": True},
    SERVICE: {
        "label": _("Customer service dashboard"),
        "permission": "cockpit.view_service_dashboard",
        "mine": False,
    },
    QUALITY: {"label": _("Quality dashboard"), "permission": "cockpit.view_quality_dashboard", "mine": False},
    FINANCE: {"label": _("Finance dashboard"), "permission": "cockpit.view_finance_dashboard", "mine": False},
    # People are not engagements: a project lead or a client does not narrow its figures.
    HR: {
        "label": _("HR dashboard"),
        "permission": "cockpit.view_hr_dashboard",
        "mine": False,
        "filters": ("start", "end", "department"),
    },
}


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: Callable  # row → a cell (text, number, date)


@dataclass(frozen=True)
class Drill:
    """The records behind a figure: ``rows(scope, value)`` is a queryset built from
    ``scope.records(model)`` (so through ``visible_to``)."""

    title: str | Promise
    model: type
    rows: Callable
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tile:
    key: str
    title: str | Promise
    compute: Callable  # scope → dict (kpis, charts, tables)
    drills: dict[str, Drill] = field(default_factory=dict)
    dashboards: tuple[str, ...] = (MANAGEMENT,)
    principle: str | Promise = ""  # the policy's principle the tile measures (G-2), if any
    order: int = 0  # where on a dashboard: by order, then as the apps are installed

    def data(self, scope) -> dict:
        result = {"key": self.key, "title": str(self.title), "principle": str(self.principle)}
        result.update({"kpis": [], "charts": [], "tables": []})
        result.update(self.compute(scope))
        for figure in result["kpis"]:
            figure["display"] = shown(figure["value"], figure["unit"])
        for found in result["tables"]:
            units = found.get("units") or ()
            for row in found["rows"]:
                row["display"] = [
                    shown(cell, units[i] if i < len(units) else "") for i, cell in enumerate(row["cells"])
                ]
        return result


@cache
def registry() -> dict[str, Tile]:
    tiles: dict[str, Tile] = {}
    for module in app_modules("cockpit"):
        for tile in getattr(module, "TILES", ()):
            tiles[tile.key] = tile
    return tiles


def tiles_for(dashboard: str) -> list[Tile]:
    return sorted(
        (tile for tile in registry().values() if dashboard in tile.dashboards), key=lambda t: t.order
    )


def tile(key: str) -> Tile | None:
    return registry().get(key)


# --- helpers for the tiles' data --------------------------------------------------------------


def drill_url(scope, tile_key: str, drill: str, value: object = None) -> str:
    url = reverse("cockpit:drill", args=[tile_key, drill])
    return f"{url}?{scope.query(value=value)}"


def number(value) -> float | int | None:
    """A figure as JSON: money and averages as floats, counts as ints, nothing as None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def kpi(label, value, *, unit: str = "", drill: str | None = None, key: str = "", tone: str = "") -> dict:
    return {
        "key": key,
        "label": str(label),
        "value": number(value),
        "unit": unit,
        "drill": drill,
        "tone": tone,
    }


def shown(value, unit: str = "") -> str:
    """A figure as the page writes it: thousands grouped, money without cents, an index (unit
    "ratio": CPI, SPI) with two decimals, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    if unit == "ratio":
        return f"{value:,.2f}"
    if unit == "money" or (
        isinstance(value, (float, Decimal)) and value == int(value) and abs(value) >= 1000
    ):
        text = f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{value:,.1f}"
    return f"{text}%" if unit == "%" else text


def record_id(value) -> int | None:
    """A drill-down's value as a record id: digits within the databases' integers, else None."""
    text = str(value or "")
    return int(text) if text.isdigit() and int(text) < 2**63 else None


def rate(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def days(duration) -> float | None:
    """A duration in days, one decimal."""
    if duration is None:
        return None
    if not hasattr(duration, "total_seconds"):  # a number of microseconds (some backends)
        return round(duration / 86_400_000_000, 1)
    return round(duration.total_seconds() / 86400, 1)


class DaysBetween(Func):
    """``later − earlier`` (two dates) in days, as a float, on both databases."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date − date is an integer
        template = "CAST((%(expressions)s) AS double precision)"
        return super().as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "(julianday(%(expressions)s))"
        return super().as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


def table(key: str, title, columns: list, rows: list[dict], units: list[str] | None = None) -> dict:
    """``rows``: ``{"cells": [...], "drill": url or None}``; ``units``: per column, how
    ``shown`` writes its cells ("money", "%", "ratio"; default by the value)."""
    found = {"key": key, "title": str(title), "columns": [str(c) for c in columns], "rows": rows}
    if units:
        found["units"] = units
    return found


def chart(key: str, title, kind: str, labels: list, datasets: list[dict], **options) -> dict:
    return {
        "key": key,
        "title": str(title),
        "type": kind,
        "labels": [str(x) for x in labels],
        "datasets": datasets,
        **options,
    }


def dataset(label, data: list, *, kind: str = "", axis: str = "y") -> dict:
    result = {"label": str(label), "data": [number(x) for x in data], "axis": axis}
    if kind:
        result["type"] = kind
    return result
