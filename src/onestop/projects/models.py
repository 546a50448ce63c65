"""Project implementation (PRJ-1..3): the project opened from a signed contract, its milestones.

A ``Project`` (項目) belongs to one engagement and is opened only from its signed contract
(``projects.services.open_project``), taking the effective plan version's milestones,
staffing and budget. ``Milestone`` rows are the project's own copy of the plan's milestones,
with the actual completion; a change request that is approved updates them.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.access import Kind, register_team
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, TEXT_REPORT, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ClientScopedQuerySet, InternalQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.projects import rules as r
from onestop.projects.states import REPORT_EDITABLE, ProgressReportState, ProjectState


class ProjectQuerySet(ClientScopedQuerySet):
    client_field = "engagement__client_id"


@condition(_("Every milestone must be complete first."))
def all_milestones_complete(project) -> bool:
    return not project.milestones.filter(completed_on__isnull=True).exists()


class Project(WorkflowModel, BusinessModel):
    """項目: the implementation of one engagement's signed contract (PRJ-1)."""

    reason_fields = ("project_lead", "planned_start", "planned_end")  # a plain edit of these says why

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "engagement"

    allow_attachments = True
    allow_comments = True

    State = ProjectState

    code = models.CharField(_("project number"), max_length=20, unique=True, editable=False)
    engagement = models.OneToOneField(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="project",
    )
    contract = models.OneToOneField(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="project"
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan version followed"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The effective plan version the project follows; an approved change moves it on."),
    )
    name = models.CharField(_("project name"), max_length=200)
    project_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project lead"),
        on_delete=models.PROTECT,
        related_name="led_projects",
        limit_choices_to={"groups__name": "project_lead", "is_active": True},
    )
    state = StateField(_("state"), choices=State.choices, default=State.OPENED, protected=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    opened_by = actor_field(_("opened by"))
    progress_period_days = models.PositiveSmallIntegerField(
        _("progress reporting period (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(92)],
        help_text=_("7: weekly, Monday to Sunday; any other length counts from the project's start."),
    )
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-pk"]
        # The list's default order, alone and per project lead (issue 16).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="project_created"),
            models.Index(fields=["project_lead", "-created_at", "-id"], name="project_lead_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")), name="project_period_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_project,
            "add": r.can_open_project,
            "change": r.can_manage_project,
            "delete": r.can_delete_project,
            "manage": r.can_manage_project,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The project cannot end before it starts.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The project cannot have finished before it started.")
        if errors:
            raise ValidationError(errors)

    @property
    def start_date(self):
        return self.actual_start or self.planned_start

    def period_for(self, day):
        """The reporting period containing ``day``: (first day, last day)."""
        days = self.progress_period_days or 7
        if days == 7:
            start = day - timedelta(days=day.weekday())
        else:
            anchor = self.start_date
            offset = (day - anchor).days // days
            start = anchor + timedelta(days=offset * days)
        return start, start + timedelta(days=days - 1)

    # --- transitions (run only through projects.services) ------------------------------------
    @transition(
        field=state,
        source=State.OPENED,
        target=State.IN_PROGRESS,
        permission="projects.manage_project",
        custom={"label": _("Record the kickoff meeting"), "icon": "flag", "service_only": True},
    )
    def kick_off(self):
        pass

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.COMPLETED,
        permission="projects.manage_project",
        conditions=[all_milestones_complete],
        custom={"label": _("Implementation complete"), "icon": "check2-all", "service_only": True},
    )
    def complete(self):
        pass

    @transition(
        field=state,
        source=State.COMPLETED,
        target=State.ACCEPTED,
        permission="projects.view_project",
        custom={"label": _("Accepted by the client"), "icon": "patch-check", "service_only": True},
    )
    def record_acceptance(self):
        pass


class MilestoneQuerySet(ClientScopedQuerySet):
    client_field = "project__engagement__client_id"


class Milestone(BusinessModel):
    """里程碑: a milestone of the project, copied from the effective plan (PRJ-1)."""

    reason_fields = ("planned_date",)  # a plain edit of these says why

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    source = models.ForeignKey(
        "plans.Milestone",
        verbose_name=_("plan milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    name = models.CharField(_("milestone"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    deliverables = BoundedTextField(_("deliverables"), max_length=TEXT_NOTE, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("percentage complete"), default=0, validators=[MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "planned_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="project_milestone_percent_at_most_100"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_project,
            "add": r.can_manage_project,
            "change": r.can_manage_project,
            "delete": r.can_manage_project,
        }

    def __str__(self) -> str:
        return f"{self.name} ({self.planned_date:%Y-%m-%d})"

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


# --- PRJ-1: the team, the kickoff meeting, the implementation plan -----------------------------


class InternalProjectQuerySet(InternalQuerySet):
    """Rows of a project's internal work (team, tasks, progress): staff only, never the client."""


class ProjectMember(BusinessModel):
    """項目成員: a staff member on the project's team, taken from the plan's staffing (PRJ-1)."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="project_memberships",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    role = models.CharField(_("role in the team"), max_length=100)
    allocation = models.PositiveSmallIntegerField(
        _("allocation (%)"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    responsibilities = BoundedTextField(
        _("responsibilities"),
        max_length=TEXT_NOTE,
        blank=True,
        help_text=_("What this member is responsible for, as assigned at the kickoff meeting."),
    )
    history = HistoricalRecords()

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project team")
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_once"),
            models.CheckConstraint(
                condition=models.Q(allocation__gte=1, allocation__lte=100),
                name="project_member_allocation_in_range",
            ),
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_project,
            "change": r.can_manage_project,
            "delete": r.can_manage_project,
        }

    def __str__(self) -> str:
        return f"{self.user.display_name} · {self.role}"


def may_attend(user, project) -> bool:
    """Staff, or a user of the project's own client: attendees are told about the project, so
    never a user of another client organisation."""
    organization_id = user.client_organization_id
    return user.is_active and organization_id in (None, project.engagement.client_id)


def not_an_attendee_message(user) -> str:
    return _("%(name)s is neither a staff member nor a user of this project's client.") % {
        "name": user.display_name
    }


class KickoffMeeting(BusinessModel):
    """項目啟動會: the kickoff meeting of a project (PRJ-1); recording it starts the project."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    generic_views = False  # recorded by services.record_kickoff on the project's kickoff page

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="kickoff"
    )
    held_on = models.DateField(_("held on"))
    location = models.CharField(_("location"), max_length=200)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        through="KickoffAttendee",
        related_name="kickoff_meetings",
    )
    goals = BoundedTextField(_("project goals communicated"), max_length=TEXT_LONG)
    tasks_communicated = BoundedTextField(_("tasks communicated"), max_length=TEXT_LONG)
    requirements = BoundedTextField(_("requirements communicated"), max_length=TEXT_LONG, blank=True)
    minutes = BoundedTextField(_("minutes"), max_length=TEXT_REPORT, blank=True)
    recorded_by = actor_field(_("recorded by"))
    history = HistoricalRecords()

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("kickoff meeting")
        verbose_name_plural = _("kickoff meetings")
        ordering = ["-held_on", "-pk"]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_project,
            "change": r.can_manage_project,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.project.code} · {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_kickoff", args=[self.project_id])


class KickoffAttendee(BusinessModel):
    """An attendee of the kickoff meeting and when they acknowledged what was communicated."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "meeting__project__engagement"

    generic_views = False  # written by services.record_kickoff / acknowledge_kickoff

    meeting = models.ForeignKey(
        KickoffMeeting, verbose_name=_("kickoff meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attendee"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("kickoff attendee")
        verbose_name_plural = _("kickoff attendees")
        ordering = ["meeting", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="kickoff_attendee_once")]
        rules_permissions = {
            "view": r.is_internal,
            "add": rules.always_deny,
            "change": rules.always_deny,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.meeting} · {self.user.display_name}"

    def clean(self):
        super().clean()
        if self.meeting_id and self.user_id and not may_attend(self.user, self.meeting.project):
            raise ValidationError({"user": not_an_attendee_message(self.user)})

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url()

    @property
    def project(self):
        return self.meeting.project


class Task(BusinessModel):
    """實施計劃任務: a task of the implementation plan (PRJ-1) with its schedule and dependencies."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    name = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        ProjectMember,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("percentage complete"), default=0, validators=[MaxValueValidator(100)]
    )
    resource_needs = BoundedTextField(_("resource needs"), max_length=TEXT_LONG, blank=True)
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("depends on"), symmetrical=False, blank=True, related_name="successors"
    )
    history = HistoricalRecords(m2m_fields=[depends_on])

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project", "planned_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="project_task_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="project_task_percent_at_most_100"
            ),
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_project,
            "change": r.can_manage_project,
            "delete": r.can_manage_project,
        }

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("A task cannot end before it starts.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("A task cannot have finished before it started.")
        if self.project_id:
            if self.milestone_id and self.milestone.project_id != self.project_id:
                errors["milestone"] = _("Choose a milestone of the same project.")
            if self.assignee_id and self.assignee.project_id != self.project_id:
                errors["assignee"] = _("Choose a member of the same project's team.")
        if errors:
            raise ValidationError(errors)


# --- PRJ-2: the project progress table ----------------------------------------------------------


class ProgressReport(WorkflowModel, BusinessModel):
    """《一站式技術服務項目進度表》: the progress of one project over one period (PRJ-2).

    Members fill the rows while it is a draft; the project lead submits it and reviews it
    (or returns it for correction). Every transition runs through projects.services.
    """

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    generic_views = False  # its own pages (progress table, PDF, Excel); tested in tests/test_projects.py
    allow_attachments = True
    allow_comments = True

    State = ProgressReportState
    editable_states = REPORT_EDITABLE

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    submitted_by = actor_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_comment = BoundedTextField(_("review comment"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project", "-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_start"], name="one_progress_report_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="progress_period_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_fill_report,
            "change": r.can_fill_report,
            "delete": rules.always_deny,
            "fill": r.can_fill_report,
            "submit": r.can_manage_project,
            "review": r.can_manage_project,
        }

    def __str__(self) -> str:
        return f"{self.project.code} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("projects:progressreport_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in self.editable_states

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission="projects.submit_progressreport",
        custom={"label": _("Submit to the project lead"), "icon": "send", "service_only": True},
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REVIEWED,
        permission="projects.review_progressreport",
        custom={"label": _("Mark as reviewed"), "icon": "check2-circle", "service_only": True},
    )
    def review(self):
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.DRAFT,
        permission="projects.review_progressreport",
        custom={
            "label": _("Return for correction"),
            "icon": "arrow-return-left",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def return_for_correction(self):
        pass


class ProgressRow(BusinessModel):
    """One row of the progress table: a milestone or task, its progress in the period."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "report__project__engagement"

    generic_views = False  # filled on the progress table's page (services.fill_rows)

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("progress report"), on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.CharField(_("milestone / task"), max_length=200)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    planned_percent = models.PositiveSmallIntegerField(
        _("planned %"), default=0, validators=[MaxValueValidator(100)]
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percentage complete"), default=0, validators=[MaxValueValidator(100)]
    )
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    work_done = BoundedTextField(_("work done this period"), max_length=TEXT_LONG, blank=True)
    next_steps = BoundedTextField(_("next steps"), max_length=TEXT_LONG, blank=True)
    problems = BoundedTextField(_("problems and risks"), max_length=TEXT_LONG, blank=True)
    filled_by = actor_field(_("filled in by"))
    filled_at = models.DateTimeField(_("filled in at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress row")
        verbose_name_plural = _("progress rows")
        ordering = ["report", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100, planned_percent__lte=100),
                name="progress_row_percent_at_most_100",
            ),
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": rules.always_deny,
            "change": r.can_fill_report,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.report} · {self.item}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()

    @property
    def project(self):
        return self.report.project

    @property
    def variance(self) -> int:
        """Schedule variance: actual % − planned % (negative: behind schedule)."""
        return self.percent_complete - self.planned_percent

    @property
    def is_milestone(self) -> bool:
        return self.milestone_id is not None and self.task_id is None

    @property
    def assignee_user_id(self) -> int | None:
        """The user the row's task is assigned to: the one member who marks the row done."""
        task = self.task if self.task_id else None
        assignee = task.assignee if task is not None and task.assignee_id else None
        return assignee.user_id if assignee is not None else None

    def clean(self):
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            raise ValidationError({"actual_end": _("The actual end cannot be before the actual start.")})


# The people (and departments) on an engagement's team through this app's records.
register_team("projects.Project", engagement="engagement", users=("project_lead", "opened_by"))
register_team("projects.ProjectMember", engagement="project__engagement", users=("user",))
register_team("projects.KickoffAttendee", engagement="meeting__project__engagement", users=("user",))
