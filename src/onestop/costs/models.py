"""Staff allocation, team building and project costs (RES-4, RES-5, RES-6, RES-7).

- ``Allocation`` (人員調配): a person on a project for a share of their time between two dates,
  taken from the project team (projects.ProjectMember) or the plan's staffing, or entered by
  hand; the capacity heat map (utilization.py) sums them per person and week.
- ``ReallocationRequest``: a person of another department asked for a project; the head of
  the department that releases them approves (which creates the allocation) or rejects.
- ``TeamActivity`` and ``TeamParticipant`` (團隊建設): team activities and trainings with their
  participants, cost and feedback.
- ``CostRate`` (人工成本費率): the hourly cost of a position from a date on; a timesheet is valued
  at the rate in force on its day.
- ``Timesheet``, ``Expense`` (with receipts and approval), ``Purchase``: the cost entries of a
  project. The budget is never kept here: it is the effective plan's ``plans.BudgetLine`` and
  changes only through the plan's change process.
- ``BudgetAlert``: a threshold crossed by a project's spending (one row per crossing).
- ``CostRollup``: the periodic cost roll-up of a project for one month (tasks.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.access import Kind, register_department, register_team, staff_scope
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import Attachment, BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.costs import rules as r
from onestop.costs.states import EXPENSE_EDITABLE, ExpenseState, ReallocationState
from onestop.plans.models import BudgetLine

Category = BudgetLine.Category  # the policy's budget categories (RES-6), as the plan has them

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class OwnOrTeamQuerySet(ScopedQuerySet):
    """Rows that follow their project (core/access.py, the model's ``access_kind``), plus the
    rows naming the user themself (``own_field``); never a client's."""

    own_field = "user"

    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        return staff_scope(self, user) | self.filter(**{self.own_field: user})


def _end_not_before_start(obj, start: str = "start", end: str = "end"):
    first, last = getattr(obj, start), getattr(obj, end)
    if first and last and last < first:
        raise ValidationError({end: _("The end date cannot be before the start date.")})


# --- RES-4: allocations and reallocation requests ------------------------------------------------


class AllocationQuerySet(OwnOrTeamQuerySet):
    """Allocations follow their project; HR, who plans people for every project, sees them all."""

    def scope_for(self, user):
        if user.client_organization_id is None and r.is_hr(user):
            return self
        return super().scope_for(user)


class Allocation(BusinessModel):
    """人員調配: a share of a person's time on a project between two dates."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    class Source(models.TextChoices):
        TEAM = "team", _("Project team")
        PLAN = "plan", _("Plan staffing")
        REALLOCATION = "reallocation", _("Reallocation request")
        MANUAL = "manual", _("Entered by hand")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="allocations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="allocations",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    role = models.CharField(_("role in the team"), max_length=100)
    percent = models.PositiveSmallIntegerField(
        _("allocation (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of a full working week (40 hours) on this project."),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL, editable=False
    )
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff allocation")
        verbose_name_plural = _("staff allocations")
        ordering = ["project", "user", "start", "pk"]
        indexes = [models.Index(fields=["user", "start", "end"], name="costs_alloc_user_dates")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=1, percent__lte=100), name="costs_allocation_percent_range"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="costs_allocation_dates"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_allocation,
            "add": r.can_add_allocation,
            "change": r.can_change_allocation,
            "delete": r.can_change_allocation,
            "heatmap": r.can_view_heatmap,
        }

    def __str__(self) -> str:
        return f"{self.user.display_name} · {self.project.code} · {self.percent}%"

    def clean(self):
        super().clean()
        _end_not_before_start(self)
        if self.user_id and self.user.client_organization_id is not None:
            raise ValidationError({"user": _("Only staff are allocated to projects.")})


class ReallocationRequest(WorkflowModel, BusinessModel):
    """A person of another department asked for a project (人員調配 between departments).

    The head of the department that releases the person (or of one above it) decides; approval
    creates the allocation."""

    access_kind = Kind.PROJECT  # who may see it: core/access.py
    engagement_lookup = "project__engagement"
    editable_states = (ReallocationState.REQUESTED,)

    State = ReallocationState

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="reallocations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="reallocation_requests",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    from_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("releasing department"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    role = models.CharField(_("role in the team"), max_length=100)
    percent = models.PositiveSmallIntegerField(
        _("allocation (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = BoundedTextField(_("why this person is needed"), max_length=TEXT_NOTE)
    state = StateField(_("state"), choices=State.choices, default=State.REQUESTED, protected=True)
    requested_by = actor_field(_("requested by"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    allocation = models.OneToOneField(
        Allocation,
        verbose_name=_("allocation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
        editable=False,
    )
    history = HistoricalRecords()

    objects = OwnOrTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("reallocation request")
        verbose_name_plural = _("reallocation requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=1, percent__lte=100), name="costs_reallocation_percent_range"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="costs_reallocation_dates"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_reallocation,
            "add": r.can_request_reallocation,
            "change": r.can_edit_reallocation,
            "delete": r.rules.always_deny,
            "decide": r.can_decide_reallocation,
            "withdraw": r.can_withdraw_reallocation,
        }

    def __str__(self) -> str:
        return _("%(person)s to %(project)s (%(percent)s%%)") % {
            "person": self.user.display_name,
            "project": self.project.code,
            "percent": self.percent,
        }

    def clean(self):
        super().clean()
        _end_not_before_start(self)
        if self.user_id and self.user.department_id is None:
            raise ValidationError(
                {"user": _("This person belongs to no department; allocate them directly.")}
            )

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        permission="costs.decide_reallocationrequest",
        custom={"label": _("Release the person"), "icon": "check2-circle"},
    )
    def approve(self, actor=None):
        """The releasing department agrees: the person is allocated to the project."""
        self.decided_by = actor
        self.decided_at = timezone.now()
        allocation = Allocation(
            project=self.project,
            user=self.user,
            role=self.role,
            percent=self.percent,
            start=self.start,
            end=self.end,
            source=Allocation.Source.REALLOCATION,
            note=self.reason[:TEXT_NOTE],
        )
        allocation._history_user = actor
        allocation.save()
        self.allocation = allocation

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REJECTED,
        permission="costs.decide_reallocationrequest",
        custom={"label": _("Decline"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.WITHDRAWN,
        permission="costs.withdraw_reallocationrequest",
        custom={"label": _("Withdraw"), "icon": "arrow-counterclockwise"},
    )
    def withdraw(self):
        pass


# --- RES-5: team building ------------------------------------------------------------------------


class TeamActivity(BusinessModel):
    """團隊活動 / 團隊培訓: a team activity or training, with its cost and the participants' feedback."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Team activity")
        TRAINING = "training", _("Team training")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ACTIVITY)
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("team (department)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a company-wide activity."),
    )
    held_on = models.DateField(_("held on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)])
    description = BoundedTextField(_("content and goals"), max_length=TEXT_LONG, blank=True)
    organizer = actor_field(_("organised by"))
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("team activity")
        verbose_name_plural = _("team activities")
        ordering = ["-held_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(cost__gte=0), name="costs_activity_cost")]
        rules_permissions = {
            "view": r.can_view_team,
            "add": r.organises,
            "change": r.organises,
            "delete": r.organises,
        }

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    @property
    def feedback_summary(self) -> str:
        """The participants' mean rating and how many rated, e.g. "4.5 / 5 (4 ratings)"."""
        ratings = [p.rating for p in self.participants.all() if p.rating]
        if not ratings:
            return "—"
        return _("%(mean)s / 5 (%(count)s ratings)") % {
            "mean": f"{sum(ratings) / len(ratings):.1f}",
            "count": len(ratings),
        }

    feedback_summary.fget.short_description = _("participants' rating")


class TeamParticipant(BusinessModel):
    """A participant of a team activity, with their rating and feedback."""

    activity = models.ForeignKey(
        TeamActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    attended = models.BooleanField(_("attended"), default=True)
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = BoundedTextField(_("feedback"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                name="costs_participant_once",
                violation_error_message=_("This person is already a participant."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="costs_participant_rating_range",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_team,
            "add": r.organises,
            "change": r.can_change_participant,
            "delete": r.organises,
        }

    def __str__(self) -> str:
        return f"{self.user.display_name} · {self.activity.title}"


# --- RES-6 / RES-7: rates and cost entries -------------------------------------------------------


class CostRateQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self if r.can_view_rate(user) else self.none()


class CostRate(BusinessModel):
    """人工成本費率: the hourly cost of a position from a date on (until the next rate)."""

    position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the default rate of people whose position has no rate."),
    )
    hourly_rate = models.DecimalField(_("hourly cost"), max_digits=10, decimal_places=2, validators=POSITIVE)
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = CostRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost rate")
        verbose_name_plural = _("cost rates")
        ordering = ["position", "-effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "effective_from"],
                name="costs_rate_once_per_day",
                violation_error_message=_("This position already has a rate from that day."),
            ),
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=models.Q(position__isnull=True),
                name="costs_default_rate_once_per_day",
                violation_error_message=_("There is already a default rate from that day."),
            ),
            models.CheckConstraint(condition=models.Q(hourly_rate__gt=0), name="costs_rate_positive"),
        ]
        rules_permissions = {
            "view": r.can_view_rate,
            "add": r.can_change_rate,
            "change": r.can_change_rate,
            "delete": r.can_change_rate,
        }

    def __str__(self) -> str:
        position = self.position.name if self.position_id else _("Default rate")
        return f"{position} {self.hourly_rate:,.2f} ({self.effective_from:%Y-%m-%d})"


class Timesheet(BusinessModel):
    """工時: a person's hours on a project on one day, valued at the cost rate of that day.

    A timesheet on a project the person is not allocated to on that day is refused
    (costs.services.log_time)."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="timesheets",
        editable=False,
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="timesheets"
    )
    task = models.ForeignKey(
        "projects.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    day = models.DateField(_("day"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    description = models.CharField(_("work done"), max_length=200, blank=True)
    rate = models.DecimalField(_("hourly cost"), max_digits=10, decimal_places=2, editable=False, default=0)
    cost = models.DecimalField(_("cost"), **MONEY, editable=False, default=0)
    history = HistoricalRecords()

    objects = OwnOrTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-day", "user", "pk"]
        indexes = [
            models.Index(fields=["project", "day"], name="costs_timesheet_project_day"),
            models.Index(fields=["user", "day"], name="costs_timesheet_user_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="costs_timesheet_hours"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_costs,
            "add": r.can_add_timesheet,
            "change": r.can_change_timesheet,
            "delete": r.can_change_timesheet,
        }

    def __str__(self) -> str:
        name = self.user.display_name if self.user_id else ""
        return f"{name} · {self.day:%Y-%m-%d} · {self.hours} h"

    def clean(self):
        super().clean()
        if self.task_id and self.project_id and self.task.project_id != self.project_id:
            raise ValidationError({"task": _("This task belongs to another project.")})


@condition(_("Attach the receipt before submitting."))
def has_receipt(expense) -> bool:
    return Attachment.objects.for_object(expense).exists()


class ExpenseQuerySet(OwnOrTeamQuerySet):
    own_field = "claimant"


class Expense(WorkflowModel, BusinessModel):
    """費用報銷: an expense of a project with its receipt, approved by the project lead."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"
    editable_states = EXPENSE_EDITABLE
    allow_attachments = True  # the receipts

    State = ExpenseState

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="expenses"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.TRAVEL
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    spent_on = models.DateField(_("spent on"))
    claimant = actor_field(_("claimed by"))
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["project", "state", "spent_on"], name="costs_expense_project")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="costs_expense_positive")
        ]
        rules_permissions = {
            "view": r.can_view_costs,
            "add": r.can_add_expense,
            "change": r.can_change_expense,
            "delete": r.can_change_expense,
            "attach": r.can_change_expense,
            "submit": r.can_submit_expense,
            "approve": r.can_approve_expense,
        }

    def __str__(self) -> str:
        return f"{self.description} {self.amount:,.2f}"

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission="costs.submit_expense",
        conditions=[has_receipt],
        custom={"label": _("Submit for approval"), "icon": "send"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="costs.approve_expense",
        custom={"label": _("Approve"), "icon": "check2-circle"},
    )
    def approve(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission="costs.approve_expense",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()


class PurchaseQuerySet(OwnOrTeamQuerySet):
    own_field = "recorded_by"


class Purchase(BusinessModel):
    """採購: equipment or other goods bought for a project, with the invoice attached."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"
    allow_attachments = True  # the invoice

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="purchases"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.EQUIPMENT
    )
    item = models.CharField(_("item"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    purchased_on = models.DateField(_("purchased on"))
    recorded_by = actor_field(_("recorded by"))
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_on", "-pk"]
        indexes = [models.Index(fields=["project", "purchased_on"], name="costs_purchase_project")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="costs_purchase_positive")
        ]
        rules_permissions = {
            "view": r.can_view_costs,
            "add": r.can_add_purchase,
            "change": r.can_change_purchase,
            "delete": r.can_change_purchase,
        }

    def __str__(self) -> str:
        return f"{self.item} {self.amount:,.2f}"


# --- budget alerts and roll-ups ----------------------------------------------------------------


class MoneyQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return staff_scope(self, user) if user.client_organization_id is None else self.none()


class BudgetAlert(BusinessModel):
    """A budget threshold crossed by a project's spending (in total or in one category).

    One row per crossing: the open row (``cleared_at`` empty) is unique per project, category
    and level, so the same crossing never alerts twice; it is cleared when the spending falls
    back under the threshold (a budget raised by an approved plan change), and a later crossing
    alerts again."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"
    generic_views = False  # written by costs.alerts; shown on the cost page and "My work"

    class Level(models.TextChoices):
        WARN = "warn", _("Warning")
        APPROVAL = "approval", _("Needs approval to spend further")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="budget_alerts"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    budget = models.DecimalField(_("budget"), **MONEY)
    actual = models.DecimalField(_("actual cost"), **MONEY)
    crossed_at = models.DateTimeField(_("crossed at"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MoneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget alert")
        verbose_name_plural = _("budget alerts")
        ordering = ["-crossed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category", "level"],
                condition=models.Q(cleared_at__isnull=True),
                name="costs_one_open_alert",
            )
        ]
        rules_permissions = {"view": r.can_view_costs}

    def __str__(self) -> str:
        scope = self.get_category_display() if self.category else _("Total")
        return f"{self.project.code} · {scope} · {self.get_level_display()}"

    @property
    def percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.actual * 100 / self.budget).quantize(Decimal("0.1"))


class CostRollup(BusinessModel):
    """成本核算: a project's costs of one month by category, with the change and weak points."""

    access_kind = Kind.MONEY  # who may see it: core/access.py
    engagement_lookup = "project__engagement"
    generic_views = False  # written by the periodic roll-up (tasks.py); shown on the roll-up page

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="cost_rollups"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.DateField(_("month"))
    personnel = models.DecimalField(_("Personnel"), **MONEY, default=0)
    equipment = models.DecimalField(_("Equipment purchase"), **MONEY, default=0)
    office = models.DecimalField(_("Office"), **MONEY, default=0)
    travel = models.DecimalField(_("Travel"), **MONEY, default=0)
    communication = models.DecimalField(_("Communication"), **MONEY, default=0)
    other = models.DecimalField(_("Other"), **MONEY, default=0)
    total = models.DecimalField(_("total"), **MONEY, default=0)
    cumulative = models.DecimalField(_("cumulative cost"), **MONEY, default=0)
    budget_total = models.DecimalField(_("budget"), **MONEY, default=0)
    weak_points = models.JSONField(_("weak points"), default=list, blank=True)
    rolled_up_at = models.DateTimeField(_("rolled up at"), default=timezone.now)
    history = HistoricalRecords()

    objects = MoneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost roll-up")
        verbose_name_plural = _("cost roll-ups")
        ordering = ["-period", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="costs_rollup_once")]
        rules_permissions = {"view": r.can_view_rollup}

    def __str__(self) -> str:
        return f"{self.project.code} {self.period:%Y-%m}"


# The people named on these records are on their engagement's team (core/access.py); the
# releasing department's head sees the request to decide it.
register_team("costs.Allocation", engagement="project__engagement", users=("user",))
register_team("costs.ReallocationRequest", engagement="project__engagement", users=("user", "requested_by"))
register_department(
    "costs.ReallocationRequest", engagement="project__engagement", department="from_department"
)
