"""Project coordination use cases (PRJ-3). The HTML views, the API and the jobs call these.

Each function takes the acting user, runs in one transaction, writes history and the transition
log, and sends notifications through notifications.notify (e-mailed after the commit).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
    parse_milestone_rows,
)
from onestop.coordination.states import ChangeRequestState, IssueState
from onestop.core import policy
from onestop.core import services as core_services
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.notifications import calendar
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification
from onestop.plans import services as plans_services
from onestop.plans.models import Plan
from onestop.projects.models import Milestone, Project
from onestop.projects.selectors import latest_progress
from onestop.projects.states import ACTIVE as ACTIVE_PROJECT_STATES
from onestop.projects.states import ProjectState


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"coordination.{perm}", obj):
        raise PermissionDenied


def _short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _management():
    return list(get_user_model().objects.with_role(Role.MANAGEMENT))


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


def _check_project_open(project, what: str) -> None:
    if project.state not in ACTIVE_PROJECT_STATES:
        raise DomainError(
            _("%(what)s only for a project being implemented; %(code)s is “%(state)s”.")
            % {"what": what, "code": project.code, "state": project.state_label()},
            field="project",
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )


def client_users(project):
    """The active users of the project's client organisation (the portal side)."""
    return list(
        get_user_model().objects.filter(client_organization_id=project.engagement.client_id, is_active=True)
    )


# --- the issue log -----------------------------------------------------------------------------


def _issue_deadline(issue, actor):
    notifications.set_deadline(
        issue,
        title=_("Solve the issue “%(title)s”") % {"title": _short(issue.title, 80)},
        due_at=_end_of_day(issue.due_date),
        responsible=issue.owner,
        escalate_to=issue.project.project_lead if issue.project.project_lead_id != issue.owner_id else None,
        url=issue.get_absolute_url(),
        actor=actor,
    )


@transaction.atomic
def raise_issue(project, *, actor, title, owner, due_date, priority="normal", description="") -> ProjectIssue:
    """Record a problem met in the project, with its owner and due date (PRJ-3)."""
    _require(actor, "add_projectissue")
    _check_project_open(project, _("Issues can be raised"))
    issue = ProjectIssue(
        project=project,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        priority=priority,
        raised_by=actor,
    )
    core_services.save(issue, actor=actor, reason=_("Issue raised"))
    _issue_deadline(issue, actor)
    recipients = {owner, project.project_lead} - {actor}
    notifications.notify(
        recipients,
        title=_("Issue in %(code)s: %(title)s") % {"code": project.code, "title": title},
        body=_("Owner: %(owner)s, due %(due)s.") % {"owner": owner.display_name, "due": due_date},
        url=issue.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=issue,
    )
    return issue


@transaction.atomic
def update_issue(issue, *, actor, **fields) -> ProjectIssue:
    """Edit the problem, owner, due date or priority; a new owner or date moves the deadline."""
    _require(actor, "change_projectissue", issue)
    before = (issue.owner_id, issue.due_date)
    for name, value in fields.items():
        if name not in ("title", "description", "owner", "due_date", "priority"):
            raise DomainError(
                _("“%(name)s” cannot be changed here.") % {"name": name}, field=name, code=ErrorCode.INVALID
            )
        setattr(issue, name, value)
    core_services.save(issue, actor=actor, reason=_("Issue edited"))
    if issue.state == IssueState.OPEN and before != (issue.owner_id, issue.due_date):
        notifications.close_deadlines(issue, actor=actor)
        _issue_deadline(issue, actor)
        if before[0] != issue.owner_id and issue.owner != actor:
            notifications.notify(
                [issue.owner],
                title=_("You own the issue “%(title)s” in %(code)s")
                % {"title": issue.title, "code": issue.project.code},
                url=issue.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=issue,
            )
    return issue


@transaction.atomic
def resolve_issue(issue, *, actor, resolution: str) -> ProjectIssue:
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(
            _("Describe how the issue was resolved."), field="resolution", code=ErrorCode.INVALID
        )
    issue.resolution = resolution
    perform_transition(issue, "resolve", actor=actor, comment=_short(resolution))
    notifications.close_deadlines(issue, actor=actor)
    notifications.notify(
        {issue.raised_by, issue.project.project_lead} - {actor},
        title=_("Issue resolved: %(title)s") % {"title": issue.title},
        body=resolution,
        url=issue.get_absolute_url(),
        target=issue,
    )
    return issue


@transaction.atomic
def close_issue(issue, *, actor, comment: str = "") -> ProjectIssue:
    perform_transition(issue, "close", actor=actor, comment=_short(comment))
    return issue


@transaction.atomic
def reopen_issue(issue, *, actor, comment: str) -> ProjectIssue:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say why the issue is reopened."), field="comment", code=ErrorCode.INVALID)
    perform_transition(issue, "reopen", actor=actor, comment=_short(comment))
    _issue_deadline(issue, actor)
    notifications.notify(
        {issue.owner} - {actor},
        title=_("Issue reopened: %(title)s") % {"title": issue.title},
        body=comment,
        url=issue.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=issue,
    )
    return issue


# --- client progress reports -------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def build_snapshot(project) -> dict:
    """The report's content from the project's milestones and its latest progress table."""
    milestones = [
        {
            "name": m.name,
            "planned_date": m.planned_date.isoformat(),
            "percent_complete": m.percent_complete,
            "completed_on": m.completed_on.isoformat() if m.completed_on else None,
            "deliverables": m.deliverables,
        }
        for m in project.milestones.order_by("planned_date", "pk")
    ]
    progress = [{key: _jsonable(value) for key, value in row.items()} for row in latest_progress(project)]
    overall = round(sum(m["percent_complete"] for m in milestones) / len(milestones)) if milestones else None
    return {
        "project": {"code": project.code, "name": project.name},
        "planned_start": project.planned_start.isoformat(),
        "planned_end": project.planned_end.isoformat(),
        "overall_percent": overall,
        "milestones": milestones,
        "progress": progress,
        "taken_at": timezone.now().isoformat(),
    }


@transaction.atomic
def prepare_report(project, *, actor, period_start, period_end, summary: str) -> ClientReport:
    """The project lead prepares a progress report; its content is taken from the project now."""
    _require(actor, "add_clientreport")
    if not actor.has_perm("projects.manage_project", project):
        raise PermissionDenied
    _check_project_open(project, _("Progress reports can be prepared"))
    type(project).objects.select_for_update().filter(pk=project.pk).first()
    number = (ClientReport.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
    report = ClientReport(
        project=project,
        number=number,
        period_start=period_start,
        period_end=period_end,
        summary=(summary or "").strip(),
        snapshot=build_snapshot(project),
        prepared_by=actor,
    )
    try:
        with transaction.atomic():
            core_services.save(report, actor=actor, reason=_("Report prepared"))
    except IntegrityError:
        raise ConflictError(_("Someone prepared a report at the same moment. Reload the page.")) from None
    return report


@transaction.atomic
def update_report(report, *, actor, refresh: bool = True, **fields) -> ClientReport:
    """Edit a draft report (period, summary); its content is taken again from the project."""
    _require(actor, "change_clientreport", report)
    ClientReport.objects.select_for_update().filter(pk=report.pk).first()
    core_services.ensure_editable(report)  # a report that was sent never changes
    for name, value in fields.items():
        if name not in ("period_start", "period_end", "summary"):
            raise DomainError(
                _("“%(name)s” cannot be changed here.") % {"name": name}, field=name, code=ErrorCode.INVALID
            )
        setattr(report, name, value)
    if refresh:
        report.snapshot = build_snapshot(report.project)
    return core_services.save(report, actor=actor, reason=_("Report edited"))


@transaction.atomic
def send_report(report, *, actor) -> ClientReport:
    """Send the report to the client organisation's users (portal inbox and e-mail)."""
    if not report.summary.strip():
        raise DomainError(
            _("Write the summary before sending the report."), field="summary", code=ErrorCode.CONDITION_UNMET
        )
    recipients = client_users(report.project)
    if not recipients:
        raise DomainError(
            _("%(client)s has no active portal user to send the report to.")
            % {"client": report.project.engagement.client},
            code=ErrorCode.CONDITION_UNMET,
        )
    perform_transition(report, "send", actor=actor)
    notifications.notify(
        recipients,
        title=_("Progress report %(number)s on %(name)s")
        % {"number": report.number, "name": report.project.name},
        body=report.summary,
        url=report.get_absolute_url(),
        level=Notification.Level.INFO,
        target=report,
    )
    return report


@transaction.atomic
def give_feedback(report, *, actor, text: str, rating=None) -> ClientFeedback:
    """The client answers a sent report; the project lead is told."""
    _require(actor, "add_clientfeedback")
    if not ClientReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied
    if rating in ("", None):
        rating = None
    feedback = ClientFeedback(report=report, text=(text or "").strip(), rating=rating, author=actor)
    core_services.save(feedback, actor=actor, reason=_("Feedback given"))
    project = report.project
    notifications.notify(
        [project.project_lead],
        title=_("%(client)s answered progress report %(number)s of %(code)s")
        % {"client": actor.display_name, "number": report.number, "code": project.code},
        body=feedback.text + (f"\n{_('Rating')}: {rating}/5" if rating else ""),
        url=report.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=report,
    )
    return feedback


@transaction.atomic
def update_feedback(feedback, *, actor, text: str, rating=None) -> ClientFeedback:
    _require(actor, "change_clientfeedback", feedback)
    feedback.text = (text or "").strip()
    feedback.rating = rating if rating not in ("", None) else None
    return core_services.save(feedback, actor=actor, reason=_("Feedback edited"))


def send_due_reports(today=None) -> int:
    """The periodic job: for each active schedule that is due, prepare and send one report.

    Idempotent: each schedule is claimed by moving its due date with a conditional UPDATE
    before the report is made, so a second run (or a second worker) sends nothing twice.
    Returns how many reports were sent.
    """
    today = today or timezone.localdate()
    sent = 0
    for schedule in ClientReportSchedule.objects.due(today).select_related(
        "project", "project__project_lead", "project__engagement"
    ):
        project = schedule.project
        if project.state != ProjectState.IN_PROGRESS:
            continue
        next_due = schedule.next_due
        while next_due <= today:
            next_due += datetime.timedelta(days=schedule.period_days)
        try:
            with transaction.atomic():
                claimed = ClientReportSchedule.objects.filter(
                    pk=schedule.pk, next_due=schedule.next_due, active=True
                ).update(next_due=next_due, updated_at=timezone.now())
                if not claimed:
                    continue
                lead = project.project_lead
                start = max(today - datetime.timedelta(days=schedule.period_days - 1), project.planned_start)
                report = prepare_report(
                    project,
                    actor=lead,
                    period_start=min(start, today),
                    period_end=today,
                    summary=_(
                        "Scheduled progress report: the milestones and the latest progress table are attached below."
                    ),
                )
                send_report(report, actor=lead)
                ClientReportSchedule.objects.filter(pk=schedule.pk).update(last_report=report)
                sent += 1
        except (DomainError, PermissionDenied) as exc:
            # Nothing was sent; the lead is told why and the schedule tries again next period.
            message = getattr(exc, "message", "") or _("The project lead may not send it.")
            notifications.notify(
                [project.project_lead],
                title=_("The scheduled progress report of %(code)s could not be sent")
                % {"code": project.code},
                body=str(message),
                url=schedule.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=schedule,
            )
            ClientReportSchedule.objects.filter(pk=schedule.pk).update(next_due=next_due)
    return sent


# --- change requests -----------------------------------------------------------------------------


CHANGE_FIELDS = (
    "kind",
    "description",
    "reason",
    "new_service_content",
    "new_period_end",
    "fee_change",
    "milestone_changes",
    "impact",
)


@transaction.atomic
def request_change(project, *, actor, **fields) -> ChangeRequest:
    """The project lead drafts a change request (scope, schedule or budget)."""
    _require(actor, "add_changerequest")
    if not actor.has_perm("projects.manage_project", project):
        raise PermissionDenied
    _check_project_open(project, _("Changes can be requested"))
    unknown = set(fields) - set(CHANGE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(
            _("“%(name)s” cannot be set here.") % {"name": name}, field=name, code=ErrorCode.INVALID
        )
    change = ChangeRequest(project=project, requested_by=actor, **fields)
    return core_services.save(change, actor=actor, reason=_("Change request drafted"))


@transaction.atomic
def update_change(change, *, actor, **fields) -> ChangeRequest:
    _require(actor, "change_changerequest", change)
    ChangeRequest.objects.select_for_update().filter(pk=change.pk).first()
    core_services.ensure_editable(change)
    for name, value in fields.items():
        if name not in CHANGE_FIELDS:
            raise DomainError(
                _("“%(name)s” cannot be changed here.") % {"name": name}, field=name, code=ErrorCode.INVALID
            )
        setattr(change, name, value)
    return core_services.save(change, actor=actor, reason=_("Change request edited"))


@transaction.atomic
def submit_change(change, *, actor, comment: str = "") -> ChangeRequest:
    try:
        core_services.validate(change)
    except ValidationError as exc:
        raise core_services.domain_error(exc) from None
    perform_transition(change, "submit", actor=actor, comment=_short(comment))
    managers = _management()
    due = calendar.add_working_days(
        timezone.now(), policy.value("coordination.decide_working_days", at=change.created_at)
    )
    for manager in managers[:1]:
        notifications.set_deadline(
            change,
            title=_("Decide on %(change)s") % {"change": change},
            due_at=due,
            responsible=manager,
            url=change.get_absolute_url(),
            actor=actor,
        )
    notifications.notify(
        managers,
        title=_("Change request to decide: %(change)s") % {"change": change},
        body=change.description,
        url=change.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=change,
    )
    return change


def _changed_milestones(latest_version, rows) -> list[dict]:
    """The plan version's milestones with the requested rows applied (same name: moved; new: added)."""
    milestones = [
        {"name": m.name, "due_date": m.due_date, "deliverables": m.deliverables}
        for m in latest_version.milestones.order_by("due_date", "pk")
    ]
    by_name = {m["name"]: m for m in milestones}
    for row in rows:
        existing = by_name.get(row["name"])
        if existing is None:
            milestones.append(dict(row))
            by_name[row["name"]] = milestones[-1]
        else:
            existing["due_date"] = row["due_date"]
            if row["deliverables"]:
                existing["deliverables"] = row["deliverables"]
    return sorted(milestones, key=lambda m: (m["due_date"], m["name"]))


@transaction.atomic
def approve_change(change, *, actor, comment: str = "") -> ChangeRequest:
    """Management approves: a new plan version is started with the change and linked.

    The version then goes through the plan's review and approval; the project follows it only
    when it takes effect (``apply_effective_version``).
    """
    comment = (comment or "").strip()
    perform_transition(change, "approve", actor=actor, comment=comment)
    plan = Plan.objects.get(engagement_id=change.project.engagement_id)
    note = _("Change request %(change)s: %(description)s\nReason: %(reason)s") % {
        "change": change,
        "description": change.description,
        "reason": change.reason,
    }
    version = plans_services.new_version(plan, actor=actor, change_note=note)
    content = {}
    if change.new_service_content.strip():
        content["service_content"] = change.new_service_content.strip()
    if change.new_period_end:
        content["period_end"] = change.new_period_end
    if change.fee_change:
        new_fee = version.fee + change.fee_change
        if new_fee < 0:
            raise DomainError(
                _("The fee change would make the fee negative (%(fee)s).") % {"fee": f"{new_fee:,.2f}"},
                field="fee_change",
                code=ErrorCode.INVALID,
            )
        content["fee"] = new_fee
    rows = parse_milestone_rows(change.milestone_changes)
    milestones = _changed_milestones(version, rows) if rows else None
    try:
        plans_services.update_version(version, actor=actor, milestones=milestones, **content)
    except ValidationError as exc:
        raise DomainError(
            _("The change cannot be applied to the plan: %(errors)s") % {"errors": "; ".join(exc.messages)}
        ) from None
    change.plan_version = version
    core_services.save(
        change, actor=actor, reason=_("Plan version %(number)s started") % {"number": version.number}
    )
    notifications.close_deadlines(change, actor=actor)
    notifications.notify(
        {change.requested_by, change.project.project_lead, plan.project_lead} - {actor},
        title=_("%(change)s approved: plan version %(version)s to review")
        % {"change": change, "version": version},
        body=comment or _("Submit the new plan version for review and approval."),
        url=plan.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=change,
    )
    return change


@transaction.atomic
def reject_change(change, *, actor, comment: str) -> ChangeRequest:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(
            _("Give the reason for rejecting the change."), field="comment", code=ErrorCode.INVALID
        )
    perform_transition(change, "reject", actor=actor, comment=comment)
    notifications.close_deadlines(change, actor=actor)
    notifications.notify(
        {change.requested_by, change.project.project_lead} - {actor},
        title=_("%(change)s was rejected") % {"change": change},
        body=comment,
        url=change.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=change,
    )
    return change


def _sync_milestones(project, version, actor) -> None:
    """Move the project's milestones onto the version's: same plan milestone name → dates and
    deliverables updated; new ones added; completed ones kept as they are; others that no
    longer exist in the plan removed when nothing refers to them."""
    current = list(Milestone.objects.filter(project=project).select_related("source"))
    by_name: dict[str, Milestone] = {}
    milestone: Milestone | None  # by_name.get() below may find none
    for milestone in current:
        by_name.setdefault(milestone.source.name if milestone.source else milestone.name, milestone)
        by_name.setdefault(milestone.name, milestone)
    matched = set()
    for source in version.milestones.order_by("due_date", "pk"):
        milestone = by_name.get(source.name)
        if milestone is None or milestone.pk in matched:
            milestone = Milestone(project=project, name=source.name, planned_date=source.due_date)
        matched.add(milestone.pk)
        milestone.source = source
        if not milestone.is_complete:
            milestone.name = source.name
            milestone.planned_date = source.due_date
            milestone.deliverables = source.deliverables
        milestone._history_user = actor
        milestone._change_reason = _("Plan version %(number)s took effect") % {"number": version.number}
        milestone.full_clean()
        milestone.save()
        matched.add(milestone.pk)
    for milestone in current:
        if milestone.pk in matched or milestone.is_complete or milestone.percent_complete:
            continue
        milestone._history_user = actor
        try:
            with transaction.atomic():
                milestone.delete()
        except (ProtectedError, RestrictedError):
            pass  # progress rows refer to it: kept


def apply_effective_version(*, plan, version, actor) -> None:
    """Receiver of plans.signals.version_took_effect (inside the approval's transaction).

    The project following the plan moves onto the new version (milestones, planned end), and
    the approved change requests that produced the version are marked implemented.
    """
    project = Project.objects.filter(engagement_id=plan.engagement_id).first()
    if project is None or project.plan_version_id == version.pk:
        return
    project.plan_version = version
    if version.period_end >= project.planned_start:
        project.planned_end = version.period_end
    project._history_user = actor
    project._change_reason = _("Follows plan version %(number)s") % {"number": version.number}
    project.save(update_fields=["plan_version", "planned_end", "updated_at"])
    _sync_milestones(project, version, actor)
    for change in ChangeRequest.objects.filter(plan_version=version, state=ChangeRequestState.APPROVED):
        perform_transition(
            change,
            "implement",
            actor=actor,
            comment=_("Plan version %(number)s took effect") % {"number": version.number},
        )
        notifications.notify(
            {change.requested_by, project.project_lead},
            title=_("%(change)s is implemented: the project follows plan version %(number)s")
            % {"change": change, "number": version.number},
            url=change.get_absolute_url(),
            target=change,
        )


# --- resource requests ---------------------------------------------------------------------------


def _answerers(department):
    if department.head_id and department.head.is_active:
        return [department.head]
    return _management()


@transaction.atomic
def request_resources(project, *, actor, department, needed, quantity, needed_by) -> ResourceRequest:
    """Ask another department for people, equipment or support; its head is told and given a deadline."""
    _require(actor, "add_resourcerequest")
    _check_project_open(project, _("Resources can be requested"))
    request = ResourceRequest(
        project=project,
        department=department,
        needed=(needed or "").strip(),
        quantity=(quantity or "").strip(),
        needed_by=needed_by,
        requested_by=actor,
    )
    core_services.save(request, actor=actor, reason=_("Resources requested"))
    answerers = _answerers(department)
    answer_days = policy.value("coordination.answer_working_days", at=request.created_at)  # EXT-4
    due = min(calendar.add_working_days(timezone.now(), answer_days), _end_of_day(needed_by))
    if due < timezone.now():
        due = calendar.add_working_days(timezone.now(), 1)
    for person in answerers[:1]:
        notifications.set_deadline(
            request,
            title=_("Answer the resource request of %(code)s") % {"code": project.code},
            due_at=due,
            responsible=person,
            escalate_to=next(iter(m for m in _management() if m != person), None),
            url=request.get_absolute_url(),
            actor=actor,
        )
    notifications.notify(
        answerers,
        title=_("%(code)s asks %(department)s for: %(needed)s")
        % {"code": project.code, "department": department.name, "needed": _short(request.needed, 80)},
        body=_("%(quantity)s, needed by %(date)s.") % {"quantity": request.quantity, "date": needed_by},
        url=request.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=request,
    )
    return request


@transaction.atomic
def update_resource_request(request, *, actor, **fields) -> ResourceRequest:
    _require(actor, "change_resourcerequest", request)
    for name, value in fields.items():
        if name not in ("department", "needed", "quantity", "needed_by"):
            raise DomainError(
                _("“%(name)s” cannot be changed here.") % {"name": name}, field=name, code=ErrorCode.INVALID
            )
        setattr(request, name, value)
    return core_services.save(request, actor=actor, reason=_("Resource request edited"))


@transaction.atomic
def answer_resource_request(request, *, actor, approved: bool, answer: str) -> ResourceRequest:
    """The department head (or management) approves or declines, with the answer text."""
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer to the request."), field="answer")
    perform_transition(request, "approve" if approved else "decline", actor=actor, comment=answer)
    notifications.close_deadlines(request, actor=actor)
    notifications.notify(
        {request.requested_by, request.project.project_lead} - {actor},
        title=(
            _("%(department)s approved your resource request")
            if approved
            else _("%(department)s declined your resource request")
        )
        % {"department": request.department.name},
        body=answer,
        url=request.get_absolute_url(),
        level=Notification.Level.INFO,
        target=request,
    )
    return request
