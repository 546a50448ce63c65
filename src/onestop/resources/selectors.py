"""Read-only questions about equipment other apps ask (RES-3 → RES-7): what it cost a project,
how much an item was used. Each is a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from onestop.resources.models import Checkout


def _overlap_days(checkout, start: date, end: date, today: date) -> int:
    first = max(checkout.checked_out_on, start)
    last = min(checkout.returned_on or today, end)
    return max(0, (last - first).days + 1)


def equipment_cost(project, start: date, end: date) -> Decimal:
    """What the equipment checked out for ``project`` cost between ``start`` and ``end`` (both
    included): the days each item was out within the period times the daily rate it had when it
    was checked out. An item still out counts up to today. One query."""
    today = timezone.localdate()
    checkouts = Checkout.objects.filter(project=project, checked_out_on__lte=end).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gte=start)
    )
    total = Decimal("0.00")
    for checkout in checkouts.only("checked_out_on", "returned_on", "daily_rate"):
        total += checkout.daily_rate * _overlap_days(checkout, start, end, today)
    return total.quantize(Decimal("0.01"))


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def usage_by_month(projects_filter: dict, *, until: date) -> dict[tuple[int, date], Decimal]:
    """{(project_id, first day of the month): cost} of the equipment checked out for the projects
    ``projects_filter`` selects, up to ``until``: each day an item was out (the checkout day and
    the return day included; an item still out up to today) at the checkout's daily rate, counted
    in the month it falls in — so the months add up to the whole and nothing is counted twice.
    One query; the loop runs over these projects' checkouts only (RES-3 → RES-7)."""
    today = timezone.localdate()
    result: dict[tuple[int, date], Decimal] = defaultdict(lambda: Decimal("0.00"))
    checkouts = Checkout.objects.filter(**projects_filter, project__isnull=False, checked_out_on__lte=until)
    for checkout in checkouts.order_by().only("project_id", "checked_out_on", "returned_on", "daily_rate"):
        day, last = checkout.checked_out_on, min(checkout.returned_on or today, until)
        while day <= last:
            segment_end = min(last, _month_end(day))
            result[(checkout.project_id, day.replace(day=1))] += checkout.daily_rate * (
                (segment_end - day).days + 1
            )
            day = segment_end + timedelta(days=1)
    return dict(result)


def equipment_cost_lines(project, start: date, end: date, *, latest: int | None = None) -> list[dict]:
    """The checkouts behind ``equipment_cost``: item, person, days and amount (only the
    ``latest`` ones, newest first, when given). One query."""
    today = timezone.localdate()
    rows = []
    checkouts = (
        Checkout.objects.filter(project=project, checked_out_on__lte=end)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gte=start))
        .select_related("equipment", "person")
        .order_by("checked_out_on", "pk")
    )
    if latest is not None:
        checkouts = checkouts.reverse()[:latest]
    for checkout in checkouts:
        days = _overlap_days(checkout, start, end, today)
        rows.append({"checkout": checkout, "days": days, "amount": checkout.daily_rate * days})
    return rows


def utilization(items, start: date, end: date) -> dict[int, float]:
    """For each item (by id): the share of the days from ``start`` to ``end`` it was checked out
    (0–1). One query for any number of items."""
    today = timezone.localdate()
    period = (end - start).days + 1
    ids = [item.pk for item in items]
    used: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids or period <= 0:
        return dict.fromkeys(ids, 0.0)
    checkouts = Checkout.objects.filter(equipment_id__in=ids, checked_out_on__lte=end).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gte=start)
    )
    for checkout in checkouts.only("equipment_id", "checked_out_on", "returned_on"):
        used[checkout.equipment_id] += _overlap_days(checkout, start, end, today)
    return {pk: min(1.0, days / period) for pk, days in used.items()}
