"""The aspects a client rates in the satisfaction survey (EXT-2) — the one place they are listed.

Each aspect becomes a 1–5 score field ``score_<code>`` on ``Survey`` (models.py builds the
fields from this list), a form field, an API field, a column of the results and of the export.
Adding an aspect here and running ``makemigrations feedback`` is all it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCORE_MIN, SCORE_MAX = 1, 5
RECOMMEND_MIN, RECOMMEND_MAX = 0, 10
PROMOTER_FROM = 9  # 9–10: promoters
DETRACTOR_UP_TO = 6  # 0–6: detractors (7–8 passives)


@dataclass(frozen=True)
class Aspect:
    code: str
    label: Promise

    @property
    def field(self) -> str:
        return f"score_{self.code}"


ASPECTS: tuple[Aspect, ...] = (
    Aspect("service_quality", _("Service quality")),
    Aspect("timeliness", _("Timeliness")),
    Aspect("communication", _("Communication and responsiveness")),
    Aspect("competence", _("Professional competence")),
    Aspect("value", _("Value for money")),
)

SCORE_FIELDS: tuple[str, ...] = tuple(aspect.field for aspect in ASPECTS)
