"""The review decision rule (PLN-2) as a pure function: the same scores always give the same
outcome, with its reasons. Exact arithmetic (fractions), so a mean exactly on the threshold passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PASS = "pass"
REVISE = "revise"
REJECT = "reject"


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: Fraction | int | str = 1


@dataclass(frozen=True)
class Rule:
    pass_mean: Fraction | int | str = Fraction(7, 2)  # weighted mean needed to pass
    min_criterion_mean: Fraction | int | str = Fraction(5, 2)  # no criterion's mean below this
    reject_forces_revise: bool = True


@dataclass(frozen=True)
class ReviewerScores:
    scores: Mapping[str, int | Fraction]
    recommendation: str = PASS


@dataclass
class Decision:
    outcome: str
    weighted_mean: Fraction
    criterion_means: dict[str, Fraction]
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome == PASS


def _number(value) -> str:
    return f"{float(value):.2f}"


def decide(scores: Sequence[ReviewerScores], criteria: Sequence[Criterion], rule: Rule) -> Decision:
    """Pass or revise, from every reviewer's scores and recommendation, by ``rule``."""
    if not scores or not criteria:
        raise ValueError("decide() needs at least one review and one criterion")
    means = {
        c.code: sum((Fraction(s.scores[c.code]) for s in scores), Fraction(0)) / len(scores) for c in criteria
    }
    weights = {c.code: Fraction(c.weight) for c in criteria}
    total_weight = sum(weights.values())
    if total_weight <= 0:
        raise ValueError("the criteria's weights must add up to more than zero")
    weighted = sum(means[code] * weights[code] for code in means) / total_weight
    pass_mean, min_mean = Fraction(rule.pass_mean), Fraction(rule.min_criterion_mean)
    reasons = []
    if weighted < pass_mean:
        reasons.append(
            _("The weighted mean %(mean)s is below %(threshold)s.")
            % {"mean": _number(weighted), "threshold": _number(pass_mean)}
        )
    for criterion in criteria:
        if means[criterion.code] < min_mean:
            reasons.append(
                _("The mean for %(criterion)s, %(mean)s, is below %(threshold)s.")
                % {
                    "criterion": criterion.label,
                    "mean": _number(means[criterion.code]),
                    "threshold": _number(min_mean),
                }
            )
    rejects = sum(1 for s in scores if s.recommendation == REJECT)
    if rule.reject_forces_revise and rejects:
        reasons.append(
            ngettext(
                "%(count)d reviewer recommended rejection.",
                "%(count)d reviewers recommended rejection.",
                rejects,
            )
            % {"count": rejects}
        )
    if reasons:
        return Decision(REVISE, weighted, means, reasons)
    return Decision(
        PASS,
        weighted,
        means,
        [
            _("The weighted mean %(mean)s reaches %(threshold)s and no criterion's mean is below %(min)s.")
            % {"mean": _number(weighted), "threshold": _number(pass_mean), "min": _number(min_mean)}
        ],
    )
