"""The states of hiring needs, candidates and onboarding parts (HR-1..HR-3), for models, rules,
services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved, recruiting")
    CLOSED = "closed", _("Closed")


class Stage(models.TextChoices):
    """Where a candidate stands (招聘流程: 簡歷篩選 → 面試 → 筆試 → 背景調查 → 錄用)."""

    SCREENING = "screening", _("Resume screening")
    INTERVIEW = "interview", _("Interviews")
    WRITTEN_TEST = "written_test", _("Written test")
    BACKGROUND = "background", _("Background check")
    OFFER_PROPOSED = "offer_proposed", _("Offer awaiting approval")
    OFFER_MADE = "offer_made", _("Offer made, awaiting the answer")
    ACCEPTED = "accepted", _("Offer accepted")
    HIRED = "hired", _("Hired")
    DECLINED = "declined", _("Offer declined")
    REJECTED = "rejected", _("Not selected")


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("To complete")
    COMPLETED = "completed", _("Completed, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


# A need is written and changed by hand only until it is submitted (again after a return).
NEED_EDITABLE = (NeedState.DRAFT, NeedState.RETURNED)
# Candidates are recorded, and postings published, for an approved (open) need only.
NEED_OPEN = (NeedState.APPROVED,)

# The board's columns, in the order a candidate passes them; the two last are folded as counts.
PIPELINE = (
    Stage.SCREENING,
    Stage.INTERVIEW,
    Stage.WRITTEN_TEST,
    Stage.BACKGROUND,
    Stage.OFFER_PROPOSED,
    Stage.OFFER_MADE,
    Stage.ACCEPTED,
    Stage.HIRED,
)
CLOSED_STAGES = (Stage.DECLINED, Stage.REJECTED)
# Still in the race: a candidate may be turned down (not selected) from any of these.
IN_PROCESS = (
    Stage.SCREENING,
    Stage.INTERVIEW,
    Stage.WRITTEN_TEST,
    Stage.BACKGROUND,
    Stage.OFFER_PROPOSED,
)
# From the offer on management sees the candidate: it approves the offer.
OFFER_STAGES = (Stage.OFFER_PROPOSED, Stage.OFFER_MADE, Stage.ACCEPTED, Stage.HIRED, Stage.DECLINED)
# The candidate's contact details and resume are corrected until the outcome is known.
CANDIDATE_EDITABLE = (*IN_PROCESS, Stage.OFFER_MADE, Stage.ACCEPTED)
