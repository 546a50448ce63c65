"""The states of a complaint (EXT-2), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintState(models.TextChoices):
    FILED = "filed", _("Filed, awaiting a handler")
    IN_HANDLING = "in_handling", _("In handling")
    RESPONDED = "responded", _("Responded, awaiting the client")
    REOPENED = "reopened", _("Reopened by the client")
    CLOSED = "closed", _("Closed")


# Awaiting our response (the deadline runs; overdue when past it).
OPEN = (ComplaintState.FILED, ComplaintState.IN_HANDLING, ComplaintState.REOPENED)
# Staff may correct the subject, description and engagement until the complaint is closed.
EDITABLE = (*OPEN, ComplaintState.RESPONDED)
