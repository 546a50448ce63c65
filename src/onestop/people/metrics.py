"""The computed indicators (HR-7): figures from operational data, in the database.

``figures(code, people, start, end)`` answers ``{person id: Figure}`` for many people in one
aggregate query (a GROUP BY on the person), so opening a cycle or an appraisal page runs a fixed
number of queries whatever the number of people and records. ``records(code, person, start, end)``
is the query of the rows a figure counts, for the page each figure links to. The rules are stated
in words in computed.py and shown beside the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet

from onestop.acceptance.models import AcceptanceRound
from onestop.acceptance.states import AcceptanceRoundState
from onestop.feedback.aspects import SCORE_FIELDS
from onestop.feedback.models import Complaint, Survey
from onestop.people.grading import rounded
from onestop.plans.models import PlanReview
from onestop.projects.models import Milestone, ProgressReport
from onestop.quality.models import RectificationNotice
from onestop.quality.states import RectificationNoticeState
from onestop.supervision.models import Sanction
from onestop.supervision.states import SanctionKind, SanctionState

# Supervision's rewards and penalties (EXT-3) as two counted indicators.
SANCTIONS = {
    "rewards": [SanctionKind.COMMENDATION, SanctionKind.REWARD],
    "penalties": [SanctionKind.WARNING, SanctionKind.DEMERIT, SanctionKind.PENALTY],
}


@dataclass(frozen=True)
class Figure:
    value: Decimal | None  # None: nothing to count in the period
    count: int  # the records the figure is computed from


def _share(part: int, total: int) -> Decimal | None:
    return rounded(Decimal(100) * part / total) if total else None


def _rows(code: str, start: date, end: date) -> tuple[QuerySet, str]:
    """The records a figure counts in the period, and the lookup of the person they count for."""
    if code == "milestones_on_time":
        return Milestone._base_manager.filter(planned_date__range=(start, end)), "project__project_lead"
    if code == "progress_on_time":
        return ProgressReport._base_manager.filter(period_end__range=(start, end)), "project__project_lead"
    if code in ("notices_caused", "notices_closed"):
        return (
            RectificationNotice._base_manager.filter(issued_at__date__range=(start, end)),
            "project__project_lead",
        )
    if code == "acceptance_first_round":
        return (
            AcceptanceRound._base_manager.filter(
                previous_round__isnull=True,
                concluded_at__date__range=(start, end),
                state__in=[AcceptanceRoundState.PASSED, AcceptanceRoundState.FAILED],
            ),
            "project__project_lead",
        )
    if code == "csat":
        return Survey._base_manager.filter(answered_at__date__range=(start, end)), "project_lead"
    if code == "expert_reviews":
        return PlanReview._base_manager.filter(submitted_at__date__range=(start, end)), "reviewer"
    if code == "complaints":
        return (
            Complaint._base_manager.filter(filed_at__date__range=(start, end)),
            "engagement__project__project_lead",
        )
    if code in SANCTIONS:
        return (
            Sanction._base_manager.filter(
                state=SanctionState.APPROVED, kind__in=SANCTIONS[code], effective_on__range=(start, end)
            ),
            "person",
        )
    raise LookupError(code)


def _good(code: str, end: date) -> Q | None:
    """The condition of the records counted as "good" for a share."""
    if code == "milestones_on_time":
        return Q(completed_on__isnull=False, completed_on__lte=F("planned_date"))
    if code == "progress_on_time":
        return Q(submitted_at__isnull=False, submitted_at__date__lte=F("period_end"))
    if code == "notices_closed":
        return Q(state=RectificationNoticeState.CLOSED, closed_at__date__lte=end)
    if code == "acceptance_first_round":
        return Q(state=AcceptanceRoundState.PASSED)
    return None


def records(code: str, person, start: date, end: date) -> QuerySet:
    rows, lookup = _rows(code, start, end)
    rows = rows.filter(**{lookup: person.pk})
    good = _good(code, end)
    if good is not None:
        rows = rows.annotate(counted_good=Count("pk", filter=good))
    return rows.order_by("pk")


def figures(code: str, people: list[int], start: date, end: date) -> dict[int, Figure]:
    rows, lookup = _rows(code, start, end)
    grouped = rows.filter(**{f"{lookup}__in": people}).order_by().values(lookup)
    if code == "csat":
        # The average over the answers of each answer's aspect total, divided by the aspects.
        total = sum((F(name) for name in SCORE_FIELDS[1:]), F(SCORE_FIELDS[0]))
        answer = grouped.annotate(total=Count("pk"), sum_mean=Avg(total, output_field=FloatField()))
        return {
            row[lookup]: Figure(
                rounded(Decimal(str(row["sum_mean"])) / len(SCORE_FIELDS))
                if row["sum_mean"] is not None
                else None,
                row["total"],
            )
            for row in answer
        }
    good = _good(code, end)
    if good is None:
        return {
            row[lookup]: Figure(Decimal(row["total"]), row["total"])
            for row in grouped.annotate(total=Count("pk"))
        }
    answer = grouped.annotate(total=Count("pk"), good=Count("pk", filter=good))
    return {row[lookup]: Figure(_share(row["good"], row["total"]), row["total"]) for row in answer}
