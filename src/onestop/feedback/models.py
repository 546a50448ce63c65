"""Customer satisfaction and complaints (EXT-2).

``Survey`` (滿意度調查): one per engagement, sent to the client's users when the whole project's
acceptance has passed (or by customer service / management by hand), answered once — through the
portal or through the signed link of the invitation e-mail — with a 1–5 score per aspect
(aspects.py), a 0–10 "would recommend" and a comment.

``Complaint`` (客戶投訴): filed by a client in the portal or recorded by staff from a call or an
e-mail; assigned to a handler with a working-day deadline, answered, and closed when the client
confirms (or reopened with a reason); staff may close it without the client's answer only after
days (policy setting ``feedback.complaint_close_after_days``) and with a note.
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

from onestop.core.access import Kind, register_team, staff_scope
from onestop.core.fields import TEXT_NOTE, BoundedTextField, StateField, actor_field
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.workflow import WorkflowModel
from onestop.feedback import rules as r
from onestop.feedback import states
from onestop.feedback.aspects import ASPECTS, RECOMMEND_MAX, RECOMMEND_MIN, SCORE_MAX, SCORE_MIN


def _score_fields() -> dict:
    return {
        aspect.field: models.PositiveSmallIntegerField(
            aspect.label,
            null=True,
            blank=True,
            editable=False,
            validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        )
        for aspect in ASPECTS
    }


# The score fields as an abstract base, so that the history table has them too.
SurveyScores = type(
    "SurveyScores",
    (models.Model,),
    {"__module__": __name__, "Meta": type("Meta", (), {"abstract": True}), **_score_fields()},
)


class AnswerChannel(models.TextChoices):
    PORTAL = "portal", _("Client portal")
    LINK = "link", _("Link in the invitation e-mail")


class SurveyQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is not None:
            return self.filter(client_id=user.client_organization_id)
        if r.sees_all_feedback(user):
            return self
        mine = models.Q(project_lead=user)
        if user.department_id is not None:
            mine |= models.Q(department_id=user.department_id)
        return self.filter(mine)

    def answered(self):
        return self.filter(answered_at__isnull=False)


class Survey(SurveyScores, BusinessModel):
    """滿意度調查: the satisfaction survey of one engagement (EXT-2)."""

    reason_fields = ("respond_by",)  # a plain edit of these says why

    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        editable=False,
    )
    client = models.ForeignKey(
        "accounts.ClientOrganization",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="surveys",
        editable=False,
    )
    # Who led the work and their department when the survey was sent: the results are theirs.
    project_lead = actor_field(_("project lead"))
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    invited_at = models.DateTimeField(_("invited"), editable=False)
    invited_by = actor_field(_("invited by"))
    respond_by = models.DateField(
        _("answer requested by"), help_text=_("Unanswered surveys are reminded once before this day.")
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    # Part of every link's signed value: a new nonce makes the links already sent useless.
    token_nonce = models.CharField(max_length=32, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    answered_by = actor_field(_("answered by"))
    answered_via = models.CharField(
        _("answered through"), max_length=10, choices=AnswerChannel.choices, blank=True, editable=False
    )
    would_recommend = models.PositiveSmallIntegerField(
        _("would recommend us (0–10)"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(RECOMMEND_MIN), MaxValueValidator(RECOMMEND_MAX)],
    )
    comment = BoundedTextField(_("comment"), blank=True, max_length=5000, editable=False)
    history = HistoricalRecords()

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"],
                name="one_survey_per_engagement",
                violation_error_message=_(
                    "The client of this engagement has already been invited to the survey."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(would_recommend__isnull=True)
                | models.Q(would_recommend__lte=RECOMMEND_MAX),
                name="survey_recommend_at_most_10",
            ),
        ]
        rules_permissions = {
            "view": r.can_view_survey,
            "add": r.can_invite,
            "change": r.can_edit_survey,
            "delete": r.can_delete_survey,
            "answer": r.can_answer_survey,
            "results": r.can_view_results,
        }

    def __str__(self) -> str:
        return _("Satisfaction survey %(engagement)s") % {"engagement": self.engagement.code}

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def status_label(self) -> str:
        return str(_("Answered") if self.is_answered else _("Awaiting the answer"))

    status_label.fget.short_description = _("status")

    @property
    def scores(self) -> list[tuple[str, int | None]]:
        return [(str(aspect.label), getattr(self, aspect.field)) for aspect in ASPECTS]

    @property
    def average_score(self):
        values = [getattr(self, aspect.field) for aspect in ASPECTS]
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    average_score.fget.short_description = _("average score")


class ComplaintQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            # A complaint not tied to an engagement is still seen by whoever handles it.
            return staff_scope(self, user) | self.filter(models.Q(handler=user) | models.Q(filed_by=user))
        return self.filter(client_id=user.client_organization_id)


class Complaint(WorkflowModel, BusinessModel):
    """客戶投訴: a complaint of a client, from filing to the client's confirmation (EXT-2).

    Every transition takes input or has side effects (a handler and deadline, the response
    e-mailed to the client, closing deadlines), so each is service-only: feedback.services.
    """

    access_kind = Kind.COMPLAINT  # who may see it: core/access.py
    engagement_lookup = "engagement"

    allow_attachments = True
    allow_comments = True

    State = states.ComplaintState
    editable_states = states.EDITABLE

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Client portal")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        VISIT = "visit", _("In person")
        OTHER = "other", _("Other")

    class Closure(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed by the client")
        BY_STAFF = "by_staff", _("Closed by staff without the client's answer")

    OPEN_STATES = states.OPEN

    code = models.CharField(_("complaint number"), max_length=20, unique=True, editable=False)
    client = models.ForeignKey(
        "accounts.ClientOrganization",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text=_("The engagement the complaint is about, if any."),
    )
    channel = models.CharField(_("received through"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = BoundedTextField(_("description"), max_length=10000)
    state = StateField(_("state"), choices=State.choices, default=State.FILED, protected=True)
    filed_by = actor_field(_("filed by"), null=False)
    filed_at = models.DateTimeField(_("filed"), editable=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_complaints",
        editable=False,
    )
    assigned_by = actor_field(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True, editable=False)
    due_at = models.DateTimeField(_("response due"), null=True, blank=True, editable=False)
    response = BoundedTextField(_("response to the client"), max_length=10000, blank=True, editable=False)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True, editable=False)
    responded_by = actor_field(_("responded by"))
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    reopen_reason = BoundedTextField(
        _("reason for reopening"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = actor_field(_("closed by"))
    closure = models.CharField(
        _("closure"), max_length=10, choices=Closure.choices, blank=True, editable=False
    )
    closure_note = BoundedTextField(_("closing note"), max_length=TEXT_NOTE, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="complaint_state_due")]
        rules_permissions = {
            "view": r.can_view_complaint,
            "add": r.can_file_complaint,
            "change": r.can_edit_complaint,
            "delete": r.can_delete_complaint,
            "assign": r.can_assign_complaint,
            "respond": r.can_respond_complaint,
            "confirm": r.can_confirm_complaint,
            "close": r.can_close_complaint,
            "comment": r.can_comment_complaint,
            "attach": r.can_comment_complaint,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    def clean(self):
        if self.engagement_id and self.client_id and self.engagement.client_id != self.client_id:
            raise ValidationError({"engagement": _("Choose an engagement of the complaining client.")})

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.state in self.OPEN_STATES and self.due_at < timezone.now())

    # --- transitions (all through feedback.services) ------------------------------------------
    @transition(
        field=state,
        source=[State.FILED, State.IN_HANDLING, State.REOPENED],
        target=State.IN_HANDLING,
        permission="feedback.assign_complaint",
        custom={"label": _("Assign a handler"), "icon": "person-check", "service_only": True},
    )
    def assign(self, handler=None, due_at=None, actor=None):
        self.handler = handler
        self.assigned_by = actor
        self.assigned_at = timezone.now()
        self.due_at = due_at

    @transition(
        field=state,
        source=[State.IN_HANDLING, State.REOPENED],
        target=State.RESPONDED,
        permission="feedback.respond_complaint",
        custom={"label": _("Respond"), "icon": "reply", "service_only": True},
    )
    def respond(self, response="", actor=None):
        self.response = response
        self.responded_at = timezone.now()
        self.responded_by = actor

    @transition(
        field=state,
        source=State.RESPONDED,
        target=State.CLOSED,
        permission="feedback.confirm_complaint",
        custom={"label": _("Confirm and close"), "icon": "check2-circle", "service_only": True},
    )
    def confirm(self, actor=None):
        self._close(actor, self.Closure.CONFIRMED, "")

    @transition(
        field=state,
        source=State.RESPONDED,
        target=State.REOPENED,
        permission="feedback.confirm_complaint",
        custom={"label": _("Reopen"), "icon": "arrow-counterclockwise", "service_only": True},
    )
    def reopen(self, reason="", due_at=None):
        self.reopen_count += 1
        self.reopen_reason = reason
        self.due_at = due_at

    @transition(
        field=state,
        source=State.RESPONDED,
        target=State.CLOSED,
        permission="feedback.close_complaint",
        custom={
            "label": _("Close without the client's answer"),
            "icon": "x-circle",
            "service_only": True,
            "comment_required": True,
        },
    )
    def close_unconfirmed(self, note="", actor=None):
        self._close(actor, self.Closure.BY_STAFF, note)

    def _close(self, actor, closure, note):
        self.closed_at = timezone.now()
        self.closed_by = actor
        self.closure = closure
        self.closure_note = note


# The people (and departments) on an engagement's team through this app's records.
register_team("feedback.Complaint", engagement="engagement", users=("handler",))
