"""The risk tile of the cockpit (X-7, RSK-2, RSK-5): the likelihood × impact heat map of the open
risks, coloured by the matrix in force, the open risks by level and the open warnings by warning
level, with the unacknowledged and the escalated ones.

A snapshot of today (open risks and open warnings are a state, not events of the period). The
rows are the scope's: the risks and warnings of the scope's engagements, through ``visible_to``;
company-level ones (no engagement) count while the scope is not narrowed to a client, a lead or
the user's own engagements (with a department filter: the company risks of that department).
The cell counts are one aggregate query (GROUP BY likelihood, impact), as on the risk app's own
heat map (risks/heatmap.py); the levels are summed from those counts with the current matrix, so
a level's drill-down lists the risks of exactly the cells of that level.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from onestop.cockpit.tiles import (
    LEAD,
    MANAGEMENT,
    QUALITY,
    Column,
    Drill,
    Tile,
    chart,
    dataset,
    drill_url,
    kpi,
    record_id,
    table,
)
from onestop.risks.matrix import Level
from onestop.risks.models import WARNING_COLOURS, WARNING_ORDER, Risk, Warning, WarningLevel
from onestop.risks.services import current_matrix
from onestop.risks.states import RISK_OPEN, WARNING_OPEN, RiskState, WarningState

MAX_RADIUS = 24


def _in_scope(scope, *, department_field: str | None) -> Q:
    """The scope's engagements; company-level rows too while nothing narrows to engagements."""
    found = Q(engagement__in=scope.engagement_ids())
    if scope.mine or scope.lead is not None or scope.client is not None:
        return found
    company = Q(engagement__isnull=True)
    if scope.department is not None:
        if department_field is None:
            return found
        company &= Q(**{department_field: scope.department})
    return found | company


def open_risks(scope):
    rows = Risk.objects.visible_to(scope.user).filter(state__in=RISK_OPEN)
    return rows.filter(_in_scope(scope, department_field="department"))


def open_warnings(scope):
    rows = Warning.objects.visible_to(scope.user).filter(state__in=WARNING_OPEN)
    return rows.filter(_in_scope(scope, department_field=None))


def _cells_of(matrix, level: str) -> Q:
    """The risks in the cells of ``level`` in the current matrix (nothing if no cell has it)."""
    found = Q(pk__in=[])
    for likelihood in range(1, matrix.rows + 1):
        for impact in range(1, matrix.columns + 1):
            if matrix.level_at(likelihood, impact) == level:
                found |= Q(likelihood=likelihood, impact=impact)
    return found


def _int(value) -> int | None:
    found = record_id(value)
    return found if found is not None and found < 1000 else None  # a row or column of the matrix


def risks_at(scope, value):
    """The drill-down of a cell ("3-4": likelihood 3, impact 4), a likelihood row ("3") or a
    level ("high")."""
    rows = open_risks(scope)
    value = value or ""
    if value in Level.values:
        return rows.filter(_cells_of(current_matrix(), value))
    likelihood, _sep, impact = value.partition("-")
    if _int(likelihood) is None or (impact and _int(impact) is None):
        return rows.none()
    rows = rows.filter(likelihood=_int(likelihood))
    return rows.filter(impact=_int(impact)) if impact else rows


def risks(scope) -> dict:
    matrix = current_matrix()
    base = open_risks(scope)
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in base.filter(likelihood__isnull=False)
        .order_by()
        .values("likelihood", "impact")
        .annotate(n=Count("pk"))
    }
    # The levels from the cell counts (at most rows × columns numbers, not rows of risks).
    by_level = dict.fromkeys(Level.values, 0)
    for (likelihood, impact), n in counts.items():
        if 1 <= likelihood <= matrix.rows and 1 <= impact <= matrix.columns:
            by_level[matrix.level_at(likelihood, impact)] += n
    totals = base.aggregate(total=Count("pk"), unassessed=Count("pk", filter=Q(state=RiskState.IDENTIFIED)))
    levels = list(reversed(Level.values))
    peak = max(counts.values(), default=0)
    bubbles = []
    for level in Level.values:
        points = [
            {
                "x": impact,
                "y": likelihood,
                "r": max(6, round(MAX_RADIUS * (n / peak) ** 0.5)),
                "count": n,
                "url": drill_url(scope, "risks", "cell", f"{likelihood}-{impact}"),
            }
            for (likelihood, impact), n in sorted(counts.items())
            if 1 <= likelihood <= matrix.rows
            and 1 <= impact <= matrix.columns
            and matrix.level_at(likelihood, impact) == level
        ]
        bubbles.append({"label": str(Level(level).label), "data": points, "colour": matrix.colour(level)})
    heat_rows = [
        {
            "cells": [
                f"{likelihood} {matrix.likelihood_labels[likelihood - 1]}",
                *[counts.get((likelihood, impact), 0) for impact in range(1, matrix.columns + 1)],
            ],
            "drill": drill_url(scope, "risks", "cell", str(likelihood)),
        }
        for likelihood in range(matrix.rows, 0, -1)
    ]

    warnings = open_warnings(scope)
    found = warnings.aggregate(
        total=Count("pk"),
        unacknowledged=Count("pk", filter=Q(state=WarningState.OPEN)),
        escalated=Count("pk", filter=Q(escalations__gt=0)),
    )
    by_warning = {
        row["level"]: row["n"] for row in warnings.order_by().values("level").annotate(n=Count("pk"))
    }
    warning_levels = list(reversed(WARNING_ORDER))
    return {
        "kpis": [
            kpi(_("Open risks"), totals["total"], drill=drill_url(scope, "risks", "open"), key="open"),
            kpi(
                _("Critical and high risks"),
                by_level[Level.CRITICAL] + by_level[Level.HIGH],
                drill=drill_url(scope, "risks", "severe"),
                key="severe",
                tone="danger",
            ),
            kpi(
                _("Risks awaiting assessment"),
                totals["unassessed"],
                drill=drill_url(scope, "risks", "unassessed"),
                key="unassessed",
            ),
            kpi(
                _("Open warnings"),
                found["total"],
                drill=drill_url(scope, "risks", "warnings"),
                key="warnings",
            ),
            kpi(
                _("Warnings not acknowledged"),
                found["unacknowledged"],
                drill=drill_url(scope, "risks", "warnings", "unacknowledged"),
                key="unacknowledged",
                tone="danger",
            ),
            kpi(
                _("Warnings escalated"),
                found["escalated"],
                drill=drill_url(scope, "risks", "warnings", "escalated"),
                key="escalated",
                tone="danger",
            ),
        ],
        "charts": [
            chart(
                "heatmap",
                _("Open risks: likelihood × impact"),
                "bubble",
                [],
                bubbles,
                grid={
                    "columns": matrix.columns,
                    "rows": matrix.rows,
                    "x_title": str(_("impact")),
                    "y_title": str(_("likelihood")),
                    "x_labels": list(matrix.impact_labels),
                    "y_labels": list(matrix.likelihood_labels),
                },
            ),
            chart(
                "warnings",
                _("Open warnings by level"),
                "bar",
                [WarningLevel(level).label for level in warning_levels],
                [
                    {
                        **dataset(_("Open warnings"), [by_warning.get(level, 0) for level in warning_levels]),
                        "colours": [WARNING_COLOURS[level] for level in warning_levels],
                    }
                ],
            ),
        ],
        "tables": [
            table(
                "heatmap",
                _("Open risks by likelihood and impact"),
                [
                    _("likelihood"),
                    *[f"{n} {label}" for n, label in enumerate(matrix.impact_labels, start=1)],
                ],
                heat_rows,
            ),
            table(
                "levels",
                _("Open risks by level"),
                [_("level"), _("Open risks")],
                [
                    {
                        "cells": [Level(level).label, by_level[level]],
                        "drill": drill_url(scope, "risks", "cell", level),
                    }
                    for level in levels
                ],
            ),
            table(
                "warnings",
                _("Open warnings by level"),
                [_("warning level"), _("Open warnings")],
                [
                    {
                        "cells": [WarningLevel(level).label, by_warning.get(level, 0)],
                        "drill": drill_url(scope, "risks", "warnings", level),
                    }
                    for level in warning_levels
                ],
            ),
        ],
    }


def warnings_of(scope, value):
    rows = open_warnings(scope)
    if value == "unacknowledged":
        return rows.filter(state=WarningState.OPEN)
    if value == "escalated":
        return rows.filter(escalations__gt=0)
    if value in WarningLevel.values:
        return rows.filter(level=value)
    return rows if not value else rows.none()


RISK_COLUMNS = (
    Column(_("risk number"), lambda r: r.code),
    Column(_("risk"), lambda r: r.title),
    Column(_("level"), lambda r: r.get_level_display()),
    Column(_("likelihood"), lambda r: r.likelihood),
    Column(_("impact"), lambda r: r.impact),
    Column(_("owner"), lambda r: str(r.owner)),
    Column(_("engagement"), lambda r: r.engagement.code if r.engagement_id else ""),
    Column(_("next review"), lambda r: r.next_review),
)
WARNING_COLUMNS = (
    Column(_("warning number"), lambda w: w.code),
    Column(_("indicator"), lambda w: str(w.indicator)),
    Column(_("subject"), lambda w: w.subject),
    Column(_("warning level"), lambda w: w.get_level_display()),
    Column(_("state"), lambda w: w.get_state_display()),
    Column(_("escalations"), lambda w: w.escalations),
    Column(_("raised"), lambda w: w.raised_at.date()),
)

RISKS = Tile(
    "risks",
    _("Risks and warnings"),
    risks,
    drills={
        "open": Drill(
            _("Open risks"),
            Risk,
            lambda scope, value: open_risks(scope).order_by("-likelihood", "-impact", "pk"),
            RISK_COLUMNS,
            ("owner", "engagement"),
        ),
        "cell": Drill(
            _("Open risks in this cell"),
            Risk,
            lambda scope, value: risks_at(scope, value).order_by("-likelihood", "-impact", "pk"),
            RISK_COLUMNS,
            ("owner", "engagement"),
        ),
        "severe": Drill(
            _("Critical and high risks"),
            Risk,
            lambda scope, value: (
                open_risks(scope)
                .filter(_cells_of(current_matrix(), Level.CRITICAL) | _cells_of(current_matrix(), Level.HIGH))
                .order_by("-likelihood", "-impact", "pk")
            ),
            RISK_COLUMNS,
            ("owner", "engagement"),
        ),
        "unassessed": Drill(
            _("Risks awaiting assessment"),
            Risk,
            lambda scope, value: open_risks(scope).filter(state=RiskState.IDENTIFIED).order_by("pk"),
            RISK_COLUMNS,
            ("owner", "engagement"),
        ),
        "warnings": Drill(
            _("Open warnings"),
            Warning,
            lambda scope, value: warnings_of(scope, value).order_by("-raised_at", "-pk"),
            WARNING_COLUMNS,
            ("indicator",),
        ),
    },
    dashboards=(MANAGEMENT, QUALITY, LEAD),
    order=1,  # after the stages' tiles
)

TILES = [RISKS]
