"""The recruitment tile of the HR dashboard (X-7, HR-1, HR-2): open hiring needs, the candidates
in the process by stage, and the hires of the period with their time to hire.

Counted over ``HiringNeed.objects.visible_to(user)`` and ``Candidate.objects.visible_to(user)``
(HR sees every need and candidate; others only theirs), so every figure and its drill-down read
the same rows. Time to hire = the day of hiring − the day the candidate applied, averaged by the
database over the candidates hired in the period. The department filter is the need's
department; the engagement filters do not apply.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from onestop.cockpit.tiles import (
    HR,
    Column,
    DaysBetween,
    Drill,
    Tile,
    chart,
    dataset,
    drill_url,
    kpi,
    number,
    table,
)
from onestop.recruitment.models import Candidate, HiringNeed
from onestop.recruitment.states import IN_PROCESS, NeedState, Stage

# The stages a candidate still counts in, in the order they are passed.
ACTIVE = (*IN_PROCESS, Stage.OFFER_MADE, Stage.ACCEPTED)


def needs(scope):
    rows = HiringNeed.objects.visible_to(scope.user)
    if scope.department is not None:
        rows = rows.filter(department=scope.department)
    return rows


def open_needs(scope):
    return needs(scope).filter(state=NeedState.APPROVED)


def candidates(scope):
    rows = Candidate.objects.visible_to(scope.user)
    if scope.department is not None:
        rows = rows.filter(need__department=scope.department)
    return rows


def in_process(scope, value=None):
    rows = candidates(scope).filter(stage__in=ACTIVE)
    if value:
        rows = rows.filter(stage=value) if value in ACTIVE else rows.none()
    return rows


def hired(scope):
    start, end = scope.bounds()
    return (
        candidates(scope)
        .filter(stage=Stage.HIRED, hired_at__gte=start, hired_at__lt=end)
        .annotate(_days=DaysBetween(TruncDate("hired_at"), "applied_on"))
    )


def recruitment(scope) -> dict:
    found = needs(scope).aggregate(
        open=Count("pk", filter=Q(state=NeedState.APPROVED)),
        sought=Sum("headcount", filter=Q(state=NeedState.APPROVED)),
        waiting=Count("pk", filter=Q(state=NeedState.SUBMITTED)),
    )
    by_stage = {
        row["stage"]: row["n"] for row in in_process(scope).order_by().values("stage").annotate(n=Count("pk"))
    }
    hires = hired(scope).aggregate(n=Count("pk"), mean=Avg("_days"), longest=Max("_days"))
    labels = dict(Stage.choices)
    mean = round(hires["mean"], 1) if hires["mean"] is not None else None
    return {
        "kpis": [
            kpi(
                _("Open hiring needs"),
                found["open"],
                drill=drill_url(scope, "recruitment", "needs"),
                key="needs",
            ),
            kpi(_("People sought"), found["sought"] or 0, key="sought"),
            kpi(
                _("Hiring needs awaiting approval"),
                found["waiting"],
                drill=drill_url(scope, "recruitment", "needs", NeedState.SUBMITTED),
                key="waiting",
            ),
            kpi(
                _("Candidates in the process"),
                sum(by_stage.values()),  # the counts of a handful of stages
                drill=drill_url(scope, "recruitment", "candidates"),
                key="candidates",
            ),
            kpi(
                _("Hired in the period"),
                hires["n"],
                drill=drill_url(scope, "recruitment", "hired"),
                key="hired",
            ),
            kpi(_("Mean time to hire (days)"), mean, key="time_to_hire"),
            kpi(_("Longest time to hire (days)"), number(hires["longest"]), key="longest"),
        ],
        "charts": [
            chart(
                "stages",
                _("Candidates by stage"),
                "bar",
                [labels[stage] for stage in ACTIVE],
                [dataset(_("Candidates"), [by_stage.get(stage, 0) for stage in ACTIVE])],
                horizontal=True,
            )
        ],
        "tables": [
            table(
                "stages",
                _("Candidates by stage"),
                [_("stage"), _("Candidates")],
                [
                    {
                        "cells": [labels[stage], by_stage.get(stage, 0)],
                        "drill": drill_url(scope, "recruitment", "candidates", stage),
                    }
                    for stage in ACTIVE
                ],
            )
        ],
    }


def _needs(scope, value):
    if value == NeedState.SUBMITTED:
        return needs(scope).filter(state=NeedState.SUBMITTED)
    return open_needs(scope) if not value else needs(scope).none()


NEED_COLUMNS = (
    Column(_("need number"), lambda n: n.code),
    Column(_("position"), lambda n: str(n.position)),
    Column(_("Department"), lambda n: str(n.department)),
    Column(_("headcount"), lambda n: n.headcount),
    Column(_("needed by"), lambda n: n.target_date),
    Column(_("state"), lambda n: n.get_state_display()),
)
CANDIDATE_COLUMNS = (
    Column(_("candidate number"), lambda c: c.code),
    Column(_("full name"), lambda c: c.full_name),
    Column(_("opening"), lambda c: c.need.code),
    Column(_("stage"), lambda c: c.get_stage_display()),
    Column(_("applied"), lambda c: c.applied_on),
)

RECRUITMENT = Tile(
    "recruitment",
    _("Recruitment"),
    recruitment,
    drills={
        "needs": Drill(
            _("Hiring needs"),
            HiringNeed,
            lambda scope, value: _needs(scope, value).order_by("target_date", "pk"),
            NEED_COLUMNS,
            ("position", "department"),
        ),
        "candidates": Drill(
            _("Candidates in the process"),
            Candidate,
            lambda scope, value: in_process(scope, value).order_by("stage_since", "pk"),
            CANDIDATE_COLUMNS,
            ("need",),
        ),
        "hired": Drill(
            _("Hired in the period"),
            Candidate,
            lambda scope, value: hired(scope).order_by("-hired_at", "pk"),
            (*CANDIDATE_COLUMNS, Column(_("Days to hire"), lambda c: c._days)),
            ("need",),
        ),
    },
    dashboards=(HR,),
    order=2,
)

TILES = [RECRUITMENT]
