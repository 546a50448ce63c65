"""The states of the coordination records (PRJ-3), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ClientReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the client")


class ChangeRequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting the decision")
    APPROVED = "approved", _("Approved, new plan version in review")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


class ResourceRequestState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the answer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


# An issue is edited while it is open (its owner and due date move the deadline).
# A client report is edited only as a draft: a sent report never changes.
CLIENT_REPORT_EDITABLE = (ClientReportState.DRAFT,)
# A change request is edited only as a draft.
CHANGE_EDITABLE = (ChangeRequestState.DRAFT,)
# A change that was approved counts in the agreed fee, whether or not its plan version took effect.
CHANGE_APPROVED = (ChangeRequestState.APPROVED, ChangeRequestState.IMPLEMENTED)
