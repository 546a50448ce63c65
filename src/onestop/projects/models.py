"""Project implementation (PRJ-1..3): the project opened from a signed contract, its milestones.

A ``Project`` (項目) belongs to one engagement and is opened only from its signed contract
(``projects.services.open_project``), taking the effective plan version's milestones,
staffing and budget. ``Milestone`` rows are the project's own copy of the plan's milestones,
with the actual completion; a change request that is approved updates them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField
from simple_history.models import HistoricalRecords

from onestop.core.models import BusinessModel, ClientScopedQuerySet
from onestop.core.workflow import WorkflowModel
from onestop.projects import rules as r


class ProjectQuerySet(ClientScopedQuerySet):
    client_field = "engagement__client_id"


class Project(WorkflowModel, BusinessModel):
    """項目: the implementation of one engagement's signed contract (PRJ-1)."""

    allow_attachments = True
    allow_comments = True

    class State(models.TextChoices):
        OPENED = "opened", _("Opened, awaiting kickoff")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Implementation complete, awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")

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
    state = FSMField(_("state"), choices=State.choices, default=State.OPENED, protected=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-pk"]
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


class MilestoneQuerySet(ClientScopedQuerySet):
    client_field = "project__engagement__client_id"


class Milestone(BusinessModel):
    """里程碑: a milestone of the project, copied from the effective plan (PRJ-1)."""

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
    deliverables = models.TextField(_("deliverables"), blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("% complete"), default=0, validators=[MaxValueValidator(100)]
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
