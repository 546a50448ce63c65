"""The people tile of the HR dashboard (X-7, HR-3, HR-8): headcount by department, trainings due
and certificates expiring, and the grade distribution of the last closed appraisal cycle.

A snapshot of today. Personal data stays behind the people app's rules: headcount counts the
staff directory (``User.objects.visible_to``); trainings and certificates are counted over
``Enrolment.objects.visible_to(user)`` (everyone for HR, a head's own departments); the grade
distribution is the people app's summary (``summaries.distribution``: HR and management see
every department's counts), while its drill-down lists the appraisals through
``Appraisal.objects.visible_to`` — management sees the counts, not the appraisals. The
department filter narrows each figure to that department's people; the engagement filters do
not apply to people.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from onestop.cockpit.tiles import HR, Column, Drill, Tile, chart, dataset, drill_url, kpi, record_id, table
from onestop.people import grading, summaries
from onestop.people.models import Appraisal, Cycle, Enrolment
from onestop.people.services import CERTIFICATE_WARNING_DAYS
from onestop.people.states import CycleState, EnrolmentState
from onestop.people.work import UPCOMING_DAYS

NO_DEPARTMENT = "none"


def staff(scope):
    rows = get_user_model().objects.visible_to(scope.user).staff()
    if scope.department is not None:
        rows = rows.filter(department=scope.department)
    return rows


def _department(rows, value, field: str = "department"):
    if value == NO_DEPARTMENT:
        return rows.filter(**{f"{field}__isnull": True})
    if record_id(value) is not None:
        return rows.filter(**{field: record_id(value)})
    return rows if not value else rows.none()


def enrolments(scope):
    rows = Enrolment.objects.visible_to(scope.user)
    if scope.department is not None:
        rows = rows.filter(employee__department=scope.department)
    return rows


def _due(scope) -> Q:
    """Enrolled in a session that starts within the next two weeks (as on "My work")."""
    today = scope.today
    return Q(
        state=EnrolmentState.ENROLLED,
        session__starts_on__range=(today, today + timedelta(days=UPCOMING_DAYS)),
    )


def _expiring(scope) -> Q:
    """A certificate expiring within the reminder's window (people.services.expiring_certificates)."""
    today = scope.today
    window = (today, today + timedelta(days=CERTIFICATE_WARNING_DAYS))
    return Q(state=EnrolmentState.COMPLETED, certificate_expires_on__range=window)


def trainings_due(scope):
    return enrolments(scope).filter(_due(scope))


def certificates_expiring(scope):
    return enrolments(scope).filter(_expiring(scope))


def last_closed_cycle():
    return Cycle.objects.filter(state=CycleState.CLOSED).order_by("-ends_on", "-closed_at", "-pk").first()


def appraisals(scope, value):
    """The graded appraisals of the last closed cycle the user may see (of a department: its id)."""
    cycle = last_closed_cycle()
    if cycle is None:
        return Appraisal.objects.none()
    rows = Appraisal.objects.visible_to(scope.user).filter(cycle=cycle, grade__gt="")
    if scope.department is not None:
        rows = rows.filter(department=scope.department)
    return _department(rows, value)


def people(scope) -> dict:
    headcount = list(
        staff(scope)
        .order_by()
        .values("department_id", "department__name")
        .annotate(n=Count("pk"))
        .order_by("department__name")
    )
    training = enrolments(scope).aggregate(
        due=Count("pk", filter=_due(scope)), expiring=Count("pk", filter=_expiring(scope))
    )
    cycle = last_closed_cycle()
    lines, totals = summaries.distribution(scope.user, cycle)
    if scope.department is not None:
        lines = [line for line in lines if line[0] == scope.department.name]
        totals = [sum(line[1][i] for line in lines) for i in range(len(totals))]
    department_ids = {row["department__name"]: row["department_id"] for row in headcount}
    codes = [code for code, _label, _low in grading.GRADES]
    grade_rows = []
    for name, counts, total in lines:
        key = department_ids.get(name)
        grade_rows.append(
            {
                "cells": [name, *counts, total],
                "drill": drill_url(scope, "people", "appraisals", str(key)) if key else None,
            }
        )
    return {
        "kpis": [
            kpi(
                _("Headcount"),
                sum(row["n"] for row in headcount),  # a dozen departments' counts
                drill=drill_url(scope, "people", "staff"),
                key="headcount",
            ),
            kpi(
                _("Trainings due in the next two weeks"),
                training["due"],
                drill=drill_url(scope, "people", "training"),
                key="training",
            ),
            kpi(
                _("Certificates expiring"),
                training["expiring"],
                drill=drill_url(scope, "people", "certificates"),
                key="certificates",
                tone="warning",
            ),
            kpi(
                _("Appraisals graded in the last closed cycle"),
                sum(totals),
                drill=drill_url(scope, "people", "appraisals") if cycle else None,
                key="graded",
            ),
        ],
        "charts": [
            chart(
                "headcount",
                _("Headcount by department"),
                "bar",
                [row["department__name"] or _("No department") for row in headcount],
                [dataset(_("Headcount"), [row["n"] for row in headcount])],
            ),
            chart(
                "grades",
                _("Grades of the last closed cycle") + (f" ({cycle})" if cycle else ""),
                "bar",
                [label for _code, label, _low in grading.GRADES],
                [dataset(_("Appraisals"), totals)],
            ),
        ],
        "tables": [
            table(
                "headcount",
                _("Headcount by department"),
                [_("Department"), _("Headcount")],
                [
                    {
                        "cells": [row["department__name"] or _("No department"), row["n"]],
                        "drill": drill_url(scope, "people", "staff", row["department_id"] or NO_DEPARTMENT),
                    }
                    for row in headcount
                ],
            ),
            table(
                "grades",
                _("Grades of the last closed cycle by department"),
                [_("Department"), *codes, _("Total")],
                grade_rows,
            ),
        ],
    }


STAFF_COLUMNS = (
    Column(_("full name"), lambda u: u.display_name),
    Column(_("Department"), lambda u: u.department.name if u.department_id else ""),
    Column(_("position"), lambda u: u.position.name if u.position_id else ""),
)
ENROLMENT_COLUMNS = (
    Column(_("employee"), lambda e: e.employee.display_name),
    Column(_("course"), lambda e: e.session.course.title),
    Column(_("from"), lambda e: e.session.starts_on),
    Column(_("certificate expires"), lambda e: e.certificate_expires_on),
)
APPRAISAL_COLUMNS = (
    Column(_("employee"), lambda a: a.employee.display_name),
    Column(_("Department"), lambda a: a.department.name if a.department_id else ""),
    Column(_("grade"), lambda a: a.grade),
)

PEOPLE = Tile(
    "people",
    _("People"),
    people,
    drills={
        "staff": Drill(
            _("Staff"),
            get_user_model(),
            lambda scope, value: _department(staff(scope), value).order_by("full_name", "pk"),
            STAFF_COLUMNS,
            ("department", "position"),
        ),
        "training": Drill(
            _("Trainings due in the next two weeks"),
            Enrolment,
            lambda scope, value: trainings_due(scope).order_by("session__starts_on", "pk"),
            ENROLMENT_COLUMNS,
            ("employee", "session__course"),
        ),
        "certificates": Drill(
            _("Certificates expiring"),
            Enrolment,
            lambda scope, value: certificates_expiring(scope).order_by("certificate_expires_on", "pk"),
            ENROLMENT_COLUMNS,
            ("employee", "session__course"),
        ),
        "appraisals": Drill(
            _("Appraisals of the last closed cycle"),
            Appraisal,
            lambda scope, value: appraisals(scope, value).order_by("department__name", "grade", "pk"),
            APPRAISAL_COLUMNS,
            ("employee", "department"),
        ),
    },
    dashboards=(HR,),
    order=1,
)

TILES = [PEOPLE]
