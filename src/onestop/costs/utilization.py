"""The capacity heat map (RES-4): allocation per person × week and per department × week.

Everything is summed by the database: one query annotates each person of the page with one
``Sum`` per week (a filtered aggregate over their allocations), one more gives the hours booked
per person and week (utilization measured), one the departments; the flags (over-allocated,
on the bench, unstaffed roles) are three more. The page runs the same queries for 5 people as
for 500.

Colour scale (always with the number in the cell): 0 % bench (grey), 1–49 % light, 50–89 %
medium, 90–100 % full (green), over 100 % over-allocated (red, with "!").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Department, User
from onestop.core.roles import Role
from onestop.costs import rules as r
from onestop.costs.models import Timesheet
from onestop.costs.services import WORKING_STATES, unstaffed_roles
from onestop.projects.models import Project

WEEKS = 16
WEEKS_BEFORE = 4  # the heat map opens four weeks back, so the hours booked show beside the plan
MAX_WEEKS = 26
HOURS_PER_WEEK = Decimal("40")
PAGE_SIZE = 40
FLAG_LIMIT = 50

LEVELS = [
    ("bench", _("0 % — on the bench")),
    ("low", _("1–49 %")),
    ("mid", _("50–89 %")),
    ("full", _("90–100 %")),
    ("over", _("over 100 % — over-allocated")),
]


def level(percent: int) -> str:
    if percent <= 0:
        return "bench"
    if percent < 50:
        return "low"
    if percent < 90:
        return "mid"
    if percent <= 100:
        return "full"
    return "over"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_start() -> date:
    return monday(timezone.localdate()) - timedelta(weeks=WEEKS_BEFORE)


def weeks_from(start: date, count: int) -> list[date]:
    first = monday(start)
    return [first + timedelta(weeks=n) for n in range(count)]


def _week_sums(weeks: list[date], prefix: str = "allocations__") -> dict:
    """One filtered Sum of the allocation percentages per week (the allocations overlapping it;
    an allocation's dates say when the person works on the project, whatever its state)."""
    sums = {}
    for index, week in enumerate(weeks):
        overlap = Q(
            **{
                f"{prefix}start__lte": week + timedelta(days=6),
                f"{prefix}end__gte": week,
            }
        )
        sums[f"w{index}"] = Coalesce(
            Sum(f"{prefix}percent", filter=overlap), Value(0), output_field=IntegerField()
        )
    return sums


def people_scope(user):
    """The people whose load ``user`` may see: everyone who works on projects for management,
    HR and project leads; the members of the departments they head for department heads."""
    planners = User.objects.staff().filter(
        Q(groups__name__in=[Role.TECHNICIAN, Role.PROJECT_LEAD]) | Q(allocations__isnull=False)
    )
    people = User.objects.staff().filter(pk__in=planners.values("pk"))
    if user.is_superuser or (r.allocates | r.is_lead_role)(user):
        return people
    supervised = Department.objects.filter(
        Q(head=user)
        | Q(parent__head=user)
        | Q(parent__parent__head=user)
        | Q(parent__parent__parent__head=user)
    )
    return people.filter(department__in=supervised.values("pk"))


@dataclass
class Cell:
    week: date
    percent: int
    hours: Decimal | None = None

    @property
    def level(self) -> str:
        return level(self.percent)

    @property
    def measured(self) -> int | None:
        """Hours booked as a percentage of a 40-hour week."""
        if self.hours is None:
            return None
        return int((self.hours * 100 / HOURS_PER_WEEK).quantize(Decimal("1")))


def heatmap(user, *, start: date | None = None, weeks: int = WEEKS, department=None, page_people=None):
    """The people rows (a page of them), the department rows and the flags, for ``weeks``
    weeks from the Monday of ``start``."""
    start = start or default_start()
    weeks_list = weeks_from(start, max(1, min(weeks, MAX_WEEKS)))
    people = people_scope(user)
    if department is not None:
        people = people.filter(department=department)
    rows_qs = (
        people.annotate(**_week_sums(weeks_list))
        .select_related("department", "position")
        .order_by("department__sort_order", "department__name", "full_name", "pk")
    )
    people_rows = list(page_people(rows_qs) if page_people else rows_qs)
    ids = [person.pk for person in people_rows]
    booked = {}
    last_day = weeks_list[-1] + timedelta(days=6)
    for row in (
        Timesheet.objects.filter(user_id__in=ids, day__gte=weeks_list[0], day__lte=last_day)
        .order_by()
        .annotate(week=TruncWeek("day"))
        .values("user_id", "week")
        .annotate(total=Sum("hours"))
    ):
        week = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        booked[(row["user_id"], week)] = row["total"]
    today = monday(timezone.localdate())
    for person in people_rows:
        person.cells = [
            Cell(
                week,
                getattr(person, f"w{index}"),
                booked.get((person.pk, week), Decimal("0")) if week <= today else None,
            )
            for index, week in enumerate(weeks_list)
        ]
        person.over = any(cell.percent > 100 for cell in person.cells)
    return {
        "weeks": weeks_list,
        "people": people_rows,
        "departments": department_rows(people, weeks_list),
        "flags": flags(user, people, weeks_list),
        "levels": LEVELS,
    }


def department_rows(people, weeks_list) -> list[dict]:
    """Per department: headcount and the mean allocation per week (sum ÷ headcount)."""
    sums = {}
    for index, week in enumerate(weeks_list):
        overlap = Q(
            allocations__start__lte=week + timedelta(days=6),
            allocations__end__gte=week,
        )
        sums[f"w{index}"] = Coalesce(
            Sum("allocations__percent", filter=overlap), Value(0), output_field=IntegerField()
        )
    totals = {row["department_id"]: row for row in people.order_by().values("department_id").annotate(**sums)}
    heads = {
        row["department_id"]: row["n"]
        for row in people.order_by().values("department_id").annotate(n=Count("pk", distinct=True))
    }
    names = dict(Department.objects.filter(pk__in=[k for k in heads if k]).values_list("pk", "name"))
    rows = []
    for department_id, headcount in sorted(heads.items(), key=lambda item: names.get(item[0], "")):
        totals_row = totals.get(department_id, {})
        cells = []
        for index, week in enumerate(weeks_list):
            total = totals_row.get(f"w{index}", 0) or 0
            cells.append(Cell(week, round(total / headcount) if headcount else 0))
        rows.append(
            {
                "department_id": department_id,
                "name": names.get(department_id) or str(_("No department")),
                "headcount": headcount,
                "cells": cells,
            }
        )
    return rows


def flags(user, people, weeks_list) -> dict:
    """Who is over-allocated in the window, who is on the bench this week, which planned roles
    have nobody on the team."""
    sums = _week_sums(weeks_list)
    over = Q()
    for name in sums:
        over |= Q(**{f"{name}__gt": 100})
    over_people = list(
        people.annotate(**sums).filter(over).select_related("department").order_by("full_name")[:FLAG_LIMIT]
    )
    for person in over_people:
        person.peak = max(getattr(person, name) for name in sums)
    this_week = monday(timezone.localdate())
    current = _week_sums([this_week])
    bench = list(
        people.annotate(load=current["w0"])
        .filter(load=0)
        .select_related("department")
        .order_by("full_name")[:FLAG_LIMIT]
    )
    projects = Project.objects.visible_to(user).filter(state__in=WORKING_STATES)
    roles = list(unstaffed_roles(projects)[:FLAG_LIMIT])
    project_of = {
        p.plan_version_id: p for p in projects.filter(plan_version_id__in=[row.version_id for row in roles])
    }
    for row in roles:
        row.project = project_of.get(row.version_id)
    return {"over": over_people, "bench": bench, "unstaffed": roles}
