"""The states of the people records (HR-3, HR-7, HR-8), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AppraisalState(models.TextChoices):
    SELF_ASSESSMENT = "self", _("Awaiting the self-assessment")
    SCORING = "scoring", _("Awaiting the superior to score")
    EMPLOYEE_REVIEW = "review", _("Awaiting the employee to read it")
    APPEALED = "appealed", _("Appealed, awaiting HR")
    ACKNOWLEDGED = "acknowledged", _("Read, awaiting closing by HR")
    CLOSED = "closed", _("Closed")


class ActionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PlanState(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Concluded")


class EnrolmentState(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting approval")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("Absent")
    CANCELLED = "cancelled", _("Cancelled")


# An appraisal the employee or the superior still works on.
APPRAISAL_OPEN = (
    AppraisalState.SELF_ASSESSMENT,
    AppraisalState.SCORING,
    AppraisalState.EMPLOYEE_REVIEW,
    AppraisalState.APPEALED,
    AppraisalState.ACKNOWLEDGED,
)
# A finished appraisal whose result counts for the roll-up and the grade distribution.
APPRAISAL_DONE = (AppraisalState.CLOSED,)
