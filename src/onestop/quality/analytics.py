"""QA-3 analysis: trends, Pareto of findings, pass rates, overdue and open rectifications.

Everything is aggregated in the database: the page runs the same queries whatever the
number of inspections. The period is the inspections' completion date (notices: all open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.quality.models import (
    FindingCategory,
    FindingCause,
    Inspection,
    InspectionItem,
    Phase,
    RectificationNotice,
)
from onestop.quality.states import NOTICE_WITH_DEPARTMENT

LIST_LIMIT = 50


@dataclass
class Period:
    start: date
    end: date

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        first = (today.replace(day=1) - timedelta(days=150)).replace(day=1)
        return cls(first, today)

    def bounds(self) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(self.start, time.min))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
        return start, end


def _rate(passed: int, total: int) -> float | None:
    return round(100 * passed / total, 1) if total else None


def _rate_rows(rows, label_of) -> list[dict]:
    result = []
    for row in rows:
        total, passed = row["total"], row["passed"]
        result.append(
            {
                "label": label_of(row),
                "total": total,
                "passed": passed,
                "failed": total - passed,
                "rate": _rate(passed, total),
            }
        )
    return result


def _pareto(rows, key: str, labels: dict) -> list[dict]:
    ordered = sorted(rows, key=lambda row: (-row["count"], str(labels.get(row[key], row[key]))))
    total = sum(row["count"] for row in ordered)
    running = 0
    result = []
    for row in ordered:
        running += row["count"]
        result.append(
            {
                "code": row[key],
                "label": str(labels.get(row[key], row[key] or _("Not stated"))),
                "count": row["count"],
                "share": _rate(row["count"], total),
                "cumulative": _rate(running, total),
            }
        )
    return result


def analyse(period: Period, *, today: date | None = None) -> dict:
    """The numbers of the quality page for inspections completed within ``period``."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    done = Inspection.objects.filter(
        state=Inspection.State.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    counts = {"total": Count("pk"), "passed": Count("pk", filter=Q(passed=True))}

    months = (
        done.annotate(month=TruncMonth("completed_at")).values("month").annotate(**counts).order_by("month")
    )
    trend = [
        {
            "label": row["month"].strftime("%Y-%m"),
            "total": row["total"],
            "passed": row["passed"],
            "failed": row["total"] - row["passed"],
            "rate": _rate(row["passed"], row["total"]),
        }
        for row in months
    ]
    totals = done.aggregate(**counts)

    failures = InspectionItem.objects.filter(result=InspectionItem.Result.FAIL, inspection__in=done)
    by_category = _pareto(
        failures.values("category").annotate(count=Count("pk")).order_by(),
        "category",
        dict(FindingCategory.choices),
    )
    by_cause = _pareto(
        failures.values("cause").annotate(count=Count("pk")).order_by(), "cause", dict(FindingCause.choices)
    )

    phases = dict(Phase.choices)
    by_phase = _rate_rows(
        done.values("checkpoint__phase").annotate(**counts).order_by("checkpoint__phase"),
        lambda row: str(phases.get(row["checkpoint__phase"], _("No checkpoint (spot check)"))),
    )
    by_department = _rate_rows(
        done.values("checkpoint__responsible_department__name")
        .annotate(**counts)
        .order_by("checkpoint__responsible_department__name"),
        lambda row: row["checkpoint__responsible_department__name"] or str(_("No checkpoint (spot check)")),
    )
    by_project = _rate_rows(
        done.values("project__code", "project__name").annotate(**counts).order_by("project__code"),
        lambda row: f"{row['project__code']} {row['project__name']}",
    )

    open_states = NOTICE_WITH_DEPARTMENT
    notices = RectificationNotice.objects.select_related("project", "department", "item")
    overdue = list(
        notices.filter(state__in=open_states, deadline__lt=today).order_by("deadline", "pk")[:LIST_LIMIT]
    )
    open_notices = list(
        notices.exclude(state=RectificationNotice.State.CLOSED).order_by("deadline", "pk")[:LIST_LIMIT]
    )
    return {
        "period": period,
        "totals": {
            **totals,
            "failed": totals["total"] - totals["passed"],
            "rate": _rate(totals["passed"], totals["total"]),
        },
        "trend": trend,
        "by_category": by_category,
        "by_cause": by_cause,
        "by_phase": by_phase,
        "by_department": by_department,
        "by_project": by_project,
        "overdue": overdue,
        "open_notices": open_notices,
    }


def chart_data(result: dict) -> dict:
    """What quality.js draws (passed to the page with json_script)."""

    def pareto(rows):
        return {
            "labels": [row["label"] for row in rows],
            "counts": [row["count"] for row in rows],
            "cumulative": [row["cumulative"] for row in rows],
        }

    def rates(rows):
        return {"labels": [row["label"] for row in rows], "rates": [row["rate"] for row in rows]}

    return {
        "trend": {
            "labels": [row["label"] for row in result["trend"]],
            "total": [row["total"] for row in result["trend"]],
            "failed": [row["failed"] for row in result["trend"]],
            "rate": [row["rate"] for row in result["trend"]],
        },
        "category": pareto(result["by_category"]),
        "cause": pareto(result["by_cause"]),
        "phase": rates(result["by_phase"]),
        "department": rates(result["by_department"]),
        "labels": {
            "inspections": _("Inspections"),
            "failed": _("Failed"),
            "rate": _("Pass rate (%)"),
            "findings": _("Findings"),
            "cumulative": _("Cumulative %"),
        },
    }


def workbook(result: dict) -> bytes:
    """The page's tables as an Excel workbook, one sheet per table."""
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.styles import Font  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    book = Workbook()
    book.remove(book.active)

    def sheet(title, header, rows):
        ws = book.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for column in ws.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))

    rate_header = [_("Inspections"), _("Passed"), _("Failed"), _("Pass rate (%)")]
    sheet(
        _("Trend by month"),
        [_("Month"), *rate_header],
        [[r["label"], r["total"], r["passed"], r["failed"], r["rate"]] for r in result["trend"]],
    )
    for title, rows in (
        (_("Findings by category"), result["by_category"]),
        (_("Findings by cause"), result["by_cause"]),
    ):
        sheet(
            title,
            [_("Finding"), _("Count"), _("Share (%)"), _("Cumulative %")],
            [[r["label"], r["count"], r["share"], r["cumulative"]] for r in rows],
        )
    for title, rows in (
        (_("Pass rate by phase"), result["by_phase"]),
        (_("Pass rate by department"), result["by_department"]),
        (_("Pass rate by project"), result["by_project"]),
    ):
        sheet(
            title,
            [_("Group"), *rate_header],
            [[r["label"], r["total"], r["passed"], r["failed"], r["rate"]] for r in rows],
        )
    notice_header = [
        _("Notice number"),
        _("Project"),
        _("Responsible department"),
        _("Deadline"),
        _("State"),
        _("Requirement"),
    ]

    def notice_rows(notices):
        return [
            [n.code, str(n.project), str(n.department), n.deadline, n.state_label(), n.requirement]
            for n in notices
        ]

    sheet(_("Overdue rectifications"), notice_header, notice_rows(result["overdue"]))
    sheet(_("Open notices"), notice_header, notice_rows(result["open_notices"]))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
