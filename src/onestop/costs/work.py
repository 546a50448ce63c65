"""What staff allocation and costs ask of each user on "My work" (a fixed number of queries).

- everyone allocated this week: the timesheet of the week while fewer hours are booked than
  their allocation asks for the working days so far;
- the claimant: draft expenses to submit; the project lead (or management past the approval
  threshold): expenses to approve;
- the head of a releasing department: reallocation requests to decide;
- the project lead and finance: open budget alerts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.access import Kind, sees_all
from onestop.core.work import WorkItem, register
from onestop.costs import rules as r
from onestop.costs.models import BudgetAlert, Expense, ReallocationRequest, Timesheet
from onestop.costs.services import active_allocations, expected_hours

LIMIT = 50


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time(9)))


def _hours(value: Decimal) -> str:
    """7.5, 24 — not 24.0 or 9.60000000000000."""
    return format(Decimal(value).quantize(Decimal("0.1")).normalize(), "f")


def _timesheet_due(user) -> list[WorkItem]:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    working_days = min(today.weekday() + 1, 5)
    share = active_allocations(user, monday, today).aggregate(total=Sum("percent"))["total"] or 0
    if not share:
        return []
    expected = expected_hours(min(share, 100), working_days)
    booked = Timesheet.objects.filter(user=user, day__gte=monday, day__lte=today).aggregate(
        total=Sum("hours")
    )["total"] or Decimal("0")
    if booked >= expected:
        return []
    return [
        WorkItem(
            title=_("Timesheet of the week of %(monday)s: %(booked)s of %(expected)s hours booked")
            % {"monday": monday.isoformat(), "booked": _hours(booked), "expected": _hours(expected)},
            url=reverse("costs:timesheet_add"),
            kind=_("Timesheet due"),
            since=_aware(monday),
            due=_aware(monday + timedelta(days=4)),
            icon="clock-history",
            overdue=today.weekday() >= 4 and booked == 0,
        )
    ]


@register
def costs_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = _timesheet_due(user)
    for expense in Expense.objects.filter(claimant=user, state=Expense.State.DRAFT).select_related("project")[
        :LIMIT
    ]:
        items.append(
            WorkItem(
                title=_("Submit your expense: %(expense)s") % {"expense": expense},
                url=expense.get_absolute_url(),
                kind=_("Expense draft"),
                since=expense.created_at,
                icon="receipt",
            )
        )
    # Expenses to approve: the lead's, until the project passes the approval threshold;
    # then management's (RES-6). One query.
    blocked = BudgetAlert.objects.filter(level=BudgetAlert.Level.APPROVAL, cleared_at__isnull=True).values(
        "project_id"
    )
    pending = Expense.objects.filter(state=Expense.State.SUBMITTED).select_related("project", "claimant")
    if r.is_management(user) or user.is_superuser:
        to_approve = pending.filter(Q(project__project_lead=user) | Q(project_id__in=blocked))
    else:
        to_approve = pending.filter(project__project_lead=user).exclude(project_id__in=blocked)
    for expense in to_approve.order_by("submitted_at")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{expense} · {expense.project.code} · {expense.claimant.display_name if expense.claimant else ''}",
                url=expense.get_absolute_url(),
                kind=_("Expense to approve"),
                since=expense.submitted_at,
                icon="receipt",
            )
        )
    # The nearest head of the releasing department decides (the one notified).
    nearest = Q(from_department__head=user) | Q(
        from_department__head__isnull=True, from_department__parent__head=user
    )
    for request in (
        ReallocationRequest.objects.filter(nearest, state=ReallocationRequest.State.REQUESTED)
        .select_related("user", "project")
        .order_by("created_at")[:LIMIT]
    ):
        items.append(
            WorkItem(
                title=str(request),
                url=request.get_absolute_url(),
                kind=_("Reallocation request to decide"),
                since=request.created_at,
                icon="arrow-left-right",
            )
        )
    alerts = BudgetAlert.objects.filter(cleared_at__isnull=True).select_related("project")
    if not sees_all(user, Kind.MONEY):
        alerts = alerts.filter(project__project_lead=user)
    for alert in alerts.order_by("-crossed_at")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{alert} ({alert.percent}%)",
                url=reverse("costs:project_costs", args=[alert.project_id]),
                kind=_("Budget alert"),
                since=alert.crossed_at,
                icon="exclamation-triangle",
                overdue=alert.level == BudgetAlert.Level.APPROVAL,
            )
        )
    return items
