"""Supervision of process compliance (SPEC EXT-3).

- ``CheckRun``: one run of every compliance check (checks.py) over all engagements — periodic
  (tasks.py) or started by hand — with how many conditions each check found and raised.
- ``Finding``: one condition found (a step over its time limit, a form not signed…) about one
  record of one engagement, assigned to a person with a due date and followed up: open → being
  handled → resolved (what was done) → verified and closed by a supervisor, or dismissed with a
  reason. ``key`` names the condition (kind + record): a partial unique constraint keeps one
  finding open per condition, so a run never raises it twice.
- ``AuditSample`` and ``AuditSampleItem``: a seeded, reproducible draw of engagements by criteria
  (quality.sampling's draw), each drawn engagement with its audit result.
- ``Sanction``: a reward or a penalty (獎懲) recorded against a person or a department,
  proposed by a supervisor and approved by management.
"""

from __future__ import annotations

import rules
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.fields import TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.workflow import WorkflowModel
from onestop.supervision import rules as r
from onestop.supervision import states
from onestop.supervision.states import FINDING_OPEN, FINDING_WITH_ASSIGNEE

MAX_SAMPLE = 200


class SupervisorsQuerySet(ScopedQuerySet):
    """The supervisors' own records: quality and management see them all; nobody else any."""

    def scope_for(self, user):
        return self if r.supervises(user) else self.none()


class CheckRun(BusinessModel):
    """檢查批次: one run of every compliance check over all engagements."""

    code = models.CharField(_("run number"), max_length=20, unique=True, editable=False)
    trigger = models.CharField(
        _("started by"),
        max_length=10,
        choices=states.Trigger.choices,
        default=states.Trigger.MANUAL,
        editable=False,
    )
    started_by = actor_field(_("run by"))
    started_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    counts = models.JSONField(_("conditions per check"), default=dict, blank=True, editable=False)
    found = models.PositiveIntegerField(_("conditions found"), default=0, editable=False)
    raised = models.PositiveIntegerField(_("findings raised"), default=0, editable=False)
    history = HistoricalRecords()

    objects = SupervisorsQuerySet.as_manager()

    class Meta:
        verbose_name = _("compliance check run")
        verbose_name_plural = _("compliance check runs")
        ordering = ["-started_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_supervision,
            "add": r.can_run_checks,
            "change": r.can_run_checks,
            "delete": rules.always_deny,  # the record of what was checked when
        }

    def __str__(self) -> str:
        return self.code

    @property
    def summary(self) -> str:
        """Per check: found / raised (the run's page and its list)."""
        labels = dict(states.FindingKind.choices)
        return "; ".join(
            f"{labels.get(kind, kind)}: {row.get('found', 0)} / {row.get('raised', 0)}"
            for kind, row in (self.counts or {}).items()
        )

    summary.fget.short_description = _("found / raised per check")


class FindingQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if r.supervises(user):
            return self
        if user.client_organization_id is not None:
            return self.none()
        return self.filter(assignee=user)

    def open(self):
        return self.filter(state__in=FINDING_OPEN)

    def overdue(self, today=None):
        return self.filter(state__in=FINDING_WITH_ASSIGNEE, due_date__lt=today or timezone.localdate())


class Finding(WorkflowModel, BusinessModel):
    """稽核發現: one compliance condition about one record of an engagement, followed up."""

    engagement_lookup = "engagement"  # the cockpit's scope (cockpit/scope.py records)
    allow_comments = True
    allow_attachments = True

    State = states.FindingState
    Kind = states.FindingKind
    editable_states = FINDING_WITH_ASSIGNEE

    code = models.CharField(_("finding number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AUDIT)
    run = models.ForeignKey(
        CheckRun,
        verbose_name=_("found by run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        editable=False,
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="supervision_findings",
    )
    # The offending record (a deadline, a contract, a notice…); empty for a finding raised by hand
    # about the engagement as a whole.
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    target = GenericForeignKey("target_type", "target_id")
    record = models.CharField(_("record concerned"), max_length=200, blank=True, editable=False)
    record_url = models.CharField(_("link to the record"), max_length=500, blank=True, editable=False)
    # The condition: "<kind>:<app.model>:<pk>"; empty for a finding raised by hand.
    key = models.CharField(_("condition"), max_length=120, blank=True, editable=False)
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_findings",
    )
    due_date = models.DateField(_("due"), blank=True, help_text=_("Empty: in two weeks."))
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    raised_by = actor_field(_("raised by"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, editable=False)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("found again after"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    resolution = BoundedTextField(_("what was done"), max_length=TEXT_NOTE, blank=True, editable=False)
    resolved_by = actor_field(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closing_note = BoundedTextField(
        _("verification or reason"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    closed_by = actor_field(_("closed by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="finding_state_due"),
            models.Index(fields=["key", "state"], name="finding_condition"),
            # The checks ask, for each offending row, whether it has a finding already.
            models.Index(fields=["target_type", "target_id", "kind"], name="finding_target"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state__in=["open", "in_progress", "resolved"]) & ~models.Q(key=""),
                name="one_open_finding_per_condition",
            )
        ]
        rules_permissions = {
            "view": r.can_view_finding,
            "add": r.can_raise_finding,
            "change": r.can_edit_finding,
            "delete": rules.always_deny,  # dismissed with a reason instead
            "work": r.can_work_finding,
            "verify": r.can_verify_finding,
            "dismiss": r.can_dismiss_finding,
            "comment": r.can_view_finding,
            "attach": r.can_view_finding,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.state in FINDING_WITH_ASSIGNEE and self.due_date < timezone.localdate()

    @property
    def record_link(self):
        """The offending record, linked to its page (its own page applies its own access)."""
        if not self.record_url:
            return self.record
        return format_html('<a href="{}">{}</a>', self.record_url, self.record or self.record_url)

    record_link.fget.short_description = _("record concerned")

    @transition(
        field=state,
        source=State.OPEN,
        target=State.IN_PROGRESS,
        permission="supervision.work_finding",
        custom={"label": _("Start handling"), "icon": "play"},
    )
    def start(self, actor=None):
        pass

    @transition(
        field=state,
        source=[State.OPEN, State.IN_PROGRESS],
        target=State.RESOLVED,
        permission="supervision.work_finding",
        custom={"label": _("Record what was done"), "icon": "tools", "comment_required": True},
    )
    def resolve(self, actor=None, comment=""):
        self.resolution, self.resolved_by, self.resolved_at = comment, actor, timezone.now()

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        permission="supervision.verify_finding",
        custom={"label": _("Verify and close"), "icon": "patch-check"},
    )
    def verify(self, actor=None, comment=""):
        self.closing_note, self.closed_by, self.closed_at = comment, actor, timezone.now()

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.IN_PROGRESS,
        permission="supervision.verify_finding",
        custom={"label": _("Send back"), "icon": "arrow-counterclockwise", "comment_required": True},
    )
    def send_back(self, actor=None, comment=""):
        self.closing_note = comment

    @transition(
        field=state,
        source=[State.OPEN, State.IN_PROGRESS],
        target=State.DISMISSED,
        permission="supervision.dismiss_finding",
        custom={"label": _("Dismiss"), "icon": "x-circle", "comment_required": True},
    )
    def dismiss(self, actor=None, comment=""):
        self.closing_note, self.closed_by, self.closed_at = comment, actor, timezone.now()


class AuditSample(BusinessModel):
    """稽核抽樣: engagements drawn by criteria with a recorded seed, so anyone can repeat the draw."""

    code = models.CharField(_("sample number"), max_length=20, unique=True, editable=False)
    received_from = models.DateField(_("received from"), null=True, blank=True)
    received_to = models.DateField(_("received until"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    size = models.PositiveSmallIntegerField(
        _("sample size"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SAMPLE)]
    )
    seed = models.PositiveBigIntegerField(_("seed"), null=True, blank=True)
    population = models.JSONField(_("population drawn from"), default=list, blank=True, editable=False)
    selection = models.JSONField(_("selection"), default=list, blank=True, editable=False)
    drawn_by = actor_field(_("drawn by"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now, editable=False)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = SupervisorsQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")
        ordering = ["-drawn_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_supervision,
            "add": r.can_run_checks,
            "change": r.can_run_checks,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return self.code

    def clean(self):
        if self.received_from and self.received_to and self.received_to < self.received_from:
            raise ValidationError({"received_to": _("The period ends before it starts.")})

    @property
    def population_size(self) -> int:
        return len(self.population or [])

    population_size.fget.short_description = _("population size")

    @property
    def replay_matches(self) -> bool:
        """Whether the seed over the stored population gives the stored selection (audit)."""
        from onestop.supervision.sampling import replay  # noqa: PLC0415 — cycle: sampling imports this module at load

        return replay(self) == self.selection

    replay_matches.fget.short_description = _("the seed repeats the draw")


class ItemQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self if r.supervises(user) else self.none()


class AuditSampleItem(BusinessModel):
    """One engagement of an audit sample and its audit result."""

    sample = models.ForeignKey(
        AuditSample, verbose_name=_("audit sample"), on_delete=models.PROTECT, related_name="items"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, editable=False)
    drawn = models.BooleanField(_("drawn by the seed"), default=False, editable=False)
    result = models.CharField(
        _("audit result"),
        max_length=10,
        choices=states.AuditResult.choices,
        default=states.AuditResult.PENDING,
        editable=False,
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    note = BoundedTextField(_("audit note"), max_length=TEXT_NOTE, blank=True)
    audited_by = actor_field(_("audited by"))
    audited_at = models.DateTimeField(_("audited"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("sampled engagement")
        verbose_name_plural = _("sampled engagements")
        ordering = ["sample", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "engagement"], name="one_item_per_sampled_engagement")
        ]
        rules_permissions = {
            "view": r.can_view_supervision,
            "add": r.can_run_checks,
            "change": r.can_run_checks,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.sample} · {self.engagement}"


class SanctionQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if r.supervises(user) or r.is_hr(user):
            return self
        if user.client_organization_id is not None:
            return self.none()
        return self.filter(person=user)


class Sanction(WorkflowModel, BusinessModel):
    """獎懲: a reward or a penalty recorded against a person or a department."""

    State = states.SanctionState
    Kind = states.SanctionKind
    editable_states = (states.SanctionState.PROPOSED,)

    code = models.CharField(_("record number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    effective_on = models.DateField(_("effective on"), default=timezone.localdate)
    state = StateField(_("state"), choices=State.choices, default=State.PROPOSED, protected=True)
    proposed_by = actor_field(_("proposed by"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_note = BoundedTextField(_("decision note"), max_length=TEXT_NOTE, blank=True, editable=False)
    history = HistoricalRecords()

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, department__isnull=True)
                | models.Q(person__isnull=True, department__isnull=False),
                name="sanction_person_or_department",
            )
        ]
        rules_permissions = {
            "view": r.can_view_sanction,
            "add": r.can_propose_sanction,
            "change": r.can_edit_sanction,
            "delete": rules.always_deny,
            "decide": r.can_decide_sanction,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()} · {self.person or self.department}"

    @property
    def is_reward(self) -> bool:
        return self.kind in states.REWARDS

    def clean(self):
        if bool(self.person_id) == bool(self.department_id):
            raise ValidationError({"person": _("Name either a person or a department.")})

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.APPROVED,
        permission="supervision.decide_sanction",
        custom={"label": _("Approve"), "icon": "check2-circle"},
    )
    def approve(self, actor=None, comment=""):
        self.decided_by, self.decided_at, self.decision_note = actor, timezone.now(), comment

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.REJECTED,
        permission="supervision.decide_sanction",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None, comment=""):
        self.decided_by, self.decided_at, self.decision_note = actor, timezone.now(), comment
