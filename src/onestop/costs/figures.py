"""A project's budget, actual cost and earned value (RES-6, RES-7), in a fixed number of queries.

- **Budget** (BAC): the effective plan version's ``plans.BudgetLine`` rows by category — read
  here, never written (a budget changes through the plan's change process).
- **Actual cost** (AC): timesheets valued at their cost rate (personnel), approved expenses and
  purchases, by category; claims awaiting approval are shown apart as *committed*.
- **Planned value** (PV) from the schedule: the project's milestones, each an equal share of
  the work, are planned to be reached on their planned dates; between two milestones (and from
  the planned start to the first one) the planned share grows linearly. PV = BAC × planned share.
- **Earned value** (EV) = BAC × the mean percentage complete of the milestones.
- CPI = EV / AC, SPI = EV / PV, forecast at completion EAC = BAC / CPI (AC when nothing is
  earned yet), VAC = BAC − EAC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from onestop.costs.models import Category, Expense, Purchase, Timesheet

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def budget_by_category(project) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if project.plan_version_id is None:
        return {}
    for category, amount in project.plan_version.budget_lines.values_list("category", "amount"):
        totals[category] += amount
    return dict(totals)


def actual_by_category(project, *, until: date | None = None) -> dict[str, Decimal]:
    """Spent so far (up to ``until``): timesheets, approved expenses, purchases. Three queries."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    timesheets = Timesheet.objects.filter(project=project)
    expenses = Expense.objects.filter(project=project, state=Expense.State.APPROVED)
    purchases = Purchase.objects.filter(project=project)
    if until is not None:
        timesheets = timesheets.filter(day__lte=until)
        expenses = expenses.filter(spent_on__lte=until)
        purchases = purchases.filter(purchased_on__lte=until)
    totals[Category.PERSONNEL] += timesheets.aggregate(total=Sum("cost"))["total"] or ZERO
    for rows in (expenses, purchases):
        for category, amount in rows.order_by().values_list("category").annotate(total=Sum("amount")):
            totals[category] += amount or ZERO
    return dict(totals)


def committed(project) -> Decimal:
    """Expenses claimed and awaiting approval: not spent yet, but on their way."""
    pending = Expense.objects.filter(project=project, state=Expense.State.SUBMITTED)
    return pending.aggregate(total=Sum("amount"))["total"] or ZERO


def planned_share(milestones, start: date, day: date) -> Decimal:
    """The share of the work (0–1) the schedule plans done by ``day``."""
    dates = sorted(m.planned_date for m in milestones)
    if not dates:
        return ZERO
    count = len(dates)
    previous_day, previous_share = start, ZERO
    for index, planned in enumerate(dates, start=1):
        share = Decimal(index) / count
        if day < planned:
            span = (planned - previous_day).days
            if span <= 0 or day <= previous_day:
                return previous_share
            return previous_share + (share - previous_share) * Decimal((day - previous_day).days) / span
        previous_day, previous_share = planned, share
    return Decimal(1)


def earned_share(milestones) -> Decimal:
    milestones = list(milestones)
    if not milestones:
        return ZERO
    return Decimal(sum(m.percent_complete for m in milestones)) / (100 * len(milestones))


@dataclass
class CategoryRow:
    category: str
    label: str
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def percent(self) -> Decimal | None:
        share = ratio(self.actual * 100, self.budget)
        return share.quantize(Decimal("0.1")) if share is not None else None


@dataclass
class ProjectFigures:
    project: object
    as_of: date
    rows: list[CategoryRow]
    budget: Decimal
    actual: Decimal
    committed: Decimal
    planned_value: Decimal
    earned_value: Decimal
    months: list[dict] = field(default_factory=list)

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def percent_spent(self) -> Decimal | None:
        share = ratio(self.actual * 100, self.budget)
        return share.quantize(Decimal("0.1")) if share is not None else None

    @property
    def cpi(self) -> Decimal | None:
        return ratio(self.earned_value, self.actual)

    @property
    def spi(self) -> Decimal | None:
        return ratio(self.earned_value, self.planned_value)

    @property
    def forecast(self) -> Decimal:
        """Estimate at completion: the budget at the efficiency so far (BAC / CPI)."""
        if not self.earned_value or not self.actual:
            return max(self.budget, self.actual)
        return money(self.budget * self.actual / self.earned_value)

    @property
    def forecast_variance(self) -> Decimal:
        return self.budget - self.forecast


def project_figures(project, *, as_of: date | None = None, with_months: bool = True) -> ProjectFigures:
    as_of = as_of or timezone.localdate()
    budget = budget_by_category(project)
    actual = actual_by_category(project, until=as_of)
    labels = dict(Category.choices)
    rows = [
        CategoryRow(code, str(labels[code]), money(budget.get(code)), money(actual.get(code)))
        for code in Category.values
        if budget.get(code) or actual.get(code)
    ]
    bac = money(sum(budget.values(), ZERO))
    milestones = list(project.milestones.all())
    start = project.actual_start or project.planned_start
    figures = ProjectFigures(
        project=project,
        as_of=as_of,
        rows=rows,
        budget=bac,
        actual=money(sum(actual.values(), ZERO)),
        committed=money(committed(project)),
        planned_value=money(bac * planned_share(milestones, start, as_of)),
        earned_value=money(bac * earned_share(milestones)),
    )
    if with_months:
        figures.months = monthly(project, milestones, start, bac, as_of)
    return figures


def month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def spent_by_month(projects_filter: dict, *, until: date) -> dict[tuple, dict[str, Decimal]]:
    """{(project_id, month): {category: amount}} for the projects ``projects_filter`` selects:
    three grouped queries whatever the number of entries."""
    result: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    sources = [
        (Timesheet.objects.filter(**projects_filter, day__lte=until), "day", None, "cost"),
        (
            Expense.objects.filter(**projects_filter, state=Expense.State.APPROVED, spent_on__lte=until),
            "spent_on",
            "category",
            "amount",
        ),
        (
            Purchase.objects.filter(**projects_filter, purchased_on__lte=until),
            "purchased_on",
            "category",
            "amount",
        ),
    ]
    for rows, day_field, category_field, amount_field in sources:
        keys = ["project_id", "month"] + ([category_field] if category_field else [])
        grouped = (
            rows.order_by()
            .annotate(month=TruncMonth(day_field))
            .values(*keys)
            .annotate(total=Sum(amount_field))
        )
        for row in grouped:
            month = row["month"]
            month = month.date() if hasattr(month, "date") else month
            category = row[category_field] if category_field else Category.PERSONNEL
            result[(row["project_id"], month)][category] += row["total"] or ZERO
    return result


def monthly(project, milestones, start: date, bac: Decimal, as_of: date) -> list[dict]:
    """Per month from the start to the planned end (or today, if later): spent by category,
    cumulative actual cost, and the planned value at the month's end."""
    end = max(project.planned_end, min(as_of, project.actual_end or as_of))
    spent = spent_by_month({"project": project}, until=as_of)
    rows, cumulative = [], ZERO
    for month in month_starts(start, end):
        by_category = spent.get((project.pk, month), {})
        total = money(sum(by_category.values(), ZERO))
        past = month <= as_of
        cumulative += total
        last_day = month_end(month)
        rows.append(
            {
                "month": month,
                "by_category": {code: money(by_category.get(code)) for code in Category.values},
                "total": total,
                "cumulative": money(cumulative) if past else None,
                "planned_value": money(bac * planned_share(milestones, start, last_day)),
                "budget": bac,
            }
        )
    return rows
