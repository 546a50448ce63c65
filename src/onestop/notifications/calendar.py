"""Working days: Monday to Friday, less holidays, plus make-up working days (補班).

The exceptions come from the admin-maintained ``Holiday`` table, read once per call for the
range needed, so counting across a month costs one query.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from onestop.notifications.models import Holiday

MAX_SPAN_DAYS = 3 * 366  # a deadline further out than this is an input error, not a plan


def exceptions_between(start: date, end: date) -> dict[date, bool]:
    """{date: is_working_day} for every calendar exception between start and end inclusive."""
    rows = Holiday.objects.filter(date__range=(start, end)).values_list("date", "kind")
    return {day: kind == Holiday.Kind.WORKING_DAY for day, kind in rows}


def is_working_day(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = exceptions_between(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: datetime | date, days: int) -> datetime:
    """The moment ``days`` working days after ``start``, at the same local time of day.

    A start on a non-working day counts from the next working day's beginning, so
    "within 2 working days" of a Saturday inquiry ends on Tuesday evening's equivalent.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if isinstance(start, datetime):
        local = timezone.localtime(start) if timezone.is_aware(start) else start
    else:
        local = datetime.combine(start, time(9, 0))
    limit = local.date() + timedelta(days=MAX_SPAN_DAYS)
    exceptions = exceptions_between(local.date(), limit)
    day = local.date()
    if not is_working_day(day, exceptions):
        local = datetime.combine(day, time(0, 0), tzinfo=local.tzinfo)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day > limit:
            raise ValueError("deadline too far in the future")
        if is_working_day(day, exceptions):
            remaining -= 1
    result = datetime.combine(day, local.timetz())
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    exceptions = exceptions_between(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, exceptions)
    return count
