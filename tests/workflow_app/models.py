"""Ticket: a minimal record with a life cycle (draft → submitted → approved / rejected).

It exists only in the test suite, to prove the shared mechanisms of onestop.core
(transitions, log, concurrency, signatures, attachments, comments) on a real model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.fields import TEXT_LONG, BoundedTextField, StateField
from onestop.core.models import BusinessModel, ScopedQuerySet
from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin, same_organization
from onestop.core.roles import Role
from onestop.core.workflow import WorkflowModel, condition

can_view = is_internal | (is_client_user & same_organization("client_organization_id"))
can_manage = is_system_admin | (is_internal & has_role(Role.CUSTOMER_SERVICE))
can_submit = can_manage | (is_client_user & same_organization("client_organization_id"))
can_decide = is_system_admin | (is_internal & has_role(Role.FINANCE))


class TicketQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        if user.client_organization_id is None:
            return self
        return self.filter(client_organization_id=user.client_organization_id)


@condition(_("Describe the ticket before submitting it."))
def has_description(ticket) -> bool:
    return bool(ticket.description.strip())


class Ticket(WorkflowModel, BusinessModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_LONG, blank=True)
    client_organization = models.ForeignKey(
        "accounts.ClientOrganization",
        verbose_name=_("client organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    form_version = models.PositiveIntegerField(_("form version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = TicketQuerySet.as_manager()

    allow_attachments = True
    allow_comments = True

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-pk"]
        rules_permissions = {
            "view": can_view,
            "add": can_manage,
            "change": can_manage,
            "delete": can_manage,
            "submit": can_submit,
            "decide": can_decide,
            "sign": can_view,
            "attach": can_view,
            "comment": can_view,
        }

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=[State.DRAFT, State.REJECTED],
        target=State.SUBMITTED,
        permission="workflow_app.submit_ticket",
        conditions=[has_description],
        custom={"label": _("Submit"), "icon": "send"},
    )
    def submit(self):
        self.decided_by = None

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission="workflow_app.decide_ticket",
        custom={"label": _("Approve"), "icon": "check-lg", "style": "success"},
    )
    def approve(self, actor=None):
        self.decided_by = actor

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission="workflow_app.decide_ticket",
        custom={"label": _("Reject"), "icon": "x-lg", "style": "danger", "comment_required": True},
    )
    def reject(self, actor=None):
        self.decided_by = actor
