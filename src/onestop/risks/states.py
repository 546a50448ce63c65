"""The states of the risk records (RSK-1..5, EXT-1), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskState(models.TextChoices):
    IDENTIFIED = "identified", _("Identified, awaiting assessment")
    ASSESSED = "assessed", _("Assessed, awaiting the response")
    ACCEPTANCE_PENDING = "acceptance_pending", _("Acceptance awaiting sign-off")
    MONITORED = "monitored", _("Responded, under monitoring")
    CLOSED = "closed", _("Closed")


class ResponseActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class WarningState(models.TextChoices):
    OPEN = "open", _("Raised, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged, being handled")
    HANDLED = "handled", _("Handled, awaiting closure")
    CLOSED = "closed", _("Closed")


class ActivationState(models.TextChoices):
    ACTIVE = "active", _("Emergency response under way")
    REVIEWED = "reviewed", _("Closed with the post-incident review")


# A risk still open: its owner reviews it, it counts in the heat map.
RISK_OPEN = (
    RiskState.IDENTIFIED,
    RiskState.ASSESSED,
    RiskState.ACCEPTANCE_PENDING,
    RiskState.MONITORED,
)
# The risk's text (cause, event, consequence…) is corrected until it is closed.
RISK_EDITABLE = RISK_OPEN
# A warning not yet closed: the same condition raises no second warning meanwhile.
WARNING_OPEN = (WarningState.OPEN, WarningState.ACKNOWLEDGED, WarningState.HANDLED)
