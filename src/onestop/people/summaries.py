"""Read-only summaries of the people chapter, shared by the pages and the API (HR-8)."""

from __future__ import annotations

from django.db.models import Count

from onestop.people import grading
from onestop.people import rules as r
from onestop.people.access import people_scope
from onestop.people.models import Appraisal


def distribution(user, cycle) -> tuple[list[tuple[str, list[int], int]], list[int]]:
    """The grade distribution of ``cycle`` per department — (department, counts per grade in
    GRADES order, total) — and the totals per grade. HR and management see every department,
    a head the departments under them (one query)."""
    rows = Appraisal._base_manager.all()
    if not (r.sees_all_people(user) or r.is_management(user)):
        rows = people_scope(rows, user)
    counts = (
        rows.filter(cycle=cycle, grade__gt="")
        .order_by()
        .values("department__name", "grade")
        .annotate(n=Count("pk"))
        if cycle is not None
        else []
    )
    table: dict[str, dict[str, int]] = {}
    for row in counts:
        table.setdefault(row["department__name"] or "—", {})[row["grade"]] = row["n"]
    codes = [code for code, _label, _low in grading.GRADES]
    lines = [
        (name, [values.get(code, 0) for code in codes], sum(values.values()))
        for name, values in sorted(table.items())
    ]
    totals = [sum(line[1][i] for line in lines) for i in range(len(codes))]
    return lines, totals
