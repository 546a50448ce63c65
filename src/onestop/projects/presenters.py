"""What the project's pages show, gathered in a fixed number of queries whatever the rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from onestop.core.panels import panels
from onestop.core.stages import app_modules
from onestop.core.workflow import allowed_actions, transition_log
from onestop.projects import services
from onestop.projects.models import (
    KickoffAttendee,
    KickoffMeeting,
    ProgressReport,
    Project,
    Task,
)


def variance_class(value: int) -> str:
    """Colour of a schedule variance: on plan, slightly behind, well behind (or ahead)."""
    if value >= 0:
        return "success"
    if value >= -10:
        return "warning"
    return "danger"


def gantt_data(project, milestones, tasks) -> list[dict]:
    """The frappe-gantt rows: each milestone (a one-day bar) and each task with its
    dependencies and progress."""
    rows = []
    for milestone in milestones:
        day = milestone.planned_date.isoformat()
        rows.append(
            {
                "id": f"m{milestone.pk}",
                "name": f"◆ {milestone.name}",
                "start": day,
                "end": day,
                "progress": milestone.percent_complete,
                "dependencies": "",
                "custom_class": "app-gantt-milestone-done"
                if milestone.completed_on
                else "app-gantt-milestone",
            }
        )
    for task in tasks:
        deps = [f"t{other.pk}" for other in task.depends_on.all()]
        rows.append(
            {
                "id": f"t{task.pk}",
                "name": task.name,
                "start": task.planned_start.isoformat(),
                "end": task.planned_end.isoformat(),
                "progress": task.percent_complete,
                "dependencies": ", ".join(deps),
                "custom_class": "app-gantt-task",
            }
        )
    rows.sort(key=lambda row: (row["start"], row["id"]))
    return rows


def _budget(project) -> dict:
    """The plan's budget with amounts grouped by thousands, as everywhere else in OneStop."""
    budget = services.budget_of(project)
    budget["rows"] = [(label, f"{amount:,.2f}") for label, amount in budget["by_category"]]
    budget["total_display"] = f"{budget['total']:,.2f}"
    return budget


# The project page's work is bounded whatever the project's size (issue 16 §5): a project with
# years of weekly tables and hundreds of tasks shows the first screen of each, the rest a click away.
TASKS_SHOWN = 25  # rows of the task table; the rest are in the task list filtered by the project
GANTT_TASKS = 200  # bars of the Gantt chart (more is not a readable chart)
REPORTS_PER_PAGE = 12  # progress tables per page of their card, the newest first


def report_summaries(reports) -> QuerySet:
    """``reports`` with each one's planned %, actual % and variance computed by the database (as
    ``services.project_variance``: the mean over the milestone rows, or over every row when the
    table has none), instead of loading every row of every table."""
    milestone_rows = Q(rows__task__isnull=True)
    return reports.annotate(
        milestone_count=Count("rows", filter=milestone_rows),
        milestone_planned=Avg("rows__planned_percent", filter=milestone_rows),
        milestone_actual=Avg("rows__percent_complete", filter=milestone_rows),
        all_planned=Avg("rows__planned_percent"),
        all_actual=Avg("rows__percent_complete"),
    )


def _summary(report) -> dict:
    if report.milestone_count:
        planned, actual = report.milestone_planned, report.milestone_actual
    else:
        planned, actual = report.all_planned, report.all_actual
    if planned is None:
        return {"planned": 0, "actual": 0, "variance": 0, "css": variance_class(0)}
    planned, actual = round(planned), round(actual)
    return {
        "planned": planned,
        "actual": actual,
        "variance": actual - planned,
        "css": variance_class(actual - planned),
    }


def project_context(project: Project, user, *, progress_page=None) -> dict:
    internal = user.client_organization_id is None
    milestones = list(project.milestones.all())
    context = {
        "milestones": milestones,
        "internal": internal,
        "state_log": list(transition_log(project)) if internal else [],
    }
    if not internal:
        return context
    members = list(project.members.select_related("user").order_by("pk"))
    tasks = list(
        Task.objects.filter(project=project)
        .select_related("milestone", "assignee__user")
        .prefetch_related("depends_on")
        .order_by("planned_start", "pk")[:GANTT_TASKS]
    )
    task_count = Task.objects.filter(project=project).count() if len(tasks) >= GANTT_TASKS else len(tasks)
    meeting = (
        KickoffMeeting.objects.filter(project=project)
        .prefetch_related(Prefetch("attendance", queryset=KickoffAttendee.objects.select_related("user")))
        .first()
    )
    reports = Paginator(
        report_summaries(
            ProgressReport.objects.filter(project=project).select_related("submitted_by", "reviewed_by")
        ).order_by("-period_start", "-pk"),
        REPORTS_PER_PAGE,
    ).get_page(progress_page)
    for report in reports:
        report.summary = _summary(report)
    current_start, current_end = project.period_for(timezone.localdate())
    current = ProgressReport.objects.filter(project=project, period_start=current_start).first()
    context.update(
        {
            "members": members,
            "tasks": tasks[:TASKS_SHOWN],
            "task_count": task_count,
            "tasks_url": reverse("projects:task_list") + f"?project={project.pk}",
            "meeting": meeting,
            "attendance": list(meeting.attendance.all()) if meeting else [],
            "reports": reports,
            "current_report": current,
            "current_period": (current_start, current_end),
            "budget": _budget(project),
            "gantt": gantt_data(project, milestones, tasks),
            "gantt_cut": task_count > len(tasks),
            "can_manage": user.has_perm("projects.manage_project", project),
            "panels": panels("project", project, user),
            "extra_links": extra_links(project, user),
        }
    )
    return context


def _row_input(row, typed) -> tuple[dict, bool]:
    """The values the row's inputs show: what the user typed when the page comes back refused
    (``typed``: the refused POST), the stored values otherwise; and whether anything typed in the
    folded details differs from what is stored (then the details are shown open)."""
    stored = {
        "percent_complete": str(row.percent_complete),
        "actual_start": row.actual_start.isoformat() if row.actual_start else "",
        "actual_end": row.actual_end.isoformat() if row.actual_end else "",
        "work_done": row.work_done,
        "next_steps": row.next_steps,
        "problems": row.problems,
    }
    if not typed:
        return stored, False
    values = {name: typed.get(f"row-{row.pk}-{name}", value) for name, value in stored.items()}
    changed = any(values[name] != stored[name] for name in stored if name != "percent_complete")
    return values, changed


def extra_links(project, user) -> list[dict]:
    """Links other apps offer on the project page (their ``projectpage.links(project, user)``:
    dicts with ``url``, ``label`` and ``icon``), so this page never imports the apps after it."""
    return [link for module in app_modules("projectpage") for link in module.links(project, user)]


def report_context(report: ProgressReport, user) -> dict:
    rows = list(report.rows.select_related("filled_by", "task__assignee__user").order_by("position", "pk"))
    open_for_marks = report.is_editable
    for row in rows:
        row.variance_css = variance_class(row.variance)
        row.assignee_name = row.task.assignee.user.display_name if row.assignee_user_id else ""
        row.can_mark_done = (
            open_for_marks and row.percent_complete < 100 and services.may_mark_done(row, user)
        )
        row.input, row.typed_details = _row_input(row, getattr(report, "typed", None))
    summary = services.project_variance(rows)
    summary["css"] = variance_class(summary["variance"])
    project = report.project
    allowed = allowed_actions(report, user)
    return {
        "report": report,
        "project": project,
        "rows": rows,
        "summary": summary,
        "can_fill": report.is_editable and user.has_perm("projects.fill_progressreport", report),
        "can_submit": "submit" in allowed,
        "can_review": "review" in allowed,
        "log": [
            {
                "at": entry.timestamp,
                "by": entry.by,
                "state": report.state_label(entry.state),
                "comment": entry.description,
            }
            for entry in transition_log(report)
        ],
    }


def kickoff_context(project: Project, user) -> dict:
    """The kickoff page: the meeting once recorded, its attendees (the user's own row to
    acknowledge) and the team's responsibility matrix."""
    meeting = (
        KickoffMeeting.objects.filter(project=project)
        .select_related("recorded_by")
        .prefetch_related("attendance__user")
        .first()
    )
    attendance = list(meeting.attendance.all()) if meeting else []
    return {
        "project": project,
        "meeting": meeting,
        "attendance": attendance,
        "mine": next((row for row in attendance if row.user_id == user.pk), None),
        "members": list(project.members.select_related("user").order_by("pk")),
    }
