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
