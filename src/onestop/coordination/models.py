"""Project coordination and communication (PRJ-3).

- ``ProjectIssue`` (問題): the issue log — problem, owner, due date, priority, resolution.
- ``ClientReport`` (客戶進度匯報): a progress report to the client, its content frozen as a
  snapshot of the milestones and the latest progress table when it is prepared; ``ClientFeedback``
  is what the client answers; ``ClientReportSchedule`` says how often a project reports.
- ``ChangeRequest`` (變更申請): scope, schedule or budget changes; an approved change becomes a
  new plan version through the plan's own review and approval, then updates the project.
- ``ResourceRequest`` (資源協調申請): what the project needs from another department, and the answer.

Every state change runs through coordination.services (all transitions are ``service_only``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.coordination import rules as r
from onestop.coordination.states import (
    CHANGE_APPROVED,
    CHANGE_EDITABLE,
    CLIENT_REPORT_EDITABLE,
    ChangeRequestState,
    ClientReportState,
    IssueState,
    ResourceRequestState,
)
from onestop.core.access import Kind, register_department, register_team, staff_scope
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.workflow import WorkflowModel

STAFF_ONLY = {"client_organization__isnull": True, "is_active": True}


# --- the issue log ---------------------------------------------------------------------------


class ProjectIssueQuerySet(InternalQuerySet):
    def unresolved(self):
        return self.filter(state=ProjectIssue.State.OPEN)

    def overdue(self, today=None):
        return self.unresolved().filter(due_date__lt=today or timezone.localdate())


class ProjectIssue(WorkflowModel, BusinessModel):
    """項目問題: a problem met during implementation, who owns it, by when, and how it was solved."""

    reason_fields = ("due_date",)  # a plain edit of these says why

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_attachments = True
    allow_comments = True

    State = IssueState

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="issues"
    )
    title = models.CharField(_("problem"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_LONG, blank=True)
    raised_by = actor_field(_("raised by"), null=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_project_issues",
        limit_choices_to=STAFF_ONLY,
    )
    due_date = models.DateField(_("due date"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    resolution = BoundedTextField(_("resolution"), max_length=TEXT_NOTE, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ProjectIssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("project issue")
        verbose_name_plural = _("project issues")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "due_date"], name="issue_open_due")]
        rules_permissions = {
            "view": r.can_view_issue,
            "add": r.can_raise_issue,
            "change": r.can_edit_issue,
            "delete": r.can_delete_issue,
            "resolve": r.can_resolve_issue,
            "close": r.can_edit_issue,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_date < timezone.localdate()

    is_overdue.fget.short_description = _("overdue")

    @property
    def due_display(self):
        """The due date, marked in red when the issue is open past it."""
        text = formats.date_format(self.due_date, "SHORT_DATE_FORMAT") if self.due_date else "—"
        if self.is_overdue:
            return format_html(
                '<span class="badge text-bg-danger"><i class="bi bi-alarm" aria-hidden="true"></i> {} · {}</span>',
                text,
                _("overdue"),
            )
        return text

    due_display.fget.short_description = _("due date")

    def clean(self):
        if self.owner_id and self.owner.client_organization_id is not None:
            raise ValidationError({"owner": _("The owner must be a member of the company's staff.")})

    @transition(
        field=state,
        source=State.OPEN,
        target=State.RESOLVED,
        permission="coordination.resolve_projectissue",
        custom={"label": _("Resolve"), "icon": "check2-circle", "service_only": True},
    )
    def resolve(self):
        self.resolved_at = timezone.now()

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        permission="coordination.close_projectissue",
        custom={"label": _("Close"), "icon": "archive", "service_only": True},
    )
    def close(self):
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=[State.RESOLVED, State.CLOSED],
        target=State.OPEN,
        permission="coordination.close_projectissue",
        custom={"label": _("Reopen"), "icon": "arrow-counterclockwise", "service_only": True},
    )
    def reopen(self):
        self.resolved_at = None
        self.closed_at = None


# --- client progress reports -------------------------------------------------------------------


class ClientReportQuerySet(ScopedQuerySet):
    """Staff who need to know see a report (core/access.py); a client user its organisation's reports once sent."""

    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(
            project__engagement__client_id=user.client_organization_id, state=ClientReport.State.SENT
        )


class ClientReport(WorkflowModel, BusinessModel):
    """客戶進度匯報: the project's progress reported to the client (PRJ-3).

    ``snapshot`` holds the milestones and the latest progress table as they were when the
    report was prepared; once sent it never changes, whatever happens to the project later.
    """

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    State = ClientReportState
    editable_states = CLIENT_REPORT_EDITABLE

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="client_reports",
    )
    number = models.PositiveIntegerField(_("report number"), editable=False)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    summary = BoundedTextField(
        _("summary by the project lead"),
        max_length=TEXT_LONG,
        help_text=_("What was achieved, what comes next, and what the client should know or decide."),
    )
    snapshot = models.JSONField(_("report content"), default=dict, blank=True, editable=False)
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    prepared_by = actor_field(_("prepared by"), null=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    sent_by = actor_field(_("sent by"))
    history = HistoricalRecords()

    objects = ClientReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("client progress report")
        verbose_name_plural = _("client progress reports")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_client_report_per_number"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="client_report_period_ordered",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_report,
            "add": r.can_prepare_report,
            "change": r.can_edit_report,
            "delete": r.can_edit_report,
            "send": r.can_send_report,
        }

    def __str__(self) -> str:
        code = self.project.code if self.project_id else ""
        return str(_("%(code)s progress report %(number)s")) % {"code": code, "number": self.number or ""}

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    @property
    def milestones(self) -> list[dict]:
        return self.snapshot.get("milestones", [])

    @property
    def progress(self) -> list[dict]:
        return self.snapshot.get("progress", [])

    @property
    def overall_percent(self):
        value = self.snapshot.get("overall_percent")
        return None if value is None else f"{value}%"

    overall_percent.fget.short_description = _("overall percentage complete")

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SENT,
        permission="coordination.send_clientreport",
        custom={"label": _("Send to the client"), "icon": "send", "service_only": True},
    )
    def send(self, actor=None):
        self.sent_at = timezone.now()
        self.sent_by = actor


class ClientReportScheduleQuerySet(InternalQuerySet):
    def due(self, today=None):
        return self.filter(active=True, next_due__lte=today or timezone.localdate())


class ClientReportSchedule(BusinessModel):
    """匯報計劃: how often a project reports its progress to the client."""

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="client_report_schedule",
    )
    every_weeks = models.PositiveSmallIntegerField(
        _("every (weeks)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    next_due = models.DateField(_("next report due"))
    active = models.BooleanField(_("active"), default=True)
    last_report = models.ForeignKey(
        ClientReport,
        verbose_name=_("last report sent by the schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    objects = ClientReportScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("client report schedule")
        verbose_name_plural = _("client report schedules")
        ordering = ["next_due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_weeks__gte=1, every_weeks__lte=26), name="report_schedule_weeks"
            )
        ]
        rules_permissions = {
            "view": r.can_view_schedule,
            "add": r.can_add_schedule,
            "change": r.can_manage_schedule,
            "delete": r.can_manage_schedule,
        }

    def __str__(self) -> str:
        return str(_("%(project)s: every %(weeks)s weeks")) % {
            "project": self.project.code if self.project_id else "",
            "weeks": self.every_weeks,
        }

    @property
    def period_days(self) -> int:
        return 7 * self.every_weeks


class ClientFeedbackQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(
            report__project__engagement__client_id=user.client_organization_id,
            report__state=ClientReport.State.SENT,
        )


class ClientFeedback(BusinessModel):
    """客戶意見: the client's answer to a progress report, with an optional rating."""

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "report__project__engagement"

    report = models.ForeignKey(
        ClientReport, verbose_name=_("progress report"), on_delete=models.CASCADE, related_name="feedback"
    )
    text = BoundedTextField(_("feedback"), max_length=5000)
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Optional: 5 is very satisfied, 1 very dissatisfied."),
    )
    author = actor_field(_("given by"), null=False)
    history = HistoricalRecords()

    objects = ClientFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("client feedback")
        verbose_name_plural = _("client feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="client_feedback_rating_1_to_5",
            )
        ]
        rules_permissions = {
            "view": r.can_view_feedback,
            "add": r.can_give_feedback,
            "change": r.can_edit_feedback,
            "delete": r.can_edit_feedback,
        }

    def __str__(self) -> str:
        return f"{self.report} · {self.text[:30]}"

    def clean(self):
        if self.report_id and self.report.state != ClientReport.State.SENT:
            raise ValidationError({"report": _("Feedback can be given only on a report that was sent.")})


# --- change requests ---------------------------------------------------------------------------


def parse_milestone_rows(text: str) -> list[dict]:
    """Rows of "YYYY-MM-DD name | deliverables", one per line, as dicts (ValidationError if bad)."""
    rows, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _sep, deliverables = line.partition("|")
        parts = head.strip().split(None, 1)
        try:
            due = datetime.date.fromisoformat(parts[0])
        except (ValueError, IndexError):
            errors.append(
                _("Line %(line)s: start with the date as YYYY-MM-DD, then the milestone name.")
                % {"line": number}
            )
            continue
        if len(parts) < 2 or not parts[1].strip():
            errors.append(_("Line %(line)s: give the milestone name after the date.") % {"line": number})
            continue
        rows.append({"name": parts[1].strip()[:200], "due_date": due, "deliverables": deliverables.strip()})
    if errors:
        raise ValidationError(errors)
    return rows


class ChangeRequest(WorkflowModel, BusinessModel):
    """變更申請: a change of scope, schedule or budget asked by the project lead (PRJ-3).

    Approved by management, it becomes a new version of the plan (prefilled with the change)
    that goes through the plan's review and approval; when that version takes effect the
    project follows it and the request is implemented. Until then nothing changes.
    """

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_attachments = True
    allow_comments = True

    class Kind(models.TextChoices):
        SCOPE = "scope", _("Scope")
        SCHEDULE = "schedule", _("Schedule")
        BUDGET = "budget", _("Budget")

    State = ChangeRequestState
    editable_states = CHANGE_EDITABLE

    APPROVED_STATES = CHANGE_APPROVED

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    kind = models.CharField(_("kind of change"), max_length=10, choices=Kind.choices)
    description = BoundedTextField(_("what should change"), max_length=TEXT_LONG)
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    new_service_content = BoundedTextField(
        _("new service content"),
        max_length=TEXT_LONG,
        blank=True,
        help_text=_("Empty: the service content stays as it is."),
    )
    new_period_end = models.DateField(
        _("new end of the service period"), null=True, blank=True, help_text=_("Empty: unchanged.")
    )
    fee_change = models.DecimalField(
        _("fee change"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Added to the agreed fee; negative for a reduction."),
    )
    milestone_changes = BoundedTextField(
        _("milestone changes"),
        max_length=TEXT_LONG,
        blank=True,
        help_text=_(
            "One per line: the date (YYYY-MM-DD), a space, the milestone name, optionally “| deliverables”. "
            "A known name moves that milestone; a new name adds one."
        ),
    )
    impact = BoundedTextField(
        _("impact"),
        max_length=TEXT_LONG,
        help_text=_("On the schedule, the cost, the quality and the risks."),
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    requested_by = actor_field(_("requested by"), null=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_comment = BoundedTextField(
        _("management's comment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("resulting plan version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
        editable=False,
    )
    implemented_at = models.DateTimeField(_("implemented"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_change,
            "add": r.can_request_change,
            "change": r.can_edit_change,
            "delete": r.can_edit_change,
            "submit": r.can_edit_change,
            "decide": r.can_decide_change,
        }

    def __str__(self) -> str:
        code = self.project.code if self.project_id else ""
        return str(_("%(code)s change %(kind)s #%(pk)s")) % {
            "code": code,
            "kind": self.get_kind_display() if self.kind else "",
            "pk": self.pk or "",
        }

    @property
    def milestone_rows(self) -> list[dict]:
        try:
            return parse_milestone_rows(self.milestone_changes)
        except ValidationError:
            return []

    def has_change(self) -> bool:
        return bool(
            self.new_service_content.strip()
            or self.new_period_end
            or (self.fee_change or 0) != 0
            or self.milestone_changes.strip()
        )

    def clean(self):
        errors = {}
        try:
            parse_milestone_rows(self.milestone_changes)
        except ValidationError as exc:
            errors["milestone_changes"] = exc.messages
        if not self.has_change():
            errors["__all__"] = _(
                "Say what changes: the service content, the end of the period, the fee or milestones."
            )
        if self.project_id and self.new_period_end and self.new_period_end < self.project.planned_start:
            errors["new_period_end"] = _("The service period cannot end before the project starts.")
        if not errors:
            errors.update(self._milestones_outside_period())
        if errors:
            raise ValidationError(errors)

    def _milestones_outside_period(self) -> dict:
        """The plan as it would be after the change must keep every milestone within the service
        period: a moved or added milestone after the (new) end, or a shortened period that leaves
        a milestone behind, is refused now rather than when management approves."""
        version = self.project.plan_version if self.project_id else None
        if version is None:
            return {}
        start, end = version.period_start, self.new_period_end or version.period_end
        moved = {row["name"]: row["due_date"] for row in parse_milestone_rows(self.milestone_changes)}
        dates = {m.name: m.due_date for m in version.milestones.all()} | moved
        outside = sorted((due, name) for name, due in dates.items() if not start <= due <= end)
        if not outside:
            return {}
        due, name = outside[0]
        message = _("“%(name)s” would be due on %(due)s, outside the service period %(start)s – %(end)s.") % {
            "name": name,
            "due": due.isoformat(),
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        return {"milestone_changes" if name in moved else "new_period_end": message}

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission="coordination.submit_changerequest",
        custom={"label": _("Submit for decision"), "icon": "send", "service_only": True},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="coordination.decide_changerequest",
        custom={"label": _("Approve"), "icon": "patch-check", "style": "success", "service_only": True},
    )
    def approve(self, actor=None, comment=""):
        self.decided_by = actor
        self.decided_at = timezone.now()
        self.decision_comment = comment

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission="coordination.decide_changerequest",
        custom={
            "label": _("Reject"),
            "icon": "x-circle",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def reject(self, actor=None, comment=""):
        self.decided_by = actor
        self.decided_at = timezone.now()
        self.decision_comment = comment

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.IMPLEMENTED,
        permission=lambda obj, user: True,  # run by the plan's approval (a signal), never by a person
        custom={"label": _("Implemented"), "service_only": True},
    )
    def implement(self):
        self.implemented_at = timezone.now()


# --- resource requests -------------------------------------------------------------------------


class ResourceRequest(WorkflowModel, BusinessModel):
    """資源協調申請: people, equipment or support a project asks of another department."""

    access_kind = Kind.COORDINATION  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_comments = True

    State = ResourceRequestState

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="resource_requests",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department asked"),
        on_delete=models.PROTECT,
        related_name="resource_requests",
    )
    needed = BoundedTextField(_("what is needed"), max_length=TEXT_NOTE)
    quantity = models.CharField(
        _("quantity / period"), max_length=200, help_text=_("For example: 2 testers for 3 weeks.")
    )
    needed_by = models.DateField(_("needed by"))
    requested_by = actor_field(_("requested by"), null=False)
    state = StateField(_("state"), choices=State.choices, default=State.REQUESTED, protected=True)
    answer = BoundedTextField(_("answer"), max_length=TEXT_NOTE, blank=True, editable=False)
    answered_by = actor_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_resource_request,
            "add": r.can_request_resources,
            "change": r.can_edit_resource_request,
            "delete": r.can_edit_resource_request,
            "answer": r.can_answer_resource_request,
        }

    def __str__(self) -> str:
        department = self.department.name if self.department_id else ""
        return f"{department}：{self.needed[:40]}"

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        permission="coordination.answer_resourcerequest",
        custom={"label": _("Approve"), "icon": "check2-circle", "style": "success", "service_only": True},
    )
    def approve(self, actor=None, comment=""):
        self.answer = comment
        self.answered_by = actor
        self.answered_at = timezone.now()

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.DECLINED,
        permission="coordination.answer_resourcerequest",
        custom={
            "label": _("Decline"),
            "icon": "x-circle",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def decline(self, actor=None, comment=""):
        self.answer = comment
        self.answered_by = actor
        self.answered_at = timezone.now()


# The people (and departments) on an engagement's team through this app's records.
register_team("coordination.ProjectIssue", engagement="project__engagement", users=("owner", "raised_by"))
register_team("coordination.ChangeRequest", engagement="project__engagement", users=("requested_by",))
register_department("coordination.ResourceRequest", engagement="project__engagement", department="department")
