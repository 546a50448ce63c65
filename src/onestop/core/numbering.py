"""Human codes such as ``OS-2026-00001``: gap-free per prefix and year, safe under concurrency.

``next_code("OS")`` increments the one row of its sequence with ``UPDATE … SET value =
value + 1`` inside the caller's transaction and reads the new value back. The row stays
locked until the caller's transaction ends (PostgreSQL row lock; SQLite's IMMEDIATE write
lock), so concurrent callers queue and each gets the next number; if the caller's
transaction rolls back, so does the increment, which is what keeps the numbers gap-free.
Call it inside the transaction that saves the record carrying the code.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onestop.core.models import NumberSequence


def next_number(prefix: str, *, year: int | None = None) -> int:
    year = timezone.localdate().year if year is None else year
    rows = NumberSequence.objects.filter(prefix=prefix, year=year)
    with transaction.atomic():
        if not rows.update(value=F("value") + 1):
            try:
                with transaction.atomic():  # a savepoint: another caller may create it first
                    NumberSequence.objects.create(prefix=prefix, year=year, value=1)
            except IntegrityError:
                rows.update(value=F("value") + 1)
        return rows.values_list("value", flat=True).get()


def next_code(prefix: str, *, year: int | None = None, width: int = 5) -> str:
    """The next code for ``prefix``, e.g. ``next_code("OS") == "OS-2026-00001"``."""
    year = timezone.localdate().year if year is None else year
    return f"{prefix}-{year}-{next_number(prefix, year=year):0{width}d}"
