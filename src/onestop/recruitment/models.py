"""Recruitment and onboarding (HR-1, HR-2, HR-3 onboarding part).

``HiringNeed`` (招聘需求): a department's request for people — position, headcount, the
qualifications, the reason and a target date — approved by management (HR-1). ``Posting``
(招聘發布): where and when the opening is advertised. ``Candidate`` (應聘者) goes through the
stages of states.Stage, each move a transition; ``Interview`` holds one interviewer's scores of one
round against the opening's criteria. A hire creates the staff account and an ``Onboarding``
programme (入職培訓) with one ``OnboardingTask`` per part of the template (``OnboardingPart``):
the policy's five parts, each completed by the new hire and acknowledged by HR or the superior.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.fields import TEXT_LONG, TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.recruitment import rules as r
from onestop.recruitment import states

SKILL_LEVEL_MAX = 5
SCORE_MIN, SCORE_MAX = 1, 5
DEFAULT_CRITERIA = "專業技能\n溝通表達\n團隊協作\n崗位匹配度"
_SKILL_LINE = re.compile(r"^(?P<name>.+?)[\s:：]+(?P<level>\d+)$")


def parse_skills(text: str) -> list[tuple[str, int]]:
    """``"PLC 編程 3"`` per line → ``[("PLC 編程", 3)]``; ValueError names the first bad line."""
    result = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _SKILL_LINE.match(line)
        if match is None or not 1 <= int(match["level"]) <= SKILL_LEVEL_MAX:
            raise ValueError(line)
        result.append((match["name"].strip(), int(match["level"])))
    return result


def criteria_list(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def supervised_departments(user):
    """The departments ``user`` heads and those below them (four levels), as a subquery."""
    from onestop.accounts.models import Department  # noqa: PLC0415 — accounts imports core, not this app

    condition_ = models.Q()
    lookup = "head"
    for _level in range(4):
        condition_ |= models.Q(**{lookup: user.pk})
        lookup = "parent__" + lookup
    return Department._base_manager.filter(condition_).values("pk")


class Channel(models.TextChoices):
    COMPANY_SITE = "company_site", _("Company website")
    JOB_BOARD = "job_board", _("Job board")
    CAMPUS = "campus", _("Campus recruitment")
    REFERRAL = "referral", _("Employee referral")
    HEADHUNTER = "headhunter", _("Headhunter")
    OTHER = "other", _("Other")


class Education(models.TextChoices):
    ANY = "any", _("Any")
    VOCATIONAL = "vocational", _("Vocational college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


# --- hiring needs ------------------------------------------------------------------------------


def _panel_needs(user):
    """The needs whose candidates ``user`` interviews (their hiring panel)."""
    return Interview.objects.filter(interviewer=user).values("candidate__need_id")


class HiringNeedQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        if r.is_hr(user) or r.is_management(user):
            return self
        return self.filter(
            models.Q(hiring_manager=user)
            | models.Q(requested_by=user)
            | models.Q(department__in=supervised_departments(user))
            | models.Q(pk__in=_panel_needs(user))
        )


class HiringNeed(WorkflowModel, BusinessModel):
    """招聘需求: a request for people, approved by management before anyone is sought (HR-1)."""

    State = states.NeedState
    editable_states = states.NEED_EDITABLE
    reason_fields = ("headcount", "target_date")

    class Reason(models.TextChoices):
        BUSINESS_PLAN = "business_plan", _("Business plan")
        PROJECT_GAP = "project_gap", _("Staffing gap of a project")
        REPLACEMENT = "replacement", _("Replacement of a leaver")

    code = models.CharField(_("need number"), max_length=20, unique=True, editable=False)
    position = models.ForeignKey(
        "accounts.Position", verbose_name=_("position"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    headcount = models.PositiveSmallIntegerField(
        _("headcount"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    education = models.CharField(
        _("minimum education"), max_length=12, choices=Education.choices, default=Education.BACHELOR
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(40)]
    )
    skills = BoundedTextField(
        _("skills with levels"),
        max_length=TEXT_NOTE,
        blank=True,
        help_text=_("One skill per line with its level from 1 to 5, e.g. “PLC 編程 3”."),
    )
    certificates = models.CharField(_("certificates"), max_length=300, blank=True)
    criteria = BoundedTextField(
        _("interview criteria"),
        max_length=TEXT_NOTE,
        default=DEFAULT_CRITERIA,
        help_text=_("One criterion per line; every interviewer scores each from 1 to 5 with a comment."),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a project's staffing gap: the project short of people."),
    )
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a replacement: the person leaving."),
    )
    justification = BoundedTextField(_("justification"), max_length=TEXT_NOTE, blank=True)
    target_date = models.DateField(_("needed by"))
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hiring manager"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The department head who asks for the position; on the hiring panel."),
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    requested_by = actor_field(_("recorded by"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = HiringNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hiring need")
        verbose_name_plural = _("hiring needs")
        ordering = ["-created_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_need,
            "add": r.can_add_need,
            "change": r.can_change_need,
            "delete": r.can_delete_need,
            "submit": r.can_submit_need,
            "decide": r.can_decide_need,
            "close": r.can_close_need,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.position}"

    def clean(self):
        errors = {}
        try:
            parse_skills(self.skills)
        except ValueError as bad:
            errors["skills"] = _("Write “skill level” with a level from 1 to 5 on each line: “%(line)s”.") % {
                "line": str(bad)[:60]
            }
        if not criteria_list(self.criteria):
            errors["criteria"] = _("Name at least one criterion the interviewers score.")
        if self.reason == self.Reason.PROJECT_GAP and not self.project_id:
            errors["project"] = _("Name the project short of people.")
        if self.reason == self.Reason.REPLACEMENT and not self.replaces_id:
            errors["replaces"] = _("Name the person who leaves.")
        if (
            self.position_id
            and self.department_id
            and self.position.department_id
            not in (
                None,
                self.department_id,
            )
        ):
            errors["position"] = _("Choose a position of the department.")
        if errors:
            raise ValidationError(errors)

    @property
    def skill_levels(self) -> list[tuple[str, int]]:
        try:
            return parse_skills(self.skills)
        except ValueError:
            return []

    @property
    def criteria_items(self) -> list[str]:
        return criteria_list(self.criteria)

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        permission="recruitment.submit_hiringneed",
        custom={"label": _("Submit for approval"), "icon": "send"},
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="recruitment.decide_hiringneed",
        custom={"label": _("Approve"), "icon": "check2-circle"},
    )
    def approve(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RETURNED,
        permission="recruitment.decide_hiringneed",
        custom={
            "label": _("Return for revision"),
            "icon": "arrow-counterclockwise",
            "comment_required": True,
            "style": "outline-danger",
        },
    )
    def send_back(self, actor=None):
        self.decided_by = actor
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.CLOSED,
        permission="recruitment.close_hiringneed",
        custom={
            "label": _("Close the opening"),
            "icon": "archive",
            "comment_required": True,
            "style": "outline-secondary",
        },
    )
    def close(self):
        pass


# --- postings ------------------------------------------------------------------------------------


class PostingQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        return self.filter(need__in=HiringNeed.objects.visible_to(user).values("pk"))


class Posting(BusinessModel):
    """招聘發布: the opening advertised on one channel, from one day to another (HR-2)."""

    need = models.ForeignKey(
        HiringNeed, verbose_name=_("hiring need"), on_delete=models.PROTECT, related_name="postings"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("advertised as"), max_length=200)
    where = models.CharField(
        _("where"), max_length=200, blank=True, help_text=_("The job board, school or agency.")
    )
    url = models.URLField(_("link"), blank=True)
    published_on = models.DateField(_("published"))
    closes_on = models.DateField(_("closes"), null=True, blank=True)
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-published_on", "-pk"]
        rules_permissions = {
            "view": r.can_view_posting,
            "add": r.can_manage_posting,
            "change": r.can_manage_posting,
            "delete": r.can_manage_posting,
        }

    def __str__(self) -> str:
        return f"{self.title} · {self.get_channel_display()}"

    def clean(self):
        errors = {}
        if self.need_id and self.pk is None and self.need.state not in states.NEED_OPEN:
            errors["need"] = _("Only an approved hiring need is advertised.")
        if self.closes_on and self.published_on and self.closes_on < self.published_on:
            errors["closes_on"] = _("The posting cannot close before it is published.")
        if errors:
            raise ValidationError(errors)


# --- candidates ----------------------------------------------------------------------------------


class CandidateQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        if r.is_hr(user):
            return self
        panel = models.Q(need__hiring_manager=user) | models.Q(need_id__in=_panel_needs(user))
        if r.is_management(user):
            # The offers put to management, also one it returned for another look.
            panel |= models.Q(stage__in=states.OFFER_STAGES) | models.Q(offer_salary__isnull=False)
        return self.filter(panel)


def _has_scored_interview(candidate) -> bool:
    annotated = getattr(candidate, "has_scored_interview", None)  # a list or the board annotates it
    if annotated is not None:
        return bool(annotated)
    return candidate.interviews.filter(scored_at__isnull=False).exists()


def with_scored_flag(queryset):
    """Candidates annotated with whether an interviewer has scored them (one subquery)."""
    scored = Interview.objects.filter(candidate=models.OuterRef("pk"), scored_at__isnull=False)
    return queryset.annotate(has_scored_interview=models.Exists(scored))


class Candidate(WorkflowModel, BusinessModel):
    """應聘者: one person applying for one opening, through the stages of states.Stage (HR-2)."""

    Stage = states.Stage
    state_field_name = "stage"
    editable_states = states.CANDIDATE_EDITABLE
    allow_attachments = True  # the resume, certificates, the signed offer
    allow_comments = True

    code = models.CharField(_("candidate number"), max_length=20, unique=True, editable=False)
    need = models.ForeignKey(
        HiringNeed, verbose_name=_("opening"), on_delete=models.PROTECT, related_name="candidates"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    education = models.CharField(
        _("education"), max_length=12, choices=Education.choices, default=Education.BACHELOR
    )
    school = models.CharField(_("school and major"), max_length=200, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(50)]
    )
    current_employer = models.CharField(_("current employer"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Channel.choices)
    posting = models.ForeignKey(
        Posting,
        verbose_name=_("posting answered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidates",
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resume = BoundedTextField(_("resume summary"), max_length=TEXT_LONG, blank=True)
    applied_on = models.DateField(_("applied"), default=timezone.localdate)
    stage = StateField(_("stage"), choices=Stage.choices, default=Stage.SCREENING, protected=True)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now, editable=False)
    test_score = models.DecimalField(
        _("written test score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    test_note = BoundedTextField(_("written test notes"), max_length=TEXT_NOTE, blank=True, editable=False)
    background_note = BoundedTextField(
        _("background check result"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    offer_salary = models.DecimalField(
        _("offered monthly salary"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    offer_start_date = models.DateField(_("start date"), null=True, blank=True, editable=False)
    offer_superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    offer_note = BoundedTextField(_("offer terms"), max_length=TEXT_NOTE, blank=True, editable=False)
    offer_approved_by = actor_field(_("offer approved by"))
    outcome_reason = BoundedTextField(_("reason"), max_length=TEXT_NOTE, blank=True, editable=False)
    closed_at_stage = models.CharField(
        _("closed at stage"), max_length=20, choices=Stage.choices, blank=True, editable=False
    )
    hired_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hired_as_candidate",
        editable=False,
    )
    hired_at = models.DateTimeField(_("hired"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-applied_on", "-pk"]
        indexes = [models.Index(fields=["need", "stage"], name="candidate_need_stage")]
        rules_permissions = {
            "view": r.can_view_candidate,
            "add": r.can_manage_candidate,
            "change": r.can_change_candidate,
            "delete": r.can_delete_candidate,
            "advance": r.can_manage_candidate,
            "approve_offer": r.can_approve_offer,
            "comment": r.can_view_candidate,
            "attach": r.can_manage_candidate,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}"

    def clean(self):
        errors = {}
        if self.need_id and self.pk is None and self.need.state not in states.NEED_OPEN:
            errors["need"] = _("Candidates are recorded for an approved hiring need only.")
        if self.posting_id and self.need_id and self.posting.need_id != self.need_id:
            errors["posting"] = _("Choose a posting of this opening.")
        elif self.posting_id and self.source and self.posting.channel != self.source:
            errors["source"] = _("The source is the channel of the posting answered.")
        if self.source == Channel.REFERRAL and not self.referrer_id:
            errors["referrer"] = _("Name the colleague who referred the candidate.")
        if not (self.phone or self.email):
            errors["phone"] = _("Give a phone number or an e-mail address to reach the candidate.")
        if errors:
            raise ValidationError(errors)

    @property
    def days_in_stage(self) -> int:
        return max((timezone.now() - self.stage_since).days, 0)

    days_in_stage.fget.short_description = _("days in this stage")

    def _moved(self):
        self.stage_since = timezone.now()

    # --- transitions -----------------------------------------------------------------------------
    @transition(
        field=stage,
        source=Stage.SCREENING,
        target=Stage.INTERVIEW,
        permission="recruitment.advance_candidate",
        custom={"label": _("Pass the resume screening"), "icon": "check2"},
    )
    def pass_screening(self):
        self._moved()

    @transition(
        field=stage,
        source=Stage.INTERVIEW,
        target=Stage.WRITTEN_TEST,
        permission="recruitment.advance_candidate",
        conditions=[
            condition(_("At least one interviewer must have scored the candidate."))(_has_scored_interview)
        ],
        custom={"label": _("Pass the interviews"), "icon": "check2"},
    )
    def pass_interviews(self):
        self._moved()

    @transition(
        field=stage,
        source=Stage.WRITTEN_TEST,
        target=Stage.BACKGROUND,
        permission="recruitment.advance_candidate",
        custom={"label": _("Record the written test"), "icon": "pencil-square", "service_only": True},
    )
    def record_test(self, score=None, note=""):
        self.test_score = score
        self.test_note = note
        self._moved()

    @transition(
        field=stage,
        source=Stage.BACKGROUND,
        target=Stage.OFFER_PROPOSED,
        permission="recruitment.advance_candidate",
        custom={"label": _("Propose the offer"), "icon": "envelope-paper", "service_only": True},
    )
    def propose_offer(self, background_note="", salary=None, start_date=None, superior=None, terms=""):
        self.background_note = background_note
        self.offer_salary = salary
        self.offer_start_date = start_date
        self.offer_superior = superior
        self.offer_note = terms
        self._moved()

    @transition(
        field=stage,
        source=Stage.OFFER_PROPOSED,
        target=Stage.OFFER_MADE,
        permission="recruitment.approve_offer_candidate",
        custom={"label": _("Approve the offer"), "icon": "check2-circle"},
    )
    def approve_offer(self, actor=None):
        self.offer_approved_by = actor
        self._moved()

    @transition(
        field=stage,
        source=Stage.OFFER_PROPOSED,
        target=Stage.BACKGROUND,
        permission="recruitment.approve_offer_candidate",
        custom={
            "label": _("Return the offer"),
            "icon": "arrow-counterclockwise",
            "comment_required": True,
            "style": "outline-danger",
        },
    )
    def return_offer(self):
        self._moved()

    @transition(
        field=stage,
        source=Stage.OFFER_MADE,
        target=Stage.ACCEPTED,
        permission="recruitment.advance_candidate",
        custom={"label": _("Offer accepted"), "icon": "hand-thumbs-up"},
    )
    def accept_offer(self):
        self._moved()

    @transition(
        field=stage,
        source=Stage.OFFER_MADE,
        target=Stage.DECLINED,
        permission="recruitment.advance_candidate",
        custom={
            "label": _("Offer declined"),
            "icon": "hand-thumbs-down",
            "comment_required": True,
            "style": "outline-danger",
        },
    )
    def decline_offer(self, comment=""):
        self.outcome_reason = comment
        self.closed_at_stage = self.Stage.OFFER_MADE
        self._moved()

    @transition(
        field=stage,
        source=states.IN_PROCESS,
        target=Stage.REJECTED,
        permission="recruitment.advance_candidate",
        custom={
            "label": _("Not selected"),
            "icon": "x-circle",
            "comment_required": True,
            "style": "outline-danger",
        },
    )
    def reject(self, comment=""):
        self.outcome_reason = comment
        self.closed_at_stage = self.stage
        self._moved()

    @transition(
        field=stage,
        source=Stage.ACCEPTED,
        target=Stage.HIRED,
        permission="recruitment.advance_candidate",
        custom={"label": _("Hire"), "icon": "person-plus", "service_only": True},
    )
    def hire(self, user=None):
        self.hired_user = user
        self.hired_at = timezone.now()
        self._moved()


# --- interviews ----------------------------------------------------------------------------------


class InterviewQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        return self.filter(
            models.Q(interviewer=user)
            | models.Q(candidate__in=Candidate.objects.visible_to(user).values("pk"))
        )


class Interview(BusinessModel):
    """面試: one interviewer's round with one candidate, scored against the opening's criteria."""

    class Recommendation(models.TextChoices):
        HIRE = "hire", _("Recommend")
        HOLD = "hold", _("Undecided")
        NO = "no", _("Do not recommend")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="interviews"
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("interviewer"), on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled"))
    place = models.CharField(_("place or video link"), max_length=200, blank=True)
    # [{"criterion": "專業技能", "score": 4, "comment": "…"}, …], one per criterion of the need.
    scores = models.JSONField(_("scores"), default=list, blank=True, editable=False)
    average = models.DecimalField(
        _("average score"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True, editable=False
    )
    summary = BoundedTextField(_("overall comment"), max_length=TEXT_NOTE, blank=True, editable=False)
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = InterviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-scheduled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "round", "interviewer"],
                name="interview_once_per_round_and_interviewer",
                violation_error_message=_("This interviewer already has this round with the candidate."),
            )
        ]
        rules_permissions = {
            "view": r.can_view_interview,
            "add": r.can_manage_interview,
            "change": r.can_change_interview,
            "delete": r.can_change_interview,
            "score": r.can_score_interview,
        }

    def __str__(self) -> str:
        name = self.candidate.full_name if self.candidate_id else ""
        return _("Round %(round)s: %(name)s") % {"round": self.round, "name": name}

    def clean(self):
        errors = {}
        if (
            self.candidate_id
            and self.scored_at is None
            and self.candidate.stage not in (states.Stage.SCREENING, states.Stage.INTERVIEW)
        ):
            errors["candidate"] = _("Interviews are arranged while the candidate is screened or interviewed.")
        if self.interviewer_id and self.interviewer.client_organization_id is not None:
            errors["interviewer"] = _("Interviewers are members of staff.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_scored(self) -> bool:
        return self.scored_at is not None

    @property
    def status_label(self) -> str:
        return str(_("Scored") if self.is_scored else _("Awaiting the scores"))

    status_label.fget.short_description = _("status")


# --- onboarding ----------------------------------------------------------------------------------


class Topic(models.TextChoices):
    """The five parts of the onboarding programme the policy names (入職培訓)."""

    OVERVIEW = "overview", _("Company overview")
    CULTURE = "culture", _("Corporate culture")
    SERVICE_PROCESS = "service_process", _("The one-stop service process")
    TECHNICAL = "technical", _("Technical standards")
    SECURITY = "security", _("Security and confidentiality rules")


class OnboardingPart(BusinessModel):
    """A part of the onboarding template; each new hire's programme copies the active parts."""

    topic = models.CharField(_("part"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    content = BoundedTextField(_("what it covers"), max_length=TEXT_NOTE, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    due_days = models.PositiveSmallIntegerField(
        _("due after the start (days)"), default=7, validators=[MaxValueValidator(365)]
    )
    has_test = models.BooleanField(_("has a test"), default=False)
    pass_score = models.DecimalField(
        _("pass score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding part")
        verbose_name_plural = _("onboarding template")
        ordering = ["order", "pk"]
        rules_permissions = {
            "view": r.can_view_part,
            "add": r.can_manage_part,
            "change": r.can_manage_part,
            "delete": r.can_manage_part,
        }

    def __str__(self) -> str:
        return f"{self.get_topic_display()}：{self.title}"

    def clean(self):
        if self.has_test and self.pass_score is None:
            raise ValidationError({"pass_score": _("A part with a test needs its pass score.")})


class OnboardingQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.none()
        if r.is_hr(user) or r.is_management(user):
            return self
        return self.filter(
            models.Q(user=user)
            | models.Q(superior=user)
            | models.Q(user__department__in=supervised_departments(user))
        )


class Onboarding(BusinessModel):
    """入職培訓: a new member of staff's programme, one task per part of the template (HR-3)."""

    reason_fields = ("start_date",)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new member of staff"),
        on_delete=models.PROTECT,
        related_name="onboarding",
    )
    candidate = models.OneToOneField(
        Candidate,
        verbose_name=_("hired from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="onboarding",
        editable=False,
    )
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("superior"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    assigned_by = actor_field(_("assigned by"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = OnboardingQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding programme")
        verbose_name_plural = _("onboarding programmes")
        ordering = ["-start_date", "-pk"]
        rules_permissions = {
            "view": r.can_view_onboarding,
            "add": r.can_manage_onboarding,
            "change": r.can_manage_onboarding,
            "delete": r.can_delete_onboarding,
        }

    def __str__(self) -> str:
        return _("Onboarding of %(name)s") % {"name": self.user.display_name if self.user_id else ""}

    def clean(self):
        if self.user_id and self.user.client_organization_id is not None:
            raise ValidationError({"user": _("Onboarding is for members of staff.")})
        if self.user_id and self.superior_id == self.user_id:
            raise ValidationError(
                {"superior": _("The superior is someone else than the new member of staff.")}
            )

    @property
    def status_label(self) -> str:
        return str(_("Completed") if self.completed_at else _("In progress"))

    status_label.fget.short_description = _("status")


class OnboardingTaskQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(onboarding__in=Onboarding.objects.visible_to(user).values("pk"))


class OnboardingTask(WorkflowModel, BusinessModel):
    """One part of one new hire's programme: completed by them (with the test score where the
    part has a test), then acknowledged by HR or the superior."""

    generic_views = False  # shown and acted on in its programme's page (tests/test_recruitment.py)

    State = states.TaskState

    onboarding = models.ForeignKey(
        Onboarding, verbose_name=_("onboarding programme"), on_delete=models.CASCADE, related_name="tasks"
    )
    topic = models.CharField(_("part"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    content = BoundedTextField(_("what it covers"), max_length=TEXT_NOTE, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    due_date = models.DateField(_("due"))
    has_test = models.BooleanField(_("has a test"), default=False)
    pass_score = models.DecimalField(_("pass score"), max_digits=5, decimal_places=1, null=True, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.ASSIGNED, protected=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    completion_note = BoundedTextField(_("what I learned"), max_length=TEXT_NOTE, blank=True, editable=False)
    test_score = models.DecimalField(
        _("test score"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True, editable=False)
    acknowledged_by = actor_field(_("acknowledged by"))
    history = HistoricalRecords()

    objects = OnboardingTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding part of a new hire")
        verbose_name_plural = _("onboarding parts of new hires")
        ordering = ["onboarding", "order", "pk"]
        rules_permissions = {
            "view": r.can_view_onboarding,
            "complete": r.can_complete_task,
            "acknowledge": r.can_acknowledge_task,
        }

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.onboarding.get_absolute_url() + f"#task-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.ASSIGNED and self.due_date < timezone.localdate()

    @property
    def passed(self) -> bool | None:
        if not self.has_test or self.test_score is None or self.pass_score is None:
            return None
        return self.test_score >= self.pass_score

    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.COMPLETED,
        permission="recruitment.complete_onboardingtask",
        custom={"label": _("Mark as completed"), "icon": "check2", "service_only": True},
    )
    def complete(self, note="", score=None):
        self.completion_note = note
        self.test_score = score
        self.completed_at = timezone.now()

    @transition(
        field=state,
        source=State.COMPLETED,
        target=State.ACKNOWLEDGED,
        permission="recruitment.acknowledge_onboardingtask",
        custom={"label": _("Acknowledge"), "icon": "check2-all", "service_only": True},
    )
    def acknowledge(self, actor=None):
        self.acknowledged_by = actor
        self.acknowledged_at = timezone.now()

    @transition(
        field=state,
        source=State.COMPLETED,
        target=State.ASSIGNED,
        permission="recruitment.acknowledge_onboardingtask",
        custom={"label": _("Ask to redo"), "icon": "arrow-counterclockwise", "service_only": True},
    )
    def redo(self):
        self.completed_at = None
        self.test_score = None
