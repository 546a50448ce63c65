"""Subscriptions to the cockpit's scheduled reports (X-7): a dashboard's tables e-mailed as an
Excel workbook every week or every month by the job worker (cockpit/tasks.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from onestop.cockpit import rules as r
from onestop.cockpit.tiles import DASHBOARDS
from onestop.core import policy
from onestop.core.fields import TEXT_NOTE, BoundedTextField, actor_field
from onestop.core.models import BusinessModel, ScopedQuerySet


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (Monday, the week before)")
    MONTHLY = "monthly", _("Monthly (the 1st, the month before)")


class SubscriptionQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if r.manages_subscriptions(user):
            return self
        if user.client_organization_id is not None:
            return self.none()
        return self.filter(subscriber=user)


class ReportSubscription(BusinessModel):
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    dashboard = models.CharField(
        _("dashboard"), max_length=20, choices=[(key, value["label"]) for key, value in DASHBOARDS.items()]
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_period_end = models.DateField(_("last report up to"), null=True, blank=True, editable=False)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["subscriber__username", "dashboard"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "dashboard", "frequency"], name="unique_report_subscription"
            )
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.is_internal,
            "change": r.can_change_subscription,
            "delete": r.can_change_subscription,
        }

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.get_dashboard_display()} · {self.get_frequency_display()}"

    def clean(self):
        super().clean()
        dashboard = DASHBOARDS.get(self.dashboard)
        if self.subscriber_id and dashboard and not self.subscriber.has_perm(dashboard["permission"]):
            raise ValidationError({"dashboard": _("The subscriber may not open this dashboard.")})
        if self.subscriber_id and self.subscriber.email == "":
            raise ValidationError({"subscriber": _("The subscriber has no e-mail address.")})


class PolicyVersionQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self if r.sees_policy(user) else self.none()

    def approved(self):
        return self.filter(approved_at__isnull=False)

    def in_force(self, day):
        """The approved version in force on ``day``: the latest effective on or before it."""
        return self.approved().filter(effective_from__lte=day).order_by("-effective_from", "-number").first()


class PolicyVersion(BusinessModel):
    """政策設定版本: one version of the process's settings (core/policy.py), proposed by one
    manager, approved by another, in force from its effective date."""

    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_from = models.DateField(_("effective from"))
    values = models.JSONField(_("values"), default=dict, editable=False)
    reason = BoundedTextField(_("reason for the change"), max_length=TEXT_NOTE)
    proposed_by = actor_field(_("proposed by"))
    approved_by = actor_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy settings version")
        verbose_name_plural = _("policy settings versions")
        ordering = ["-number"]
        rules_permissions = {
            "view": r.sees_policy,
            "add": r.is_management,
            "change": r.can_edit_policy,
            "delete": r.can_edit_policy,
        }

    def __str__(self) -> str:
        return _("Policy version %(number)s (from %(date)s)") % {
            "number": self.number,
            "date": self.effective_from,
        }

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    def settings(self) -> dict:
        """Every setting's value in this version (coerced; defaults for what it does not name)."""
        return {key: setting.coerce(self.values.get(key)) for key, setting in policy.SETTINGS.items()}
