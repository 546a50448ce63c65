"""Risk management (policy chapter 6; SPEC RSK-1..5, EXT-1).

- ``RiskCategory``: the configurable list (technical, market, management, personnel, legal…).
- ``IdentificationSession``: how risks were found — a brainstorming session (participants,
  minutes), a questionnaire (questions, respondents' ``QuestionnaireAnswer`` rows that become
  risks) or a case analysis (past engagements).
- ``RiskMatrix``: a version of the likelihood × impact matrix, effective from a date; each cell's
  level and suggested strategy. A risk keeps the version it was assessed under.
- ``Risk``: the register's row, company-wide or of a project; its inherent assessment, its
  current (residual) one, the chosen strategy, the sign-off of an accepted risk, its reviews
  (``RiskReview``, one row per assessment over time), its ``ResponseAction`` rows and its outcome.
- ``Indicator`` and ``Warning``: early-warning indicators computed from live data (indicators.py)
  and the warnings they raise; ``EmergencyPlan`` and ``EmergencyActivation`` (EXT-1).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.contracts.models import CLAUSES, ContractTemplate
from onestop.core.access import Kind, register_team, staff_scope
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.predicates import user_roles
from onestop.core.roles import Role
from onestop.core.workflow import WorkflowModel
from onestop.risks import rules as r
from onestop.risks import states
from onestop.risks.matrix import LEVEL_ORDER, Level, Strategy

STAFF = {"client_organization__isnull": True, "is_active": True}


class InternalSettingsQuerySet(ScopedQuerySet):
    """Company settings every member of staff reads; clients never."""

    def scope_for(self, user):
        return self if user.client_organization_id is None else self.none()


class RiskCategory(BusinessModel):
    """風險類別: technical, market, management, personnel, legal… (configurable)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    objects = InternalSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk category")
        verbose_name_plural = _("risk categories")
        ordering = ["position", "name"]
        rules_permissions = {
            "view": r.can_view_settings,
            "add": r.can_manage_settings,
            "change": r.can_manage_settings,
            "delete": r.can_manage_settings,
        }

    def __str__(self) -> str:
        return self.name


class RiskMatrix(BusinessModel):
    """風險矩陣: one version of the likelihood × impact matrix, effective from a date (RSK-2).

    Never edited once a risk was assessed under it: an administrator saves a new version."""

    generic_views = False  # its own editor page (views.matrix_edit); tests/test_risks.py

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_from = models.DateField(_("effective from"))
    likelihood_labels = models.JSONField(_("likelihood scale"))
    impact_labels = models.JSONField(_("impact scale"))
    levels = models.JSONField(_("levels"), help_text=_("Per likelihood row, per impact column."))
    strategies = models.JSONField(_("suggested strategies"))
    colours = models.JSONField(_("colours"))
    review_days = models.JSONField(_("review cadence (days)"))
    note = BoundedTextField(_("what changed"), max_length=TEXT_NOTE, blank=True)
    created_by = actor_field(_("created by"))
    history = HistoricalRecords()

    objects = InternalSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")
        ordering = ["-effective_from", "-version"]
        rules_permissions = {
            "view": r.can_view_settings,
            "add": r.can_manage_settings,
            "change": r.can_manage_settings,
            "delete": r.can_manage_settings,
        }

    def __str__(self) -> str:
        return _("Risk matrix v%(version)s (from %(date)s)") % {
            "version": self.version,
            "date": self.effective_from.strftime("%Y-%m-%d"),
        }

    def get_absolute_url(self) -> str:
        return reverse("risks:matrix")

    @property
    def rows(self) -> int:
        return len(self.likelihood_labels)

    @property
    def columns(self) -> int:
        return len(self.impact_labels)

    def level_at(self, likelihood: int, impact: int) -> str:
        return self.levels[likelihood - 1][impact - 1]

    def strategy_at(self, likelihood: int, impact: int) -> str:
        return self.strategies[likelihood - 1][impact - 1]

    def colour(self, level: str) -> str:
        return self.colours.get(level, "#6c757d")

    def review_interval(self, level: str) -> int:
        return int(self.review_days.get(level, 30))


class IdentificationMethod(models.TextChoices):
    BRAINSTORMING = "brainstorming", _("Brainstorming session")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    CASE_ANALYSIS = "case_analysis", _("Case analysis")
    PLAN_REVIEW = "plan_review", _("Plan review comment")
    WARNING = "warning", _("Early warning")
    OTHER = "other", _("Other")


SESSION_METHODS = [
    (IdentificationMethod.BRAINSTORMING.value, IdentificationMethod.BRAINSTORMING.label),
    (IdentificationMethod.QUESTIONNAIRE.value, IdentificationMethod.QUESTIONNAIRE.label),
    (IdentificationMethod.CASE_ANALYSIS.value, IdentificationMethod.CASE_ANALYSIS.label),
]


class SessionQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        if r.keeps_register(user):
            return self
        mine = models.Q(facilitator=user) | models.Q(participants=user) | models.Q(engagement__isnull=True)
        team = models.Q(engagement__in=staff_scope(self.model.engagement_rows(), user).values("pk"))
        return self.filter(mine | team).distinct()


class IdentificationSession(BusinessModel):
    """風險識別: a brainstorming session, a questionnaire or a case analysis (RSK-1)."""

    allow_attachments = True

    method = models.CharField(_("method"), max_length=20, choices=SESSION_METHODS)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_sessions",
        help_text=_("Empty: a company-wide identification."),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="facilitated_risk_sessions",
        limit_choices_to=STAFF,
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants / respondents"),
        blank=True,
        related_name="risk_sessions",
        limit_choices_to=STAFF,
    )
    minutes = BoundedTextField(_("minutes"), max_length=TEXT_LONG, blank=True)
    questions = BoundedTextField(
        _("questions"), max_length=TEXT_LONG, blank=True, help_text=_("A questionnaire: one question a line.")
    )
    cases = models.ManyToManyField(
        "engagements.Engagement",
        verbose_name=_("past engagements analysed"),
        blank=True,
        related_name="risk_case_analyses",
    )
    history = HistoricalRecords(m2m_fields=[participants])

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk identification session")
        verbose_name_plural = _("risk identification sessions")
        ordering = ["-held_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_session,
            "add": r.can_add_session,
            "change": r.can_edit_session,
            "delete": r.can_edit_session,
        }

    def __str__(self) -> str:
        return f"{self.get_method_display()}：{self.title}"

    @staticmethod
    def engagement_rows():
        return IdentificationSession._meta.get_field("engagement").related_model.objects.all()

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class AnswerQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(session__in=IdentificationSession.objects.visible_to(user).values("pk"))


class QuestionnaireAnswer(BusinessModel):
    """One respondent's answer to one question of a questionnaire; it may become a risk."""

    generic_views = False  # recorded on the session's page (services.record_answer)

    session = models.ForeignKey(
        IdentificationSession,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("respondent"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.CharField(_("question"), max_length=500)
    answer = BoundedTextField(_("answer"), max_length=TEXT_NOTE)
    risk = models.ForeignKey(
        "risks.Risk",
        verbose_name=_("risk raised"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        ordering = ["session", "pk"]
        rules_permissions = {
            "view": r.can_view_session,
            "add": r.can_add_session,
            "change": rules.always_deny,
            "delete": r.can_edit_session,
        }

    def __str__(self) -> str:
        return f"{self.respondent} · {self.question}"


class RiskQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()  # the register is internal: clients never see it
        if r.keeps_register(user):
            return self
        project_rows = staff_scope(self.filter(engagement__isnull=False), user)
        return self.filter(models.Q(pk__in=project_rows.values("pk")) | models.Q(owner=user))

    def open(self):
        return self.filter(state__in=states.RISK_OPEN)


# The clauses of a contract that may transfer a risk (the liability clause, above all).
TRANSFER_CLAUSES = [(name, ContractTemplate._meta.get_field(name).verbose_name) for name in CLAUSES[1:]]


class Outcome(models.TextChoices):
    REALISED = "realised", _("The risk materialised")
    NOT_REALISED = "not_realised", _("The risk did not materialise")


class Risk(WorkflowModel, BusinessModel):
    """風險: one row of the register, company-wide or of one engagement's project (RSK-1..4)."""

    reason_fields = ("owner",)
    access_kind = Kind.PROJECT  # a project's risks follow their project (core/access.py)
    engagement_lookup = "engagement"

    allow_attachments = True
    allow_comments = True

    State = states.RiskState
    editable_states = states.RISK_EDITABLE

    code = models.CharField(_("risk number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("risk"), max_length=200)
    category = models.ForeignKey(
        RiskCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="risks"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        help_text=_("Empty: a company-level risk."),
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        editable=False,
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        help_text=_("The department that carries the risk; by default the owner's."),
    )
    cause = BoundedTextField(_("cause"), max_length=TEXT_NOTE)
    event = BoundedTextField(_("risk event"), max_length=TEXT_NOTE)
    consequence = BoundedTextField(_("consequence"), max_length=TEXT_NOTE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("risk owner"),
        on_delete=models.PROTECT,
        related_name="owned_risks",
        limit_choices_to=STAFF,
    )
    method = models.CharField(
        _("identification method"),
        max_length=20,
        choices=IdentificationMethod.choices,
        default=IdentificationMethod.OTHER,
    )
    session = models.ForeignKey(
        IdentificationSession,
        verbose_name=_("identification session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risks",
    )
    source_review = models.ForeignKey(
        "plans.PlanReview",
        verbose_name=_("from plan review"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    identified_by = actor_field(_("identified by"))
    identified_at = models.DateTimeField(_("identified"), default=timezone.now, editable=False)
    state = StateField(_("state"), choices=State.choices, default=State.IDENTIFIED, protected=True)

    # RSK-2: the assessment. ``matrix`` is the version the risk was first assessed under.
    matrix = models.ForeignKey(
        RiskMatrix, verbose_name=_("matrix version"), null=True, on_delete=models.PROTECT, editable=False
    )
    inherent_likelihood = models.PositiveSmallIntegerField(
        _("inherent likelihood"), null=True, editable=False
    )
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"), null=True, editable=False)
    inherent_level = models.CharField(
        _("inherent level"), max_length=10, choices=Level.choices, blank=True, editable=False
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, editable=False)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, editable=False)
    level = models.CharField(
        _("current level"), max_length=10, choices=Level.choices, blank=True, editable=False, db_index=True
    )
    description = BoundedTextField(
        _("qualitative assessment"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    probability = models.DecimalField(
        _("probability (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        editable=False,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    cost_impact = models.DecimalField(
        _("cost impact"), max_digits=14, decimal_places=2, null=True, editable=False
    )
    schedule_impact_days = models.PositiveIntegerField(_("schedule impact (days)"), null=True, editable=False)
    assessed_at = models.DateTimeField(_("assessed"), null=True, editable=False)

    # RSK-3: the response.
    suggested_strategy = models.CharField(
        _("suggested strategy"), max_length=10, choices=Strategy.choices, blank=True, editable=False
    )
    strategy = models.CharField(
        _("strategy"), max_length=10, choices=Strategy.choices, blank=True, editable=False
    )
    strategy_reason = BoundedTextField(
        _("reason for another strategy"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    acceptance_expires = models.DateField(_("acceptance valid until"), null=True, editable=False)
    # RSK-1/RSK-3: a transferred risk names the contract clause that transfers it (a liability or
    # disclaimer clause of the engagement's contract); the contract's page lists its risks.
    transfer_contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("transferred by the contract"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="transferred_risks",
    )
    transfer_clause = models.CharField(
        _("transferred by the clause"), max_length=30, blank=True, editable=False, choices=TRANSFER_CLAUSES
    )
    accepted_by = actor_field(_("acceptance signed off by"))
    accepted_at = models.DateTimeField(_("acceptance signed off"), null=True, editable=False)

    # RSK-4: monitoring.
    next_review = models.DateField(_("next review"), null=True, editable=False, db_index=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, blank=True, editable=False
    )
    closing_note = BoundedTextField(_("closing note"), max_length=TEXT_NOTE, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)
    closed_by = actor_field(_("closed by"))
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-identified_at", "-pk"]
        indexes = [models.Index(fields=["state", "level"], name="risk_state_level")]
        rules_permissions = {
            "view": r.can_view_risk,
            "add": r.can_add_risk,
            "change": r.can_edit_risk,
            "delete": r.can_delete_risk,
            "assess": r.can_assess_risk,
            "respond": r.can_respond_risk,
            "signoff": r.can_sign_acceptance,
            "review": r.can_review_risk,
            "close": r.can_close_risk,
            "comment": r.can_view_risk,
            "attach": r.can_view_risk,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        if (
            self.session_id
            and self.engagement_id
            and self.session.engagement_id not in (None, self.engagement_id)
        ):
            raise ValidationError(
                {"session": _("Choose a session of the same engagement, or a company-wide one.")}
            )

    @property
    def scope_label(self) -> str:
        return str(self.engagement.code if self.engagement_id else _("Company"))

    scope_label.fget.short_description = _("company or engagement")

    @property
    def exposure(self) -> Decimal | None:
        """Quantitative exposure: probability × cost impact."""
        if self.probability is None or self.cost_impact is None:
            return None
        return (self.probability * self.cost_impact / 100).quantize(Decimal("0.01"))

    exposure.fget.short_description = _("exposure")

    @property
    def level_colour(self) -> str:
        return self.matrix.colour(self.level) if self.matrix_id and self.level else "#6c757d"

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.next_review and self.state in states.RISK_OPEN and self.next_review < timezone.localdate()
        )

    @property
    def residual_lower(self) -> bool | None:
        """Whether the response worked: the current level below the inherent one."""
        if not (self.level and self.inherent_level):
            return None
        return LEVEL_ORDER[Level(self.level)] < LEVEL_ORDER[Level(self.inherent_level)]

    # --- transitions (all through risks.services: each takes input) ----------------------------
    @transition(
        field=state,
        source=[State.IDENTIFIED, State.ASSESSED],
        target=State.ASSESSED,
        permission="risks.assess_risk",
        custom={"label": _("Assess"), "icon": "grid-3x3", "service_only": True},
    )
    def assess(self):
        pass

    @transition(
        field=state,
        source=State.ASSESSED,
        target=State.MONITORED,
        permission="risks.respond_risk",
        custom={"label": _("Choose the response"), "icon": "signpost-split", "service_only": True},
    )
    def respond(self):
        pass

    @transition(
        field=state,
        source=State.ASSESSED,
        target=State.ACCEPTANCE_PENDING,
        permission="risks.respond_risk",
        custom={"label": _("Propose to accept"), "icon": "hand-thumbs-up", "service_only": True},
    )
    def propose_acceptance(self):
        pass

    @transition(
        field=state,
        source=State.ACCEPTANCE_PENDING,
        target=State.MONITORED,
        permission="risks.signoff_risk",
        custom={"label": _("Sign off the acceptance"), "icon": "pen", "service_only": True},
    )
    def sign_off(self):
        pass

    @transition(
        field=state,
        source=State.ACCEPTANCE_PENDING,
        target=State.ASSESSED,
        permission="risks.signoff_risk",
        custom={"label": _("Refuse the acceptance"), "icon": "x-circle", "service_only": True},
    )
    def refuse_acceptance(self):
        pass

    @transition(
        field=state,
        source=State.MONITORED,
        target=State.ASSESSED,
        permission="risks.review_risk",
        custom={"label": _("Reconsider the response"), "icon": "arrow-repeat", "service_only": True},
    )
    def reconsider(self):
        pass

    @transition(
        field=state,
        source=list(states.RISK_OPEN),
        target=State.CLOSED,
        permission="risks.close_risk",
        custom={"label": _("Close the risk"), "icon": "archive", "service_only": True},
    )
    def close(self):
        pass


class RiskReviewQuerySet(ScopedQuerySet):
    """A review is seen with its risk."""

    def scope_for(self, user):
        return self.filter(risk__in=Risk.objects.visible_to(user).values("pk"))


class RiskReview(BusinessModel):
    """One assessment of a risk at a point in time: the first (inherent) one and every review
    (RSK-2, RSK-4). The level's history over time is these rows."""

    generic_views = False  # written by services.assess and services.review; shown on the risk's page

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("Initial assessment")
        REVIEW = "review", _("Periodic review")

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    matrix = models.ForeignKey(RiskMatrix, verbose_name=_("matrix version"), on_delete=models.PROTECT)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    probability = models.DecimalField(
        _("probability (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cost_impact = models.DecimalField(
        _("cost impact"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    schedule_impact_days = models.PositiveIntegerField(_("schedule impact (days)"), null=True, blank=True)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    responses_effective = models.BooleanField(_("responses effective"), null=True, blank=True)
    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), default=timezone.now)
    history = HistoricalRecords()

    objects = RiskReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")
        ordering = ["risk", "reviewed_at", "pk"]
        rules_permissions = {
            "view": r.can_view_risk,
            "add": r.can_review_risk,
            "change": r.can_review_risk,
            "delete": r.can_delete_risk,
        }

    def __str__(self) -> str:
        return f"{self.risk.code} {self.reviewed_at:%Y-%m-%d} {self.get_level_display()}"


class ResponseActionQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(
            models.Q(risk__in=Risk.objects.visible_to(user).values("pk")) | models.Q(owner=user)
        )


class ResponseAction(WorkflowModel, BusinessModel):
    """應對措施: one action of a risk's response, with its owner and due date (RSK-3)."""

    allow_comments = True

    State = states.ResponseActionState
    editable_states = (states.ResponseActionState.OPEN,)

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="risk_actions",
        limit_choices_to=STAFF,
    )
    due_date = models.DateField(_("due date"))
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ResponseActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("response action")
        verbose_name_plural = _("response actions")
        ordering = ["due_date", "pk"]
        rules_permissions = {
            "view": r.can_view_action,
            "add": r.can_add_action,
            "change": r.can_edit_action,
            "delete": r.can_cancel_action,
            "complete": r.can_complete_action,
            "cancel": r.can_cancel_action,
            "comment": r.can_view_action,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_date < timezone.localdate()

    @transition(
        field=state,
        source=State.OPEN,
        target=State.DONE,
        permission="risks.complete_responseaction",
        custom={"label": _("Mark done"), "icon": "check2"},
    )
    def complete(self):
        self.done_at = timezone.now()

    @transition(
        field=state,
        source=State.OPEN,
        target=State.CANCELLED,
        permission="risks.cancel_responseaction",
        custom={"label": _("Cancel"), "icon": "x-lg", "style": "outline-danger", "comment_required": True},
    )
    def cancel(self):
        pass


# --- RSK-5: early warning ----------------------------------------------------------------------


class WarningLevel(models.TextChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


WARNING_ORDER = [WarningLevel.BLUE, WarningLevel.YELLOW, WarningLevel.ORANGE, WarningLevel.RED]
WARNING_COLOURS = {"blue": "#1565c0", "yellow": "#f9a825", "orange": "#ef6c00", "red": "#c62828"}


class IndicatorKind(models.TextChoices):
    SCHEDULE_VARIANCE = "schedule_variance", _("Schedule behind plan (percentage points)")
    OVERDUE_RECTIFICATIONS = "overdue_rectifications", _("Overdue rectification notices")
    FAILED_INSPECTIONS = "failed_inspections", _("Failed inspections in the period")
    FAILED_ACCEPTANCE = "failed_acceptance", _("Failed acceptance rounds in the period")
    OVERDUE_RECEIVABLES = "overdue_receivables", _("Receivables past due (amount)")
    LOW_CSAT = "low_csat", _("Satisfaction score below the threshold")
    OVERDUE_COMPLAINTS = "overdue_complaints", _("Open complaints past their deadline")
    CRITICAL_RISKS_UNANSWERED = "critical_risks_unanswered", _("Open critical risks without a response")
    BUDGET_BURN = "budget_burn", _("Budget spent ahead of the work done (percentage points)")
    OVER_ALLOCATION = (
        "over_allocation",
        _("Staff allocated beyond full time in a week (peak allocation in percent)"),
    )
    CERTIFICATE_EXPIRY = "certificate_expiry", _("Certificates expiring (days left)")
    EQUIPMENT_EXPIRY = (
        "equipment_expiry",
        _("Equipment calibration, warranty or licence expiring (days left)"),
    )


class Indicator(BusinessModel):
    """風險預警指標: what is measured, its thresholds per warning level and who is warned."""

    kind = models.CharField(_("measure"), max_length=30, choices=IndicatorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    lower_is_worse = models.BooleanField(
        _("lower is worse"),
        default=False,
        help_text=_("E.g. satisfaction: a value below the threshold warns."),
    )
    blue = models.DecimalField(_("blue threshold"), max_digits=14, decimal_places=2, null=True, blank=True)
    yellow = models.DecimalField(
        _("yellow threshold"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    orange = models.DecimalField(
        _("orange threshold"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    red = models.DecimalField(_("red threshold"), max_digits=14, decimal_places=2, null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(
        _("period (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    roles = models.JSONField(_("roles warned"), default=list)
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate unanswered after (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = InternalSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning indicator")
        verbose_name_plural = _("warning indicators")
        ordering = ["kind"]
        rules_permissions = {
            "view": r.can_view_settings,
            "add": r.can_manage_settings,
            "change": r.can_manage_settings,
            "delete": r.can_manage_settings,
        }

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        thresholds = [(level, getattr(self, level)) for level in ("blue", "yellow", "orange", "red")]
        given = [(level, value) for level, value in thresholds if value is not None]
        if not given:
            errors["blue"] = _("Give at least one threshold.")
        for (_a, low), (b, high) in itertools.pairwise(given):
            if (high > low) if self.lower_is_worse else (high < low):
                errors[b] = _("Each level's threshold must be more severe than the one before.")
        valid = {str(role) for role in Role.values}
        if not isinstance(self.roles, list) or not self.roles or not set(self.roles) <= valid:
            errors["roles"] = _("Name at least one role to warn.")
        if errors:
            raise ValidationError(errors)

    @property
    def roles_display(self) -> str:
        labels = dict(Role.choices)
        return "、".join(str(labels.get(role, role)) for role in self.roles or [])

    roles_display.fget.short_description = _("roles warned")

    def level_for(self, value) -> str | None:
        """The most severe level whose threshold ``value`` reaches; None under every threshold."""
        found = None
        for level in WARNING_ORDER:
            threshold = getattr(self, level.value)
            if threshold is None or value is None:
                continue
            crossed = value <= threshold if self.lower_is_worse else value >= threshold
            if crossed:
                found = level.value
        return found


class WarningQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        if r.keeps_register(user):
            return self
        mine = models.Q(pk__in=staff_scope(self.filter(engagement__isnull=False), user).values("pk"))
        for role in user_roles(user):
            mine |= models.Q(roles__contains=f",{role},")
        return self.filter(mine)


class Warning(WorkflowModel, BusinessModel):
    """風險預警: one crossing of an indicator's threshold for one subject (a project, a contract,
    the company), raised by the periodic job, acknowledged, handled and closed (RSK-5, EXT-1)."""

    generic_views = False  # raised by indicators.run; its pages and API tested in tests/test_risks.py
    access_kind = Kind.PROJECT
    engagement_lookup = "engagement"
    allow_comments = True

    State = states.WarningState

    code = models.CharField(_("warning number"), max_length=20, unique=True, editable=False)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="warnings"
    )
    subject_key = models.CharField(_("condition"), max_length=100, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_warnings",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_warnings",
    )
    level = models.CharField(_("warning level"), max_length=10, choices=WarningLevel.choices)
    raised_level = models.CharField(_("level when raised"), max_length=10, choices=WarningLevel.choices)
    value = models.DecimalField(_("measured value"), max_digits=14, decimal_places=2)
    records = models.JSONField(_("records that caused it"), default=list, blank=True)
    roles = models.CharField(_("roles warned"), max_length=300, editable=False)
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    measured_at = models.DateTimeField(_("last measured"), default=timezone.now)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    acknowledged_by = actor_field(_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    handling = BoundedTextField(_("handling"), max_length=TEXT_NOTE, blank=True)
    handled_by = actor_field(_("handled by"))
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = actor_field(_("closed by"))
    history = HistoricalRecords()

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "subject_key"],
                condition=~models.Q(state="closed"),
                name="one_open_warning_per_condition",
            )
        ]
        rules_permissions = {
            "view": r.can_view_warning,
            "add": rules.always_deny,  # raised only by the periodic job (indicators.run)
            "change": r.can_handle_warning,
            "delete": r.can_delete_risk,
            "handle": r.can_handle_warning,
            "comment": r.can_view_warning,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.indicator} · {self.subject}"

    @property
    def role_list(self) -> list[str]:
        return [role for role in self.roles.split(",") if role]

    @property
    def colour(self) -> str:
        return WARNING_COLOURS.get(self.level, "#6c757d")

    @transition(
        field=state,
        source=State.OPEN,
        target=State.ACKNOWLEDGED,
        permission="risks.handle_warning",
        custom={"label": _("Acknowledge"), "icon": "eye"},
    )
    def acknowledge(self, actor=None):
        self.acknowledged_by = actor
        self.acknowledged_at = timezone.now()

    @transition(
        field=state,
        source=[State.OPEN, State.ACKNOWLEDGED],
        target=State.HANDLED,
        permission="risks.handle_warning",
        custom={"label": _("Record the handling"), "icon": "tools", "comment_required": True},
    )
    def handle(self, actor=None, comment=""):
        now = timezone.now()
        if self.acknowledged_at is None:
            self.acknowledged_by, self.acknowledged_at = actor, now
        self.handling, self.handled_by, self.handled_at = comment, actor, now

    @transition(
        field=state,
        source=State.HANDLED,
        target=State.CLOSED,
        permission="risks.handle_warning",
        custom={"label": _("Close the warning"), "icon": "check2-circle"},
    )
    def close(self, actor=None):
        self.closed_by = actor
        self.closed_at = timezone.now()


# --- EXT-1: emergency response ----------------------------------------------------------------


class EmergencyPlan(BusinessModel):
    """應急預案: what to do when a kind of risk materialises: steps, roles, contacts."""

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        RiskCategory,
        verbose_name=_("risk category"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    indicator_kind = models.CharField(
        _("for warnings of"), max_length=30, choices=IndicatorKind.choices, blank=True
    )
    steps = BoundedTextField(_("steps"), max_length=TEXT_LONG, help_text=_("One step a line, in order."))
    roles = BoundedTextField(_("roles and responsibilities"), max_length=TEXT_NOTE)
    contacts = BoundedTextField(_("contacts"), max_length=TEXT_NOTE)
    active = models.BooleanField(_("in force"), default=True)
    history = HistoricalRecords()

    objects = InternalSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["category__position", "title"]
        rules_permissions = {
            "view": r.can_view_settings,
            "add": r.can_manage_plans,
            "change": r.can_manage_plans,
            "delete": r.can_manage_plans,
            "activate": r.can_activate,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class ActivationQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self if user.client_organization_id is None else self.none()


class EmergencyActivation(WorkflowModel, BusinessModel):
    """應急響應: one activation of an emergency plan, from a warning or a realised risk, with the
    actions taken and the post-incident review (EXT-1)."""

    generic_views = False  # started by services.activate; its page and API in tests/test_risks.py
    allow_attachments = True

    State = states.ActivationState

    code = models.CharField(_("activation number"), max_length=20, unique=True, editable=False)
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("emergency plan"), on_delete=models.PROTECT, related_name="activations"
    )
    warning = models.ForeignKey(
        Warning,
        verbose_name=_("warning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activations",
    )
    risk = models.ForeignKey(
        Risk,
        verbose_name=_("risk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activations",
    )
    situation = BoundedTextField(_("situation"), max_length=TEXT_NOTE)
    state = StateField(_("state"), choices=State.choices, default=State.ACTIVE, protected=True)
    activated_by = actor_field(_("activated by"))
    activated_at = models.DateTimeField(_("activated"), default=timezone.now)
    review = BoundedTextField(_("post-incident review"), max_length=TEXT_LONG, blank=True)
    lessons = BoundedTextField(_("improvements and lessons"), max_length=TEXT_NOTE, blank=True)
    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActivationQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency activation")
        verbose_name_plural = _("emergency activations")
        ordering = ["-activated_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_activation,
            "add": r.can_activate,
            "change": r.can_run_activation,
            "delete": r.can_delete_risk,
            "run": r.can_run_activation,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.plan}"

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.REVIEWED,
        permission="risks.run_emergencyactivation",
        custom={
            "label": _("Close with the post-incident review"),
            "icon": "journal-check",
            "service_only": True,
        },
    )
    def close_with_review(self):
        pass


class EmergencyActionTaken(BusinessModel):
    """One action taken during an emergency response, as it happened."""

    generic_views = False  # recorded on the activation's page (services.record_emergency_action)

    activation = models.ForeignKey(
        EmergencyActivation, verbose_name=_("activation"), on_delete=models.CASCADE, related_name="actions"
    )
    taken_at = models.DateTimeField(_("when"), default=timezone.now)
    taken_by = actor_field(_("by"))
    description = BoundedTextField(_("action taken"), max_length=TEXT_NOTE)
    history = HistoricalRecords()

    objects = ActivationQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency action taken")
        verbose_name_plural = _("emergency actions taken")
        ordering = ["activation", "taken_at", "pk"]
        rules_permissions = {
            "view": r.can_view_activation,
            "add": r.can_activate,
            "change": r.can_delete_risk,
            "delete": r.can_delete_risk,
        }

    def __str__(self) -> str:
        return self.description[:80]


# The people on an engagement's team through this app's records: a project risk's owner.
register_team("risks.Risk", engagement="engagement", users=("owner",))
