"""Incentives and careers (激勵措施、職業發展; HR-9, HR-10).

Incentives: ``Recognition`` (a commendation or honour certificate, approved by management and
printed as a Chinese PDF), ``Incentive`` (bonus, commission or allowance with its amount,
approved by management — by two different managers above the policy's amount; exported for
payroll), and the outstanding-employee ``Selection`` with its ``Nomination`` and secret ``Vote``
rows; the announcement gives the winners a recognition.

Careers: ``CareerPath`` per job family with ordered ``CareerLevel`` rows (a position, the
promotion criteria, minimum years, required skills and appraisal grade), a ``DevelopmentPlan``
per employee with ``DevelopmentReview`` check-ins, and ``PositionMove`` records (promotion, job
rotation) whose approval changes the person's position through ``people.services.move_person``
— the same function an approved appraisal result uses — so the user's history keeps every step.

Who sees what: the people app's rule (people/access.py) — the person, their superiors, HR;
management the records it decides; clients nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.careers import rules as r
from onestop.careers import states
from onestop.core import policy
from onestop.core.fields import TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.services import save
from onestop.core.workflow import WorkflowModel, condition
from onestop.people import grading
from onestop.people import services as people_services
from onestop.people.models import CheckIn, PeopleQuerySet, Skill, staff_person

PERIOD = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("Write the month as YYYY-MM, e.g. 2026-11."))


# Rows about one person (``person_field``): the person, their superiors, HR — the people app's rule.
CareerQuerySet = PeopleQuerySet


class DecidedQuerySet(CareerQuerySet):
    """… and management, which decides them."""

    def scope_for(self, user):
        if user.client_organization_id is None and r.is_management(user):
            return self
        return super().scope_for(user)


# --- HR-9: recognition -------------------------------------------------------------------------


class RecognitionKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    CERTIFICATE = "certificate", _("Honour certificate")
    OUTSTANDING = "outstanding", _("Outstanding employee")


class Recognition(WorkflowModel, BusinessModel):
    """表彰: a commendation or honour certificate for a person, approved by management."""

    State = states.RecognitionState

    employee = staff_person(_("employee"), "recognitions")
    kind = models.CharField(_("kind"), max_length=20, choices=RecognitionKind.choices)
    title = models.CharField(_("title"), max_length=200, help_text=_("For example: 2026 年度技術創新獎."))
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    awarded_on = models.DateField(_("awarded on"))
    selection = models.ForeignKey(
        "careers.Selection",
        verbose_name=_("selection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recognitions",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.PROPOSED, protected=True)
    proposed_by = actor_field(_("proposed by"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DecidedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-awarded_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_recognition,
            "add": r.can_propose_recognition,
            "change": r.can_change_recognition,
            "delete": r.rules.always_deny,
            "decide": r.can_decide_recognition,
        }

    def __str__(self) -> str:
        return f"{self.title} · {self.employee.display_name}"

    @property
    def number(self) -> str:
        return f"RC-{self.awarded_on:%Y}-{self.pk:05d}" if self.pk and self.awarded_on else ""

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.APPROVED,
        permission="careers.decide_recognition",
        custom={"label": _("Approve"), "icon": "check2-circle"},
    )
    def approve(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.REJECTED,
        permission="careers.decide_recognition",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()


# --- HR-9: material incentives -----------------------------------------------------------------


class IncentiveKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    COMMISSION = "commission", _("Commission")
    ALLOWANCE = "allowance", _("Allowance")


@condition(_("One manager's approval is enough for this amount."))
def needs_two_approvals(incentive) -> bool:
    return incentive.needs_second_approval


@condition(_("This amount needs a second manager's approval after the first."))
def approvals_complete(incentive) -> bool:
    return incentive.state == states.IncentiveState.SECOND_APPROVAL or not incentive.needs_second_approval


class Incentive(WorkflowModel, BusinessModel):
    """物質激勵: a bonus, commission or allowance for a person and a month, approved by management;
    above the policy's amount (``careers.incentive_second_approval_above``) by two different
    managers. The approved ones of a month are the payroll export (a list, not a payroll system)."""

    State = states.IncentiveState

    employee = staff_person(_("employee"), "incentives")
    kind = models.CharField(_("kind"), max_length=20, choices=IncentiveKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    period = models.CharField(
        _("payroll month"), max_length=7, validators=[PERIOD], help_text=_("YYYY-MM, e.g. 2026-11.")
    )
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    appraisal = models.ForeignKey(
        "people.Appraisal",
        verbose_name=_("appraisal result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a commission: the project it is paid on."),
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    proposed_by = actor_field(_("proposed by"))
    approvals_needed = models.PositiveSmallIntegerField(
        _("approvals needed"),
        default=1,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    first_approved_by = actor_field(_("first approved by"))
    first_approved_at = models.DateTimeField(_("first approved"), null=True, blank=True, editable=False)
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DecidedQuerySet.as_manager()

    editable_states = (State.DRAFT,)

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        ordering = ["-period", "employee__full_name", "-pk"]
        indexes = [models.Index(fields=["period", "state"], name="incentive_period_state")]
        rules_permissions = {
            "view": r.can_view_incentive,
            "add": r.can_propose_incentive,
            "change": r.can_change_incentive,
            "delete": r.rules.always_deny,
            "submit": r.can_submit_incentive,
            "decide": r.can_decide_incentive,
            "export": r.can_export_incentive,
        }

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee.display_name} · {self.period}"

    def clean(self):
        self.currency = (self.currency or "").upper()
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValidationError({"currency": _("Write the currency as a three-letter code, e.g. CNY.")})
        if self.appraisal_id and self.employee_id and self.appraisal.employee_id != self.employee_id:
            raise ValidationError({"appraisal": _("Choose an appraisal of this employee.")})
        if self.kind == IncentiveKind.COMMISSION and not self.project_id:
            raise ValidationError({"project": _("Name the project the commission is paid on.")})
        if self.employee_id and self.proposed_by_id == self.employee_id:
            raise ValidationError({"employee": _("Nobody proposes an incentive for themselves.")})

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission="careers.submit_incentive",
        custom={"label": _("Submit for approval"), "icon": "send"},
    )
    def submit(self):
        # Fixed when it goes to management: the amount cannot change after this step.
        self.approvals_needed = self.approvals_required()

    def approvals_required(self) -> int:
        """Two managers above the policy's amount in force when the incentive was drafted (EXT-4),
        so a later change of the policy does not move one already on its way; else one."""
        above = policy.value("careers.incentive_second_approval_above", at=self.created_at)
        return 2 if self.amount is not None and self.amount > above else 1

    @property
    def needs_second_approval(self) -> bool:
        return self.approvals_needed == 2

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.SECOND_APPROVAL,
        permission="careers.decide_incentive",
        conditions=[needs_two_approvals],
        custom={"label": _("Approve (first of two)"), "icon": "check2-circle", "hide_when_blocked": True},
    )
    def approve_first(self, actor=None):
        self.first_approved_by = actor
        self.first_approved_at = timezone.now()

    @transition(
        field=state,
        source=[State.SUBMITTED, State.SECOND_APPROVAL],
        target=State.APPROVED,
        permission="careers.decide_incentive",
        conditions=[approvals_complete],
        custom={"label": _("Approve"), "icon": "check2-circle", "hide_when_blocked": True},
    )
    def approve(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=[State.SUBMITTED, State.SECOND_APPROVAL],
        target=State.REJECTED,
        permission="careers.decide_incentive",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()


# --- HR-9: the outstanding-employee selection --------------------------------------------------


@condition(_("Nobody is nominated yet."))
def has_nominations(selection) -> bool:
    return selection.nominations.exists()


@condition(_("Nobody has voted yet."))
def has_votes(selection) -> bool:
    return selection.votes.exists()


class Selection(WorkflowModel, BusinessModel):
    """優秀員工評選: nominations by superiors and HR, one secret vote per member of staff, the
    top N announced (ties at the last place all win) and given a recognition."""

    State = states.SelectionState

    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(_("period"), max_length=50, help_text=_("For example: 2026 年度."))
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    nominations_open_on = models.DateField(_("nominations open"))
    nominations_close_on = models.DateField(_("nominations close"))
    voting_opens_on = models.DateField(_("voting opens"))
    voting_closes_on = models.DateField(_("voting closes"))
    winners = models.PositiveSmallIntegerField(
        _("number of winners"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    state = StateField(_("state"), choices=State.choices, default=State.NOMINATING, protected=True)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    editable_states = (State.NOMINATING,)

    class Meta:
        verbose_name = _("outstanding-employee selection")
        verbose_name_plural = _("outstanding-employee selections")
        ordering = ["-voting_closes_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_selection,
            "add": r.can_manage_selection,
            "change": r.can_change_selection,
            "delete": r.can_change_selection,
            "open_voting": r.can_open_voting,
            "announce": r.can_announce_selection,
        }

    def __str__(self) -> str:
        return self.title

    def clean(self):
        dates = [
            self.nominations_open_on,
            self.nominations_close_on,
            self.voting_opens_on,
            self.voting_closes_on,
        ]
        if all(dates):
            if self.nominations_close_on < self.nominations_open_on:
                raise ValidationError({"nominations_close_on": _("Nominations close after they open.")})
            if self.voting_opens_on < self.nominations_close_on:
                raise ValidationError(
                    {"voting_opens_on": _("Voting opens when the nominations have closed.")}
                )
            if self.voting_closes_on < self.voting_opens_on:
                raise ValidationError({"voting_closes_on": _("Voting closes after it opens.")})

    def tally(self):
        """The nominations with their votes, most first (the count is the frozen one once announced)."""
        rows = self.nominations.select_related("nominee__department", "nominated_by")
        if self.state == self.State.ANNOUNCED:
            return rows.order_by("-votes_received", "nominee__full_name")
        return rows.annotate(counted=Count("votes")).order_by("-counted", "nominee__full_name")

    @transition(
        field=state,
        source=State.NOMINATING,
        target=State.VOTING,
        permission="careers.open_voting_selection",
        conditions=[has_nominations],
        custom={"label": _("Close nominations and open voting"), "icon": "box-arrow-in-down"},
    )
    def open_voting(self):
        pass

    @transition(
        field=state,
        source=State.VOTING,
        target=State.ANNOUNCED,
        permission="careers.announce_selection",
        conditions=[has_votes],
        custom={"label": _("Announce the result"), "icon": "megaphone"},
    )
    def announce(self, actor=None):
        """Freeze the tally, mark the top ``winners`` (every nomination tied with the last place
        wins too) and give each winner an approved recognition — the announcement is
        management's decision."""
        self.announced_at = timezone.now()
        counted = list(self.nominations.annotate(counted=Count("votes")).order_by("-counted", "pk"))
        cutoff = counted[min(self.winners, len(counted)) - 1].counted if counted else 0
        for nomination in counted:
            nomination.votes_received = nomination.counted
            nomination.is_winner = nomination.counted > 0 and nomination.counted >= cutoff
        Nomination.objects.bulk_update(counted, ["votes_received", "is_winner"])
        for nomination in counted:
            if nomination.is_winner:
                recognition = Recognition(
                    employee_id=nomination.nominee_id,
                    kind=RecognitionKind.OUTSTANDING,
                    title=str(_("Outstanding employee · %(period)s") % {"period": self.period})[:200],
                    reason=nomination.reason,
                    awarded_on=timezone.localdate(),
                    selection=self,
                    proposed_by=actor,
                    decided_by=actor,
                    decided_at=self.announced_at,
                    state=Recognition.State.APPROVED,
                )
                save(recognition, actor=actor, reason=str(_("Announced")))


class Nomination(BusinessModel):
    """提名: a superior or HR puts a person forward, with the reason."""

    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominee = staff_person(_("nominee"), "nominations")
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    nominated_by = actor_field(_("nominated by"))
    votes_received = models.PositiveIntegerField(_("votes"), null=True, blank=True, editable=False)
    is_winner = models.BooleanField(_("winner"), default=False, editable=False)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["selection", "nominee__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "nominee"], name="nominated_once_per_selection"),
        ]
        rules_permissions = {
            "view": r.can_view_nomination,
            "add": r.can_nominate,
            "change": r.can_change_nomination,
            "delete": r.can_change_nomination,
        }

    def __str__(self) -> str:
        return f"{self.nominee.display_name} · {self.selection}"

    def clean(self):
        if self.selection_id and self.selection.state != Selection.State.NOMINATING:
            raise ValidationError({"selection": _("This selection no longer takes nominations.")})


class Vote(BusinessModel):
    """投票: one secret vote per member of staff and selection, never for oneself. HR sees every
    vote; a voter their own; the others only the announced counts."""

    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="votes"
    )
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("vote for"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = actor_field(_("voter"), null=False, related_name="selection_votes")
    history = HistoricalRecords()

    class VoteQuerySet(ScopedQuerySet):
        def scope_for(self, user):
            if user.client_organization_id is not None:
                return self.none()
            if r.sees_all_people(user):
                return self
            return self.filter(voter=user)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "voter"], name="one_vote_per_selection"),
        ]
        rules_permissions = {
            "view": r.can_view_vote,
            "add": r.can_vote,
            "change": r.can_change_vote,
            "delete": r.can_change_vote,
        }

    def __str__(self) -> str:
        return f"{self.selection} · {self.voter.display_name}"

    def clean(self):
        if self.nomination_id and self.selection_id and self.nomination.selection_id != self.selection_id:
            raise ValidationError({"nomination": _("Choose a nominee of this selection.")})
        if self.nomination_id and self.voter_id and self.nomination.nominee_id == self.voter_id:
            raise ValidationError({"nomination": _("Nobody votes for themselves.")})
        if self.selection_id:
            selection = self.selection
            today = timezone.localdate()
            if selection.state != Selection.State.VOTING:
                raise ValidationError({"selection": _("This selection is not open for voting.")})
            if not selection.voting_opens_on <= today <= selection.voting_closes_on:
                raise ValidationError(
                    {
                        "selection": _("Voting is open from %(start)s to %(end)s.")
                        % {"start": selection.voting_opens_on, "end": selection.voting_closes_on}
                    }
                )
        if self.selection_id and self.voter_id:
            others = Vote.objects.filter(selection_id=self.selection_id, voter_id=self.voter_id)
            if self.pk:
                others = others.exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"selection": _("You have already voted in this selection.")})


# --- HR-10: career paths -----------------------------------------------------------------------


class CareerPath(BusinessModel):
    """職業發展通道: the levels of one job family (技術序列, 管理序列…)."""

    name = models.CharField(_("job family"), max_length=100, unique=True)
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("career path")
        verbose_name_plural = _("career paths")
        ordering = ["name"]
        rules_permissions = {
            "view": r.can_view_path,
            "add": r.can_manage_path,
            "change": r.can_manage_path,
            "delete": r.can_manage_path,
        }

    def __str__(self) -> str:
        return self.name


SKILL_LINE = re.compile(r"^(?P<name>.+?)\s+(?P<level>\d)$")


def parse_skill_lines(text: str) -> list[tuple[str, int]]:
    """``"PLC 編程 3"`` per line → ``[("PLC 編程", 3)]``; ValueError names the first bad line."""
    result = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = SKILL_LINE.match(line)
        if match is None or not 1 <= int(match["level"]) <= 5:
            raise ValueError(line)
        result.append((match["name"].strip(), int(match["level"])))
    return result


class CareerLevel(BusinessModel):
    """職級: one level of a career path — a position, the criteria to be promoted into it."""

    path = models.ForeignKey(
        CareerPath, verbose_name=_("career path"), on_delete=models.CASCADE, related_name="levels"
    )
    rank = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    title = models.CharField(_("title"), max_length=100)
    position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        related_name="career_levels",
    )
    criteria = BoundedTextField(_("promotion criteria"), max_length=TEXT_NOTE)
    min_years = models.DecimalField(
        _("minimum years in the level below"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    required_grade = models.CharField(
        _("appraisal grade at least"), max_length=2, choices=grading.GRADE_CHOICES, blank=True
    )
    required_skills = BoundedTextField(
        _("required skills"),
        max_length=TEXT_NOTE,
        blank=True,
        help_text=_("One skill of the skills catalogue and its level (1–5) a line, e.g. “PLC 編程 3”."),
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("career level")
        verbose_name_plural = _("career levels")
        ordering = ["path__name", "rank"]
        constraints = [models.UniqueConstraint(fields=["path", "rank"], name="career_level_rank_once")]
        rules_permissions = {
            "view": r.can_view_path,
            "add": r.can_manage_path,
            "change": r.can_manage_path,
            "delete": r.can_manage_path,
        }

    def __str__(self) -> str:
        return f"{self.path} L{self.rank} {self.title}"

    def skill_levels(self) -> list[tuple[str, int]]:
        try:
            return parse_skill_lines(self.required_skills)
        except ValueError:
            return []

    def clean(self):
        try:
            lines = parse_skill_lines(self.required_skills)
        except ValueError as error:
            raise ValidationError(
                {"required_skills": _("Write “skill level” (1–5) on each line: %(line)s") % {"line": error}}
            ) from None
        names = {name for name, _level in lines}
        known = set(Skill.objects.filter(name__in=names).values_list("name", flat=True))
        if names - known:
            raise ValidationError(
                {
                    "required_skills": _("Not in the skills catalogue: %(names)s")
                    % {"names": "、".join(sorted(names - known))}
                }
            )


# --- HR-10: personal development plans ---------------------------------------------------------


class DevelopmentPlan(WorkflowModel, BusinessModel):
    """個人發展計劃: goals, trainings, a target level or position and review dates, agreed by
    the employee and the superior, reviewed at each review date, then completed."""

    State = states.PlanState

    employee = staff_person(_("employee"), "development_plans")
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible superior"),
        on_delete=models.PROTECT,
        related_name="development_plans_led",
        limit_choices_to={"client_organization__isnull": True},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    target_level = models.ForeignKey(
        CareerLevel,
        verbose_name=_("target level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_plans",
    )
    target_position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("target position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    goals = BoundedTextField(_("goals"), max_length=TEXT_NOTE, help_text=_("Measurable goals, one a line."))
    courses = models.ManyToManyField(
        "people.Course", verbose_name=_("trainings"), blank=True, related_name="development_plans"
    )
    next_review_on = models.DateField(_("next review"))
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    employee_agreed_at = models.DateTimeField(
        _("agreed by the employee"), null=True, blank=True, editable=False
    )
    superior_agreed_at = models.DateTimeField(
        _("agreed by the superior"), null=True, blank=True, editable=False
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = CareerQuerySet.as_manager()

    editable_states = (State.DRAFT,)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="development_plan_ordered"
            ),
        ]
        rules_permissions = {
            "view": r.can_view_plan,
            "add": r.can_start_plan,
            "change": r.can_change_plan,
            "delete": r.rules.always_deny,
            "lead": r.can_lead_plan,
            "agree": r.can_agree_plan,
            "review": r.can_review_plan,
        }

    def __str__(self) -> str:
        return _("Development plan of %(name)s") % {"name": self.employee.display_name}

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The plan ends after it starts.")})
        if self.employee_id and self.superior_id and self.employee_id == self.superior_id:
            raise ValidationError({"superior": _("Choose the employee's superior.")})
        if self.target_level_id and not self.target_position_id:
            self.target_position_id = self.target_level.position_id
        if self.next_review_on and self.starts_on and self.next_review_on < self.starts_on:
            raise ValidationError({"next_review_on": _("The first review is on or after the start.")})

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.PROPOSED,
        permission="careers.lead_developmentplan",
        custom={"label": _("Agree and send to the employee"), "icon": "send"},
    )
    def propose(self):
        self.superior_agreed_at = timezone.now()

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.AGREED,
        permission="careers.agree_developmentplan",
        custom={"label": _("Agree"), "icon": "hand-thumbs-up"},
    )
    def agree(self):
        self.employee_agreed_at = timezone.now()

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.DRAFT,
        permission="careers.agree_developmentplan",
        custom={"label": _("Ask for changes"), "icon": "arrow-counterclockwise", "comment_required": True},
    )
    def ask_changes(self):
        self.superior_agreed_at = None

    @transition(
        field=state,
        source=State.AGREED,
        target=State.COMPLETED,
        permission="careers.lead_developmentplan",
        custom={"label": _("Complete"), "icon": "flag", "comment_required": True},
    )
    def complete(self):
        self.completed_at = timezone.now()


class DevelopmentReview(BusinessModel):
    """發展計劃回顧: one review of a running plan, and the next review date."""

    Progress = CheckIn.Progress  # the same on track / behind / at risk as an improvement plan's

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    held_on = models.DateField(_("held on"))
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    recorded_by = actor_field(_("recorded by"))
    history = HistoricalRecords()

    class ReviewQuerySet(CareerQuerySet):
        person_field = "plan__employee"

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("development review")
        verbose_name_plural = _("development reviews")
        ordering = ["plan", "-held_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_review,
            "add": r.can_start_plan,
            "change": r.can_review_plan,
            "delete": r.can_review_plan,
        }

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on:%Y-%m-%d}"

    def clean(self):
        if self.plan_id and self.plan.state != DevelopmentPlan.State.AGREED:
            raise ValidationError({"plan": _("Only an agreed plan in progress is reviewed.")})
        if self.next_review_on and self.held_on and self.next_review_on <= self.held_on:
            raise ValidationError({"next_review_on": _("The next review comes after this one.")})


# --- HR-10: promotion and job rotation ---------------------------------------------------------


class MoveKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    ROTATION = "rotation", _("Job rotation")


class PositionMove(WorkflowModel, BusinessModel):
    """晉升、輪崗: from one position (and department) to another, approved by management; the
    approval moves the person (people.services.move_person) and the user's history keeps it."""

    State = states.MoveState

    employee = staff_person(_("employee"), "position_moves")
    kind = models.CharField(_("kind"), max_length=20, choices=MoveKind.choices)
    from_position = models.ForeignKey(
        "accounts.Position",
        verbose_name=_("from position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    from_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("from department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    to_position = models.ForeignKey(
        "accounts.Position", verbose_name=_("to position"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("to department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the position's department."),
    )
    target_level = models.ForeignKey(
        CareerLevel,
        verbose_name=_("career level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_on = models.DateField(_("effective from"))
    reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE)
    state = StateField(_("state"), choices=State.choices, default=State.PROPOSED, protected=True)
    proposed_by = actor_field(_("proposed by"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DecidedQuerySet.as_manager()

    editable_states = (State.PROPOSED,)

    class Meta:
        verbose_name = _("promotion or rotation")
        verbose_name_plural = _("promotions and rotations")
        ordering = ["-effective_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_move,
            "add": r.can_propose_move,
            "change": r.can_change_move,
            "delete": r.rules.always_deny,
            "decide": r.can_decide_move,
        }

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee.display_name}"

    def clean(self):
        if self.employee_id and self.proposed_by_id == self.employee_id:
            raise ValidationError({"employee": _("Nobody proposes their own promotion or rotation.")})
        if (
            self.employee_id
            and self.to_position_id
            and self.employee.position_id == self.to_position_id
            and (not self.to_department_id or self.to_department_id == self.employee.department_id)
        ):
            raise ValidationError({"to_position": _("The person already holds this position.")})
        if (
            self.target_level_id
            and self.to_position_id
            and self.target_level.position_id != self.to_position_id
        ):
            raise ValidationError({"target_level": _("Choose a level of the new position.")})

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.APPROVED,
        permission="careers.decide_positionmove",
        custom={"label": _("Approve and change the position"), "icon": "check2-circle"},
    )
    def approve(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()
        people_services.move_person(
            self.employee_id,
            position=self.to_position,
            department=self.to_department,
            actor=actor,
            reason=str(self),
        )

    @transition(
        field=state,
        source=State.PROPOSED,
        target=State.REJECTED,
        permission="careers.decide_positionmove",
        custom={"label": _("Reject"), "icon": "x-circle", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()
