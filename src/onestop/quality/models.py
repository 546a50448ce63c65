"""Quality monitoring (QA-1..3): QC plans, inspections, rectification notices, improvement.

- ``QCTemplate`` / ``QCTemplateCheckpoint``: the admin-managed template of key checkpoints per
  phase (R&D, system testing, delivery) with indicators, threshold, frequency and the
  responsible department; a version used for a plan is frozen (a change is a new version).
- ``QCPlan`` / ``QCCheckpoint``: the project's own plan, copied from the active template and
  adjusted by the project lead while it is a draft, then activated (QA-1).
- ``Inspection`` / ``InspectionItem``: scheduled inspections from the plan's frequencies and
  unannounced spot checks (``SpotCheckDraw``, reproducible from its seed) with the policy's
  checklist and the checkpoint's indicators (QA-2).
- ``RectificationNotice``: 整改通知 to the responsible department with a deadline (QA-2).
- ``ImprovementAction``: measures from the analysis, followed up to an effectiveness check (QA-3).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.access import Kind, register_department, register_team
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.quality import rules as r
from onestop.quality import sampling
from onestop.quality.states import (
    NOTICE_EDITABLE,
    NOTICE_WITH_DEPARTMENT,
    ImprovementActionState,
    InspectionState,
    QCPlanState,
    RectificationNoticeState,
)


class Phase(models.TextChoices):
    RND = "rnd", _("Research and development")
    TESTING = "testing", _("System testing")
    DELIVERY = "delivery", _("Delivery")


class Frequency(models.IntegerChoices):
    """How often a checkpoint is inspected, stored as days (0: once in the phase)."""

    WEEKLY = 7, _("Weekly")
    FORTNIGHTLY = 14, _("Every two weeks")
    MONTHLY = 30, _("Monthly")
    ONCE = 0, _("Once per phase")


class FindingCategory(models.TextChoices):
    DOCUMENTATION = "documentation", _("Documentation")
    PROCESS = "process", _("Process / plan execution")
    TESTING = "testing", _("Testing")
    DELIVERY = "delivery", _("Delivery")
    OTHER = "other", _("Other")


class FindingCause(models.TextChoices):
    STAFF = "staff", _("Staff")
    METHOD = "method", _("Method")
    RESOURCES = "resources", _("Resources")
    CLIENT = "client", _("Client")
    OTHER = "other", _("Other")


# The policy's four checks (QA-2), on every inspection's checklist.
STANDARD_CHECKS = (
    ("documents", _("Technical documents are complete and accurate")),
    ("plan", _("The technical plan is executed as approved")),
    ("test_reports", _("System test reports are authentic and valid")),
    ("delivery", _("Delivery is timely and accurate")),
)


def _indicator_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CheckpointFields(models.Model):
    """What a checkpoint says, shared by the template's and the plan's checkpoints."""

    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    name = models.CharField(_("checkpoint"), max_length=200)
    indicators = BoundedTextField(
        _("indicators"),
        max_length=TEXT_LONG,
        help_text=_("One indicator per line; each becomes an item of the checklist."),
    )
    acceptance_threshold = models.CharField(
        _("acceptance threshold"),
        max_length=300,
        help_text=_("What counts as passing, e.g. “defect density ≤ 0.5 per KLOC”."),
    )
    frequency_days = models.PositiveSmallIntegerField(
        _("frequency"), choices=Frequency.choices, default=Frequency.FORTNIGHTLY
    )
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_phase_display()} · {self.name}"

    @property
    def indicator_list(self) -> list[str]:
        return _indicator_lines(self.indicators)

    def clean(self):
        if self.indicators is not None and not _indicator_lines(self.indicators):
            raise ValidationError({"indicators": _("Name at least one indicator.")})


# --- QA-1: templates ----------------------------------------------------------------------------


class QCTemplate(BusinessModel):
    """質量監控計劃模板: versions share a code; one version per code is active; used ones are frozen."""

    code = models.SlugField(
        _("template code"), max_length=40, help_text=_("Versions of one template share this code.")
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_LONG, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Offered for new QC plans; activating a version deactivates the others of its code."),
    )
    first_used_at = models.DateTimeField(_("first used for a plan"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("QC plan template")
        verbose_name_plural = _("QC plan templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_qc_template_per_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_active=True), name="one_active_qc_template_version"
            ),
        ]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_manage_templates,
            "change": r.can_manage_templates,
            "delete": r.can_delete_template,
        }

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.first_used_at is not None

    def clean(self):
        if self.pk and self.in_use:
            stored = type(self)._base_manager.filter(pk=self.pk).values("code", "name").first()
            if stored and (stored["code"] != self.code or stored["name"] != self.name):
                raise ValidationError(
                    _(
                        "Version %(version)s has been used for QC plans and can no longer change. "
                        "Make a new version instead."
                    )
                    % {"version": self.version}
                )


class QCTemplateCheckpoint(CheckpointFields, BusinessModel):
    """A key checkpoint of a QC plan template."""

    template = models.ForeignKey(
        QCTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="checkpoints"
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("template checkpoint")
        verbose_name_plural = _("template checkpoints")
        ordering = ["template", "sort_order", "pk"]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_manage_templates,
            "change": r.can_manage_templates,
            "delete": r.can_manage_templates,
        }

    def clean(self):
        super().clean()
        if self.template_id and self.template.in_use:
            raise ValidationError(
                _("This template version has been used for QC plans; make a new version to change it.")
            )


# --- QA-1: the project's QC plan ----------------------------------------------------------------


@condition(_("Add at least one checkpoint before activating the plan."))
def has_checkpoints(plan) -> bool:
    return plan.checkpoints.exists()


class QCPlan(WorkflowModel, BusinessModel):
    """質量監控計劃: the project's checkpoints, indicators and frequencies (QA-1)."""

    access_kind = Kind.QUALITY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    State = QCPlanState

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="qc_plan"
    )
    template = models.ForeignKey(
        QCTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    created_by = actor_field(_("created by"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("QC plan")
        verbose_name_plural = _("QC plans")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_create_plan,
            "change": r.can_manage_plan,
            "manage": r.can_manage_plan,
            "delete": r.can_delete,
        }

    def __str__(self) -> str:
        return str(_("QC plan of %(project)s") % {"project": self.project})

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.ACTIVE,
        permission="quality.manage_qcplan",
        conditions=[has_checkpoints],
        custom={"label": _("Activate"), "icon": "play-circle", "service_only": True},
    )
    def activate(self):
        self.activated_at = timezone.now()

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.DRAFT,
        permission="quality.manage_qcplan",
        custom={"label": _("Adjust"), "icon": "pencil", "service_only": True, "comment_required": True},
    )
    def revise(self):
        pass


class QCCheckpoint(CheckpointFields, BusinessModel):
    """A key checkpoint of a project's QC plan (copied from the template, then adjusted)."""

    access_kind = Kind.QUALITY  # who may see it: core/access.py
    engagement_lookup = "plan__project__engagement"

    plan = models.ForeignKey(
        QCPlan, verbose_name=_("QC plan"), on_delete=models.CASCADE, related_name="checkpoints"
    )
    source = models.ForeignKey(
        QCTemplateCheckpoint,
        verbose_name=_("template checkpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("QC checkpoint")
        verbose_name_plural = _("QC checkpoints")
        ordering = ["plan", "sort_order", "pk"]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_manage_plan,
            "change": r.can_edit_checkpoints,
            "delete": r.can_edit_checkpoints,
        }

    @property
    def project(self):
        return self.plan.project

    def clean(self):
        super().clean()
        if self.plan_id and self.plan.state != QCPlan.State.DRAFT:
            raise ValidationError(
                _("The QC plan is active; choose “Adjust” on the plan before changing its checkpoints.")
            )


# --- QA-2: inspections ---------------------------------------------------------------------------


class SpotCheckDraw(BusinessModel):
    """不定期抽查: one reproducible random draw of project checkpoints to inspect unannounced.

    ``population`` is the snapshot of what could be drawn (in-progress projects and their
    active checkpoints, in a fixed order); ``selection`` is what ``random.Random(seed)``
    picked from it. Re-running the seed over the stored population gives the same selection.
    """

    code = models.CharField(_("draw number"), max_length=20, unique=True, editable=False)
    seed = models.PositiveBigIntegerField(_("seed"), editable=False)
    sample_size = models.PositiveSmallIntegerField(
        _("sample size"), validators=[MinValueValidator(1), MaxValueValidator(100)], editable=False
    )
    population = models.JSONField(_("population drawn from"), default=list, blank=True, editable=False)
    selection = models.JSONField(_("selection"), default=list, blank=True, editable=False)
    planned_date = models.DateField(_("inspection date"), editable=False)
    inspector = actor_field(_("inspector"))
    drawn_by = actor_field(_("drawn by"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now, editable=False)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")
        ordering = ["-drawn_at", "-pk"]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_plan_inspection,
            "change": r.can_plan_inspection,
            "delete": r.can_delete,
        }

    def __str__(self) -> str:
        return self.code

    @property
    def population_size(self) -> int:
        return len(self.population or [])

    population_size.fget.short_description = _("population size")

    @property
    def selection_labels(self) -> str:
        return "\n".join(unit.get("label", "") for unit in self.selection or [])

    selection_labels.fget.short_description = _("selection")

    @property
    def replay_matches(self) -> bool:
        """Whether the seed, over the stored population, gives the stored selection (audit)."""
        return sampling.replay_draw(self) == self.selection


@condition(_("Answer every item of the checklist before completing the inspection."))
def all_items_answered(inspection) -> bool:
    return not inspection.items.filter(result=InspectionItem.Result.PENDING).exists()


class Inspection(WorkflowModel, BusinessModel):
    """質量檢查: one scheduled inspection or unannounced spot check of a project (QA-2)."""

    access_kind = Kind.QUALITY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_attachments = True
    allow_comments = True

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled inspection")
        SPOT = "spot", _("Unannounced spot check")

    State = InspectionState

    code = models.CharField(_("inspection number"), max_length=20, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="inspections"
    )
    checkpoint = models.ForeignKey(
        QCCheckpoint,
        verbose_name=_("checkpoint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SCHEDULED)
    planned_date = models.DateField(_("planned date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        limit_choices_to={"groups__name": "quality", "is_active": True},
    )
    draw = models.ForeignKey(
        SpotCheckDraw,
        verbose_name=_("spot-check draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.PLANNED, protected=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    completed_by = actor_field(_("completed by"))
    passed = models.BooleanField(_("passed"), null=True, blank=True, editable=False)
    summary = BoundedTextField(_("summary"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_date", "-pk"]
        indexes = [
            models.Index(fields=["state", "completed_at"], name="inspection_state_done"),
            models.Index(
                fields=["-planned_date", "-id"], name="inspection_planned"
            ),  # the list's order (issue 16)
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "planned_date"],
                condition=models.Q(kind="scheduled"),
                name="one_scheduled_inspection_per_checkpoint_and_date",
            )
        ]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_plan_inspection,
            "change": r.can_plan_inspection,
            "run": r.can_run_inspection,
            "attach": r.can_run_inspection,
            "delete": r.can_delete_inspection,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.project.name}"

    @property
    def phase(self) -> str:
        return self.checkpoint.phase if self.checkpoint_id else ""

    def checklist(self):
        """The checklist items with their notices (two queries)."""
        return self.items.select_related("recorded_by").prefetch_related("notices")

    def clean(self):
        if self.checkpoint_id and self.project_id and self.checkpoint.plan.project_id != self.project_id:
            raise ValidationError({"checkpoint": _("This checkpoint belongs to another project's QC plan.")})

    @transition(
        field=state,
        source=State.PLANNED,
        target=State.IN_PROGRESS,
        permission="quality.run_inspection",
        custom={"label": _("Start"), "icon": "play-circle", "service_only": True},
    )
    def start(self):
        self.started_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.COMPLETED,
        permission="quality.run_inspection",
        conditions=[all_items_answered],
        custom={"label": _("Complete"), "icon": "check2-circle", "service_only": True},
    )
    def complete(self, actor=None):
        self.completed_at = timezone.now()
        self.completed_by = actor
        self.passed = not self.items.filter(result=InspectionItem.Result.FAIL).exists()


class InspectionItem(BusinessModel):
    """One line of an inspection's checklist: a standard check or one of the indicators."""

    access_kind = Kind.QUALITY  # who may see it: core/access.py
    engagement_lookup = "inspection__project__engagement"

    class Result(models.TextChoices):
        PENDING = "", _("Not answered")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NOT_APPLICABLE = "na", _("Not applicable")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="items"
    )
    check_code = models.CharField(_("standard check"), max_length=20, blank=True, editable=False)
    label = models.CharField(_("item"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True, default="")
    evidence = BoundedTextField(
        _("evidence"),
        max_length=TEXT_LONG,
        blank=True,
        help_text=_("What was looked at (documents, records, files attached to the inspection)."),
    )
    category = models.CharField(
        _("finding category"), max_length=20, choices=FindingCategory.choices, blank=True
    )
    cause = models.CharField(_("cause"), max_length=20, choices=FindingCause.choices, blank=True)
    note = BoundedTextField(_("finding"), max_length=TEXT_NOTE, blank=True)
    # Who gave the answer standing now, and when (the inspector of record for this line).
    recorded_by = actor_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["inspection", "sort_order", "pk"]
        indexes = [models.Index(fields=["result", "category"], name="inspection_item_findings")]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_record_item,
            "change": r.can_record_item,
            "delete": r.can_delete,
        }

    def __str__(self) -> str:
        return self.label

    def clean(self):
        errors = {}
        if self.result == self.Result.FAIL:
            if not self.category:
                errors["category"] = _("Say what kind of problem was found.")
            if not self.cause:
                errors["cause"] = _("Say what caused the problem.")
        elif self.category or self.cause:
            self.category = self.cause = ""
        if self.inspection_id and self.pk:
            stored = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values_list("inspection__state", flat=True)
                .first()
            )
            if stored == Inspection.State.COMPLETED:
                errors["__all__"] = _("The inspection is completed; its checklist no longer changes.")
        if errors:
            raise ValidationError(errors)


# --- QA-2: rectification notices -----------------------------------------------------------------


class RectificationNotice(WorkflowModel, BusinessModel):
    """整改通知: a problem found by an inspection, to be rectified by a department by a deadline."""

    reason_fields = ("deadline",)  # a plain edit of these says why

    access_kind = Kind.QUALITY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_attachments = True
    allow_comments = True

    State = RectificationNoticeState
    editable_states = NOTICE_EDITABLE

    code = models.CharField(_("notice number"), max_length=20, unique=True, editable=False)
    item = models.ForeignKey(
        InspectionItem,
        verbose_name=_("failed item"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="notices",
        editable=False,
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="rectification_notices",
        editable=False,
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="rectification_notices",
    )
    requirement = BoundedTextField(_("rectification requirement"), max_length=TEXT_NOTE)
    deadline = models.DateField(_("deadline"))
    state = StateField(_("state"), choices=State.choices, default=State.ISSUED, protected=True)
    issued_by = actor_field(_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    response = BoundedTextField(
        _("corrective action taken"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    responded_by = actor_field(_("responded by"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True, editable=False)
    verification = BoundedTextField(_("verification"), max_length=TEXT_NOTE, blank=True, editable=False)
    verified_by = actor_field(_("verified by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="notice_state_deadline")]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_raise_notice,
            "change": r.can_edit_notice,
            "respond": r.can_respond_notice,
            "verify": r.can_verify_notice,
            "attach": r.can_view,
            "delete": r.can_delete,
        }

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.state in NOTICE_WITH_DEPARTMENT and self.deadline < timezone.localdate()

    def clean(self):
        if self.item_id and self.item.result != InspectionItem.Result.FAIL:
            raise ValidationError(
                {"item": _("A rectification notice is raised from a failed checklist item.")}
            )

    @transition(
        field=state,
        source=[State.ISSUED, State.REOPENED],
        target=State.RESPONDED,
        permission="quality.respond_rectificationnotice",
        custom={"label": _("Respond"), "icon": "reply", "service_only": True},
    )
    def respond(self, actor=None, response=""):
        self.response = response
        self.responded_by = actor
        self.responded_at = timezone.now()

    @transition(
        field=state,
        source=State.RESPONDED,
        target=State.CLOSED,
        permission="quality.verify_rectificationnotice",
        custom={"label": _("Verify and close"), "icon": "patch-check", "service_only": True},
    )
    def close(self, actor=None, verification=""):
        self.verification = verification
        self.verified_by = actor
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=State.RESPONDED,
        target=State.REOPENED,
        permission="quality.verify_rectificationnotice",
        custom={
            "label": _("Reopen"),
            "icon": "arrow-counterclockwise",
            "service_only": True,
            "comment_required": True,
        },
    )
    def reopen(self, actor=None, reason=""):
        self.verification = reason
        self.verified_by = actor
        self.reopen_count += 1


# --- QA-3: improvement ----------------------------------------------------------------------------


class ImprovementAction(WorkflowModel, BusinessModel):
    """改進措施: a measure against a recurring problem, followed up to an effectiveness check."""

    allow_attachments = True
    allow_comments = True

    State = ImprovementActionState

    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_LONG)
    source_category = models.CharField(
        _("finding category addressed"), max_length=20, choices=FindingCategory.choices, blank=True
    )
    source_cause = models.CharField(
        _("cause addressed"), max_length=20, choices=FindingCause.choices, blank=True
    )
    source_notice = models.ForeignKey(
        RectificationNotice,
        verbose_name=_("from rectification notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    due_date = models.DateField(_("due date"))
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    effectiveness_note = BoundedTextField(
        _("effectiveness check"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    checked_by = actor_field(_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_date", "pk"]
        rules_permissions = {
            "view": r.can_view,
            "add": r.can_manage_actions,
            "change": r.can_manage_actions,
            "complete": r.can_complete_action,
            "check": r.can_check_action,
            "delete": r.can_delete,
        }

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if not (self.source_category or self.source_cause or self.source_notice_id):
            raise ValidationError(
                {
                    "source_category": _(
                        "Say what the action addresses: a finding category, a cause or a notice."
                    )
                }
            )

    @transition(
        field=state,
        source=State.OPEN,
        target=State.DONE,
        permission="quality.complete_improvementaction",
        custom={"label": _("Mark done"), "icon": "check2", "service_only": True},
    )
    def mark_done(self):
        self.done_at = timezone.now()

    @transition(
        field=state,
        source=State.DONE,
        target=State.EFFECTIVE,
        permission="quality.check_improvementaction",
        custom={
            "label": _("Effective"),
            "icon": "patch-check",
            "service_only": True,
            "comment_required": True,
        },
    )
    def confirm_effective(self, actor=None, comment=""):
        self.effectiveness_note = comment
        self.checked_by = actor
        self.checked_at = timezone.now()

    @transition(
        field=state,
        source=State.DONE,
        target=State.NOT_EFFECTIVE,
        permission="quality.check_improvementaction",
        custom={
            "label": _("Not effective"),
            "icon": "x-circle",
            "style": "danger",
            "service_only": True,
            "comment_required": True,
        },
    )
    def mark_not_effective(self, actor=None, comment=""):
        self.effectiveness_note = comment
        self.checked_by = actor
        self.checked_at = timezone.now()


# The people (and departments) on an engagement's team through this app's records.
register_team("quality.Inspection", engagement="project__engagement", users=("inspector",))
register_department("quality.RectificationNotice", engagement="project__engagement", department="department")
