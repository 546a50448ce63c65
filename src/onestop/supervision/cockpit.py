"""The supervision tile of the cockpit (X-7, EXT-3): the compliance findings still followed up,
by kind, and those past their due date, with the records behind each figure.

A snapshot of today (an open finding is a state, not an event of the period). The rows are the
findings of the scope's engagements that the user may see (``scope.records``); one grouped count
and one aggregate, whatever the number of findings.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.cockpit.tiles import (
    MANAGEMENT,
    QUALITY,
    Column,
    Drill,
    Tile,
    chart,
    dataset,
    drill_url,
    kpi,
    table,
)
from onestop.supervision.models import Finding
from onestop.supervision.states import FINDING_OPEN, FINDING_WITH_ASSIGNEE, FindingKind, FindingState


def open_findings(scope):
    return scope.records(Finding).filter(state__in=FINDING_OPEN)


def _overdue() -> Q:
    return Q(state__in=FINDING_WITH_ASSIGNEE, due_date__lt=timezone.localdate())


def findings_of(scope, value):
    rows = open_findings(scope)
    if value == "overdue":
        return rows.filter(_overdue())
    if value == "resolved":
        return rows.filter(state=FindingState.RESOLVED)
    if value in FindingKind.values:
        return rows.filter(kind=value)
    return rows if not value else rows.none()


def supervision(scope) -> dict:
    rows = open_findings(scope)
    totals = rows.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=_overdue()),
        resolved=Count("pk", filter=Q(state=FindingState.RESOLVED)),
    )
    by_kind = {row["kind"]: row["n"] for row in rows.order_by().values("kind").annotate(n=Count("pk"))}
    kinds = FindingKind.values
    return {
        "kpis": [
            kpi(
                _("Open findings"), totals["total"], drill=drill_url(scope, "supervision", "open"), key="open"
            ),
            kpi(
                _("Findings overdue"),
                totals["overdue"],
                drill=drill_url(scope, "supervision", "open", "overdue"),
                key="overdue",
                tone="danger",
            ),
            kpi(
                _("Findings to verify"),
                totals["resolved"],
                drill=drill_url(scope, "supervision", "open", "resolved"),
                key="resolved",
            ),
        ],
        "charts": [
            chart(
                "kinds",
                _("Open findings by kind"),
                "bar",
                [FindingKind(kind).label for kind in kinds],
                [dataset(_("Open findings"), [by_kind.get(kind, 0) for kind in kinds])],
            )
        ],
        "tables": [
            table(
                "kinds",
                _("Open findings by kind"),
                [_("kind"), _("Open findings")],
                [
                    {
                        "cells": [FindingKind(kind).label, by_kind.get(kind, 0)],
                        "drill": drill_url(scope, "supervision", "open", kind),
                    }
                    for kind in kinds
                ],
            )
        ],
    }


FINDING_COLUMNS = (
    Column(_("finding number"), lambda f: f.code),
    Column(_("kind"), lambda f: f.get_kind_display()),
    Column(_("engagement"), lambda f: f.engagement.code),
    Column(_("record concerned"), lambda f: f.record),
    Column(_("assigned to"), lambda f: str(f.assignee or "")),
    Column(_("due"), lambda f: f.due_date),
    Column(_("state"), lambda f: f.get_state_display()),
)

SUPERVISION = Tile(
    "supervision",
    _("Compliance findings"),
    supervision,
    drills={
        "open": Drill(
            _("Open findings"),
            Finding,
            lambda scope, value: findings_of(scope, value).order_by("due_date", "pk"),
            FINDING_COLUMNS,
            ("engagement", "assignee"),
        )
    },
    dashboards=(MANAGEMENT, QUALITY),
)

TILES = [SUPERVISION]
