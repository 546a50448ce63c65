"""A project's budget, actual cost and earned value (RES-6, RES-7), in a fixed number of queries.

- **Budget** (BAC): the effective plan version's ``plans.BudgetLine`` rows by category — read
  here, never written (a budget changes through the plan's change process).
- **Actual cost** (AC): timesheets valued at their cost rate (personnel), approved expenses and
  purchases, by category, and the company's equipment used by the project (each day an item was
  checked out for it × the checkout's daily rate, under "equipment"); claims awaiting approval
  are shown apart as *committed*.
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

from django.db.models import Avg, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from onestop.costs.models import Category, Expense, Purchase, Timesheet
from onestop.plans.models import BudgetLine
from onestop.projects.models import Milestone
from onestop.resources.selectors import equipment_cost_lines, usage_by_month

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


def actual_by_project(projects_filter: dict, *, until: date | None = None) -> dict[int, dict[str, Decimal]]:
    """{project_id: {category: spent}} for the projects ``projects_filter`` selects, up to
    ``until`` (default: today): timesheets, approved expenses, purchases and the use of the
    company's equipment (checkouts, `resources.selectors.usage_by_month`). Four grouped queries
    whatever the number of projects and entries."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    timesheets = Timesheet.objects.filter(**projects_filter)
    expenses = Expense.objects.filter(**projects_filter, state=Expense.State.APPROVED)
    purchases = Purchase.objects.filter(**projects_filter)
    if until is not None:
        timesheets = timesheets.filter(day__lte=until)
        expenses = expenses.filter(spent_on__lte=until)
        purchases = purchases.filter(purchased_on__lte=until)
    for project_id, amount in timesheets.order_by().values_list("project_id").annotate(total=Sum("cost")):
        totals[project_id][Category.PERSONNEL] += amount or ZERO
    for rows in (expenses, purchases):
        grouped = rows.order_by().values_list("project_id", "category").annotate(total=Sum("amount"))
        for project_id, category, amount in grouped:
            totals[project_id][category] += amount or ZERO
    used = usage_by_month(projects_filter, until=until or timezone.localdate())
    for (project_id, _month), amount in used.items():
        totals[project_id][Category.EQUIPMENT] += amount
    return {project_id: dict(by_category) for project_id, by_category in totals.items()}


def actual_by_category(project, *, until: date | None = None) -> dict[str, Decimal]:
    """Spent so far on ``project`` (up to ``until``), by category. Four queries."""
    return actual_by_project({"project": project}, until=until).get(project.pk, {})


def equipment_used(project, *, until: date | None = None, limit: int = 10) -> list[dict]:
    """The latest checkouts behind the project's equipment use: item, person, days, amount (the
    days up to ``until``, default today). One query."""
    return equipment_cost_lines(project, date.min, until or timezone.localdate(), latest=limit)


@dataclass
class Burn:
    """A project's budget (BAC), actual cost (AC) and earned value (EV), as ``project_figures``
    computes them, for many projects at once."""

    project_id: int
    budget: Decimal
    actual: Decimal
    earned_value: Decimal

    @property
    def percent_spent(self) -> Decimal:
        return self.actual * 100 / self.budget if self.budget else ZERO

    @property
    def percent_complete(self) -> Decimal:
        return self.earned_value * 100 / self.budget if self.budget else ZERO

    @property
    def ahead(self) -> Decimal:
        """Percentage points of the budget spent beyond the share of the work done."""
        return (self.percent_spent - self.percent_complete).quantize(CENT, rounding=ROUND_HALF_UP)


def burn_by_project(projects, *, as_of: date | None = None) -> dict[int, Burn]:
    """BAC, AC (up to ``as_of``) and EV of each of ``projects`` with a budget: the same figures as
    the cost page (EV = BAC × the mean percentage complete of the milestones), in six grouped
    queries whatever the number of projects."""
    versions = {project.plan_version_id: project.pk for project in projects if project.plan_version_id}
    budgets: dict[int, Decimal] = {}
    for row in (
        BudgetLine.objects.filter(version_id__in=list(versions))
        .order_by()
        .values("version_id")
        .annotate(total=Sum("amount"))
    ):
        if row["total"]:
            budgets[versions[row["version_id"]]] = money(row["total"])
    if not budgets:
        return {}
    actual = actual_by_project({"project_id__in": list(budgets)}, until=as_of)
    complete = dict(
        Milestone.objects.filter(project_id__in=list(budgets))
        .order_by()
        .values_list("project_id")
        .annotate(mean=Avg("percent_complete"))
    )
    return {
        project_id: Burn(
            project_id,
            budget,
            money(sum(actual.get(project_id, {}).values(), ZERO)),
            money(budget * Decimal(str(complete.get(project_id) or 0)) / 100),
        )
        for project_id, budget in budgets.items()
    }


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
    four grouped queries whatever the number of entries (the equipment used is split by the
    days of each month, so the months add up to the actual cost)."""
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
    for key, amount in usage_by_month(projects_filter, until=until).items():
        result[key][Category.EQUIPMENT] += amount
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
