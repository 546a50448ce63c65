"""Questions other stages ask about acceptance (settlement FEE-1, closing)."""

from __future__ import annotations

from onestop.acceptance.models import AcceptanceRound


def passed_round(project, milestone=None):
    """The passed acceptance round of ``project`` (of ``milestone`` when given), or None.

    A whole-project pass also covers every milestone.
    """
    rounds = AcceptanceRound.objects.filter(project=project, state=AcceptanceRound.State.PASSED)
    if milestone is None:
        return rounds.filter(milestone__isnull=True).order_by("-number").first()
    return (
        rounds.filter(milestone=milestone).order_by("-number").first()
        or rounds.filter(milestone__isnull=True).order_by("-number").first()
    )
