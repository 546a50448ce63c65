"""Service plans (PLN-1..3): a plan per engagement, its versions, their expert review and approval.

A ``Plan`` (服務方案) belongs to one confirmed engagement. Its content lives in
``PlanVersion`` rows: the project lead drafts a version, submits it to a review panel, the
panel's scores decide by the active ``ReviewCriteriaSet`` whether it passes or goes back for
revision, and management approves it. An approved version is frozen and becomes the plan's
effective version; any later change is a new version that goes through review and approval.
"""

from __future__ import annotations

from decimal import Decimal

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
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet
from onestop.core.predicates import is_internal, is_system_admin
from onestop.core.workflow import WorkflowModel
from onestop.plans import rules as r
from onestop.plans.decision import Criterion, Rule
from onestop.plans.states import EDITABLE, OPEN, PlanVersionState

# The policy's four criteria (PLN-2); a criteria set may use others with their own labels.
STANDARD_CRITERIA = {
    "rationality": _("Rationality"),
    "feasibility": _("Feasibility"),
    "innovation": _("Innovation"),
    "risk_controllability": _("Risk controllability"),
}


def default_criteria() -> list[dict]:
    return [{"code": code, "weight": "1"} for code in STANDARD_CRITERIA]


class ReviewCriteriaSet(BusinessModel):
    """評審標準: the criteria, their weights, the scale and the decision rule (admin-edited, versioned).

    The active set with the highest version applies to a plan version when it is submitted;
    a set already used by a review is never changed: a change is a new set (a new version).
    """

    generic_views = False  # edited in the admin site; tested in tests/test_plans.py

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    criteria = models.JSONField(
        _("criteria"), default=default_criteria, help_text=_('A list of {"code", "weight"[, "label"]}.')
    )
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    pass_mean = models.DecimalField(
        _("weighted mean needed to pass"), max_digits=5, decimal_places=2, default=Decimal("3.5")
    )
    min_criterion_mean = models.DecimalField(
        _("lowest criterion mean allowed"), max_digits=5, decimal_places=2, default=Decimal("2.5")
    )
    reject_forces_revise = models.BooleanField(_("a rejection forces revision"), default=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("review criteria set")
        verbose_name_plural = _("review criteria sets")
        ordering = ["-version"]
        rules_permissions = {
            "view": is_internal,
            "add": is_system_admin,
            "change": is_system_admin,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("admin:plans_reviewcriteriaset_change", args=[self.pk])

    @classmethod
    def active(cls) -> ReviewCriteriaSet:
        current = cls.objects.filter(is_active=True).order_by("-version").first()
        if current is None:
            current = cls.objects.create(name=str(_("Default criteria")), version=1)
        return current

    def criterion_list(self):
        return [
            Criterion(
                item["code"],
                str(STANDARD_CRITERIA.get(item["code"], item.get("label") or item["code"])),
                Decimal(str(item.get("weight", 1))),
            )
            for item in self.criteria
        ]

    def rule(self):
        return Rule(self.pass_mean, self.min_criterion_mean, self.reject_forces_revise)

    def clean(self):
        errors = {}
        if not isinstance(self.criteria, list) or not self.criteria:
            errors["criteria"] = _("Name at least one criterion.")
        else:
            codes = []
            for item in self.criteria:
                try:
                    weight = Decimal(str(item["weight"]))
                    codes.append(str(item["code"]))
                except Exception:
                    errors["criteria"] = _('Each criterion needs a "code" and a numeric "weight".')
                    break
                if weight < 0:
                    errors["criteria"] = _("Weights cannot be negative.")
            else:
                if len(set(codes)) != len(codes):
                    errors["criteria"] = _("Each criterion appears once.")
                elif sum(Decimal(str(i["weight"])) for i in self.criteria) <= 0:
                    errors["criteria"] = _("The weights must add up to more than zero.")
        if self.scale_min is not None and self.scale_max is not None and self.scale_max <= self.scale_min:
            errors["scale_max"] = _("The highest score must be above the lowest.")
        if self.pk and PlanReview.objects.filter(version__criteria_set_id=self.pk).exists():
            original = type(self).objects.get(pk=self.pk)
            fields = (
                "criteria",
                "scale_min",
                "scale_max",
                "pass_mean",
                "min_criterion_mean",
                "reject_forces_revise",
            )
            if any(getattr(original, f) != getattr(self, f) for f in fields):
                errors["criteria"] = _("This set has been used in reviews; make a new version instead.")
        if errors:
            raise ValidationError(errors)


class PlanQuerySet(InternalQuerySet):
    pass


class Plan(BusinessModel):
    """服務方案: the service plan of one engagement, made of versions (PLN-1)."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "engagement"

    code = models.CharField(_("plan number"), max_length=20, unique=True, editable=False)
    engagement = models.OneToOneField(
        "engagements.Engagement", verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="plan"
    )
    title = models.CharField(_("title"), max_length=200)
    project_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project lead"),
        on_delete=models.PROTECT,
        related_name="led_plans",
        limit_choices_to={"groups__name": "project_lead", "is_active": True},
    )
    effective_version = models.ForeignKey(
        "PlanVersion",
        verbose_name=_("effective version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_by = actor_field(_("created by"))
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_create_plan,
            "change": r.can_edit_plan,
            "delete": r.can_delete_plan,
            "draft": r.can_draft,
            "approve": r.can_approve,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()

    @property
    def status_label(self) -> str:
        latest = self.latest_version
        return latest.state_label() if latest else "—"

    status_label.fget.short_description = _("status")


class PlanVersionQuerySet(InternalQuerySet):
    pass


class PlanVersion(WorkflowModel, BusinessModel):
    """方案版本: the plan's content at one revision, with its review and approval.

    Every transition is run by plans.services (it records scores, approvals, notifications
    and deadlines alongside), so each is ``service_only``.
    """

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "plan__engagement"

    generic_views = False  # shown and edited on the plan's page; tested in tests/test_plans.py

    State = PlanVersionState
    OPEN_STATES = OPEN
    editable_states = EDITABLE  # core.services.ensure_editable
    CONTENT = (
        "service_content",
        "technical_route",
        "implementation_steps",
        "quality_measures",
        "period_start",
        "period_end",
        "fee",
        "currency",
    )

    plan = models.ForeignKey(
        Plan, verbose_name=_("service plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    service_content = BoundedTextField(_("service content"), max_length=TEXT_LONG)
    technical_route = BoundedTextField(_("technical route"), max_length=TEXT_LONG, blank=True)
    implementation_steps = BoundedTextField(_("implementation steps"), max_length=TEXT_LONG, blank=True)
    quality_measures = BoundedTextField(_("quality-assurance measures"), max_length=TEXT_LONG, blank=True)
    period_start = models.DateField(_("service period from"))
    period_end = models.DateField(_("service period to"))
    fee = models.DecimalField(
        _("agreed fee"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    change_note = BoundedTextField(_("what changed and why"), max_length=TEXT_NOTE, blank=True)
    author = actor_field(_("author"), null=False, editable=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("review panel"), blank=True, related_name="plan_reviews"
    )
    criteria_set = models.ForeignKey(
        ReviewCriteriaSet,
        verbose_name=_("review criteria"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_due = models.DateTimeField(_("review due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("review decided"), null=True, blank=True)
    weighted_mean = models.DecimalField(
        _("weighted mean"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    decision_reasons = models.JSONField(_("reasons for the outcome"), default=list, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_comment = BoundedTextField(_("management's comment"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_per_number"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="plan_fee_not_negative"),
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_draft,
            "change": r.can_draft,
            "delete": rules.always_deny,
            "submit": r.can_draft,
            "review": r.can_review,
            "approve": r.can_approve,
        }

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url() + f"#version-{self.number}"

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The service period cannot end before it starts.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Use a three-letter currency code such as CNY.")
        if errors:
            raise ValidationError(errors)

    def milestones_outside_period(self) -> list:
        """The stored milestones due outside the service period: a plan promising a milestone
        after the service has ended (or before it starts) cannot be carried out as written."""
        if not self.pk or not (self.period_start and self.period_end):
            return []
        return [m for m in self.milestones.order_by("due_date", "pk") if not m.due_within(self)]

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))

    def budget_by_category(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = {}
        for line in self.budget_lines.all():
            totals[line.category] = totals.get(line.category, Decimal("0")) + line.amount
        labels = dict(BudgetLine.Category.choices)
        return [(str(labels[c]), totals[c]) for c in BudgetLine.Category.values if c in totals]

    # --- transitions (called only through plans.services) ------------------------------------
    @transition(
        field=state,
        source=State.DRAFT,
        target=State.IN_REVIEW,
        permission="plans.submit_planversion",
        custom={"label": _("Submit for review"), "icon": "send", "service_only": True},
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.PASSED,
        permission="plans.review_planversion",
        custom={"label": _("Review passed"), "service_only": True},
    )
    def conclude_pass(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REVISE,
        permission="plans.review_planversion",
        custom={"label": _("Return for revision"), "service_only": True},
    )
    def conclude_revise(self):
        pass

    @transition(
        field=state,
        source=State.PASSED,
        target=State.APPROVED,
        permission="plans.approve_planversion",
        custom={"label": _("Approve"), "icon": "patch-check", "style": "success", "service_only": True},
    )
    def approve(self):
        pass

    @transition(
        field=state,
        source=State.PASSED,
        target=State.REJECTED,
        permission="plans.approve_planversion",
        custom={
            "label": _("Reject"),
            "icon": "x-circle",
            "style": "outline-danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def reject(self):
        pass


class VersionPartQuerySet(InternalQuerySet):
    pass


class Milestone(BusinessModel):
    """里程碑: a dated point of the schedule with its deliverables."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "version__plan__engagement"

    generic_views = False  # part of a plan version; tested in tests/test_plans.py

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"))
    deliverables = BoundedTextField(_("deliverables"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["version", "due_date", "pk"]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_draft,
            "change": r.can_draft,
            "delete": r.can_draft,
        }

    def __str__(self) -> str:
        return self.name

    def due_within(self, version) -> bool:
        return version.period_start <= self.due_date <= version.period_end

    def clean(self):
        super().clean()
        # The version in memory (not a fresh read): its period may be changed in the same edit.
        version = self.version if self.version_id else None
        if version is None or not (self.due_date and version.period_start and version.period_end):
            return
        if not self.due_within(version):
            raise ValidationError({"due_date": milestone_outside_message(self, version)})


def milestone_outside_message(milestone, version) -> str:
    return _("“%(name)s” is due on %(due)s, outside the service period %(start)s – %(end)s.") % {
        "name": milestone.name,
        "due": milestone.due_date.isoformat(),
        "start": version.period_start.isoformat(),
        "end": version.period_end.isoformat(),
    }


class StaffAssignment(BusinessModel):
    """A staff member on the plan's team, with a role and an allocation."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "version__plan__engagement"

    generic_views = False  # part of a plan version; tested in tests/test_plans.py

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="staffing"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the team"), max_length=100)
    allocation = models.PositiveSmallIntegerField(
        _("allocation (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staffing")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allocation__gte=1, allocation__lte=100), name="plan_allocation_in_range"
            )
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_draft,
            "change": r.can_draft,
            "delete": r.can_draft,
        }

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.allocation}%"


class BudgetLine(BusinessModel):
    """費用預算: one line of the cost budget, by the categories of RES-6."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "version__plan__engagement"

    generic_views = False  # part of a plan version; tested in tests/test_plans.py

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel")
        EQUIPMENT = "equipment", _("Equipment purchase")
        OFFICE = "office", _("Office")
        TRAVEL = "travel", _("Travel")
        COMMUNICATION = "communication", _("Communication")
        OTHER = "other", _("Other")

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    history = HistoricalRecords()

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_budget_not_negative")
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_draft,
            "change": r.can_draft,
            "delete": r.can_draft,
        }

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount:,.2f}"


class PlanReview(BusinessModel):
    """方案評審: one reviewer's scores, comments and recommendation on one plan version (PLN-2)."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "version__plan__engagement"

    generic_views = False  # written by plans.services.submit_review; shown on the plan's page

    class Recommendation(models.TextChoices):
        PASS = "pass", _("Pass")
        REVISE = "revise", _("Revise")
        REJECT = "reject", _("Reject")

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = actor_field(_("reviewer"), null=False, editable=True)
    scores = models.JSONField(_("scores"))
    comments = BoundedTextField(_("comments"), max_length=TEXT_NOTE, blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    history = HistoricalRecords()

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["version", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "reviewer"], name="one_review_per_reviewer")
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": rules.always_deny,  # only through plans.services.submit_review
            "change": rules.always_deny,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.version} · {self.reviewer}"


class PlanApproval(BusinessModel):
    """方案審批: one approval step by management on a passed version (PLN-3)."""

    access_kind = Kind.PLAN  # who may see it: core/access.py
    engagement_lookup = "version__plan__engagement"

    generic_views = False  # written by plans.services.approve_version; shown on the plan's page

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="approvals"
    )
    level = models.PositiveSmallIntegerField(_("approval level"))
    approver = actor_field(_("approver"), null=False, editable=True)
    comment = BoundedTextField(_("comment"), max_length=TEXT_NOTE, blank=True)
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)
    history = HistoricalRecords()

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        ordering = ["version", "level"]
        constraints = [models.UniqueConstraint(fields=["version", "level"], name="one_approval_per_level")]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": rules.always_deny,  # only through plans.services.approve_version
            "change": rules.always_deny,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.version} · {self.level} · {self.approver}"


# The people (and departments) on an engagement's team through this app's records.
register_team("plans.Plan", engagement="engagement", users=("project_lead", "created_by"))
register_team("plans.PlanVersion", engagement="plan__engagement", users=("author", "reviewers"))
register_team("plans.StaffAssignment", engagement="version__plan__engagement", users=("user",))
register_team("plans.PlanReview", engagement="version__plan__engagement", users=("reviewer",))
register_team("plans.PlanApproval", engagement="version__plan__engagement", users=("approver",))
