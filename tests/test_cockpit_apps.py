"""The company apps' tiles on the cockpit (X-7): the risk heat map and warnings, utilization and
budget, and the HR dashboard. Every figure equals the value worked out by hand from the records
built here, each drill-down lists exactly those records, and the queries do not grow with the
rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department, Position
from onestop.core.roles import Role
from onestop.costs.figures import project_figures
from onestop.costs.models import Allocation, Expense, Purchase, Timesheet
from onestop.people.models import Appraisal, Course, Cycle, Enrolment, IndicatorTemplate, TrainingSession
from onestop.plans.models import BudgetLine
from onestop.recruitment.models import Candidate, HiringNeed
from onestop.risks import defaults
from onestop.risks import services as risk_services
from onestop.risks.models import Indicator, RiskCategory, Warning
from tests.bulk import make_many
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
    assert (
        drilled(boss, "risks", "cell", "x-1")
        == drilled(boss, "risks", "cell", "99999999999999999999-1")
        == []
    )

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


# --- utilization and budget -------------------------------------------------------------------


def test_X_7_RES_4_RES_6_utilization_and_budget_tiles_equal_the_hand_computed_figures(
    personas, boss, make_user
):
    today = timezone.localdate()
    department = Department.objects.create(code="rnd-k", name="研發部")
    tech = personas["technician"]
    type(tech).objects.filter(pk=tech.pk).update(department=department)
    idle = make_user(Role.TECHNICIAN, username="idle", full_name="待命工程師", department=department)
    first, second = make_project(personas, 1), make_project(personas, 2)
    for project in (first, second):
        BudgetLine.objects.filter(version=project.plan_version).delete()
        Allocation.objects.create(
            project=project,
            user=tech,
            role="工程師",
            percent=60,
            start=today - timedelta(days=7),
            end=today + timedelta(days=7),
        )
    Allocation.objects.create(  # over before this week: the idle engineer is on the bench
        project=first,
        user=idle,
        role="工程師",
        percent=100,
        start=today - timedelta(days=60),
        end=today - timedelta(days=14),
    )
    hours = [
        Timesheet.objects.create(user=tech, project=first, day=day, hours=Decimal(h), cost=Decimal(cost))
        for day, h, cost in ((date(2026, 11, 3), "10", "30000"), (date(2026, 11, 10), "6", "20000"))
    ]
    # Budget 120,000 (personnel 100,000, travel 20,000); milestones: one reached 10 days ago (100 %),
    # the next in 30 days (20 %). EV = 120,000 × 60 % = 72,000; PV = 120,000 × (1 + 10/40) / 2 = 75,000.
    BudgetLine.objects.create(version=first.plan_version, category="personnel", amount=Decimal("100000"))
    BudgetLine.objects.create(version=first.plan_version, category="travel", amount=Decimal("20000"))
    reached, coming = first.milestones.order_by("planned_date")
    type(reached).objects.filter(pk=reached.pk).update(
        planned_date=today - timedelta(days=10), percent_complete=100
    )
    type(coming).objects.filter(pk=coming.pk).update(
        planned_date=today + timedelta(days=30), percent_complete=20
    )
    for state, amount in (("approved", "10000"), ("submitted", "999")):
        Expense.objects.create(
            project=first,
            category="travel",
            description="差旅",
            amount=Decimal(amount),
            spent_on=date(2026, 11, 4),
            claimant=tech,
            state=state,
        )
    # The second: budget 10,000 (other), a purchase of 15,000, its milestones past and 0 % done.
    BudgetLine.objects.create(version=second.plan_version, category="other", amount=Decimal("10000"))
    Purchase.objects.create(
        project=second, item="儀器", amount=Decimal("15000"), purchased_on=date(2026, 11, 5)
    )
    # …and a company instrument used on it for 5 days (2–6 Nov, both counted) at 200 a day: 1,000.
    from onestop.resources.models import Checkout, Equipment

    meter = Equipment.objects.create(
        code="EQ-C-1", name="示波器", purpose="量測", estimated_price=Decimal("9000"),
        daily_rate=Decimal("200"), requested_by=tech, state=Equipment.State.IN_STOCK,
    )  # fmt: skip
    Checkout.objects.create(
        equipment=meter, person=tech, project=second, checked_out_on=date(2026, 11, 2),
        due_back_on=date(2026, 11, 6), returned_on=date(2026, 11, 6), daily_rate=Decimal("200"),
    )  # fmt: skip

    # Two weeks of November (10 working days): capacity 2 people × 8 h × 10 = 160 h; 16 h logged.
    november = {"start": "2026-11-02", "end": "2026-11-13", "department": department.pk}
    data = tile(boss, "utilization", **november)
    figures = kpis(data)
    assert (figures["people"], figures["allocated"], figures["utilization"]) == (2, 60.0, 10.0)
    assert (figures["over"], figures["bench"]) == (1, 1)
    assert table(data, "departments")["研發部"] == [2, 60.0, 16.0, 160, 10.0]
    name = "staff member"
    assert drilled(boss, "utilization", "over", column=name, **november) == [tech.display_name]
    assert drilled(boss, "utilization", "bench", column=name, **november) == [idle.display_name]
    logged = drilled(boss, "utilization", "hours", **november)
    assert [(row["id"], row["cells"]["Hours logged"]) for row in logged] == [(tech.pk, 16.0)]
    assert len(drilled(boss, "utilization", "people", department.pk, **november)) == 2

    data = tile(boss, "budget")
    figures = kpis(data)
    assert (figures["running"], figures["budget"], figures["actual"]) == (2, 130000.0, 76000.0)
    assert (figures["cpi"], figures["spi"]) == (0.95, 0.85)  # 72,000 / 76,000 and 72,000 / 85,000
    assert (figures["over"], figures["cpi_low"], figures["spi_low"]) == (1, 1, 2)
    rows = table(data, "projects")
    assert rows[f"{first.code} {first.name}"][1:] == [120000.0, 60000.0, 1.2, 0.96]
    assert rows[f"{second.code} {second.name}"][1:] == [10000.0, 16000.0, 0.0, 0.0]
    assert project_figures(second, with_months=False).actual == Decimal("16000")  # as its cost page
    on_page = project_figures(first, with_months=False)  # the project's cost page agrees
    assert (float(on_page.cpi), float(on_page.spi)) == (1.2, 0.96)
    categories = table(data, "categories")
    assert categories["Personnel"] == [100000.0, 50000.0, 50.0]
    assert categories["Travel"] == [20000.0, 10000.0, 50.0]
    assert categories["Equipment purchase"] == [0.0, 16000.0, None]
    assert categories["Other"] == [10000.0, 0.0, 0.0]
    assert [row["id"] for row in drilled(boss, "budget", "over")] == [second.pk]
    assert [row["id"] for row in drilled(boss, "budget", "cpi")] == [second.pk]
    assert sorted(row["id"] for row in drilled(boss, "budget", "spi")) == sorted([first.pk, second.pk])

    rest = api(boss)
    urls = (
        "/api/cockpit/tiles/budget/",
        "/api/cockpit/tiles/utilization/",
        "/api/cockpit/dashboards/finance/",
    )
    for url in urls:
        queries(rest, url)
    few = [queries(rest, url) for url in urls]
    for index in range(3, 6):
        project = make_project(personas, index)
        Allocation.objects.create(
            project=project, user=idle, role="工程師", percent=30, start=today, end=today
        )
        Purchase.objects.create(project=project, item="耗材", amount=Decimal("100"), purchased_on=today)
    make_many(hours[0], 30)
    assert [queries(rest, url) for url in urls] == few


# --- the HR dashboard -------------------------------------------------------------------------


def _hr_records(personas, make_user, department, today):
    """Two people in ``department``; trainings, certificates, two closed cycles; needs, candidates."""
    tech = personas["technician"]
    type(tech).objects.filter(pk=tech.pk).update(department=department)
    tech.refresh_from_db()
    other = make_user(Role.TECHNICIAN, username="hr.t2", full_name="技術員乙", department=department)
    elsewhere = make_user(Role.TECHNICIAN, username="hr.t3", full_name="別部門", department=None)
    course = Course.objects.create(title="安全生產", kind="internal", hours=2, certificate_months=12)

    def session(days):
        return TrainingSession.objects.create(
            course=course,
            starts_on=today + timedelta(days=days),
            ends_on=today + timedelta(days=days),
            trainer="講師",
            capacity=20,
        )

    soon, later, past = session(5), session(30), session(-300)
    due = Enrolment.objects.create(session=soon, employee=tech, state="enrolled")
    Enrolment.objects.create(session=later, employee=other, state="enrolled")  # not within two weeks
    Enrolment.objects.create(session=soon, employee=elsewhere, state="enrolled")  # another department
    expiring = Enrolment.objects.create(
        session=past, employee=other, state="completed", certificate_expires_on=today + timedelta(days=20)
    )
    Enrolment.objects.create(
        session=past, employee=tech, state="completed", certificate_expires_on=today + timedelta(days=200)
    )

    position = Position.objects.create(name="工程師")
    template = IndicatorTemplate.objects.create(position=position, title="工程師考核")
    cycles = [
        Cycle.objects.create(
            kind="month",
            year=2026,
            number=n,
            starts_on=date(2026, n, 1),
            ends_on=date(2026, n, 28),
            state=state,
        )
        for n, state in ((9, "closed"), (10, "closed"), (11, "open"))
    ]
    graded = []
    for cycle, person, grade in (
        (cycles[1], tech, "A"),
        (cycles[1], other, "C"),
        (cycles[0], tech, "E"),  # an older cycle
        (cycles[2], other, "B"),  # still open
    ):
        appraisal = Appraisal.objects.create(
            cycle=cycle, employee=person, superior=personas["hr"], template=template, department=department
        )
        Appraisal.objects.filter(pk=appraisal.pk).update(grade=grade, state="closed")
        graded.append(appraisal)

    def need(index, state, headcount=1):
        return HiringNeed.objects.create(
            code=f"RN-K-{index}",
            position=position,
            department=department,
            headcount=headcount,
            reason="business_plan",
            target_date=date(2026, 12, 31),
            hiring_manager=personas["hr"],
            requested_by=personas["hr"],
            state=state,
        )

    opening = need(1, "approved", headcount=3)
    need(2, "submitted")
    need(3, "closed")

    def candidate(index, stage, applied=None, hired=None):
        return Candidate.objects.create(
            code=f"CA-K-{index}",
            need=opening,
            full_name=f"應聘者{index}",
            source="job_board",
            stage=stage,
            applied_on=applied or today,
            hired_at=hired,
        )

    screening = [candidate(i, "screening") for i in range(2)]
    interview = candidate(2, "interview")
    candidate(3, "rejected")
    october = timezone.make_aware(datetime(2026, 10, 21, 10))
    hires = [
        candidate(4, "hired", date(2026, 10, 1), october),  # 20 days
        candidate(5, "hired", date(2026, 10, 1), october - timedelta(days=10)),  # 10 days
    ]
    return {
        "people": {tech.pk, other.pk},
        "due": due,
        "expiring": expiring,
        "october": graded[:2],
        "screening": screening,
        "interview": interview,
        "hires": hires,
    }


def test_X_7_HR_the_hr_dashboard_shows_people_and_recruitment_to_hr_only(client, personas, make_user):
    today = timezone.localdate()
    department = Department.objects.create(code="hr-k", name="測試部")
    built = _hr_records(personas, make_user, department, today)
    hr = personas["hr"]
    only = {"dashboard": "hr", "department": department.pk}

    client.force_login(personas["technician"])
    assert client.get(reverse("cockpit:dashboard_hr")).status_code == 403
    assert (
        api(personas["technician"]).get("/api/cockpit/tiles/people/", {"dashboard": "hr"}).status_code == 403
    )
    client.force_login(hr)
    page = client.get(reverse("cockpit:dashboard_hr"), PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'data-tile="people"' in html
        and 'data-tile="recruitment"' in html
        and 'data-tile="utilization"' in html
    )
    assert 'data-tile="pipeline"' not in html
    # Its filters are the ones that narrow people: the period and the department.
    assert 'name="department"' in html and 'name="start"' in html
    assert 'name="lead"' not in html and 'name="client"' not in html

    data = tile(hr, "people", **only)
    figures = kpis(data)
    assert (figures["headcount"], figures["training"], figures["certificates"], figures["graded"]) == (
        2,
        1,
        1,
        2,
    )
    assert table(data, "grades") == {"測試部": [1, 0, 1, 0, 0, 2]}  # October: one A, one C
    assert table(data, "headcount") == {"測試部": [2]}
    assert {row["id"] for row in drilled(hr, "people", "staff", **only)} == built["people"]
    assert drilled(hr, "people", "staff", "99999999999999999999", **only) == []  # no such department
    assert [row["id"] for row in drilled(hr, "people", "training", **only)] == [built["due"].pk]
    assert [row["id"] for row in drilled(hr, "people", "certificates", **only)] == [built["expiring"].pk]
    assert {row["id"] for row in drilled(hr, "people", "appraisals", **only)} == {
        a.pk for a in built["october"]
    }
    assert {row["id"] for row in drilled(hr, "people", "appraisals", department.pk, **only)} == {
        a.pk for a in built["october"]
    }
    # Management sees the counts of the summary, never the appraisals (the people app's rule).
    boss = personas["management"]
    assert kpis(tile(boss, "people", **only))["graded"] == 2
    assert drilled(boss, "people", "appraisals", **only) == []

    data = tile(hr, "recruitment", **only)
    figures = kpis(data)
    assert (figures["needs"], figures["sought"], figures["waiting"]) == (1, 3, 1)
    assert (figures["candidates"], figures["hired"], figures["time_to_hire"], figures["longest"]) == (
        3,
        2,
        15.0,
        20,
    )
    stages = table(data, "stages")
    assert stages["Resume screening"] == [2] and stages["Interviews"] == [1]
    number = "candidate number"
    assert drilled(hr, "recruitment", "candidates", "screening", number, **only) == sorted(
        c.code for c in built["screening"]
    )
    assert drilled(hr, "recruitment", "hired", column=number, **only) == sorted(
        c.code for c in built["hires"]
    )
    assert sorted(row["cells"]["Days to hire"] for row in drilled(hr, "recruitment", "hired", **only)) == [
        10,
        20,
    ]
    assert drilled(hr, "recruitment", "needs", column="need number", **only) == ["RN-K-1"]

    url = reverse("cockpit:dashboard_hr")
    queries(client, url)
    few = queries(client, url)
    october, opening = built["october"][0], built["interview"].need
    for index in range(6):
        person = make_user(Role.TECHNICIAN, username=f"hr.more{index}", department=department)
        Enrolment.objects.create(session=built["due"].session, employee=person, state="enrolled")
        Appraisal.objects.create(
            cycle=october.cycle,
            employee=person,
            superior=hr,
            template=october.template,
            department=department,
        )
        for stage, hired in (("interview", None), ("hired", timezone.now())):
            Candidate.objects.create(
                code=f"CA-M-{index}{stage}",
                need=opening,
                full_name="某",
                source="job_board",
                stage=stage,
                hired_at=hired,
            )
    assert queries(client, url) == few
