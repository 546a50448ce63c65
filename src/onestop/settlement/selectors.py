"""Questions other stages ask about the settlement (the engagement's closing)."""

from __future__ import annotations


def is_settled(engagement) -> bool:
    """True when the engagement's fees are paid in full or written off by finance (FEE-3).

    Replaced by the settlement app's real answer; until settlements exist nothing is settled.
    """
    return False
