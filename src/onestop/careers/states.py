"""The states of the incentive and career records (HR-9, HR-10), for models, rules, services and
templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecognitionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class IncentiveState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting approval")
    SECOND_APPROVAL = "second_approval", _("Approved once, awaiting a second manager")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SelectionState(models.TextChoices):
    NOMINATING = "nominating", _("Open for nominations")
    VOTING = "voting", _("Voting")
    ANNOUNCED = "announced", _("Announced")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Awaiting the agreement of the employee")
    AGREED = "agreed", _("Agreed, in progress")
    COMPLETED = "completed", _("Completed")


class MoveState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    APPROVED = "approved", _("Approved, position changed")
    REJECTED = "rejected", _("Rejected")


# A plan whose reviews are due (on "My work" when the review date has come).
PLAN_RUNNING = (PlanState.AGREED,)
