"""Use cases of project implementation (PRJ-1, PRJ-2).

Every write goes through a function here, called alike by the pages (views.py) and the API
(api.py): opening a project from its signed contract, the kickoff meeting and its
acknowledgements, the implementation plan's tasks, the progress table and its review,
completing the project, and the reminders for progress reports that are due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onestop.contracts.models import Contract
from onestop.contracts.states import ContractState
from onestop.core import services as core_services
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.notifications import services as notifications
from onestop.notifications.models import Deadline, Notification
from onestop.plans.models import BudgetLine
from onestop.projects.models import (
    KickoffAttendee,
    KickoffMeeting,
    Milestone,
    ProgressReport,
    ProgressRow,
    Project,
    ProjectMember,
    Task,
    may_attend,
    not_an_attendee_message,
)
from onestop.projects.states import ProgressReportState, ProjectState

OPENABLE_CONTRACT_STATES = (ContractState.SIGNED, ContractState.ARCHIVED)


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"projects.{perm}", obj):
        raise PermissionDenied


def _day(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- PRJ-1: opening a project ----------------------------------------------------------------


def openable_contracts(user=None):
    """Signed (or archived) contracts whose engagement has no project yet."""
    contracts = Contract.objects.visible_to(user) if user is not None else Contract.objects.all()
    return (
        contracts.filter(state__in=OPENABLE_CONTRACT_STATES, project__isnull=True)
        .exclude(engagement__project__isnull=False)
        .select_related("engagement", "engagement__client")
        .order_by("-signed_at", "-pk")
    )


@transaction.atomic
def open_project(contract, *, actor, project_lead=None, name: str = "") -> Project:
    """PRJ-1: open the project of a signed contract, from the engagement's effective plan.

    Copies the plan's milestones and staffing (as the team); the budget is shown from the plan
    version the project follows. One project per contract and engagement.
    """
    _require(actor, "add_project")
    contract = Contract.objects.select_for_update().select_related("engagement").get(pk=contract.pk)
    if contract.state not in OPENABLE_CONTRACT_STATES:
        raise DomainError(
            _("A project opens only from a signed contract; contract %(code)s is “%(state)s”.")
            % {"code": contract.code, "state": contract.state_label()},
            field="contract",
            code=ErrorCode.GATE_NOT_MET,
        )
    engagement = contract.engagement
    if (
        Project.objects.filter(engagement=engagement).exists()
        or Project.objects.filter(contract=contract).exists()
    ):
        raise DomainError(
            _("Engagement %(code)s already has a project.") % {"code": engagement.code},
            field="contract",
            code=ErrorCode.ALREADY_DONE,
        )
    plan = getattr(engagement, "plan", None)
    version = plan.effective_version if plan is not None else None
    if plan is None or version is None:
        raise DomainError(
            _("The engagement has no effective service plan to implement."),
            field="contract",
            code=ErrorCode.GATE_NOT_MET,
        )
    lead = project_lead or plan.project_lead
    if lead is None or not get_user_model().objects.with_role(Role.PROJECT_LEAD).filter(pk=lead.pk).exists():
        raise DomainError(
            _("Choose the project lead: %(name)s is not an active project lead.")
            % {"name": getattr(lead, "display_name", "—")},
            field="project_lead",
            code=ErrorCode.INVALID,
        )
    project = Project(
        code=next_code("PJ"),
        engagement=engagement,
        contract=contract,
        plan_version=version,
        name=(name or engagement.title)[:200],
        project_lead=lead,
        planned_start=contract.period_start or version.period_start,
        planned_end=contract.period_end or version.period_end,
        opened_by=actor,
    )
    if project.planned_end < project.planned_start:
        project.planned_end = project.planned_start
    core_services.save(
        project, actor=actor, reason=_("Opened from contract %(code)s") % {"code": contract.code}
    )
    for source in version.milestones.order_by("due_date", "pk"):
        core_services.save(
            Milestone(
                project=project,
                source=source,
                name=source.name,
                planned_date=source.due_date,
                deliverables=source.deliverables,
            ),
            actor=actor,
        )
    seen = set()
    for staff in version.staffing.select_related("user").order_by("pk"):
        if staff.user_id in seen:
            continue
        seen.add(staff.user_id)
        core_services.save(
            ProjectMember(project=project, user=staff.user, role=staff.role, allocation=staff.allocation),
            actor=actor,
        )
    if lead.pk not in seen:
        core_services.save(
            ProjectMember(project=project, user=lead, role=_("Project lead"), allocation=100), actor=actor
        )
    notifications.notify(
        [lead],
        title=_("Project %(code)s was opened: hold the kickoff meeting") % {"code": project.code},
        url=project.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=project,
    )
    return project


def budget_of(project) -> dict:
    """The budget of the plan version the project follows, by category, with the total."""
    lines = list(project.plan_version.budget_lines.all())
    totals: dict[str, object] = {}

    for line in lines:
        totals[line.category] = totals.get(line.category, Decimal("0")) + line.amount
    labels = dict(BudgetLine.Category.choices)
    return {
        "lines": lines,
        "by_category": [(str(labels[c]), totals[c]) for c in BudgetLine.Category.values if c in totals],
        "total": sum((line.amount for line in lines), Decimal("0")),
        "currency": project.plan_version.currency,
    }


# --- PRJ-1: the kickoff meeting ----------------------------------------------------------------


@transaction.atomic
def record_kickoff(
    project,
    *,
    actor,
    held_on: date,
    location: str,
    attendees,
    goals: str,
    tasks_communicated: str,
    requirements: str = "",
    minutes: str = "",
    responsibilities: dict | None = None,
) -> KickoffMeeting:
    """PRJ-1: record the kickoff meeting; the project moves in progress (``kick_off``).

    ``responsibilities`` maps project member ids to the responsibilities assigned at the
    meeting (the responsibility matrix). Each attendee is asked to acknowledge.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require(actor, "manage_project", project)
    if project.state != ProjectState.OPENED:
        raise DomainError(
            _("The kickoff meeting is recorded once, while the project awaits it; it is “%(state)s”.")
            % {"state": project.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    attendees = list({user.pk: user for user in attendees}.values())
    if not attendees:
        raise DomainError(_("Name at least one attendee."), field="attendees", code=ErrorCode.INVALID)
    for user in attendees:
        # Checked before anything is written so the refusal names the attendees field
        # (KickoffAttendee.clean refuses the same row too).
        if not may_attend(user, project):
            raise DomainError(not_an_attendee_message(user), field="attendees", code=ErrorCode.INVALID)
    if held_on > timezone.localdate():
        raise DomainError(
            _("The kickoff meeting cannot be recorded before it is held."),
            field="held_on",
            code=ErrorCode.INVALID,
        )
    if not (location or "").strip():
        raise DomainError(_("Give the meeting's location."), field="location", code=ErrorCode.INVALID)
    if not (goals or "").strip():
        raise DomainError(_("State the goals communicated."), field="goals", code=ErrorCode.INVALID)
    if not (tasks_communicated or "").strip():
        raise DomainError(
            _("State the tasks communicated."), field="tasks_communicated", code=ErrorCode.INVALID
        )
    meeting = core_services.save(
        KickoffMeeting(
            project=project,
            held_on=held_on,
            location=location.strip(),
            goals=goals.strip(),
            tasks_communicated=tasks_communicated.strip(),
            requirements=(requirements or "").strip(),
            minutes=(minutes or "").strip(),
            recorded_by=actor,
        ),
        actor=actor,
    )
    for user in attendees:
        core_services.save(KickoffAttendee(meeting=meeting, user=user), actor=actor)
    members = {member.pk: member for member in project.members.all()}
    for member_id, text in (responsibilities or {}).items():
        member = members.get(int(member_id))
        if member is None:
            raise DomainError(
                _("Responsibilities can be assigned only to members of this project's team."),
                code=ErrorCode.INVALID,
            )
        text = (text or "").strip()
        if text != member.responsibilities:
            member.responsibilities = text
            core_services.save(member, actor=actor)
    project.actual_start = held_on
    perform_transition(
        project,
        "kick_off",
        actor=actor,
        comment=_("Kickoff meeting held on %(day)s") % {"day": _day(held_on)},
    )
    notifications.notify(
        [user for user in attendees if user.pk != actor.pk],
        title=_("Project %(code)s kickoff: please acknowledge the goals, tasks and your responsibilities")
        % {"code": project.code},
        url=meeting.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=project,
    )
    return meeting


@transaction.atomic
def acknowledge_kickoff(meeting, *, actor) -> KickoffAttendee:
    """An attendee confirms they received what the kickoff communicated (time recorded once)."""
    row = KickoffAttendee.objects.select_for_update().filter(meeting=meeting, user=actor).first()
    if row is None:
        raise DomainError(_("Only the meeting's attendees acknowledge the kickoff."))
    if row.acknowledged_at is None:
        row.acknowledged_at = timezone.now()
        core_services.save(row, actor=actor)
    return row


# --- PRJ-1: the implementation plan ---------------------------------------------------------------


def check_dependencies(task, depends_on) -> None:
    """Refuse dependencies on other projects' tasks, on the task itself, and any cycle."""
    depends_on = list(depends_on)
    for other in depends_on:
        if other.project_id != task.project_id:
            raise DomainError(
                _("“%(task)s” belongs to another project; a task depends only on tasks of its own project.")
                % {"task": other.name},
                field="depends_on",
                code=ErrorCode.INVALID,
            )
        if task.pk is not None and other.pk == task.pk:
            raise DomainError(
                _("A task cannot depend on itself."), field="depends_on", code=ErrorCode.INVALID
            )
    if task.pk is None:
        return  # a new task has no successors, so it cannot close a cycle
    # Edges of the project's dependency graph with this task's edges replaced by the new ones.
    edges: dict[int, set[int]] = {}
    through = Task.depends_on.through
    for from_id, to_id in through.objects.filter(from_task__project_id=task.project_id).values_list(
        "from_task_id", "to_task_id"
    ):
        edges.setdefault(from_id, set()).add(to_id)
    edges[task.pk] = {other.pk for other in depends_on}
    # Is task reachable from any of its new prerequisites?
    stack, seen = list(edges[task.pk]), set()
    while stack:
        node = stack.pop()
        if node == task.pk:
            names = ", ".join(other.name for other in depends_on)
            raise DomainError(
                _("These dependencies would make a cycle (%(names)s lead back to “%(task)s”).")
                % {"names": names, "task": task.name},
                field="depends_on",
                code=ErrorCode.INVALID,
            )
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))


@transaction.atomic
def save_task(task, *, actor, depends_on=None) -> Task:
    """Validate and save a task of the implementation plan, with its dependencies."""
    _require(actor, "manage_project", task.project)
    if depends_on is not None:
        check_dependencies(task, depends_on)
    core_services.save(task, actor=actor)
    if depends_on is not None:
        task.depends_on.set(depends_on)
    return task


# --- PRJ-2: the progress table -------------------------------------------------------------------


def linear_percent(start: date | None, end: date | None, at: date) -> int:
    """The share of [start, end] (whole days, both included) elapsed at the end of ``at``."""
    if start is None or end is None:
        return 0
    if end < start:
        start, end = end, start
    if at < start:
        return 0
    if at >= end:
        return 100
    total = (end - start).days + 1
    elapsed = (at - start).days + 1
    return round(100 * elapsed / total)


def milestone_spans(project, milestones) -> dict[int, tuple[date, date]]:
    """Each milestone's planned span: from the previous milestone (or the project's start) to it."""
    spans = {}
    previous = project.planned_start
    for milestone in sorted(milestones, key=lambda m: (m.planned_date, m.pk)):
        start = min(previous, milestone.planned_date)
        spans[milestone.pk] = (start, milestone.planned_date)
        previous = milestone.planned_date + timedelta(days=1)
    return spans


def planned_rows(project, period_end: date) -> list[dict]:
    """The rows of a new progress table: milestones each followed by their tasks, then tasks
    without a milestone, with the planned % at the period's end and the current progress."""
    milestones = list(project.milestones.all())
    tasks = list(project.tasks.all())
    spans = milestone_spans(project, milestones)
    by_milestone: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_milestone.setdefault(task.milestone_id, []).append(task)

    def task_row(task):
        return {
            "task": task,
            "milestone": task.milestone,
            "item": task.name,
            "planned_start": task.planned_start,
            "planned_end": task.planned_end,
            "planned_percent": linear_percent(task.planned_start, task.planned_end, period_end),
            "percent_complete": task.percent_complete,
            "actual_start": task.actual_start,
            "actual_end": task.actual_end,
        }

    rows = []
    for milestone in milestones:
        own = by_milestone.get(milestone.pk, [])
        if own:
            # The milestone's plan is its tasks': the duration-weighted planned % of its tasks.
            weights = [((t.planned_end - t.planned_start).days + 1) for t in own]
            planned = round(
                sum(
                    w * linear_percent(t.planned_start, t.planned_end, period_end)
                    for w, t in zip(weights, own, strict=True)
                )
                / sum(weights)
            )
            start = min(t.planned_start for t in own)
        else:
            start, _end = spans[milestone.pk]
            planned = linear_percent(start, milestone.planned_date, period_end)
        rows.append(
            {
                "milestone": milestone,
                "task": None,
                "item": milestone.name,
                "planned_start": start,
                "planned_end": milestone.planned_date,
                "planned_percent": planned,
                "percent_complete": milestone.percent_complete,
                "actual_start": None,
                "actual_end": milestone.completed_on,
            }
        )
        rows.extend(task_row(task) for task in own)
    rows.extend(task_row(task) for task in by_milestone.get(None, []))
    return rows


def project_variance(rows) -> dict:
    """The project's planned %, actual % and variance: the mean over its milestone rows (or over
    all rows when there is no milestone). Rows may be ProgressRow objects or dicts."""

    def get(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    def is_task(row):
        return row["task"] is not None if isinstance(row, dict) else row.task_id is not None

    top = [row for row in rows if not is_task(row)] or list(rows)
    if not top:
        return {"planned": 0, "actual": 0, "variance": 0}
    planned = round(sum(get(row, "planned_percent") for row in top) / len(top))
    actual = round(sum(get(row, "percent_complete") for row in top) / len(top))
    return {"planned": planned, "actual": actual, "variance": actual - planned}


@transaction.atomic
def start_report(project, *, actor, day: date | None = None, check_permission: bool = True) -> ProgressReport:
    """The progress table of the period containing ``day`` (today by default), made when missing."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if check_permission:
        _require(actor, "fill_progressreport", project)
    if project.state != ProjectState.IN_PROGRESS:
        raise DomainError(
            _("Progress is reported while the project is in progress; it is “%(state)s”.")
            % {"state": project.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    day = day or timezone.localdate()
    start, end = project.period_for(day)
    report = ProgressReport.objects.filter(project=project, period_start=start).first()
    if report is not None:
        return report
    report = core_services.save(
        ProgressReport(project=project, period_start=start, period_end=end), actor=actor
    )
    for position, values in enumerate(planned_rows(project, end), start=1):
        core_services.save(ProgressRow(report=report, position=position, **values), actor=actor)
    return report


ROW_FIELDS = ("percent_complete", "actual_start", "actual_end", "work_done", "next_steps", "problems")
TEXT_FIELDS = ("work_done", "next_steps", "problems")


@transaction.atomic
def fill_rows(report, *, actor, rows: dict) -> list[ProgressRow]:
    """Team members write the rows of a draft table. ``rows`` maps row id → field values."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    _require(actor, "fill_progressreport", report.project)
    core_services.ensure_editable(report)
    existing = {row.pk: row for row in report.rows.all()}
    changed = []
    errors = []
    for row_id, values in rows.items():
        row = existing.get(int(row_id))
        if row is None:
            raise DomainError(_("That row is not part of this progress table."), code=ErrorCode.INVALID)
        before = {name: getattr(row, name) for name in ROW_FIELDS}
        for name in ROW_FIELDS:
            if name not in values:
                continue
            value = values[name]
            if name in TEXT_FIELDS:
                value = (value or "").strip()
            elif value == "":
                value = None
            setattr(row, name, value)
        if row.percent_complete is None:
            row.percent_complete = 0
        try:
            core_services.validate(row)
        except ValidationError as exc:
            errors.extend(_row_errors(row, exc))
            continue
        if before != {name: getattr(row, name) for name in ROW_FIELDS}:
            row.filled_by = actor
            row.filled_at = timezone.now()
            core_services.save(row, actor=actor)
            changed.append(row)
    if errors:
        transaction.set_rollback(True)
        raise DomainError(" ".join(errors), code=ErrorCode.INVALID)
    return changed


def may_mark_done(row, user) -> bool:
    """Only the member the row's task is assigned to marks it done (the lead fills the table)."""
    return user.is_active and row.assignee_user_id is not None and row.assignee_user_id == user.pk


@transaction.atomic
def mark_row_done(report, *, actor, row, done_on: date | None = None) -> ProgressRow:
    """A team member marks a row of their own task done (100 %, finished on ``done_on``, today by
    default) while the table is being filled in; who and when are recorded on the row."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    row_id = str(getattr(row, "pk", row))
    found = (
        ProgressRow.objects.select_related("task__assignee").filter(report=report, pk=int(row_id)).first()
        if row_id.isdigit()
        else None
    )
    if found is None:
        raise DomainError(
            _("That row is not part of this progress table."), field="row", code=ErrorCode.INVALID
        )
    if not may_mark_done(found, actor):
        raise PermissionDenied(_("Only the member the task is assigned to marks its row done."))
    core_services.ensure_editable(report)
    today = timezone.localdate()
    done_on = done_on or min(today, report.period_end)
    if done_on > today:
        raise DomainError(
            _("%(item)s: a task cannot be done on a day still to come (%(day)s).")
            % {"item": found.item, "day": _day(done_on)},
            field="done_on",
            code=ErrorCode.INVALID,
        )
    if found.actual_start and done_on < found.actual_start:
        raise DomainError(
            _("%(item)s: it cannot be done before it started (%(day)s).")
            % {"item": found.item, "day": _day(found.actual_start)},
            field="done_on",
            code=ErrorCode.INVALID,
        )
    if found.percent_complete == 100 and found.actual_end == done_on:
        return found  # already marked: nothing to record twice
    found.percent_complete = 100
    found.actual_end = done_on
    found.filled_by = actor
    found.filled_at = timezone.now()
    core_services.save(found, actor=actor, reason=_("Marked done by %(name)s") % {"name": actor.display_name})
    return found


def _row_errors(row, error: ValidationError) -> list[str]:
    """A row's refusals, each naming the row and, when there is one, the column: a table has
    many of both, and "at most 20000 characters" alone would not say where."""
    if not hasattr(error, "error_dict"):
        return [f"{row.item}: {' '.join(error.messages)}"]
    messages = []
    for name, texts in error.message_dict.items():
        text = " ".join(texts)
        if name == NON_FIELD_ERRORS:
            messages.append(f"{row.item}: {text}")
        else:
            field = row._meta.get_field(name).verbose_name
            messages.append(
                _("%(item)s, %(field)s: %(message)s") % {"item": row.item, "field": field, "message": text}
            )
    return messages


@transaction.atomic
def submit_report(report, *, actor, comment: str = "") -> ProgressReport:
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if not report.rows.exists():
        raise DomainError(
            _("The progress table has no rows: add milestones or tasks first."),
            code=ErrorCode.CONDITION_UNMET,
        )
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    perform_transition(report, "submit", actor=actor, comment=comment)
    notifications.close_deadlines(report, actor=actor)
    return report


@transaction.atomic
def review_report(report, *, actor, comment: str = "") -> ProgressReport:
    """The lead reviews the table; the milestones and tasks take their progress from its rows."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.review_comment = (comment or "").strip()
    perform_transition(report, "review", actor=actor, comment=comment)
    for row in report.rows.select_related("milestone", "task"):
        done_on = row.actual_end or report.period_end
        if row.task_id and row.task is not None:
            task = row.task
            task.percent_complete = row.percent_complete
            task.actual_start = row.actual_start or task.actual_start
            if row.percent_complete == 100:
                task.actual_end = done_on
            elif row.actual_end is None:
                task.actual_end = None
            if task.actual_start and task.actual_end and task.actual_end < task.actual_start:
                task.actual_start = task.actual_end
            core_services.save(
                task, actor=actor, reason=_("From progress report %(report)s") % {"report": report}
            )
        elif row.milestone_id and row.milestone is not None:
            milestone = row.milestone
            milestone.percent_complete = row.percent_complete
            milestone.completed_on = done_on if row.percent_complete == 100 else None
            core_services.save(
                milestone, actor=actor, reason=_("From progress report %(report)s") % {"report": report}
            )
    return report


@transaction.atomic
def return_report(report, *, actor, comment: str) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    report.review_comment = (comment or "").strip()
    report.submitted_at = None
    report.submitted_by = None
    perform_transition(report, "return_for_correction", actor=actor, comment=comment)
    notifications.notify(
        _team(report.project, exclude=actor),
        title=_("Progress report %(report)s was returned for correction") % {"report": report},
        body=comment,
        url=report.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=report,
    )
    return report


# --- completing and accepting -----------------------------------------------------------------


@transaction.atomic
def complete_project(project, *, actor, comment: str = "", actual_end: date | None = None) -> Project:
    """Implementation is complete (every milestone complete); the project awaits acceptance."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ends = [m.completed_on for m in project.milestones.all() if m.completed_on]
    project.actual_end = actual_end or (max(ends) if ends else timezone.localdate())
    if project.actual_start and project.actual_end < project.actual_start:
        project.actual_end = project.actual_start
    perform_transition(project, "complete", actor=actor, comment=comment)
    notifications.notify(
        [user for user in (project.engagement.holder, project.engagement.recorded_by) if user is not None],
        title=_("Project %(code)s is complete and awaits the client's acceptance") % {"code": project.code},
        url=project.get_absolute_url(),
        target=project,
    )
    return project


# --- reminders ------------------------------------------------------------------------------


def _team(project, exclude=None):
    users = {member.user.pk: member.user for member in project.members.select_related("user")}
    users[project.project_lead.pk] = project.project_lead
    if exclude is not None:
        users.pop(exclude.pk, None)
    return [user for user in users.values() if user.is_active]


def report_due_at(report) -> datetime:
    """Reports are due at the end of the period's last day (18:00 local time)."""
    tz = timezone.get_default_timezone()
    return timezone.make_aware(datetime.combine(report.period_end, time(18, 0)), tz)


REMINDER_TITLE = "progress-report-due"


def remind_due_reports(today: date | None = None) -> int:
    """For each in-progress project whose current period has no submitted report: make the
    table (if missing), set its deadline and tell the lead and the team, once. Returns how many
    reports got a new deadline; running it again changes nothing."""
    today = today or timezone.localdate()
    report_type = ContentType.objects.get_for_model(ProgressReport)
    count = 0
    projects = Project.objects.filter(state=ProjectState.IN_PROGRESS).select_related("project_lead")
    for project in projects:
        start, _end = project.period_for(today)
        with transaction.atomic():
            report = ProgressReport.objects.filter(project=project, period_start=start).first()
            if report is None:
                try:
                    with transaction.atomic():
                        report = start_report(project, actor=None, day=today, check_permission=False)
                except IntegrityError:  # made meanwhile by a member
                    report = ProgressReport.objects.get(project=project, period_start=start)
            if report.state != ProgressReportState.DRAFT:
                continue
            if Deadline.objects.filter(target_type=report_type, target_id=report.pk).exists():
                continue  # already announced (open, or closed by an earlier submission)
            notifications.set_deadline(
                report,
                title=_("Submit the progress report %(report)s") % {"report": report},
                due_at=report_due_at(report),
                responsible=project.project_lead,
                url=report.get_absolute_url(),
            )
            notifications.notify(
                _team(project),
                title=_("Progress report %(report)s is due on %(day)s")
                % {"report": report, "day": _day(report.period_end)},
                url=report.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=report,
            )
            count += 1
    return count
