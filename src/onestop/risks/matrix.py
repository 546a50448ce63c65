"""The likelihood × impact matrix (RSK-2) and the policy's strategy rule (RSK-3), as pure functions.

A matrix version holds, for every cell (likelihood row, impact column, both from 1), its level
and its suggested strategy; ``default_grid`` builds them from the policy (chapter 6):

- high likelihood and high impact → avoid (風險規避: drop the project, change the scope);
- higher likelihood, lower impact → mitigate (風險減輕);
- low likelihood and low impact → accept and watch (風險接受);
- the rest — neither avoidable nor economically reduced, typically rare but severe → transfer
  (風險轉移: insurance, disclaimer clauses, outsourcing).

"High" is the upper two fifths of a scale, "low" the lower two fifths (on 5 steps: 4–5 and 1–2).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


LEVEL_ORDER = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2, Level.CRITICAL: 3}


class Strategy(models.TextChoices):
    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept and watch")


DEFAULT_SIZE = 5
DEFAULT_LIKELIHOOD_LABELS = ["極低", "低", "中", "高", "極高"]
DEFAULT_IMPACT_LABELS = ["輕微", "較小", "中等", "重大", "災難性"]
DEFAULT_COLOURS = {
    Level.LOW: "#2e7d32",
    Level.MEDIUM: "#f9a825",
    Level.HIGH: "#ef6c00",
    Level.CRITICAL: "#c62828",
}
# Review cadence by level (RSK-4): critical weekly, high fortnightly, medium monthly, low quarterly.
DEFAULT_REVIEW_DAYS = {Level.LOW: 90, Level.MEDIUM: 30, Level.HIGH: 14, Level.CRITICAL: 7}


def is_high(value: int, size: int) -> bool:
    return value * 5 > size * 3  # the upper two fifths (4 and 5 of 5)


def is_low(value: int, size: int) -> bool:
    return value * 5 <= size * 2  # the lower two fifths (1 and 2 of 5)


def policy_strategy(likelihood: int, impact: int, rows: int, columns: int) -> str:
    """The policy's suggestion for one cell (see the module docstring)."""
    if is_high(likelihood, rows) and is_high(impact, columns):
        return Strategy.AVOID
    if is_low(likelihood, rows) and is_low(impact, columns):
        return Strategy.ACCEPT
    if not is_low(likelihood, rows) and not is_high(impact, columns):
        return Strategy.MITIGATE
    return Strategy.TRANSFER


def score_level(likelihood: int, impact: int, rows: int, columns: int) -> str:
    """The default level of a cell from its score, scaled to a 5 × 5 matrix (1–4 low, 5–9
    medium, 10–15 high, 16–25 critical)."""
    score = likelihood * impact * 25 / (rows * columns)
    if score >= 16:
        return Level.CRITICAL
    if score >= 10:
        return Level.HIGH
    if score >= 5:
        return Level.MEDIUM
    return Level.LOW


def default_grid(rows: int = DEFAULT_SIZE, columns: int = DEFAULT_SIZE) -> tuple[list, list]:
    """(levels, strategies): two lists of ``rows`` lists of ``columns`` codes."""
    levels = [
        [score_level(li, im, rows, columns) for im in range(1, columns + 1)] for li in range(1, rows + 1)
    ]
    strategies = [
        [policy_strategy(li, im, rows, columns) for im in range(1, columns + 1)] for li in range(1, rows + 1)
    ]
    return levels, strategies


def validate_grid(grid, rows: int, columns: int, allowed) -> bool:
    return (
        isinstance(grid, list)
        and len(grid) == rows
        and all(
            isinstance(row, list) and len(row) == columns and all(c in allowed for c in row) for row in grid
        )
    )
