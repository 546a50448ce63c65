"""The states and kinds of the supervision records (EXT-3), for models, rules, services and
templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    CLOSED = "closed", _("Verified and closed")
    DISMISSED = "dismissed", _("Dismissed")


class FindingKind(models.TextChoices):
    """One kind per compliance check (checks.py), and the findings raised by hand or by an audit."""

    OVERDUE = "overdue", _("Step over its time limit")
    OVERRIDE = "override", _("Step done by an administrator")
    UNSIGNED = "unsigned", _("Form not signed")
    UNVERIFIED = "unverified", _("Rectification closed without verification")
    OVERPAID = "overpaid", _("Settled or paid beyond the contract")
    RETENTION = "retention", _("Document past its retention")
    PANEL = "panel", _("Review decided by too few reviewers")
    AUDIT = "audit", _("Audit finding")


class Trigger(models.TextChoices):
    PERIODIC = "periodic", _("Periodic job")
    MANUAL = "manual", _("Run by hand")


class AuditResult(models.TextChoices):
    PENDING = "pending", _("Not audited yet")
    COMPLIANT = "compliant", _("Compliant")
    FINDING = "finding", _("Finding raised")


class SanctionKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    REWARD = "reward", _("Reward")
    WARNING = "warning", _("Warning")
    DEMERIT = "demerit", _("Demerit")
    PENALTY = "penalty", _("Penalty")


class SanctionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# A finding still being followed up: the same condition raises no second finding meanwhile.
FINDING_OPEN = (FindingState.OPEN, FindingState.IN_PROGRESS, FindingState.RESOLVED)
# The assignee still has to act on it (My work, overdue figures).
FINDING_WITH_ASSIGNEE = (FindingState.OPEN, FindingState.IN_PROGRESS)
# The kinds that are rewards (the others are penalties), for the appraisal's figures.
REWARDS = (SanctionKind.COMMENDATION, SanctionKind.REWARD)
