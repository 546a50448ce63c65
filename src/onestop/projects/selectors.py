"""Read-only questions other apps ask about a project (coordination, quality, acceptance).

Keep these a fixed, small number of queries: other apps call them on their pages.
"""

from __future__ import annotations

from onestop.projects.models import ProgressReport


def latest_report(project):
    """The project's latest reviewed progress report (PRJ-2), else its latest submitted one.

    Drafts and reports returned for correction are internal work in progress and never count.
    """
    reports = ProgressReport.objects.filter(project=project).order_by("-period_start", "-pk")
    report = reports.filter(state=ProgressReport.State.REVIEWED).first()
    if report is None:
        report = reports.filter(state=ProgressReport.State.SUBMITTED).first()
    return report


def report_rows(report) -> list[dict]:
    """The rows of one progress report as plain dicts (see ``latest_progress``)."""
    if report is None:
        return []
    rows = report.rows.select_related("milestone", "task").order_by("position", "pk")
    return [
        {
            "item": row.item,
            "planned_percent": row.planned_percent,
            "percent_complete": row.percent_complete,
            "work_done": row.work_done,
            "next_steps": row.next_steps,
            "problems": row.problems,
            "planned_end": row.planned_end,
            "actual_end": row.actual_end,
        }
        for row in rows
    ]


def latest_progress(project) -> list[dict]:
    """One dict per row of the project's latest reviewed (else latest submitted) progress report.

    Keys: ``item`` (milestone or task name), ``planned_percent``, ``percent_complete``,
    ``work_done``, ``next_steps``, ``problems``, ``planned_end``, ``actual_end`` (dates or
    None). An empty list when the project has no submitted report yet. Three queries at most.
    """
    return report_rows(latest_report(project))
