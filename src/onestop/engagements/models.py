"""The engagement spine (X-1) and intake (INT-1..3).

An ``Engagement`` (服務案件) is created with the first inquiry and carries the client, the
stage and who holds the ball from the first call to the last payment. Intake adds the
inquiries that arrived (``Inquiry``) and the negotiation rounds of the confirmation
(``Proposal``); the agreed round is printed as the 《一站式技術服務需求確認單》 and signed by
the client and the technician (core.signatures).
"""

from __future__ import annotations

from decimal import Decimal

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.accounts.models import ClientContact, ClientOrganization
from onestop.core import signatures
from onestop.core.access import Kind, register_team, staff_scope
from onestop.core.fields import (
    TEXT_GENERATED,
    TEXT_LONG,
    TEXT_NOTE,
    BoundedTextField,
    StateField,
    actor_field,
)
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.engagements import rules as r
from onestop.engagements.ball import ball_of
from onestop.engagements.states import OPEN, EngagementStage, IncomingMailStatus, ProposalStatus


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Online chat")
    PORTAL = "portal", _("Client portal")


def format_duration(delta) -> str:
    """A duration as people say it: 3 days 4 hours, 2 hours 5 minutes, 40 minutes."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


class EngagementQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(client_id=user.client_organization_id)


@condition(_("Assign the technician who will assess the request first."))
def has_technician(engagement) -> bool:
    return engagement.technician_id is not None


@condition(_("Record the service goals and technical requirements first."))
def has_assessment(engagement) -> bool:
    return bool(engagement.service_goals.strip() and engagement.technical_requirements.strip())


@condition(_("Write the reply to the client: the reason and suggestions or alternatives."))
def has_out_of_scope_reply(engagement) -> bool:
    return bool(engagement.out_of_scope_reason.strip() and engagement.suggestions.strip())


@condition(_("Both the client and the technician must sign the agreed confirmation form."))
def confirmation_fully_signed(engagement) -> bool:
    from onestop.engagements.documents import confirmation_form  # noqa: PLC0415 — models cannot import documents at load: engagements.documents imports the models

    return engagement.agreed_proposal_id is not None and signatures.is_fully_signed(
        confirmation_form(), engagement
    )


@condition(_("The engagement closes once acceptance has passed and the fees are settled."))
def engagement_complete(engagement) -> bool:
    from onestop.settlement.selectors import closing_blockers  # noqa: PLC0415 — later stage: imported when used, so the dependency reads one way (core/stages.py)

    return not closing_blockers(engagement)


class Engagement(WorkflowModel, BusinessModel):
    """服務案件: one client need, from the first inquiry to the final payment.

    Every transition here carries input or side effects (a technician, the assessment, the
    reply to the client, notifications, deadlines), so each is ``service_only``: it runs only
    through engagements.services, never through the generic transition endpoint.
    """

    reason_fields = ("client",)  # a plain edit of these says why

    access_kind = Kind.ENGAGEMENT  # who may see it: core/access.py
    engagement_lookup = "pk"

    state_field_name = "stage"
    # The chat with the client (INT-1) is its communication log: core.Comment rows, channel chat.
    allow_comments = True

    Stage = EngagementStage
    OPEN_STAGES = OPEN

    code = models.CharField(_("engagement number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    client = models.ForeignKey(
        ClientOrganization, verbose_name=_("client"), on_delete=models.PROTECT, related_name="engagements"
    )
    contact = models.ForeignKey(
        ClientContact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("first channel"), max_length=20, choices=Channel.choices)
    stage = StateField(_("stage"), choices=Stage.choices, default=Stage.INQUIRY, protected=True)
    stage_since = models.DateTimeField(_("in this stage since"), default=timezone.now)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holds the ball"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_engagements",
    )
    holder_since = models.DateTimeField(_("holding since"), default=timezone.now)
    recorded_by = actor_field(_("recorded by"), editable=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessed_engagements",
        limit_choices_to={"groups__name": "technician", "is_active": True},
    )
    forwarded_at = models.DateTimeField(_("forwarded to technician"), null=True, blank=True)
    # INT-2 assessment
    service_goals = BoundedTextField(_("service goals"), max_length=TEXT_LONG, blank=True)
    technical_requirements = BoundedTextField(_("technical requirements"), max_length=TEXT_LONG, blank=True)
    requested_deadline = models.DateField(_("client's deadline"), null=True, blank=True)
    out_of_scope_reason = BoundedTextField(_("why it is out of scope"), max_length=TEXT_NOTE, blank=True)
    suggestions = BoundedTextField(
        _("suggestions or alternatives for the client"), max_length=TEXT_NOTE, blank=True
    )
    reply_sent_at = models.DateTimeField(_("reply sent"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    # INT-3 confirmation
    agreed_proposal = models.ForeignKey(
        "Proposal",
        verbose_name=_("agreed terms"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # What the list's and the header's search read through the full-text index (issue 16): the
    # number, title, client, contact and the inquiries' needs, prepared by engagements/search_index.py.
    search_text = BoundedTextField(editable=False, blank=True, default="", max_length=TEXT_GENERATED)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-received_at", "-pk"]
        # The list's default order, alone and within one client (issue 16: the first page is read
        # from the index instead of sorting every row).
        indexes = [
            models.Index(fields=["stage", "received_at"], name="engagement_stage"),
            # The board's columns: a stage's longest-waiting first.
            models.Index(fields=["stage", "stage_since", "id"], name="engagement_stage_since"),
            models.Index(fields=["-received_at", "-id"], name="engagement_received"),
            models.Index(fields=["client", "-received_at", "-id"], name="engagement_client_received"),
            models.Index(fields=["holder", "-received_at", "-id"], name="engagement_holder_received"),
        ]
        rules_permissions = {
            "view": r.can_view_engagement,
            "add": r.can_record_inquiry,
            "change": r.can_edit_engagement,
            "delete": r.can_delete_engagement,
            "start_chat": r.can_start_chat,
            "forward": r.can_forward,
            "assess": r.can_assess,
            "negotiate": r.can_negotiate,
            "withdraw": r.can_withdraw,
            "sign": r.can_sign,
            "close": r.can_close,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        # The contact is told about the engagement: never someone of another client.
        if self.contact_id and self.client_id and self.contact.organization_id != self.client_id:
            raise ValidationError({"contact": _("The contact belongs to another client organisation.")})

    @property
    def form_version(self) -> int:
        """The confirmation form's version: the number of the agreed negotiation round."""
        return self.agreed_proposal.round if self.agreed_proposal_id else 0

    @property
    def time_to_forward(self):
        return (self.forwarded_at - self.received_at) if self.forwarded_at else None

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES

    @property
    def ball(self):
        """Who holds the ball now, and for which step (engagements/ball.py); a list page sets it
        for all its rows at once (``ball.balls_for``)."""
        if not hasattr(self, "_ball"):
            self._ball = ball_of(self)
        return self._ball

    @ball.setter
    def ball(self, value) -> None:
        self._ball = value

    @property
    def holder_label(self) -> str:
        """Who must act next: a person, a role's queue, or the client."""
        return self.ball.holder_label if self.ball else "—"

    holder_label.fget.short_description = _("holds the ball")

    @property
    def path_stage(self) -> str:
        """The stage on the whole path: intake's own stages, then (once confirmed) the plan,
        contract, implementation, acceptance or settlement, then closed."""
        if self.stage == self.Stage.CONFIRMED and self.ball:
            return self.ball.phase_label
        return self.get_stage_display()

    path_stage.fget.short_description = _("stage")

    @property
    def waiting_step(self) -> str:
        return self.ball.step if self.ball else "—"

    waiting_step.fget.short_description = _("waiting for")

    @property
    def time_to_forward_label(self) -> str:
        return format_duration(self.time_to_forward) if self.forwarded_at else "—"

    time_to_forward_label.fget.short_description = _("time to forward")

    def hand_to(self, user, *, since=None) -> None:
        if user != self.holder:
            self.holder = user
            self.holder_since = since or timezone.now()

    def _enter_stage(self) -> None:
        self.stage_since = timezone.now()

    # --- transitions (called only through services / core.workflow.perform_transition) ----------
    @transition(
        field=stage,
        source=Stage.INQUIRY,
        target=Stage.ASSESSMENT,
        permission="engagements.forward_engagement",
        conditions=[has_technician],
        custom={"label": _("Forward to technician"), "icon": "send", "service_only": True},
    )
    def forward(self):
        self.forwarded_at = timezone.now()
        self.hand_to(self.technician)
        self._enter_stage()

    @transition(
        field=stage,
        source=Stage.ASSESSMENT,
        target=Stage.CONFIRMATION,
        permission="engagements.assess_engagement",
        conditions=[has_assessment],
        custom={
            "label": _("In scope: start confirmation"),
            "icon": "check2-circle",
            "style": "success",
            "service_only": True,
        },
    )
    def accept_scope(self):
        self.assessed_at = timezone.now()
        self._enter_stage()

    @transition(
        field=stage,
        source=Stage.ASSESSMENT,
        target=Stage.OUT_OF_SCOPE,
        permission="engagements.assess_engagement",
        conditions=[has_out_of_scope_reply],
        custom={
            "label": _("Out of scope: reply and close"),
            "icon": "x-circle",
            "style": "outline-danger",
            "confirm": _("The reply is sent to the client and the engagement closes."),
            "service_only": True,
        },
    )
    def decline(self):
        now = timezone.now()
        self.assessed_at = self.reply_sent_at = self.closed_at = now
        self.hand_to(None)
        self._enter_stage()

    @transition(
        field=stage,
        source=Stage.CONFIRMATION,
        target=Stage.CONFIRMED,
        permission="engagements.sign_engagement",
        conditions=[confirmation_fully_signed],
        custom={"label": _("Confirm"), "icon": "patch-check", "service_only": True},
    )
    def confirm(self):
        self.confirmed_at = timezone.now()
        self.hand_to(None)
        self._enter_stage()

    @transition(
        field=stage,
        source=Stage.CONFIRMED,
        target=Stage.CLOSED,
        permission="engagements.close_engagement",
        conditions=[engagement_complete],
        custom={"label": _("Close the engagement"), "icon": "flag", "service_only": True},
    )
    def close(self):
        self.closed_at = timezone.now()
        self.hand_to(None)
        self._enter_stage()

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.WITHDRAWN,
        permission="engagements.withdraw_engagement",
        custom={
            "label": _("Withdraw"),
            "icon": "slash-circle",
            "style": "outline-secondary",
            "comment_required": True,
            "service_only": True,
        },
    )
    def withdraw(self):
        self.closed_at = timezone.now()
        self.hand_to(None)
        self._enter_stage()


class InquiryQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(engagement__client_id=user.client_organization_id)


class Inquiry(BusinessModel):
    """客戶諮詢: one message from the client, by any channel; the first one opens the engagement."""

    access_kind = Kind.ENGAGEMENT  # who may see it: core/access.py
    engagement_lookup = "engagement"

    generic_views = False  # recorded by services.record_inquiry; shown on the engagement page

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE, related_name="inquiries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    need = BoundedTextField(_("the client's need, in detail"), max_length=TEXT_LONG)
    recorded_by = actor_field(_("recorded by"), editable=True)
    message_id = models.CharField(_("e-mail Message-ID"), max_length=300, blank=True, db_index=True)
    history = HistoricalRecords()

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_engagement,
            "add": r.can_record_inquiry,
            "change": r.can_edit_engagement,
            "delete": r.can_delete_engagement,
        }

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return self.engagement.get_absolute_url() + f"#inquiry-{self.pk}"


class ProposalQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(engagement__client_id=user.client_organization_id)


class Proposal(BusinessModel):
    """One negotiation round of the requirement confirmation (INT-3): the terms one party offers."""

    access_kind = Kind.ENGAGEMENT  # who may see it: core/access.py
    engagement_lookup = "engagement"

    generic_views = False  # written by services.propose / accept_proposal; shown on the engagement page

    class Party(models.TextChoices):
        COMPANY = "company", _("Our company")
        CLIENT = "client", _("Client")

    Status = ProposalStatus

    TERMS = ("service_content", "technical_requirements", "period_start", "period_end", "fee", "currency")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE, related_name="proposals"
    )
    round = models.PositiveIntegerField(_("round"))
    party = models.CharField(_("proposed by"), max_length=10, choices=Party.choices)
    author = actor_field(_("author"), null=False, editable=True)
    service_content = BoundedTextField(_("service content"), max_length=TEXT_LONG)
    technical_requirements = BoundedTextField(_("technical requirements"), max_length=TEXT_LONG)
    period_start = models.DateField(_("service period from"))
    period_end = models.DateField(_("service period to"))
    fee = models.DecimalField(
        _("fee"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    note = BoundedTextField(_("note to the other party"), max_length=TEXT_NOTE, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("negotiation round")
        verbose_name_plural = _("negotiation rounds")
        ordering = ["engagement", "round"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "round"], name="one_proposal_per_round"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="proposal_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(fee__gt=0), name="proposal_fee_positive"),
        ]
        rules_permissions = {
            "view": r.can_view_engagement,
            "add": r.can_negotiate,
            "change": r.can_negotiate,
            "delete": r.can_delete_engagement,
        }

    def __str__(self) -> str:
        return _("Round %(round)s") % {"round": self.round}

    def get_absolute_url(self) -> str:
        return self.engagement.get_absolute_url() + f"#round-{self.round}"

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The service period cannot end before it starts.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Use a three-letter currency code such as CNY.")
        if errors:
            raise ValidationError(errors)

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in self.TERMS}


# --- INT-1: e-mail intake (engagements/mail.py) -------------------------------------------------


class IncomingMailQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self if r.can_triage_mail(user) else self.none()


class IncomingMail(BusinessModel):
    """An e-mail from a sender no client is known by, kept until customer service assigns it.

    Mail from a known client becomes an ``Inquiry`` at once (engagements/mail.py); only the
    rest waits here, with its headers, so nothing that arrived is lost.
    """

    generic_views = False  # written by engagements.mail; its own list page and assign action

    Status = IncomingMailStatus

    message_id = models.CharField(_("e-mail Message-ID"), max_length=300, unique=True)
    from_address = models.EmailField(_("sender address"), max_length=254, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = BoundedTextField(_("text"), max_length=TEXT_LONG, blank=True)
    raw_headers = BoundedTextField(_("raw headers"), max_length=TEXT_LONG, blank=True)
    in_reply_to = BoundedTextField(_("in reply to (Message-IDs)"), max_length=TEXT_NOTE, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = actor_field(_("handled by"), editable=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    history = HistoricalRecords()

    objects = IncomingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("unmatched e-mail")
        verbose_name_plural = _("unmatched e-mails")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="incoming_mail_status")]
        rules_permissions = {
            "view": r.can_triage_mail,
            "add": rules.always_deny,  # only the mailbox job writes these (engagements.mail)
            "change": r.can_triage_mail,  # assign or ignore, through engagements.mail
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.from_address} · {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("engagements:incoming_mail_list") + f"#mail-{self.pk}"


# The people (and departments) on an engagement's team through this app's records.
register_team(
    "engagements.Engagement",
    engagement="pk",
    users=("holder", "technician", "recorded_by", "client__account_manager"),
)
register_team("engagements.Proposal", engagement="engagement", users=("author",))
