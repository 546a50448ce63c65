"""The heat map (RSK-2): open risks counted per likelihood × impact cell, for the company, a
department or a project, with a link from every cell to the risks in it.

The counts are one aggregate query (GROUP BY likelihood, impact) over the rows the user may
see, so the page runs the same number of queries for ten risks or ten thousand."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Department
from onestop.projects.models import Project
from onestop.risks.matrix import LEVEL_ORDER, Level, Strategy
from onestop.risks.models import Risk, RiskMatrix, Warning
from onestop.risks.services import current_matrix
from onestop.risks.states import RISK_OPEN, WARNING_OPEN

TOP = 10


@dataclass
class Scope:
    kind: str = "company"  # company | department | project
    department: Department | None = None
    project: Project | None = None

    @classmethod
    def from_request(cls, request) -> Scope:
        department_id = request.GET.get("department") or ""
        project_id = request.GET.get("project") or ""
        if project_id.isdigit():
            project = Project.objects.visible_to(request.user).filter(pk=project_id).first()
            if project is not None:
                return cls(kind="project", project=project)
        if department_id.isdigit():
            department = Department.objects.filter(pk=department_id).first()
            if department is not None:
                return cls(kind="department", department=department)
        return cls()

    def filter(self, risks):
        if self.kind == "project":
            return risks.filter(project=self.project)
        if self.kind == "department":
            return risks.filter(department=self.department)
        return risks

    @property
    def query(self) -> dict:
        if self.kind == "project":
            return {"project": self.project.pk}
        if self.kind == "department":
            return {"department": self.department.pk}
        return {}

    @property
    def label(self) -> str:
        if self.kind == "project":
            return str(self.project)
        if self.kind == "department":
            return str(self.department)
        return _("The whole company")


def matrix_cells(matrix: RiskMatrix, counts: dict | None = None, link=None) -> list[dict]:
    """Rows from the most likely to the least, each a list of cells (impact ascending)."""
    rows = []
    for likelihood in range(matrix.rows, 0, -1):
        cells = []
        for impact in range(1, matrix.columns + 1):
            level = matrix.level_at(likelihood, impact)
            count = (counts or {}).get((likelihood, impact), 0)
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "level": level,
                    "level_label": Level(level).label,
                    "colour": matrix.colour(level),
                    "strategy": matrix.strategy_at(likelihood, impact),
                    "strategy_label": Strategy(matrix.strategy_at(likelihood, impact)).label,
                    "count": count,
                    "url": link(likelihood, impact) if link and count else "",
                }
            )
        rows.append(
            {"likelihood": likelihood, "label": matrix.likelihood_labels[likelihood - 1], "cells": cells}
        )
    return rows


def _list_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value not in (None, ""))
    return reverse("risks:risk_list") + "?" + query


def page_context(user, scope: Scope) -> dict:
    """The heat map of ``scope`` as ``user`` sees it (a fixed number of queries)."""
    matrix = current_matrix()
    risks = scope.filter(Risk.objects.visible_to(user).filter(state__in=RISK_OPEN, likelihood__isnull=False))
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in risks.order_by().values("likelihood", "impact").annotate(n=Count("pk"))
    }
    by_level = dict.fromkeys(Level.values, 0)
    for (likelihood, impact), n in counts.items():
        if 1 <= likelihood <= matrix.rows and 1 <= impact <= matrix.columns:
            by_level[matrix.level_at(likelihood, impact)] += n
    base = {**scope.query, "open": "true"}
    cells = matrix_cells(
        matrix,
        counts,
        link=lambda likelihood, impact: _list_url(**base, likelihood=likelihood, impact=impact),
    )
    top = list(
        risks.select_related("owner", "engagement", "category", "matrix").order_by(
            "-likelihood", "-impact", "next_review"
        )[: TOP * 3]
    )
    top.sort(
        key=lambda risk: (
            -LEVEL_ORDER.get(Level(risk.level), 0) if risk.level else 0,
            risk.next_review or risk.identified_at.date(),
        )
    )
    unassessed = scope.filter(Risk.objects.visible_to(user).filter(state=Risk.State.IDENTIFIED)).count()
    return {
        "matrix": matrix,
        "cells": cells,
        "impact_labels": list(enumerate(matrix.impact_labels, start=1)),
        "levels": [
            {
                "code": level,
                "label": Level(level).label,
                "colour": matrix.colour(level),
                "count": by_level[level],
                "url": _list_url(**base, level=level),
            }
            for level in reversed(Level.values)
        ],
        "total": sum(counts.values()),
        "unassessed": unassessed,
        "unassessed_url": _list_url(**scope.query, state="identified"),
        "top": top[:TOP],
        "scope": scope,
        "departments": list(Department.objects.order_by("name").values("pk", "name")),
        "list_url": _list_url(**base),
    }


def project_context(project: Project, user) -> dict:
    """A project's risk page beyond its heat map: every risk and the open warnings."""
    return {
        "project": project,
        "project_risks": list(
            Risk.objects.visible_to(user)
            .filter(project=project)
            .select_related("owner", "category", "matrix")
            .order_by("state", "-likelihood", "-impact")
        ),
        "warnings": list(
            Warning.objects.visible_to(user)
            .filter(project=project, state__in=WARNING_OPEN)
            .select_related("indicator")
            .order_by("-raised_at")
        ),
        "add_url": reverse("risks:risk_add") + f"?engagement={project.engagement_id}",
    }


def panel(project: Project, user) -> dict | None:
    """The project page's risk panel (projects/presenters.py asks each company app)."""
    if not user.has_perm("risks.view_risk"):
        return None
    risks = Risk.objects.visible_to(user).filter(project=project, state__in=RISK_OPEN)
    by_level = {row["level"]: row["n"] for row in risks.order_by().values("level").annotate(n=Count("pk"))}
    warnings = Warning.objects.visible_to(user).filter(project=project, state__in=WARNING_OPEN).count()
    return {
        "template": "risks/_project_panel.html",
        "levels": [(Level(code).label, by_level.get(code, 0), code) for code in reversed(Level.values)],
        "unassessed": by_level.get("", 0),
        "warnings": warnings,
        "url": reverse("risks:project_risks", args=[project.pk]),
    }
