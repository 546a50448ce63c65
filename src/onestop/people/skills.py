"""The skills matrix and the search "who knows X at level ≥ n and is free in <month>" (HR-4).

Free capacity in a month = 100% − the sum of the person's allocations (projects.ProjectMember)
on running projects (opened or in progress) whose planned period overlaps that month. One query
for the search (subqueries per person), three for a page of the matrix, whatever the rows.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.db.models import IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from onestop.accounts.models import User
from onestop.people import rules as r
from onestop.people.access import people_scope
from onestop.people.models import Course, PersonSkill, Skill
from onestop.projects.models import ProjectMember
from onestop.projects.states import ACTIVE


def month_bounds(month: date) -> tuple[date, date]:
    return month.replace(day=1), month.replace(day=calendar.monthrange(month.year, month.month)[1])


def people_for(user):
    """The staff whose skills ``user`` may see (the same rule as PersonSkill.visible_to)."""
    staff = User.objects.staff().filter(is_active=True)
    if r.sees_all_people(user) or r.is_project_lead(user) or r.is_management(user):
        return staff
    return people_scope(staff, user, "pk") if user.client_organization_id is None else staff.none()


def allocation_in(month: date):
    start, end = month_bounds(month)
    return Coalesce(
        Subquery(
            ProjectMember._base_manager.filter(
                user=OuterRef("pk"),
                project__state__in=ACTIVE,
                project__planned_start__lte=end,
                project__planned_end__gte=start,
            )
            .order_by()
            .values("user")
            .annotate(total=Sum("allocation"))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def search(user, *, skill: Skill, level: int, month: date | None = None, free_at_least: int = 0):
    """People who know ``skill`` at ``level`` or above (their best level over all sources) and,
    given a month, have at least ``free_at_least``% free: best level first, then the freest."""
    best = (
        PersonSkill._base_manager.filter(employee=OuterRef("pk"), skill=skill)
        .order_by()
        .values("employee")
        .annotate(best=Max("level"))
        .values("best")
    )
    rows = (
        people_for(user).annotate(level=Subquery(best, output_field=IntegerField())).filter(level__gte=level)
    )
    rows = rows.select_related("department", "position")
    if month is None:
        return rows.order_by("-level", "full_name")
    rows = rows.annotate(allocated=allocation_in(month))
    rows = rows.filter(allocated__lte=100 - (free_at_least or 0))
    return rows.order_by("-level", "allocated", "full_name")


def matrix(user, people: list, skills: list) -> dict[tuple[int, int], int]:
    """{(person id, skill id): best level} for one page of people (one query)."""
    levels = (
        PersonSkill._base_manager.filter(
            employee__in=[p.pk for p in people], skill__in=[s.pk for s in skills]
        )
        .order_by()
        .values("employee", "skill")
        .annotate(best=Max("level"))
    )
    return {(row["employee"], row["skill"]): row["best"] for row in levels}


WORKING_LEVEL = 3  # the level at which a person works on their own (the catalogue's scale 1–5)


def training_plan(department, year: int) -> list[dict]:
    """The yearly training plan of a department from its skills gaps (HR-3): for every skill
    someone in the department (or below it) holds, who is below the working level, the courses
    that teach it and their sessions in the year. Four queries whatever the size."""
    members = list(
        User.objects.staff()
        .filter(is_active=True)
        .filter(
            Q(department=department)
            | Q(department__parent=department)
            | Q(department__parent__parent=department)
        )
        .order_by("full_name")
    )
    levels = (
        PersonSkill._base_manager.filter(employee__in=members)
        .order_by()
        .values("employee", "skill")
        .annotate(best=Max("level"))
    )
    best: dict[int, dict[int, int]] = {}
    for row in levels:
        best.setdefault(row["skill"], {})[row["employee"]] = row["best"]
    skills = {skill.pk: skill for skill in Skill.objects.filter(pk__in=best)}
    courses: dict[int, list] = {}
    for course in Course.objects.filter(skill__in=skills).prefetch_related("sessions").order_by("title"):
        sessions = [s for s in course.sessions.all() if s.starts_on.year == year]
        courses.setdefault(course.skill_id, []).append((course, sessions))
    plan = []
    for skill_id, held in best.items():
        below = [person for person in members if held.get(person.pk, 0) < WORKING_LEVEL]
        plan.append(
            {
                "skill": skills[skill_id],
                "holders": sum(1 for level in held.values() if level >= WORKING_LEVEL),
                "below": below,
                "courses": courses.get(skill_id, []),
            }
        )
    plan.sort(key=lambda line: (-len(line["below"]), line["skill"].name))
    return plan
