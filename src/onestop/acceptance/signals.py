"""Signals other stages listen to (feedback sends the satisfaction survey, EXT-2).

``acceptance_passed`` is sent after the transaction that passed the round has committed,
with ``round`` (the AcceptanceRound) and ``actor``.
"""

from django.dispatch import Signal

acceptance_passed = Signal()
