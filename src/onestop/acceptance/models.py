"""Acceptance (ACC-1..3): numbered acceptance rounds of a project, looping until one passes.

An ``AcceptanceRound`` starts with the project lead's application (驗收申請單, ACC-1), is
prepared by the client's acceptance team (ACC-2) and ends with the acceptance report
(驗收報告, ACC-3): passed and signed by the client, or failed with the problems to rectify,
after which a new round (number + 1) starts. Rounds may cover one milestone where the
contract ties an instalment to it. All rounds are kept.

The round's own rows: the deliverables handed over (``AcceptanceDeliverable``), the client's
acceptance team (``AcceptanceTeamMember``), the preparation checklist (``ChecklistItem``), the
acceptance criteria (``AcceptanceCriterion``), the result of each method used on each criterion
(``AcceptanceResult``) and, when the round fails, the problems to rectify (``AcceptanceProblem``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.acceptance import rules as r
from onestop.acceptance.states import OPEN_ROUND, AcceptanceProblemState, AcceptanceRoundState
from onestop.core.access import Kind, register_team
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ClientScopedQuerySet, Signature
from onestop.core.workflow import WorkflowModel, condition


class AcceptanceRoundQuerySet(ClientScopedQuerySet):
    client_field = "project__engagement__client_id"


class Conclusion(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


@condition(_("Name the acceptance team first."))
def has_team(acceptance_round) -> bool:
    return acceptance_round.team.exists()


@condition(_("Tick every item of the preparation checklist, or skip it with a reason."))
def preparation_done(acceptance_round) -> bool:
    if acceptance_round.checklist_skip_reason.strip():
        return True
    return not acceptance_round.checklist.filter(done_at__isnull=True).exists()


@condition(_("The acceptance report must conclude “pass” and be signed by the client."))
def concluded_pass(acceptance_round) -> bool:
    return acceptance_round.report_conclusion == Conclusion.PASS


@condition(_("List at least one problem with its rectification requirement before failing the round."))
def has_problems(acceptance_round) -> bool:
    return acceptance_round.report_conclusion == Conclusion.FAIL and acceptance_round.problems.exists()


class AcceptanceRound(WorkflowModel, BusinessModel):
    """驗收輪次: one application → preparation → acceptance → report cycle (ACC-1..3)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "project__engagement"

    allow_attachments = True
    allow_comments = True

    State = AcceptanceRoundState
    # The application is edited by hand only before the acceptance starts.
    editable_states = (AcceptanceRoundState.APPLIED,)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="acceptance_rounds",
    )
    number = models.PositiveIntegerField(_("round"), editable=False)
    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acceptance_rounds",
        help_text=_("Only for a milestone-level acceptance; empty: the whole project."),
    )
    state = StateField(_("state"), choices=State.choices, default=State.APPLIED, protected=True)
    applied_by = actor_field(_("applied by"))
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True, editable=False)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)
    conclusion = BoundedTextField(_("conclusion"), max_length=TEXT_LONG, blank=True)
    # ACC-1: the application (驗收申請單).
    service_content = BoundedTextField(_("service content"), max_length=TEXT_LONG, blank=True)
    implementation_status = models.JSONField(
        _("implementation status"), default=list, blank=True, editable=False
    )
    self_assessment = BoundedTextField(_("self-assessment conclusion"), max_length=TEXT_LONG, default="")
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # ACC-2: preparation.
    checklist_skip_reason = BoundedTextField(
        _("reason for skipping the checklist"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    started_at = models.DateTimeField(_("acceptance started"), null=True, blank=True, editable=False)
    # ACC-3: the report (驗收報告).
    report_conclusion = models.CharField(
        _("report conclusion"), max_length=10, choices=Conclusion.choices, blank=True, editable=False
    )
    report_filled_by = actor_field(_("report filled by"))
    history = HistoricalRecords()

    objects = AcceptanceRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance round")
        verbose_name_plural = _("acceptance rounds")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_acceptance_round_per_number"),
        ]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_apply,
            "change": r.can_edit_application,
            "delete": r.can_delete_round,
            "apply": r.can_apply,
            "name_team": r.can_name_team,
            "prepare": r.can_prepare,
            "start": r.can_start_round,
            "record": r.can_work_round,
            "conclude": r.can_work_round,
            "pass": r.can_work_round,
            "fail": r.can_work_round,
            "sign": r.can_sign_report,
            "comment": r.can_view_round,
        }

    def __str__(self) -> str:
        return _("%(project)s acceptance round %(number)s") % {
            "project": self.project.code,
            "number": self.number,
        }

    @property
    def scope_label(self) -> str:
        if self.milestone_id is None:
            return str(_("Whole project"))
        return _("Milestone “%(name)s”") % {"name": self.milestone.name}

    scope_label.fget.short_description = _("scope")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ROUND

    def clean(self):
        super().clean()
        if self.milestone_id and self.project_id and self.milestone.project_id != self.project_id:
            raise ValidationError({"milestone": _("The milestone belongs to another project.")})

    # --- transitions (all run by acceptance.services) -------------------------------------
    @transition(
        field=state,
        source=State.APPLIED,
        target=State.IN_ACCEPTANCE,
        permission="acceptance.start_acceptanceround",
        conditions=[has_team, preparation_done],
        custom={"label": _("Start the acceptance"), "icon": "play-circle", "service_only": True},
    )
    def start(self):
        self.started_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_ACCEPTANCE,
        target=State.PASSED,
        permission="acceptance.pass_acceptanceround",
        conditions=[concluded_pass],
        custom={"label": _("Pass the acceptance"), "icon": "patch-check", "service_only": True},
    )
    def pass_round(self):
        self.concluded_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_ACCEPTANCE,
        target=State.FAILED,
        permission="acceptance.fail_acceptanceround",
        conditions=[has_problems],
        custom={"label": _("Fail the acceptance"), "icon": "x-octagon", "service_only": True},
    )
    def fail_round(self):
        self.concluded_at = timezone.now()


class RoundRowQuerySet(ClientScopedQuerySet):
    client_field = "round__project__engagement__client_id"


class AcceptanceDeliverable(BusinessModel):
    """驗收交付物: one deliverable handed over with the application (ACC-1)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    round = models.ForeignKey(
        AcceptanceRound,
        verbose_name=_("acceptance round"),
        on_delete=models.CASCADE,
        related_name="deliverables",
    )
    name = models.CharField(_("deliverable"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_LONG, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["round", "pk"]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_edit_application,
            "change": r.can_edit_application,
            "delete": r.can_edit_application,
        }

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.round_id and self.round.state != AcceptanceRound.State.APPLIED:
            raise ValidationError(_("The application can change only before the acceptance starts."))
        if self.round_id:
            signed = Signature.objects.for_object(self.round).filter(document="acceptance_application")
            if signed.exists():
                raise ValidationError(
                    _("The project lead has signed the application; it can no longer change.")
                )


class AcceptanceTeamMember(BusinessModel):
    """驗收小組成員: a client user on the round's acceptance team, with a role (ACC-2)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    round = models.ForeignKey(
        AcceptanceRound, verbose_name=_("acceptance round"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the team"), max_length=100)
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance team member")
        verbose_name_plural = _("acceptance team members")
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="one_team_seat_per_user")]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_name_team,
            "change": r.can_name_team,
            "delete": r.can_name_team,
        }

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"

    def clean(self):
        super().clean()
        if not self.round_id or not self.user_id:
            return
        client_id = self.round.project.engagement.client_id
        if self.user.client_organization_id != client_id or not self.user.is_active:
            raise ValidationError(
                {"user": _("Only active users of the client organisation can be on the team.")}
            )
        if self.round.state != AcceptanceRound.State.APPLIED:
            raise ValidationError(_("The team can change only before the acceptance starts."))


class ChecklistItem(BusinessModel):
    """驗收準備事項: one item of the round's preparation checklist, ticked by the team (ACC-2)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    class Kind(models.TextChoices):
        DOCUMENTS = "documents", _("Review the project documents")
        FUNCTIONS = "functions", _("Test the system functions")
        DELIVERABLES = "deliverables", _("Check the deliverables")
        OTHER = "other", _("Other")

    round = models.ForeignKey(
        AcceptanceRound,
        verbose_name=_("acceptance round"),
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    text = models.CharField(_("item"), max_length=300)
    done_by = actor_field(_("ticked by"))
    done_at = models.DateTimeField(_("ticked at"), null=True, blank=True, editable=False)
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("preparation item")
        verbose_name_plural = _("preparation checklist")
        ordering = ["round", "pk"]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_prepare,
            "change": r.can_prepare,
            "delete": r.can_prepare,
        }

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def clean(self):
        super().clean()
        if self.round_id and self.round.state != AcceptanceRound.State.APPLIED:
            raise ValidationError(_("The checklist can change only before the acceptance starts."))


class Method(models.TextChoices):
    DOCUMENT_REVIEW = "document_review", _("Document review")
    SYSTEM_TEST = "system_test", _("System test")
    DEMONSTRATION = "demonstration", _("Demonstration")
    USER_TRIAL = "user_trial", _("User trial")


class AcceptanceCriterion(BusinessModel):
    """驗收標準: one criterion, taken from the contract's quality standard and acceptance method (ACC-3)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    class Source(models.TextChoices):
        QUALITY = "quality", _("Quality standard")
        METHOD = "method", _("Acceptance method")
        ADDED = "added", _("Added for this round")

    round = models.ForeignKey(
        AcceptanceRound, verbose_name=_("acceptance round"), on_delete=models.CASCADE, related_name="criteria"
    )
    number = models.PositiveIntegerField(_("no."))
    text = BoundedTextField(_("criterion"), max_length=2000)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ADDED)
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["round", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="one_criterion_per_number"),
        ]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_edit_criteria,
            "change": r.can_edit_criteria,
            "delete": r.can_edit_criteria,
        }

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"

    def clean(self):
        super().clean()
        if self.round_id and self.round.state != AcceptanceRound.State.APPLIED:
            raise ValidationError(_("The criteria can change only before the acceptance starts."))


class AcceptanceResult(BusinessModel):
    """驗收結果: the result of one method used on one criterion (ACC-3)."""

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    round = models.ForeignKey(
        AcceptanceRound, verbose_name=_("acceptance round"), on_delete=models.CASCADE, related_name="results"
    )
    criterion = models.ForeignKey(
        AcceptanceCriterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="results"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    passed = models.BooleanField(_("passed"))
    note = BoundedTextField(_("note"), max_length=TEXT_NOTE, blank=True)
    recorded_by = actor_field(_("recorded by"))
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance result")
        verbose_name_plural = _("acceptance results")
        ordering = ["round", "criterion__number", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "method"], name="one_result_per_criterion_and_method"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_record,
            "change": r.can_record,
            "delete": r.can_record,
        }

    def __str__(self) -> str:
        return f"{self.criterion.number} · {self.get_method_display()} · {_('pass') if self.passed else _('fail')}"

    def clean(self):
        super().clean()
        if self.criterion_id and self.round_id and self.criterion.round_id != self.round_id:
            raise ValidationError({"criterion": _("The criterion belongs to another round.")})
        if self.round_id and self.round.state != AcceptanceRound.State.IN_ACCEPTANCE:
            raise ValidationError(_("Results are recorded while the acceptance is under way."))
        if self.round_id and self.round.report_conclusion:
            raise ValidationError(_("The report has been filled; withdraw its conclusion to change results."))


class AcceptanceProblem(WorkflowModel, BusinessModel):
    """驗收問題 / 整改任務: a problem found by the acceptance and its rectification (ACC-3)."""

    reason_fields = ("due_date",)  # a plain edit of these says why

    access_kind = Kind.ACCEPTANCE  # who may see it: core/access.py
    engagement_lookup = "round__project__engagement"

    State = AcceptanceProblemState

    round = models.ForeignKey(
        AcceptanceRound, verbose_name=_("acceptance round"), on_delete=models.CASCADE, related_name="problems"
    )
    description = BoundedTextField(_("problem"), max_length=4000)
    requirement = BoundedTextField(_("rectification requirement"), max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acceptance_problems",
        help_text=_("The staff member who rectifies it; the project lead when left empty."),
    )
    due_date = models.DateField(_("rectify by"), null=True, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    fix = BoundedTextField(_("rectification done"), max_length=TEXT_NOTE, blank=True, editable=False)
    done_at = models.DateTimeField(_("rectified at"), null=True, blank=True, editable=False)
    done_by = actor_field(_("rectified by"))
    history = HistoricalRecords()

    objects = RoundRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance problem")
        verbose_name_plural = _("acceptance problems")
        ordering = ["round", "pk"]
        rules_permissions = {
            "view": r.can_view_round,
            "add": r.can_list_problems,
            "change": r.can_change_problem,
            "delete": r.can_list_problems,
            "resolve": r.can_resolve_problem,
        }

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self):
        super().clean()
        if (
            self._state.adding
            and self.round_id
            and (self.round.state != AcceptanceRound.State.IN_ACCEPTANCE or self.round.report_conclusion)
        ):
            raise ValidationError(
                _("Problems are listed while the acceptance is under way, before the report.")
            )
        if self.owner_id and self.owner.client_organization_id is not None:
            raise ValidationError({"owner": _("A rectification is owned by a staff member.")})

    @transition(
        field=state,
        source=State.OPEN,
        target=State.DONE,
        permission="acceptance.resolve_acceptanceproblem",
        custom={"label": _("Rectified"), "icon": "check2-circle", "service_only": True},
    )
    def resolve(self, actor=None):
        self.done_at = timezone.now()
        self.done_by = actor


# The people (and departments) on an engagement's team through this app's records.
register_team("acceptance.AcceptanceTeamMember", engagement="round__project__engagement", users=("user",))
register_team("acceptance.AcceptanceProblem", engagement="round__project__engagement", users=("owner",))
