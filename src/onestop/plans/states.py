"""The states of a plan version (PLN-1..3), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanVersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    REVISE = "revise", _("To be revised")
    PASSED = "passed", _("Review passed, awaiting approval")
    APPROVED = "approved", _("Approved and effective")
    REJECTED = "rejected", _("Rejected by management")


# The content of a version is changed by hand only while it is a draft.
EDITABLE = (PlanVersionState.DRAFT,)
# A version still on its way (no new version may be started while one is).
OPEN = (PlanVersionState.DRAFT, PlanVersionState.IN_REVIEW, PlanVersionState.PASSED)
