"""The states of acceptance rounds and their problems (ACC-1..3), for models, rules, services and
templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcceptanceRoundState(models.TextChoices):
    APPLIED = "applied", _("Applied, client preparing")
    IN_ACCEPTANCE = "in_acceptance", _("Acceptance under way")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed, to be rectified")


class AcceptanceProblemState(models.TextChoices):
    OPEN = "open", _("Open, to be rectified")
    DONE = "done", _("Rectified")


# A round is open (its scope cannot get another round) until it passes or fails.
OPEN_ROUND = (AcceptanceRoundState.APPLIED, AcceptanceRoundState.IN_ACCEPTANCE)
