"""The states of an engagement (X-1, INT-1..3) and of its intake records, for models, rules,
services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EngagementStage(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry received")
    ASSESSMENT = "assessment", _("Needs assessment")
    CONFIRMATION = "confirmation", _("Requirement confirmation")
    CONFIRMED = "confirmed", _("Requirement confirmed")
    CLOSED = "closed", _("Closed: completed")
    OUT_OF_SCOPE = "out_of_scope", _("Closed: out of scope")
    WITHDRAWN = "withdrawn", _("Closed: withdrawn")


# Intake is under way: the request may still be forwarded, assessed, negotiated or withdrawn.
OPEN = (EngagementStage.INQUIRY, EngagementStage.ASSESSMENT, EngagementStage.CONFIRMATION)


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    COUNTERED = "countered", _("Countered")
    ACCEPTED = "accepted", _("Agreed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class IncomingMailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be assigned")
    ASSIGNED = "assigned", _("Assigned to a client")
    IGNORED = "ignored", _("Ignored")
