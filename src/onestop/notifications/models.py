"""The inbox (X-6), the working-day calendar and deadlines with reminders and escalation."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from onestop.core.fields import TEXT_LONG, BoundedTextField
from onestop.core.models import BusinessModel, InternalQuerySet, ScopedQuerySet
from onestop.notifications import rules as r


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # An inbox is personal: not even a superuser reads someone else's.
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(BusinessModel):
    """One message in a user's inbox; also sent by e-mail from a background job."""

    generic_views = False  # written only by services.notify; the inbox has its own pages and tests
    history_exempt = "a message is written once and only marked read; the inbox itself is the record"

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        ACTION = "action", _("Action needed")
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Overdue")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    level = models.CharField(_("kind"), max_length=20, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = BoundedTextField(_("message"), max_length=TEXT_LONG, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.ForeignKey(
        "core.OutgoingMail",
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]
        rules_permissions = {"view": r.is_logged_in, "change": r.is_recipient}

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])


class Holiday(BusinessModel):
    """A day that differs from the usual Monday-to-Friday week: a holiday, or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOLIDAY)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_calendar,
            "change": r.can_manage_calendar,
            "delete": r.can_manage_calendar,
        }

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class DeadlineQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(models.Q(responsible=user) | models.Q(escalate_to=user))

    def open(self):
        return self.filter(closed_at__isnull=True)


class Deadline(BusinessModel):
    """A date by which someone must act on a record; reminded before, escalated after.

    Stages create these through ``services.set_deadline`` (e.g. "assess inquiry OS-2026-00012
    within 2 working days"); a periodic job sends the reminder and the escalation exactly once.
    """

    generic_views = False  # set and closed by the stage that owns the record

    title = models.CharField(_("title"), max_length=200)
    # What the deadline is for ("plan_review", "legal_review"…): a stage finds its deadline
    # again by this, not by the title, which is written in the language of whoever set it.
    kind = models.SlugField(_("kind"), max_length=50, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    due_at = models.DateTimeField(_("due"))
    remind_before = models.DurationField(_("remind before"), default=timedelta(days=1))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalate to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_deadlines",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["closed_at", "due_at"], name="deadline_open_due")]
        rules_permissions = {"view": r.is_internal}

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.url or reverse("home")

    @property
    def is_overdue(self) -> bool:
        return self.closed_at is None and self.due_at < timezone.now()
