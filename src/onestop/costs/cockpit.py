"""The costs app's tiles of the cockpit (X-7, RES-4, RES-6, RES-7): utilization and budget.

- **Utilization**: the people whose load the user may see (``utilization.people_scope``, the
  capacity heat map's rule), by department: the mean allocation of this week (the heat map's
  ``Sum`` of the allocation percentages overlapping the week ÷ headcount), the hours logged in
  the period against the capacity (headcount × 8 hours × the working days of the period up to
  today, from the working calendar), who is over-allocated this week (over 100 %) and who is on
  the bench (0 %). The department filter narrows the people; the other filters are about
  engagements and do not apply to people.
- **Budget**: the scope's running projects (``costs.services.WORKING_STATES``), each figure a
  subquery of one query, as on the project's cost page (``costs/figures.py``): budget (the
  effective plan version's budget lines), actual cost (timesheets valued at their rate,
  approved expenses, purchases and the company equipment checked out for it — days × the
  checkout's daily rate, as on the cost page — up to today), earned value = budget × the mean percentage
  complete of the milestones, planned value = budget × the share of the work the schedule plans
  done today (milestones as equal shares, linear between them from the start). CPI = EV / AC,
  SPI = EV / PV. The portfolio's CPI and SPI are the sums' ratios. Budget against actual per
  category: five grouped queries.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.fields import DateField
from django.db.models.functions import Cast, Coalesce, Least
from django.utils.translation import gettext_lazy as _

from onestop.cockpit.tiles import (
    FINANCE,
    HR,
    LEAD,
    MANAGEMENT,
    Column,
    DaysBetween,
    Drill,
    Tile,
    chart,
    dataset,
    drill_url,
    kpi,
    number,
    rate,
    record_id,
    table,
)
from onestop.costs import utilization
from onestop.costs.figures import ratio
from onestop.costs.models import Category, Expense, Purchase, Timesheet
from onestop.costs.services import WORKING_STATES
from onestop.notifications.calendar import working_days_between
from onestop.plans.models import BudgetLine
from onestop.projects.models import Milestone, Project
from onestop.resources.models import Checkout

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
HOURS_PER_DAY = 8
PROJECT_LIMIT = 50  # the table shows the 50 projects that spent most; the drill lists all
NO_DEPARTMENT = "none"


# --- utilization ------------------------------------------------------------------------------


def people(scope):
    rows = utilization.people_scope(scope.user)
    if scope.department is not None:
        rows = rows.filter(department=scope.department)
    return rows


def this_week(scope):
    return utilization.monday(scope.today)


def loaded(scope):
    """The people with their allocation (%) of this week as ``_load``."""
    return people(scope).annotate(_load=utilization._week_sums([this_week(scope)])["w0"])


def _period_days(scope):
    """The period up to today (hours are not logged ahead)."""
    return scope.start, min(scope.end, scope.today)


def _of_department(rows, value, field: str = "department"):
    if value == NO_DEPARTMENT:
        return rows.filter(**{f"{field}__isnull": True})
    if record_id(value) is not None:
        return rows.filter(**{field: record_id(value)})
    return rows if not value else rows.none()


def utilization_tile(scope) -> dict:
    week = this_week(scope)
    allocated = Coalesce(
        Sum(
            "allocations__percent",
            filter=Q(allocations__start__lte=week + timedelta(days=6), allocations__end__gte=week),
        ),
        Value(0),
        output_field=IntegerField(),
    )
    # Headcount and the allocation of the week per department (the sum's rows are one per
    # allocation, each person counted once by the distinct count).
    departments = list(
        people(scope)
        .order_by()
        .values("department_id", "department__name")
        .annotate(headcount=Count("pk", distinct=True), allocated=allocated)
        .order_by("department__name")
    )
    first, last = _period_days(scope)
    hours = {
        row["user__department_id"]: row["hours"]
        for row in Timesheet.objects.filter(
            user__in=people(scope).values("pk"), day__gte=first, day__lte=last
        )
        .order_by()
        .values("user__department_id")
        .annotate(hours=Sum("hours"))
    }
    flags = loaded(scope).aggregate(
        over=Count("pk", filter=Q(_load__gt=100)), bench=Count("pk", filter=Q(_load=0))
    )
    day_count = working_days_between(first - timedelta(days=1), last) if last >= first else 0
    rows, labels, allocated_series, used_series = [], [], [], []
    for row in departments:
        capacity = row["headcount"] * HOURS_PER_DAY * day_count
        logged = row_hours = hours.get(row["department_id"]) or Decimal("0")
        mean = round(row["allocated"] / row["headcount"], 1) if row["headcount"] else None
        used = rate(float(row_hours), capacity)
        name = row["department__name"] or str(_("No department"))
        labels.append(name)
        allocated_series.append(mean)
        used_series.append(used)
        key = row["department_id"] or NO_DEPARTMENT
        rows.append(
            {
                "cells": [name, row["headcount"], mean, number(logged), capacity, used],
                "drill": drill_url(scope, "utilization", "people", key),
            }
        )
    headcount = sum(row["headcount"] for row in departments)  # a dozen departments' counts
    total_hours = sum((hours.get(row["department_id"]) or Decimal("0") for row in departments), Decimal("0"))
    capacity = headcount * HOURS_PER_DAY * day_count
    total_allocated = sum(row["allocated"] for row in departments)
    return {
        "kpis": [
            kpi(_("Headcount"), headcount, drill=drill_url(scope, "utilization", "people"), key="people"),
            kpi(
                _("Allocated this week"),
                round(total_allocated / headcount, 1) if headcount else None,
                unit="%",
                key="allocated",
            ),
            kpi(
                _("Hours logged against capacity"),
                rate(float(total_hours), capacity),
                unit="%",
                drill=drill_url(scope, "utilization", "hours"),
                key="utilization",
            ),
            kpi(
                _("Over-allocated this week"),
                flags["over"],
                drill=drill_url(scope, "utilization", "over"),
                key="over",
                tone="danger",
            ),
            kpi(
                _("On the bench this week"),
                flags["bench"],
                drill=drill_url(scope, "utilization", "bench"),
                key="bench",
            ),
        ],
        "charts": [
            chart(
                "departments",
                _("Utilization by department"),
                "bar",
                labels,
                [
                    dataset(_("Allocated this week (%)"), allocated_series),
                    dataset(_("Hours logged against capacity (%)"), used_series),
                ],
            )
        ],
        "tables": [
            table(
                "departments",
                _("Utilization by department"),
                [
                    _("Department"),
                    _("Headcount"),
                    _("Allocated this week (%)"),
                    _("Hours logged"),
                    _("Capacity (hours)"),
                    _("Hours logged against capacity (%)"),
                ],
                rows,
                units=["", "", "%", "", "", "%"],
            )
        ],
    }


PERSON_COLUMNS = (
    Column(_("staff member"), lambda u: u.display_name),
    Column(_("Department"), lambda u: u.department.name if u.department_id else ""),
    Column(_("Allocated this week (%)"), lambda u: u._load),
)
HOURS_COLUMNS = (
    *PERSON_COLUMNS[:2],
    Column(_("Hours logged"), lambda u: number(u._hours)),
)


def _logged(scope, value):
    """The people whose hours the figure adds up, with their hours of the period: the capacity
    heat map shows hours per person to whoever sees the person's load (timesheets themselves
    carry their cost: money)."""
    first, last = _period_days(scope)
    in_period = Q(timesheets__day__gte=first, timesheets__day__lte=last)
    rows = people(scope).annotate(_hours=Sum("timesheets__hours", filter=in_period)).filter(_hours__gt=0)
    return _of_department(rows, value).order_by("-_hours", "pk")


UTILIZATION = Tile(
    "utilization",
    _("Utilization"),
    utilization_tile,
    drills={
        "people": Drill(
            _("Headcount"),
            utilization.User,
            lambda scope, value: _of_department(loaded(scope), value).order_by("full_name", "pk"),
            PERSON_COLUMNS,
            ("department",),
        ),
        "over": Drill(
            _("Over-allocated this week"),
            utilization.User,
            lambda scope, value: loaded(scope).filter(_load__gt=100).order_by("-_load", "pk"),
            PERSON_COLUMNS,
            ("department",),
        ),
        "bench": Drill(
            _("On the bench this week"),
            utilization.User,
            lambda scope, value: loaded(scope).filter(_load=0).order_by("full_name", "pk"),
            PERSON_COLUMNS,
            ("department",),
        ),
        "hours": Drill(
            _("Hours logged"),
            utilization.User,
            _logged,
            HOURS_COLUMNS,
            ("department",),
        ),
    },
    dashboards=(MANAGEMENT, HR),
    order=3,  # after the stages' tiles, the risks and the budget; last on the HR dashboard
)


# --- budget and earned value --------------------------------------------------------------------


def _float(expression):
    return Cast(expression, FloatField())


def _sum(model, amount: str, **lookups):
    return Coalesce(
        Subquery(
            model.objects.filter(**lookups)
            .order_by()
            .values(next(iter(lookups)))
            .annotate(total=Sum(amount))
            .values("total"),
            output_field=MONEY,
        ),
        ZERO,
    )


def _equipment_use(today):
    """A checkout's cost up to ``today``: the days it was out (the checkout and return days both
    counted, an item still out up to today) × the daily rate it had — the cost page's rule
    (resources.selectors.usage_by_month), as a database expression."""
    day = Value(today, output_field=DateField())
    last = Least(Coalesce(F("returned_on"), day), day)
    days = Cast(DaysBetween(last, F("checked_out_on")) + 1, IntegerField())
    return ExpressionWrapper(F("daily_rate") * days, output_field=MONEY)


def _equipment_sum(today):
    return Coalesce(
        Subquery(
            Checkout.objects.filter(project=OuterRef("pk"), checked_out_on__lte=today)
            .order_by()
            .values("project")
            .annotate(total=Sum(_equipment_use(today)))
            .values("total"),
            output_field=MONEY,
        ),
        ZERO,
    )


def _milestones(today, aggregate, **lookups):
    return Subquery(
        Milestone.objects.filter(project=OuterRef("pk"), **lookups)
        .order_by()
        .values("project")
        .annotate(value=aggregate)
        .values("value")
    )


def running(scope):
    """The scope's running projects with budget, actual cost, earned and planned value."""
    today = scope.today
    day = Value(today, output_field=DateField())
    spent = (
        _sum(Timesheet, "cost", project=OuterRef("pk"), day__lte=today)
        + _sum(Expense, "amount", project=OuterRef("pk"), state=Expense.State.APPROVED, spent_on__lte=today)
        + _sum(Purchase, "amount", project=OuterRef("pk"), purchased_on__lte=today)
        + _equipment_sum(today)  # company equipment used (RES-3 → RES-7), as on the cost page
    )
    rows = (
        scope.records(Project)
        .filter(state__in=WORKING_STATES)
        .annotate(
            _budget=_sum(BudgetLine, "amount", version=OuterRef("plan_version")),
            _actual=ExpressionWrapper(spent, output_field=MONEY),
            _count=Coalesce(_milestones(today, Count("pk")), 0),
            _reached=Coalesce(_milestones(today, Count("pk"), planned_date__lte=today), 0),
            _complete=Coalesce(
                _milestones(today, Avg("percent_complete")), Value(0.0), output_field=FloatField()
            ),
            _previous=Coalesce(
                _milestones(today, Max("planned_date"), planned_date__lte=today),
                F("actual_start"),
                F("planned_start"),
                output_field=DateField(),
            ),
            _next=_milestones(today, Min("planned_date"), planned_date__gt=today),
        )
        .annotate(
            # The planned share (costs/figures.py planned_share): the milestones reached, plus
            # the part of the way to the next one since the last (or the start).
            _share=CaseWhen(
                When(_count=0, then=Value(0.0)),
                When(_next__isnull=True, then=Value(1.0)),
                When(
                    Q(_previous__lt=day) & Q(_next__gt=F("_previous")),
                    then=(
                        _float(F("_reached"))
                        + DaysBetween(day, F("_previous")) / DaysBetween(F("_next"), F("_previous"))
                    )
                    / _float(F("_count")),
                ),
                default=_float(F("_reached")) / _float(F("_count")),
                output_field=FloatField(),
            ),
        )
        .annotate(
            _earned=ExpressionWrapper(F("_budget") * F("_complete") / 100, output_field=FloatField()),
            _planned=ExpressionWrapper(F("_budget") * F("_share"), output_field=FloatField()),
        )
    )
    return rows


def over_budget(rows):
    return rows.filter(_actual__gt=F("_budget"))


def cost_overrun(rows):
    """CPI under 1: less earned than spent."""
    return rows.filter(_actual__gt=0, _earned__lt=F("_actual"))


def behind_schedule(rows):
    """SPI under 1: less earned than planned."""
    return rows.filter(_planned__gt=0, _earned__lt=F("_planned"))


def _index(earned, basis) -> float | None:
    found = ratio(Decimal(str(earned or 0)), Decimal(str(basis or 0)))
    return number(found)


def by_category(scope) -> list[tuple[str, str, Decimal, Decimal]]:
    """(code, label, budget, actual) per category over the running projects: four grouped queries."""
    projects = scope.records(Project).filter(state__in=WORKING_STATES)
    today = scope.today
    budget = dict(
        BudgetLine.objects.filter(version__in=projects.values("plan_version"))
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"))
        .values_list("category", "total")
    )
    actual: dict[str, Decimal] = {}
    personnel = Timesheet.objects.filter(project__in=projects.values("pk"), day__lte=today).aggregate(
        total=Sum("cost")
    )["total"]
    actual[Category.PERSONNEL] = personnel or Decimal("0")
    for rows in (
        Expense.objects.filter(
            project__in=projects.values("pk"), state=Expense.State.APPROVED, spent_on__lte=today
        ),
        Purchase.objects.filter(project__in=projects.values("pk"), purchased_on__lte=today),
    ):
        for category, total in (
            rows.order_by().values("category").annotate(total=Sum("amount")).values_list("category", "total")
        ):
            actual[category] = actual.get(category, Decimal("0")) + total
    equipment = Checkout.objects.filter(
        project__in=projects.values("pk"), checked_out_on__lte=today
    ).aggregate(total=Sum(_equipment_use(today)))["total"]
    actual[Category.EQUIPMENT] = actual.get(Category.EQUIPMENT, Decimal("0")) + (equipment or Decimal("0"))
    labels = dict(Category.choices)
    return [
        (code, str(labels[code]), budget.get(code) or Decimal("0"), actual.get(code) or Decimal("0"))
        for code in Category.values
    ]


def budget_tile(scope) -> dict:
    rows = running(scope)
    totals = rows.aggregate(
        count=Count("pk"),
        budget=Sum("_budget"),
        actual=Sum("_actual"),
        earned=Sum("_earned"),
        planned=Sum("_planned"),
    )
    over = over_budget(rows).count()
    categories = by_category(scope)
    listed = rows.select_related("project_lead").order_by("-_actual", "pk")[:PROJECT_LIMIT]
    project_rows = [
        {
            "cells": [
                f"{p.code} {p.name}",
                str(p.project_lead),
                number(p._budget),
                number(p._actual),
                _index(p._earned, p._actual),
                _index(p._earned, p._planned),
            ],
            "drill": p.get_absolute_url(),
        }
        for p in listed
    ]
    return {
        "kpis": [
            kpi(
                _("Running projects"),
                totals["count"],
                drill=drill_url(scope, "budget", "running"),
                key="running",
            ),
            kpi(_("Budget of the running projects"), totals["budget"], unit="money", key="budget"),
            kpi(_("Actual cost"), totals["actual"], unit="money", key="actual"),
            kpi(
                _("Cost performance (CPI)"),
                _index(totals["earned"], totals["actual"]),
                unit="ratio",
                key="cpi",
            ),
            kpi(
                _("Schedule performance (SPI)"),
                _index(totals["earned"], totals["planned"]),
                unit="ratio",
                key="spi",
            ),
            kpi(
                _("Projects over budget"),
                over,
                drill=drill_url(scope, "budget", "over"),
                key="over",
                tone="danger",
            ),
            kpi(
                _("Projects with CPI under 1"),
                cost_overrun(rows).count(),
                drill=drill_url(scope, "budget", "cpi"),
                key="cpi_low",
                tone="warning",
            ),
            kpi(
                _("Projects with SPI under 1"),
                behind_schedule(rows).count(),
                drill=drill_url(scope, "budget", "spi"),
                key="spi_low",
                tone="warning",
            ),
        ],
        "charts": [
            chart(
                "categories",
                _("Budget and actual cost by category"),
                "bar",
                [label for _code, label, _b, _a in categories],
                [
                    dataset(_("Budget"), [b for _code, _label, b, _a in categories]),
                    dataset(_("Actual cost"), [a for _code, _label, _b, a in categories]),
                ],
            )
        ],
        "tables": [
            table(
                "categories",
                _("Budget and actual cost by category"),
                [_("category"), _("Budget"), _("Actual cost"), _("Spent (%)")],
                [
                    {
                        "cells": [label, number(b), number(a), rate(float(a), float(b))],
                        "drill": None,
                    }
                    for _code, label, b, a in categories
                ],
                units=["", "money", "money", "%"],
            ),
            table(
                "projects",
                _("Budget of the running projects"),
                [_("Project"), _("project lead"), _("Budget"), _("Actual cost"), "CPI", "SPI"],
                project_rows,
                units=["", "", "money", "money", "ratio", "ratio"],
            ),
        ],
    }


PROJECT_COLUMNS = (
    Column(_("Project"), lambda p: f"{p.code} {p.name}"),
    Column(_("project lead"), lambda p: str(p.project_lead)),
    Column(_("Budget"), lambda p: number(p._budget)),
    Column(_("Actual cost"), lambda p: number(p._actual)),
    Column(_("Earned value"), lambda p: round(p._earned or 0, 2)),
    Column(_("Planned value"), lambda p: round(p._planned or 0, 2)),
    Column("CPI", lambda p: _index(p._earned, p._actual)),
    Column("SPI", lambda p: _index(p._earned, p._planned)),
)

BUDGET = Tile(
    "budget",
    _("Budget and earned value"),
    budget_tile,
    drills={
        "running": Drill(
            _("Running projects"),
            Project,
            lambda scope, value: running(scope).order_by("code", "pk"),
            PROJECT_COLUMNS,
            ("project_lead",),
        ),
        "over": Drill(
            _("Projects over budget"),
            Project,
            lambda scope, value: over_budget(running(scope)).order_by("code", "pk"),
            PROJECT_COLUMNS,
            ("project_lead",),
        ),
        "cpi": Drill(
            _("Projects with CPI under 1"),
            Project,
            lambda scope, value: cost_overrun(running(scope)).order_by("code", "pk"),
            PROJECT_COLUMNS,
            ("project_lead",),
        ),
        "spi": Drill(
            _("Projects with SPI under 1"),
            Project,
            lambda scope, value: behind_schedule(running(scope)).order_by("code", "pk"),
            PROJECT_COLUMNS,
            ("project_lead",),
        ),
    },
    dashboards=(MANAGEMENT, FINANCE, LEAD),
    order=2,  # after the stages' tiles and the risks
)

TILES = [UTILIZATION, BUDGET]
