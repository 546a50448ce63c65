"""The states of reallocation requests (RES-4) and expense claims (RES-6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReallocationState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the releasing department")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExpenseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# An expense counts as spent once approved; a draft or a claim awaiting approval is committed.
EXPENSE_EDITABLE = (ExpenseState.DRAFT,)
