"""The states of a project and of its progress tables (PRJ-1, PRJ-2), for models, rules,
services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    OPENED = "opened", _("Opened, awaiting kickoff")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Implementation complete, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")


class ProgressReportState(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    REVIEWED = "reviewed", _("Reviewed")


# A project being implemented: issues, change and resource requests and client reports are made for it.
ACTIVE = (ProjectState.OPENED, ProjectState.IN_PROGRESS)
# Rows of a progress table are written only while it is being filled in.
REPORT_EDITABLE = (ProgressReportState.DRAFT,)
