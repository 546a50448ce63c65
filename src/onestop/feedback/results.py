"""Satisfaction results (EXT-2, X-7): averages per aspect, NPS and response rate, grouped by
engagement, project lead or department — each grouping one query whatever the number of surveys.

NPS = % promoters (9–10) − % detractors (0–6) among the answers that rated "would recommend".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from onestop.feedback.aspects import ASPECTS, DETRACTOR_UP_TO, PROMOTER_FROM

GROUPINGS = {
    "engagement": (_("Engagement"), ("engagement_id", "engagement__code", "engagement__title")),
    "lead": (_("Project lead"), ("project_lead_id", "project_lead__full_name", "project_lead__username")),
    "department": (_("Department"), ("department_id", "department__name")),
}
DEFAULT_GROUPING = "engagement"


@dataclass
class ResultRow:
    key: object
    label: str
    invited: int
    answered: int
    averages: dict = field(default_factory=dict)  # aspect code → average (None without answers)
    average_recommend: float | None = None
    promoters: int = 0
    detractors: int = 0
    rated: int = 0

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None

    @property
    def nps(self) -> float | None:
        return round(100 * (self.promoters - self.detractors) / self.rated, 1) if self.rated else None

    @property
    def average_list(self) -> list:
        return [self.averages.get(aspect.code) for aspect in ASPECTS]

    @property
    def overall(self) -> float | None:
        values = [v for v in self.average_list if v is not None]
        return round(sum(values) / len(values), 2) if values else None


def _aggregates() -> dict:
    answered = Q(answered_at__isnull=False)
    values = {
        "invited": Count("pk"),
        "answered": Count("pk", filter=answered),
        "promoters": Count("pk", filter=answered & Q(would_recommend__gte=PROMOTER_FROM)),
        "detractors": Count("pk", filter=answered & Q(would_recommend__lte=DETRACTOR_UP_TO)),
        "rated": Count("would_recommend", filter=answered),
        "average_recommend": Avg("would_recommend", filter=answered),
    }
    for aspect in ASPECTS:
        values[f"avg_{aspect.code}"] = Avg(aspect.field, filter=answered)
    return values


def _row(values: dict, key, label: str) -> ResultRow:
    def rounded(value):
        return round(float(value), 2) if value is not None else None

    return ResultRow(
        key=key,
        label=label,
        invited=values["invited"],
        answered=values["answered"],
        averages={aspect.code: rounded(values[f"avg_{aspect.code}"]) for aspect in ASPECTS},
        average_recommend=rounded(values["average_recommend"]),
        promoters=values["promoters"],
        detractors=values["detractors"],
        rated=values["rated"],
    )


def _label(grouping: str, values: dict) -> str:
    if grouping == "engagement":
        return f"{values['engagement__code']} {values['engagement__title']}"
    if grouping == "lead":
        return (
            values["project_lead__full_name"] or values["project_lead__username"] or str(_("No project lead"))
        )
    return values["department__name"] or str(_("No department"))


def grouped(surveys, grouping: str = DEFAULT_GROUPING) -> list[ResultRow]:
    """One row per engagement / lead / department of ``surveys`` (one query)."""
    _title, keys = GROUPINGS.get(grouping, GROUPINGS[DEFAULT_GROUPING])
    rows = surveys.order_by().values(*keys).annotate(**_aggregates()).order_by(keys[1], keys[0])
    return [_row(values, values[keys[0]], _label(grouping, values)) for values in rows]


def totals(surveys) -> ResultRow:
    """All of ``surveys`` together (one query)."""
    return _row(surveys.order_by().aggregate(**_aggregates()), None, str(_("All")))


def latest_comments(surveys, limit: int = 50):
    return list(
        surveys.filter(answered_at__isnull=False)
        .exclude(comment="")
        .select_related("engagement", "project_lead")
        .order_by("-answered_at")[:limit]
    )
