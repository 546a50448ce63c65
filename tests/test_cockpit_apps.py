"""The company apps' tiles on the cockpit (X-7): the risk heat map and warnings, utilization and
budget, and the HR dashboard. Every figure equals the value worked out by hand from the records
built here, each drill-down lists exactly those records, and the queries do not grow with the
rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.risks import defaults
from onestop.risks import services as risk_services
from onestop.risks.models import Indicator, RiskCategory, Warning
from tests.stages import make_project, stage_personas

PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture
def boss(personas):
    return personas["management"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def tile(user, key, **params):
    response = api(user).get(f"/api/cockpit/tiles/{key}/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def kpis(data) -> dict:
    return {figure["key"]: figure["value"] for figure in data["kpis"]}


def table(data, key) -> dict:
    """The table's rows by their first cell."""
    rows = next(t for t in data["tables"] if t["key"] == key)["rows"]
    return {row["cells"][0]: row["cells"][1:] for row in rows}


def drilled(user, key, drill, value=None, column=None, **params) -> list:
    query = {**PERIOD, **params, **({"value": value} if value else {}), "page_size": 200}
    response = api(user).get(f"/api/cockpit/tiles/{key}/drill/{drill}/", query)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    return sorted(row["cells"][column] for row in rows) if column else rows


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return len(captured)


# --- risks and warnings ---------------------------------------------------------------------


def _risk(personas, index, likelihood=None, impact=None, engagement=None):
    risk = risk_services.identify(
        actor=personas["quality"],
        title=f"風險{index}",
        category=RiskCategory.objects.get(code="technical"),
        cause="原因",
        event="事件",
        consequence="後果",
        owner=personas["quality"],
        engagement=engagement,
    )
    if likelihood:
        risk = risk_services.assess(risk, actor=personas["quality"], likelihood=likelihood, impact=impact)
    return risk


def _warning(index, level, *, state="open", escalations=0, engagement=None):
    return Warning.objects.create(
        code=f"WRN-T-{index}",
        indicator=Indicator.objects.order_by("pk")[index % 2],
        subject_key=f"t{index}",
        subject=f"條件{index}",
        engagement=engagement,
        level=level,
        raised_level=level,
        value=Decimal("1"),
        roles=",management,quality,",
        state=state,
        escalations=escalations,
    )


def test_X_7_RSK_2_RSK_5_the_risk_tile_counts_the_heat_map_cells_levels_and_open_warnings(
    client, personas, boss
):
    defaults.ensure()
    project = make_project(personas, 1)
    # Default 5 × 5 matrix: (5,5) critical, (4,3) high, (2,2) low; one awaiting assessment.
    critical = [_risk(personas, i, 5, 5) for i in range(2)]
    high = _risk(personas, 2, 4, 3, engagement=project.engagement)
    low = _risk(personas, 3, 2, 2)
    waiting = _risk(personas, 4)
    closed = _risk(personas, 5, 5, 5)
    type(closed).objects.filter(pk=closed.pk).update(state="closed")
    red = _warning(0, "red", escalations=2)
    yellow = _warning(1, "yellow", state="acknowledged", engagement=project.engagement)
    _warning(2, "red", state="closed")

    data = tile(boss, "risks")
    figures = kpis(data)
    assert (figures["open"], figures["severe"], figures["unassessed"]) == (5, 3, 1)
    assert (figures["warnings"], figures["unacknowledged"], figures["escalated"]) == (2, 1, 1)
    heat = table(data, "heatmap")
    assert heat["5 極高"] == [0, 0, 0, 0, 2] and heat["4 高"] == [0, 0, 1, 0, 0] and heat["2 低"][1] == 1
    assert table(data, "levels") == {"Critical": [2], "High": [1], "Medium": [0], "Low": [1]}
    assert table(data, "warnings") == {"Red": [1], "Orange": [0], "Yellow": [1], "Blue": [0]}
    bubbles = {d["label"]: d["data"] for d in data["charts"][0]["datasets"]}
    assert [(p["x"], p["y"], p["count"]) for p in bubbles["Critical"]] == [(5, 5, 2)]
    assert data["charts"][0]["datasets"][3]["colour"] == "#c62828"  # critical: the matrix's colour

    number = "risk number"
    assert drilled(boss, "risks", "cell", "5-5", number) == sorted(r.code for r in critical)
    assert drilled(boss, "risks", "cell", "critical", number) == sorted(r.code for r in critical)
    assert drilled(boss, "risks", "severe", column=number) == sorted([high.code, *(r.code for r in critical)])
    assert drilled(boss, "risks", "unassessed", column=number) == [waiting.code]
    assert len(drilled(boss, "risks", "open")) == 5 and low.code in drilled(
        boss, "risks", "cell", "2", number
    )
    assert drilled(boss, "risks", "warnings", "unacknowledged", "warning number") == [red.code]
    assert drilled(boss, "risks", "warnings", "yellow", "warning number") == [yellow.code]
    assert drilled(boss, "risks", "cell", "x-1") == []

    # The lead's dashboard: only the lead's engagement — no company-level risks or warnings.
    lead = kpis(tile(personas["lead"], "risks", dashboard="lead"))
    assert (lead["open"], lead["severe"], lead["warnings"]) == (1, 1, 1)

    url = reverse("cockpit:dashboard_quality")
    client.force_login(personas["quality"])
    queries(client, url)
    few = queries(client, url)
    for index in range(6, 30):
        _risk(personas, index, 1 + index % 5, 1 + (index * 3) % 5)
        _warning(index, "orange")
    assert queries(client, url) == few
