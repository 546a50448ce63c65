"""People (人員管理): appraisal (HR-5..HR-8), the skills matrix (HR-4) and skills training (HR-3).

Appraisal: ``IndicatorTemplate`` (versioned per position) holds ``Indicator`` rows (performance,
ability, attitude; weight, quantified target; optionally computed from operational data).
A ``Cycle`` (month, quarter built on its months, year built on its quarters) opens one
``Appraisal`` per person with an ``AppraisalScore`` per indicator. The roll-up rule is the cycle's
(grading.py). Results are applied by ``ResultAction`` (approved by management) and
``ImprovementPlan`` with ``CheckIn`` rows.

Skills: ``Skill`` (the catalogue) and ``PersonSkill`` (a level from one source). Training:
``Course``, ``TrainingSession``, ``Enrolment`` (attendance, assessment, certificate).
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.fields import TEXT_COMMENT, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.workflow import WorkflowModel
from onestop.people import grading, states
from onestop.people import rules as r
from onestop.people.access import people_scope
from onestop.people.computed import Source

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def staff_person(verbose_name, related_name):
    """A required link to a member of staff (never a client's user); the people apps' rows about
    one person use it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"client_organization__isnull": True},
    )


class PeopleQuerySet(ScopedQuerySet):
    """Rows about one person (``person_field``): the person, their superiors, HR (access.py)."""

    person_field = "employee"

    def scope_for(self, user):
        return people_scope(self, user, self.person_field)


# --- HR-5: indicators per position -------------------------------------------------------------


class Category(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    ABILITY = "ability", _("Ability")
    ATTITUDE = "attitude", _("Attitude")


class IndicatorTemplate(BusinessModel):
    """考核指標模板: the indicators of one position, versioned. A version used by an appraisal
    no longer changes; a change is a new version (services.new_template_version)."""

    position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        related_name="indicator_templates",
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    title = models.CharField(_("title"), max_length=200)
    is_active = models.BooleanField(
        _("in use for new appraisals"),
        default=True,
        help_text=_("The active version of a position is used when a cycle opens its appraisals."),
    )
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE, blank=True)
    first_used_at = models.DateTimeField(_("first used"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator template")
        verbose_name_plural = _("indicator templates")
        ordering = ["position__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["position", "version"], name="indicator_template_version_once"),
        ]
        rules_permissions = {
            "view": r.can_view_template,
            "add": r.can_manage_template,
            "change": r.can_change_template,
            "delete": r.can_change_template,
        }

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def total_weight(self):
        return sum((i.weight for i in self.indicators.all()), 0)

    total_weight.fget.short_description = _("total weight")


class Indicator(BusinessModel):
    """考核指標: one indicator of a template — category, weight, quantified target, source."""

    template = models.ForeignKey(
        IndicatorTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="indicators"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("indicator"), max_length=200)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target = models.CharField(
        _("quantified target"), max_length=200, help_text=_("For example: milestones on time ≥ 90%.")
    )
    target_value = models.DecimalField(
        _("target figure"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The figure a computed indicator is compared with."),
    )
    source = models.CharField(
        _("computed from"),
        max_length=40,
        choices=Source.choices,
        blank=True,
        help_text=_("Filled from operational data and shown beside the superior's score."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["template", "sort_order", "pk"]
        rules_permissions = {
            "view": r.can_view_template,
            "add": r.can_manage_template,
            "change": r.can_change_template,
            "delete": r.can_change_template,
        }

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.name}"

    def get_absolute_url(self) -> str:
        return self.template.get_absolute_url()


# --- HR-6: cycles ------------------------------------------------------------------------------


class CycleKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Annual")


class RollupMethod(models.TextChoices):
    MEAN = "mean", _("Average of the parts")
    WEIGHTED = "weighted", _("Weighted average of the parts")


class Cycle(WorkflowModel, BusinessModel):
    """考核週期: a month, a quarter (built on its three months) or a year (built on its quarters)."""

    State = states.CycleState

    kind = models.CharField(_("cycle"), max_length=10, choices=CycleKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    number = models.PositiveSmallIntegerField(
        _("month or quarter"), default=1, help_text=_("1–12 for a month, 1–4 for a quarter, 1 for a year.")
    )
    starts_on = models.DateField(_("from"), editable=False)
    ends_on = models.DateField(_("to"), editable=False)
    self_assessment = models.BooleanField(
        _("self-assessment first"),
        default=True,
        help_text=_("The employee assesses themself before the superior scores."),
    )
    rollup_method = models.CharField(
        _("roll-up of the parts"), max_length=10, choices=RollupMethod.choices, default=RollupMethod.MEAN
    )
    part_weights = models.CharField(
        _("weights of the parts"),
        max_length=50,
        blank=True,
        help_text=_("For a weighted roll-up, one weight per month or quarter, e.g. 1,1,2."),
    )
    rollup_share = models.PositiveSmallIntegerField(
        _("share of the roll-up (%)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "The final score is this share of the parts' roll-up plus the rest of the period's own score."
        ),
    )
    due_on = models.DateField(_("scores due"), null=True, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    opened_by = actor_field(_("opened by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        ordering = ["-starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "number"], name="appraisal_cycle_once"),
        ]
        rules_permissions = {
            "view": r.can_view_cycle,
            "add": r.can_manage_cycle,
            "change": r.can_change_cycle,
            "delete": r.can_change_cycle,
            "close": r.can_manage_cycle,
        }

    def __str__(self) -> str:
        if self.kind == CycleKind.MONTH:
            return _("%(year)s-%(month)02d monthly appraisal") % {"year": self.year, "month": self.number}
        if self.kind == CycleKind.QUARTER:
            return _("%(year)s Q%(quarter)s quarterly appraisal") % {
                "year": self.year,
                "quarter": self.number,
            }
        return _("%(year)s annual appraisal") % {"year": self.year}

    @property
    def title(self) -> str:
        return str(self)

    title.fget.short_description = _("cycle")

    def clean(self):
        limit = {CycleKind.MONTH: 12, CycleKind.QUARTER: 4, CycleKind.YEAR: 1}.get(self.kind, 1)
        if not 1 <= (self.number or 0) <= limit:
            raise ValidationError({"number": _("Choose 1 to %(limit)s for this cycle.") % {"limit": limit}})
        try:
            weights = grading.parse_weights(self.part_weights)
        except ArithmeticError:
            raise ValidationError(
                {"part_weights": _("Write numbers separated by commas, e.g. 1,1,2.")}
            ) from None
        if self.rollup_method == RollupMethod.WEIGHTED and len(weights) != self.part_count:
            raise ValidationError(
                {"part_weights": _("Give one weight per part (%(count)s).") % {"count": self.part_count}}
            )
        if any(w < 0 for w in weights):
            raise ValidationError({"part_weights": _("Weights cannot be negative.")})
        self.starts_on, self.ends_on = self.period()

    def period(self) -> tuple[date, date]:
        year, number = self.year, self.number or 1
        if self.kind == CycleKind.MONTH:
            return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
        if self.kind == CycleKind.QUARTER:
            first = 3 * (number - 1) + 1
            return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return date(year, 1, 1), date(year, 12, 31)

    @property
    def part_kind(self) -> str | None:
        return {CycleKind.QUARTER: CycleKind.MONTH, CycleKind.YEAR: CycleKind.QUARTER}.get(self.kind)

    @property
    def part_count(self) -> int:
        return {CycleKind.QUARTER: 3, CycleKind.YEAR: 4}.get(self.kind, 0)

    def part_numbers(self) -> list[int]:
        """The numbers of the cycles this one is built on (months of a quarter, quarters of a year)."""
        if self.kind == CycleKind.QUARTER:
            first = 3 * (self.number - 1) + 1
            return [first, first + 1, first + 2]
        if self.kind == CycleKind.YEAR:
            return [1, 2, 3, 4]
        return []

    @property
    def rule_text(self) -> str:
        """The roll-up rule in words, shown on the cycle and the appraisal pages."""
        if not self.part_kind:
            return str(_("A monthly result is the weighted total of the indicator scores."))
        parts = _("the monthly results") if self.kind == CycleKind.QUARTER else _("the quarterly results")
        how = (
            _("the weighted average (weights %(weights)s) of %(parts)s")
            % {"weights": self.part_weights, "parts": parts}
            if self.rollup_method == RollupMethod.WEIGHTED
            else _("the average of %(parts)s") % {"parts": parts}
        )
        return str(
            _(
                "Final score = %(share)s%% × %(how)s + %(own)s%% × this period's own score. Parts not closed are "
                "left out and the others reweighted; without any, the own score alone."
            )
            % {"share": self.rollup_share, "how": how, "own": 100 - self.rollup_share}
        )

    rule_text.fget.short_description = _("roll-up rule")

    @transition(
        field=state,
        source=State.OPEN,
        target=State.CLOSED,
        permission="people.close_cycle",
        custom={"label": _("Close the cycle"), "icon": "lock", "service_only": True},
    )
    def close(self):
        self.closed_at = timezone.now()


# --- HR-7: appraisals --------------------------------------------------------------------------


class Appraisal(WorkflowModel, BusinessModel):
    """考核表: one person's appraisal in one cycle."""

    generic_views = False  # opened by its cycle, changed by its steps: tests/test_people.py
    State = states.AppraisalState

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="appraisals"
    )
    employee = staff_person(_("employee"), "appraisals")
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("direct superior"),
        on_delete=models.PROTECT,
        related_name="appraisals_to_score",
        limit_choices_to={"client_organization__isnull": True},
    )
    template = models.ForeignKey(
        IndicatorTemplate, verbose_name=_("indicators"), on_delete=models.PROTECT, related_name="appraisals"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.SCORING, protected=True)
    self_comment = BoundedTextField(_("self-assessment"), max_length=TEXT_NOTE, blank=True, editable=False)
    self_assessed_at = models.DateTimeField(_("self-assessed"), null=True, blank=True, editable=False)
    superior_comment = BoundedTextField(
        _("superior's overall comment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True, editable=False)
    own_score = models.DecimalField(
        _("own score"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    rollup_score = models.DecimalField(
        _("roll-up of the parts"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    final_score = models.DecimalField(
        _("final score"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    grade = models.CharField(
        _("grade"), max_length=2, choices=grading.GRADE_CHOICES, blank=True, editable=False
    )
    employee_comment = BoundedTextField(
        _("employee's comment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    read_at = models.DateTimeField(_("read by the employee"), null=True, blank=True, editable=False)
    appeal_reason = BoundedTextField(_("appeal"), max_length=TEXT_NOTE, blank=True, editable=False)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(_("figures computed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["-cycle__starts_on", "employee__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee"], name="one_appraisal_per_cycle"),
        ]
        rules_permissions = {
            "view": r.can_view_appraisal,
            "add": r.can_manage_cycle,
            "change": r.rules.always_deny,  # every change is a step of the evaluation
            "delete": r.rules.always_deny,
            "self_assess": r.can_self_assess,
            "score": r.can_score,
            "read": r.can_read_appraisal,
            "close": r.can_close_appraisal,
            "refresh": r.can_refresh_appraisal,
            "distribution": r.can_view_distribution,
        }

    def __str__(self) -> str:
        return f"{self.employee.display_name} · {self.cycle}"

    @property
    def grade_label(self) -> str:
        return str(dict(grading.GRADE_CHOICES).get(self.grade, ""))

    grade_label.fget.short_description = _("grade")

    def clean(self):
        if self.employee_id and self.superior_id and self.employee_id == self.superior_id:
            raise ValidationError({"superior": _("Nobody appraises themself; choose the direct superior.")})

    # --- transitions: every step takes input (scores, comments): people.services ---------------
    @transition(
        field=state,
        source=State.SELF_ASSESSMENT,
        target=State.SCORING,
        permission="people.self_assess_appraisal",
        custom={"label": _("Submit the self-assessment"), "icon": "person-lines-fill", "service_only": True},
    )
    def submit_self(self):
        self.self_assessed_at = timezone.now()

    @transition(
        field=state,
        source=State.SCORING,
        target=State.EMPLOYEE_REVIEW,
        permission="people.score_appraisal",
        custom={"label": _("Submit the scores"), "icon": "send", "service_only": True},
    )
    def submit_scores(self):
        self.scored_at = timezone.now()

    @transition(
        field=state,
        source=State.EMPLOYEE_REVIEW,
        target=State.ACKNOWLEDGED,
        permission="people.read_appraisal",
        custom={"label": _("I have read it"), "icon": "check2", "service_only": True},
    )
    def acknowledge(self):
        self.read_at = timezone.now()

    @transition(
        field=state,
        source=State.EMPLOYEE_REVIEW,
        target=State.APPEALED,
        permission="people.read_appraisal",
        custom={"label": _("Appeal"), "icon": "exclamation-diamond", "service_only": True},
    )
    def appeal(self):
        self.read_at = self.appealed_at = timezone.now()

    @transition(
        field=state,
        source=State.APPEALED,
        target=State.ACKNOWLEDGED,
        permission="people.close_appraisal",
        custom={"label": _("Uphold the scores"), "icon": "check2-square", "comment_required": True},
    )
    def uphold(self):
        pass

    @transition(
        field=state,
        source=State.APPEALED,
        target=State.SCORING,
        permission="people.close_appraisal",
        custom={
            "label": _("Return to the superior for rescoring"),
            "icon": "arrow-counterclockwise",
            "comment_required": True,
        },
    )
    def rescore(self):
        pass

    @transition(
        field=state,
        source=[State.EMPLOYEE_REVIEW, State.ACKNOWLEDGED],
        target=State.CLOSED,
        permission="people.close_appraisal",
        custom={"label": _("Close the appraisal"), "icon": "lock", "service_only": True},
    )
    def close(self):
        self.closed_at = timezone.now()


class AppraisalScore(BusinessModel):
    """指標評分: one indicator of one appraisal — self score, the superior's score and comment, and
    the computed figure beside them."""

    generic_views = False  # shown and written on its appraisal's page: tests/test_people.py

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    self_score = models.PositiveSmallIntegerField(
        _("self score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    score = models.PositiveSmallIntegerField(
        _("score (0–100)"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    comment = BoundedTextField(_("comment"), max_length=TEXT_COMMENT, blank=True)
    computed_value = models.DecimalField(
        _("computed figure"), max_digits=9, decimal_places=2, null=True, blank=True, editable=False
    )
    computed_count = models.PositiveIntegerField(_("records counted"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class ScoreQuerySet(PeopleQuerySet):
        person_field = "appraisal__employee"

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["appraisal", "indicator__sort_order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="appraisal_score_at_most_100"),
        ]
        rules_permissions = {
            "view": r.can_view_appraisal,
            "add": r.rules.always_deny,
            "change": r.rules.always_deny,
            "delete": r.rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.indicator.name}"

    def get_absolute_url(self) -> str:
        return self.appraisal.get_absolute_url()


# --- HR-8: results applied ---------------------------------------------------------------------


class ActionKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    REWARD = "reward", _("Reward")
    PROMOTION = "promotion", _("Promotion")
    RAISE = "raise", _("Pay raise")
    COACHING = "coaching", _("Coaching")
    PIP = "pip", _("Performance-improvement plan")
    WARNING = "warning", _("Warning")
    DEMOTION = "demotion", _("Demotion")
    TRANSFER = "transfer", _("Transfer")


class ResultAction(WorkflowModel, BusinessModel):
    """結果應用: what follows from an appraisal result, approved by management."""

    State = states.ActionState

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, related_name="actions"
    )
    employee = staff_person(_("employee"), "result_actions")
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("For a reward or a raise."),
    )
    new_position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("new position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a promotion, demotion or transfer."),
    )
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.PROPOSED, protected=True)
    proposed_by = actor_field(_("proposed by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class ActionQuerySet(PeopleQuerySet):
        def scope_for(self, user):
            if user.client_organization_id is None and r.is_management(user):
                return self
            return super().scope_for(user)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("result action")
        verbose_name_plural = _("result actions")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_action,
            "add": r.can_propose_action,
            "change": r.can_change_action,
            "delete": r.can_change_action,
            "decide": r.can_decide_action,
        }

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee.display_name}"

    def clean(self):
        if self.appraisal_id and self.employee_id and self.appraisal.employee_id != self.employee_id:
            raise ValidationError({"appraisal": _("Choose an appraisal of this employee.")})
        if self.kind in (ActionKind.REWARD, ActionKind.RAISE) and self.amount is None:
            raise ValidationError({"amount": _("Give the amount of the reward or raise.")})
        moves = (ActionKind.PROMOTION, ActionKind.DEMOTION, ActionKind.TRANSFER)
        if self.kind in moves and self.new_position_id is None:
            raise ValidationError({"new_position": _("Choose the new position.")})

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.APPROVED,
        permission="people.decide_resultaction",
        custom={"label": _("Approve"), "icon": "check2-circle", "service_only": True},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.REJECTED,
        permission="people.decide_resultaction",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self):
        self.decided_at = timezone.now()


class Outcome(models.TextChoices):
    MET = "met", _("Goals met")
    EXTENDED = "extended", _("Partly met, followed by a new plan")
    NOT_MET = "not_met", _("Goals not met")


class ImprovementPlan(WorkflowModel, BusinessModel):
    """績效改進計劃 (PIP): goals, check-ins and an outcome."""

    State = states.PlanState

    employee = staff_person(_("employee"), "improvement_plans")
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible superior"),
        on_delete=models.PROTECT,
        related_name="improvement_plans_led",
        limit_choices_to={"client_organization__isnull": True},
    )
    appraisal = models.ForeignKey(
        Appraisal,
        verbose_name=_("appraisal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_plans",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    goals = BoundedTextField(_("goals"), max_length=TEXT_NOTE, help_text=_("Measurable goals, one a line."))
    support = BoundedTextField(_("support given"), max_length=TEXT_NOTE, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.ACTIVE, protected=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, editable=False
    )
    outcome_note = BoundedTextField(_("outcome note"), max_length=TEXT_NOTE, blank=True, editable=False)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pip_period_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_start_plan,
            "change": r.can_change_plan,
            "delete": r.rules.always_deny,
            "conclude": r.can_conclude_plan,
            "check_in": r.can_change_plan,
        }

    def __str__(self) -> str:
        return _("Improvement plan of %(name)s") % {"name": self.employee.display_name}

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The plan ends after it starts.")})
        if self.employee_id and self.superior_id and self.employee_id == self.superior_id:
            raise ValidationError({"superior": _("Choose the employee's superior.")})

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.COMPLETED,
        permission="people.conclude_improvementplan",
        custom={"label": _("Conclude"), "icon": "flag", "service_only": True},
    )
    def conclude(self, outcome="", note=""):
        self.outcome = outcome
        self.outcome_note = note
        self.concluded_at = timezone.now()


class CheckIn(BusinessModel):
    """績效改進面談: one check-in of an improvement plan."""

    class Progress(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        BEHIND = "behind", _("Behind")
        AT_RISK = "at_risk", _("At risk")

    plan = models.ForeignKey(
        ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="check_ins"
    )
    held_on = models.DateField(_("held on"))
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE)
    recorded_by = actor_field(_("recorded by"))
    history = HistoricalRecords()

    class CheckInQuerySet(PeopleQuerySet):
        person_field = "plan__employee"

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["plan", "held_on", "pk"]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_start_plan,
            "change": r.can_change_plan,
            "delete": r.can_change_plan,
        }

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()


# --- HR-4: skills ------------------------------------------------------------------------------


class Skill(BusinessModel):
    """技能: an entry of the company's skills catalogue."""

    name = models.CharField(_("skill"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = BoundedTextField(_("what level 1–5 means"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills catalogue")
        ordering = ["category", "name"]
        rules_permissions = {
            "view": r.can_view_skill,
            "add": r.can_manage_skill,
            "change": r.can_manage_skill,
            "delete": r.can_manage_skill,
        }

    def __str__(self) -> str:
        return self.name


class SkillSource(models.TextChoices):
    TRAINING = "training", _("Training result")
    CERTIFICATE = "certificate", _("Certificate")
    SUPERIOR = "superior", _("Superior's rating")


class PersonSkill(BusinessModel):
    """技能等級: one person's level (1–5) in one skill from one source; the matrix shows the highest."""

    employee = staff_person(_("employee"), "skills")
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="holders"
    )
    level = models.PositiveSmallIntegerField(_("level (1–5)"), validators=LEVEL_VALIDATORS)
    source = models.CharField(_("source"), max_length=20, choices=SkillSource.choices)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    assessed_by = actor_field(_("assessed by"))
    history = HistoricalRecords()

    class SkillQuerySet(PeopleQuerySet):
        def scope_for(self, user):
            if user.client_organization_id is None and (r.is_project_lead(user) or r.is_management(user)):
                return self
            return super().scope_for(user)

    objects = SkillQuerySet.as_manager()

    class Meta:
        verbose_name = _("person's skill")
        verbose_name_plural = _("skills matrix")
        ordering = ["employee__full_name", "skill__name", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "skill", "source"], name="one_level_per_skill_and_source"
            ),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="skill_level_1_to_5"),
        ]
        rules_permissions = {
            "view": r.can_view_person_skill,
            "add": r.can_rate_skill,
            "change": r.can_rate_skill,
            "delete": r.can_rate_skill,
            "search": r.can_search_skills,
        }

    def __str__(self) -> str:
        return f"{self.employee.display_name} · {self.skill.name} L{self.level}"


# --- HR-3: training ----------------------------------------------------------------------------


class CourseKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    ONLINE = "online", _("Online")
    HANDS_ON = "hands_on", _("Hands-on")
    SHARING = "sharing", _("Knowledge sharing")  # RES-2: a knowledge-sharing event is a course too


class Course(BusinessModel):
    """培訓課程: a course, internal, external, online or hands-on — or a knowledge-sharing event
    (知識分享會, RES-2), whose sessions, enrolments and attendance are the training's own and whose
    materials are published articles of the knowledge base."""

    title = models.CharField(_("course"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CourseKind.choices)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    skill = models.ForeignKey(
        Skill,
        verbose_name=_("skill taught"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    level_awarded = models.PositiveSmallIntegerField(
        _("level on passing"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("Passing the assessment records this level of the skill."),
    )
    certificate_months = models.PositiveSmallIntegerField(
        _("certificate valid (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the course gives no certificate."),
    )
    description = BoundedTextField(_("content"), max_length=TEXT_NOTE, blank=True)
    articles = models.ManyToManyField(
        "resources.Article",
        verbose_name=_("materials from the knowledge base"),
        blank=True,
        related_name="courses",
        help_text=_("Published articles, case studies and solutions the course or event is built on."),
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        rules_permissions = {
            "view": r.can_view_course,
            "add": r.can_manage_course,
            "change": r.can_manage_course,
            "delete": r.can_manage_course,
        }

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.level_awarded and not self.skill_id:
            raise ValidationError({"skill": _("Name the skill whose level the course awards.")})


class TrainingSession(BusinessModel):
    """培訓班次: a course given on dates, by a trainer, for a number of places."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    trainer = models.CharField(_("trainer"), max_length=100)
    location = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="session_dates_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_course,
            "add": r.can_manage_course,
            "change": r.can_manage_course,
            "delete": r.can_manage_course,
        }

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_on:%Y-%m-%d}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The session ends on or after its first day.")})


class Enrolment(WorkflowModel, BusinessModel):
    """培訓報名: a person in a session — approval, attendance, assessment, certificate."""

    State = states.EnrolmentState

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="enrolments"
    )
    employee = staff_person(_("employee"), "enrolments")
    state = StateField(_("state"), choices=State.choices, default=State.REQUESTED, protected=True)
    requested_by = actor_field(_("enrolled by"))
    attended = models.BooleanField(_("attended"), null=True, blank=True, editable=False)
    score = models.DecimalField(
        _("assessment score"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True, editable=False)
    certificate_no = models.CharField(_("certificate number"), max_length=50, blank=True, editable=False)
    certificate_expires_on = models.DateField(_("certificate expires"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("training records")
        ordering = ["-session__starts_on", "employee__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="enrolled_once_per_session"),
        ]
        rules_permissions = {
            "view": r.can_view_enrolment,
            "add": r.can_enrol,
            "change": r.can_change_enrolment,
            "delete": r.rules.always_deny,  # a training record is kept; a request is cancelled
            "approve": r.can_approve_enrolment,
            "record": r.can_record_result,
        }

    def __str__(self) -> str:
        return f"{self.employee.display_name} · {self.session}"

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.ENROLLED,
        permission="people.approve_enrolment",
        custom={"label": _("Approve"), "icon": "check2"},
    )
    def approve(self):
        pass

    @transition(
        field=state,
        source=[State.REQUESTED, State.ENROLLED],
        target=State.CANCELLED,
        permission="people.approve_enrolment",
        custom={"label": _("Cancel"), "icon": "x-circle", "comment_required": True},
    )
    def cancel(self):
        pass

    @transition(
        field=state,
        source=State.ENROLLED,
        target=State.COMPLETED,
        permission="people.record_enrolment",
        custom={"label": _("Record the result"), "icon": "award", "service_only": True},
    )
    def complete(self):
        self.attended = True

    @transition(
        field=state,
        source=State.ENROLLED,
        target=State.ABSENT,
        permission="people.record_enrolment",
        custom={"label": _("Mark absent"), "icon": "person-x"},
    )
    def mark_absent(self):
        self.attended = False
