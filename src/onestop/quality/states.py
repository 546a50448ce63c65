"""The states of the quality records (QA-1..3), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QCPlanState(models.TextChoices):
    DRAFT = "draft", _("Draft, being adjusted")
    ACTIVE = "active", _("Active")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class RectificationNoticeState(models.TextChoices):
    ISSUED = "issued", _("Issued, awaiting the department's response")
    RESPONDED = "responded", _("Responded, awaiting verification")
    REOPENED = "reopened", _("Reopened, back with the department")
    CLOSED = "closed", _("Verified and closed")


class ImprovementActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done, awaiting the effectiveness check")
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


# The checklist of an inspection is answered until the inspection is completed.
INSPECTION_OPEN = (InspectionState.PLANNED, InspectionState.IN_PROGRESS)
# The department answers a notice while it is issued or reopened (and then it can be overdue).
NOTICE_WITH_DEPARTMENT = (RectificationNoticeState.ISSUED, RectificationNoticeState.REOPENED)
# Quality edits a notice's requirement and deadline until it is closed.
NOTICE_EDITABLE = (
    RectificationNoticeState.ISSUED,
    RectificationNoticeState.RESPONDED,
    RectificationNoticeState.REOPENED,
)
