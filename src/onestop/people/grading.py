"""The arithmetic of an appraisal (HR-6, HR-7): weighted totals, the roll-up rule, the grade.

Pure functions with exact decimals, so the tests and the page can state the rule and check it.

- An appraisal's own score is Σ (indicator weight × score) / Σ weights, scores 0–100.
- The roll-up of a quarter (or a year) takes the closed appraisals of its months (or quarters):
  their mean, or their weighted mean with the cycle's part weights (e.g. "1,1,2": the last month
  counts double). Missing parts are left out and the others' weights rescaled.
- The final score is ``share``% of the roll-up plus (100 − ``share``)% of the period's own
  score; without any closed part, the own score alone.
- The grade follows GRADES (settings ``ONESTOP_APPRAISAL_GRADES`` may replace the thresholds).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TWO_PLACES = Decimal("0.01")

# (grade, label, lowest score)
GRADES = getattr(
    settings,
    "ONESTOP_APPRAISAL_GRADES",
    (
        ("A", _("Excellent"), Decimal(90)),
        ("B", _("Good"), Decimal(80)),
        ("C", _("Satisfactory"), Decimal(70)),
        ("D", _("Needs improvement"), Decimal(60)),
        ("E", _("Unsatisfactory"), Decimal(0)),
    ),
)
GRADE_CHOICES = [(code, label) for code, label, _low in GRADES]


def rounded(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_total(pairs) -> Decimal | None:
    """``pairs``: (weight, score) per indicator; None while a score is missing."""
    pairs = list(pairs)
    total_weight = sum((Decimal(w) for w, _s in pairs), Decimal(0))
    if not pairs or total_weight == 0 or any(s is None for _w, s in pairs):
        return None
    return rounded(sum((Decimal(w) * Decimal(s) for w, s in pairs), Decimal(0)) / total_weight)


def parse_weights(text: str) -> list[Decimal]:
    return [Decimal(part.strip()) for part in (text or "").split(",") if part.strip()]


def roll_up(parts: dict[int, Decimal | None], *, method: str, weights: list[Decimal]) -> Decimal | None:
    """``parts``: {position of the part (1-based): its final score or None when not closed}."""
    present = [(index, score) for index, score in sorted(parts.items()) if score is not None]
    if not present:
        return None
    if method == "weighted" and weights:
        pairs = [
            (weights[index - 1] if index - 1 < len(weights) else Decimal(1), score)
            for index, score in present
        ]
    else:
        pairs = [(Decimal(1), score) for _index, score in present]
    return weighted_total(pairs)


def final_score(own: Decimal | None, rolled: Decimal | None, share: int) -> Decimal | None:
    if own is None:
        return None
    if rolled is None:
        return rounded(Decimal(own))
    share_d = Decimal(share) / Decimal(100)
    return rounded(share_d * Decimal(rolled) + (1 - share_d) * Decimal(own))


def grade_of(score: Decimal | None) -> str:
    if score is None:
        return ""
    for code, _label, low in GRADES:
        if score >= low:
            return code
    return GRADES[-1][0]
