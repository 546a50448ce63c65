"""The indicators the system computes from operational data (HR-7) — the one place they are listed.

Each has a code (an indicator's ``source``), a label, a unit and whether a higher figure is
better; ``metrics.py`` computes them in the database and names the records they come from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Computed:
    code: str
    label: Promise
    unit: Promise
    rule: Promise  # how the figure is computed, shown on the appraisal page
    higher_is_better: bool = True
    is_count: bool = False  # a number of records (0 when none), not a share or an average


COMPUTED: tuple[Computed, ...] = (
    Computed(
        "milestones_on_time",
        _("Milestones on time"),
        _("%"),
        _(
            "Milestones of the projects the person leads, planned in the period, completed on or before their planned date."
        ),
    ),
    Computed(
        "progress_on_time",
        _("Progress tables submitted on time"),
        _("%"),
        _(
            "Progress tables of the projects the person leads whose period ends in the period, submitted by the period's last day."
        ),
    ),
    Computed(
        "notices_caused",
        _("Rectification notices caused"),
        _("notices"),
        _("Rectification notices issued in the period on the projects the person leads."),
        higher_is_better=False,
        is_count=True,
    ),
    Computed(
        "notices_closed",
        _("Rectification notices closed"),
        _("%"),
        _("Of those notices, the share closed by the end of the period."),
    ),
    Computed(
        "acceptance_first_round",
        _("Acceptance passed in the first round"),
        _("%"),
        _(
            "First acceptance rounds of the projects the person leads concluded in the period, the share that passed."
        ),
    ),
    Computed(
        "csat",
        _("Client satisfaction of the projects led"),
        _("points (1–5)"),
        _(
            "The average of every aspect of the satisfaction surveys answered in the period for projects the person led."
        ),
    ),
    Computed(
        "expert_reviews",
        _("Plan reviews given as an expert"),
        _("reviews"),
        _("Service-plan reviews the person submitted as a review expert in the period."),
        is_count=True,
    ),
    Computed(
        "complaints",
        _("Complaints"),
        _("complaints"),
        _("Client complaints filed in the period about engagements whose project the person leads."),
        higher_is_better=False,
        is_count=True,
    ),
    # EXT-3 → HR-7: supervision's rewards and penalties (獎懲) feed the appraisal.
    Computed(
        "rewards",
        _("Commendations and rewards"),
        _("records"),
        _("Commendations and rewards approved for the person by supervision, effective in the period."),
        is_count=True,
    ),
    Computed(
        "penalties",
        _("Warnings, demerits and penalties"),
        _("records"),
        _(
            "Warnings, demerits and penalties approved against the person by supervision, effective in the period."
        ),
        higher_is_better=False,
        is_count=True,
    ),
)

BY_CODE = {item.code: item for item in COMPUTED}


class Source(models.TextChoices):
    MANUAL = "", _("Scored by the superior only")
    MILESTONES_ON_TIME = "milestones_on_time", _("Milestones on time")
    PROGRESS_ON_TIME = "progress_on_time", _("Progress tables submitted on time")
    NOTICES_CAUSED = "notices_caused", _("Rectification notices caused")
    NOTICES_CLOSED = "notices_closed", _("Rectification notices closed")
    ACCEPTANCE_FIRST_ROUND = "acceptance_first_round", _("Acceptance passed in the first round")
    CSAT = "csat", _("Client satisfaction of the projects led")
    EXPERT_REVIEWS = "expert_reviews", _("Plan reviews given as an expert")
    COMPLAINTS = "complaints", _("Complaints")
    REWARDS = "rewards", _("Commendations and rewards")
    PENALTIES = "penalties", _("Warnings, demerits and penalties")
