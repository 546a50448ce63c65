"""Acceptance (ACC-1..3): numbered acceptance rounds of a project, looping until one passes.

An ``AcceptanceRound`` starts with the project lead's application (驗收申請單, ACC-1), is
prepared by the client's acceptance team (ACC-2) and ends with the acceptance report
(驗收報告, ACC-3): passed and signed by the client, or failed with the problems to rectify,
after which a new round (number + 1) starts. Rounds may cover one milestone where the
contract ties an instalment to it. All rounds are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField
from simple_history.models import HistoricalRecords

from onestop.acceptance import rules as r
from onestop.core.models import BusinessModel, ClientScopedQuerySet
from onestop.core.workflow import WorkflowModel


class AcceptanceRoundQuerySet(ClientScopedQuerySet):
    client_field = "project__engagement__client_id"


class AcceptanceRound(WorkflowModel, BusinessModel):
    """驗收輪次: one application → preparation → acceptance → report cycle (ACC-1..3)."""

    allow_attachments = True
    allow_comments = True

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied, client preparing")
        IN_ACCEPTANCE = "in_acceptance", _("Acceptance under way")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed, to be rectified")

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
    state = FSMField(_("state"), choices=State.choices, default=State.APPLIED, protected=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True, editable=False)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)
    conclusion = models.TextField(_("conclusion"), blank=True)
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
            "change": r.can_apply,
            "delete": r.can_delete_round,
        }

    def __str__(self) -> str:
        return _("%(project)s acceptance round %(number)s") % {
            "project": self.project.code,
            "number": self.number,
        }
