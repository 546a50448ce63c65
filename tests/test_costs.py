"""Staff allocation, team building, budget and cost (RES-4, RES-5, RES-6, RES-7), through the
pages and the API.

The transitions (ReallocationRequest.approve / reject / withdraw, Expense.submit / approve /
reject) are generic: their tests are the TransitionTestBase classes below.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department, Position
from onestop.core.attachments import add_attachment
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.costs import rollup, services
from onestop.costs.models import (
    Allocation,
    BudgetAlert,
    CostRate,
    CostRollup,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.notifications.models import Notification
from onestop.plans.models import BudgetLine, StaffAssignment
from onestop.projects.models import Project, ProjectMember
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas
from tests.workflow import TransitionCase, TransitionTestBase

# A fixed day (a Wednesday): the project runs 2026-01-05 – 2026-06-30, its first milestone
# (調研完成) is planned for 2026-02-28.
TODAY = date(2026, 3, 18)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def on_today():
    start = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def english(english):
    yield


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    position = Position.objects.create(name="工程師")
    department = Department.objects.create(code="rnd-c", name="技術研發部")
    head = make_user(Role.TECHNICIAN, username="rnd.head", full_name="研發部長", department=department)
    department.head = head
    department.save()
    engineer = make_user(
        Role.TECHNICIAN, username="rnd.eng", full_name="研發工程師", department=department, position=position
    )
    technician = people["technician"]
    type(technician).objects.filter(pk=technician.pk).update(position=position)
    technician.refresh_from_db()
    return {**people, "head": head, "engineer": engineer}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def project_of(personas, index: int = 0) -> Project:
    project = Project.objects.filter(code=f"PJ-T-{index:05d}").first()
    return project or make_project(personas, index)


def allocated(personas, user_key="technician", percent=100, index=0) -> Allocation:
    project = project_of(personas, index)
    user = personas[user_key]
    existing = Allocation.objects.filter(project=project, user=user).first()
    return existing or Allocation.objects.create(
        project=project,
        user=user,
        role="工程師",
        percent=percent,
        start=date(2026, 1, 5),
        end=date(2026, 6, 30),
    )


def receipt(name="receipt.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def budget(project, **amounts):
    for category, amount in amounts.items():
        BudgetLine.objects.create(version=project.plan_version, category=category, amount=Decimal(amount))


# --- generic pages and API per model ------------------------------------------------------------


class TestAllocation(ModelTestBase):
    model = Allocation
    api_basename = "allocation"
    manager = "management"
    viewer = "technician"
    no_view = "client_a"
    outsider = "archive"
    invalid_field = "percent"

    def make_object(self, personas, index=0):
        allocated(personas)
        return Allocation.objects.create(
            project=project_of(personas),
            user=personas["engineer"],
            role=f"測試工程師{index}",
            percent=20,
            start=date(2026, 2, 1),
            end=date(2026, 3, 31),
        )

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "user": personas["engineer"].pk,
            "role": "數據工程師",
            "percent": 40,
            "start": "2026-03-01",
            "end": "2026-04-30",
            "note": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "percent": 60}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "percent": 150}


class TestReallocationRequest(ModelTestBase):
    model = ReallocationRequest
    api_basename = "reallocationrequest"
    manager = "lead"
    viewer = "finance"
    no_view = "client_a"
    outsider = "archive"
    deletable = False
    invalid_field = "percent"

    def make_object(self, personas, index=0):
        return services.request_reallocation(
            actor=personas["lead"],
            project=project_of(personas),
            user=personas["engineer"],
            role=f"標註工程師{index}",
            percent=50,
            start=date(2026, 4, 1),
            end=date(2026, 5, 31),
            reason="模型訓練需要加派標註人員。",
        )

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "user": personas["engineer"].pk,
            "role": "標註工程師",
            "percent": 50,
            "start": "2026-04-01",
            "end": "2026-05-31",
            "reason": "模型訓練需要加派標註人員。",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "percent": 30}

    def api_update_data(self, obj, personas):
        return {"percent": 30}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "percent": 0}


class TestTeamActivity(ModelTestBase):
    model = TeamActivity
    api_basename = "teamactivity"
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return TeamActivity.objects.create(
            title=f"技術分享{index}", held_on=date(2026, 3, 1), cost=Decimal("800")
        )

    def create_data(self, personas):
        return {
            "kind": "training",
            "title": "掙值管理培訓",
            "held_on": "2026-03-10",
            "location": "培訓室",
            "cost": "1200",
            "description": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "cost": "1500"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestTeamParticipant(ModelTestBase):
    model = TeamParticipant
    api_basename = "teamparticipant"
    manager = "hr"
    viewer = "finance"
    no_view = "client_a"
    invalid_field = "rating"

    def activity(self):
        return TeamActivity.objects.first() or TeamActivity.objects.create(
            title="團隊拓展", held_on=date(2026, 3, 1)
        )

    def make_object(self, personas, index=0):
        user = (
            personas["technician"]
            if index == 0
            else type(personas["technician"]).objects.create(username=f"p{index}")
        )
        return TeamParticipant.objects.create(activity=self.activity(), user=user, rating=4)

    def create_data(self, personas):
        return {
            "activity": self.activity().pk,
            "user": personas["engineer"].pk,
            "attended": True,
            "rating": 5,
            "feedback": "很有收穫",
        }

    def update_data(self, obj, personas):
        return {
            "activity": obj.activity_id,
            "user": obj.user_id,
            "attended": True,
            "rating": 3,
            "feedback": "時間太短",
        }

    def api_update_data(self, obj, personas):
        return {"rating": 3, "feedback": "時間太短"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "rating": 9}


class TestCostRate(ModelTestBase):
    model = CostRate
    api_basename = "costrate"
    manager = "finance"
    viewer = "hr"
    no_view = "technician"
    invalid_field = "hourly_rate"

    def make_object(self, personas, index=0):
        return CostRate.objects.create(
            hourly_rate=Decimal("150"), effective_from=date(2025, 1, 1) + timedelta(days=index)
        )

    def create_data(self, personas):
        return {
            "position": Position.objects.get(name="工程師").pk,
            "hourly_rate": "180",
            "effective_from": "2026-01-01",
            "note": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "hourly_rate": "190"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "hourly_rate": "-5"}


class TestTimesheet(ModelTestBase):
    model = Timesheet
    api_basename = "timesheet"
    manager = "technician"
    no_view = "client_a"
    outsider = "quality"
    invalid_field = "hours"

    def make_object(self, personas, index=0):
        allocation = allocated(personas)
        return Timesheet.objects.create(
            user=allocation.user,
            project=allocation.project,
            day=date(2026, 1, 5) + timedelta(days=index % 60),
            hours=Decimal("1"),
        )

    def create_data(self, personas):
        allocated(personas)
        return {
            "project": project_of(personas).pk,
            "task": "",
            "day": "2026-03-16",
            "hours": "7.5",
            "description": "現場調研",
        }

    def api_create_data(self, personas):
        return {**self.create_data(personas), "task": None}

    def update_data(self, obj, personas):
        return {
            "project": obj.project_id,
            "task": "",
            "day": "2026-03-16",
            "hours": "6",
            "description": "現場調研",
        }

    def api_update_data(self, obj, personas):
        return {"hours": "6"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "hours": "30"}


class TestExpense(ModelTestBase):
    model = Expense
    api_basename = "expense"
    manager = "technician"
    no_view = "client_a"
    outsider = "quality"
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        allocation = allocated(personas)
        return Expense.objects.create(
            project=allocation.project,
            category="travel",
            description=f"現場差旅{index}",
            amount=Decimal("860"),
            spent_on=date(2026, 3, 2),
            claimant=allocation.user,
        )

    def create_data(self, personas):
        allocated(personas)
        return {
            "project": project_of(personas).pk,
            "category": "travel",
            "description": "高鐵往返",
            "amount": "560",
            "spent_on": "2026-03-10",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "amount": "580"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": "-1"}


class TestPurchase(ModelTestBase):
    model = Purchase
    api_basename = "purchase"
    manager = "finance"
    viewer = "technician"
    no_view = "client_a"
    outsider = "quality"
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        allocated(personas)
        return Purchase.objects.create(
            project=project_of(personas),
            item=f"傳感器{index}",
            amount=Decimal("1200"),
            purchased_on=date(2026, 2, 1),
        )

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "category": "equipment",
            "item": "振動傳感器",
            "supplier": "測控公司",
            "amount": "5600",
            "purchased_on": "2026-03-01",
            "note": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "amount": "5800"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": "0"}


# --- transitions -------------------------------------------------------------------------------


class TestReallocationTransitions(TransitionTestBase):
    model = ReallocationRequest
    api_basename = "reallocationrequest"
    outsider = "archive"
    transitions = [
        TransitionCase("approve", {"requested"}, "approved", actor="head", forbidden="lead"),
        TransitionCase("reject", {"requested"}, "rejected", actor="head", forbidden="lead"),
        TransitionCase("withdraw", {"requested"}, "withdrawn", actor="lead", forbidden="head"),
    ]

    def make_object(self, personas):
        return TestReallocationRequest().make_object(personas)


class TestExpenseTransitions(TransitionTestBase):
    model = Expense
    api_basename = "expense"
    outsider = "quality"
    transitions = [
        TransitionCase("submit", {"draft"}, "submitted", actor="technician", forbidden="lead"),
        TransitionCase("approve", {"submitted"}, "approved", actor="lead", forbidden="technician"),
        TransitionCase("reject", {"submitted"}, "rejected", actor="lead", forbidden="technician"),
    ]

    def make_object(self, personas):
        expense = TestExpense().make_object(personas)
        add_attachment(expense, receipt(), actor=personas["technician"])
        return expense


# --- RES-4: allocation and utilization -----------------------------------------------------------


def test_RES_4_the_team_is_allocated_from_the_project_team(client, personas):
    project = project_of(personas)
    ProjectMember.objects.create(
        project=project, user=personas["technician"], role="算法工程師", allocation=80
    )
    client.force_login(personas["lead"])
    response = client.post(reverse("costs:allocate_team", args=[project.pk]))
    assert response.status_code == 302
    allocation = Allocation.objects.get(project=project, user=personas["technician"])
    assert (allocation.percent, allocation.role, allocation.source) == (80, "算法工程師", "team")
    assert (allocation.start, allocation.end) == (project.actual_start, project.planned_end)
    response = api(personas["lead"]).post(reverse("api:project-costs-allocate-team", args=[project.pk]))
    assert response.status_code == 200 and response.json() == [], "allocated once"
    assert (
        api(personas["technician"])
        .post(reverse("api:project-costs-allocate-team", args=[project.pk]))
        .status_code
        == 403
    )


def test_RES_4_an_over_allocated_person_is_flagged_on_the_heat_map(client, personas):
    first, second = project_of(personas, 0), project_of(personas, 1)
    technician = personas["technician"]
    for project, percent in ((first, 70), (second, 50)):
        Allocation.objects.create(
            project=project,
            user=technician,
            role="工程師",
            percent=percent,
            start=date(2026, 3, 2),
            end=date(2026, 4, 30),
        )
    Allocation.objects.create(
        project=first,
        user=personas["engineer"],
        role="工程師",
        percent=60,
        start=date(2026, 3, 2),
        end=date(2026, 4, 30),
    )
    client.force_login(personas["management"])
    page = client.get(reverse("costs:heatmap"), {"start": "2026-03-16", "weeks": 4})
    assert page.status_code == 200
    over = page.context["flags"]["over"]
    assert [person.pk for person in over] == [technician.pk]
    assert over[0].peak == 120
    row = next(person for person in page.context["people"] if person.pk == technician.pk)
    assert [cell.percent for cell in row.cells] == [120, 120, 120, 120]
    assert {cell.level for cell in row.cells} == {"over"}
    html = page.content.decode()
    assert "120% !" in html, "the number is shown, not the colour only"
    body = (
        api(personas["management"])
        .get(reverse("api:allocation-heatmap"), {"start": "2026-03-16", "weeks": 4})
        .json()
    )
    assert [row["id"] for row in body["flags"]["over_allocated"]] == [technician.pk]
    assert personas["engineer"].pk not in [row["id"] for row in body["flags"]["bench"]]


def test_RES_4_unstaffed_roles_and_the_bench_are_flagged(client, personas):
    project = project_of(personas)
    StaffAssignment.objects.create(
        version=project.plan_version, user=personas["engineer"], role="測試工程師", allocation=50
    )
    client.force_login(personas["management"])
    flags = client.get(reverse("costs:heatmap")).context["flags"]
    assert [(row.role, row.project) for row in flags["unstaffed"]] == [("測試工程師", project)]
    assert personas["engineer"].pk in [person.pk for person in flags["bench"]]
    ProjectMember.objects.create(project=project, user=personas["engineer"], role="測試工程師", allocation=50)
    assert not client.get(reverse("costs:heatmap")).context["flags"]["unstaffed"]


def test_RES_4_the_heat_map_is_for_planners_only(client, personas):
    for key, status in (("technician", 403), ("client_a", 403), ("hr", 200), ("lead", 200), ("head", 200)):
        client.force_login(personas[key])
        assert client.get(reverse("costs:heatmap")).status_code == status, key


def test_RES_4_a_department_head_sees_only_the_people_of_their_departments(client, personas):
    client.force_login(personas["head"])
    people = {person.pk for person in client.get(reverse("costs:heatmap")).context["people"]}
    assert personas["engineer"].pk in people
    assert personas["technician"].pk not in people


def test_RES_4_heat_map_queries_do_not_grow_with_people_or_allocations(client, personas, make_user):
    project = project_of(personas)
    client.force_login(personas["management"])

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("costs:heatmap"), {"weeks": 12}).status_code == 200
        return len(context)

    allocated(personas)
    queries()
    few = queries()
    for index in range(25):
        user = make_user(Role.TECHNICIAN, username=f"eng{index}")
        Allocation.objects.create(
            project=project,
            user=user,
            role="工程師",
            percent=30 + index,
            start=date(2026, 1, 5),
            end=date(2026, 6, 30),
        )
        Timesheet.objects.create(user=user, project=project, day=date(2026, 3, 16), hours=Decimal("4"))
    assert queries() == few


def test_RES_4_the_heat_map_exports_to_excel(client, personas):
    from openpyxl import load_workbook

    allocated(personas, percent=80)
    client.force_login(personas["management"])
    response = client.get(reverse("costs:heatmap"), {"start": "2026-03-16", "weeks": 2, "export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[0][3:] == ("2026-03-16", "2026-03-23")
    assert (personas["technician"].display_name, 80, 80) in [(row[0], row[3], row[4]) for row in rows[1:]]


def test_RES_4_a_reallocation_approved_by_the_releasing_head_allocates_the_person(client, personas):
    request = TestReallocationRequest().make_object(personas)
    assert request.from_department.head == personas["head"]
    assert Notification.objects.filter(recipient=personas["head"]).exists(), "the head is told"
    client.force_login(personas["head"])
    home = client.get(reverse("home")).content.decode()
    assert "Reallocation request to decide" in home
    response = api(personas["head"]).post(
        reverse("api:reallocationrequest-approve", args=[request.pk]), {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200, response.json()
    request.refresh_from_db()
    allocation = request.allocation
    assert (allocation.user, allocation.percent, allocation.source) == (
        personas["engineer"],
        50,
        "reallocation",
    )
    assert Notification.objects.filter(recipient=personas["lead"], title__contains="released").exists()
    client.force_login(personas["lead"])
    timeline = client.get(request.project.engagement.get_absolute_url()).content.decode()
    assert "released by 技術研發部 to the project (50%)" in timeline


# --- RES-5: team building --------------------------------------------------------------------------


def test_RES_5_a_participant_gives_feedback_on_a_team_training(client, personas):
    activity = services.save_activity(
        TeamActivity(kind="training", title="掙值管理培訓", held_on=date(2026, 3, 10), cost=Decimal("2000")),
        actor=personas["hr"],
    )
    assert activity.organizer == personas["hr"]
    participant = services.save_participant(
        TeamParticipant(activity=activity, user=personas["technician"]), actor=personas["hr"]
    )
    response = api(personas["technician"]).patch(
        reverse("api:teamparticipant-detail", args=[participant.pk]),
        {"rating": 5, "feedback": "很實用"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    other = api(personas["engineer"]).patch(
        reverse("api:teamparticipant-detail", args=[participant.pk]), {"rating": 1}, format="json"
    )
    assert other.status_code == 403
    client.force_login(personas["hr"])
    page = client.get(activity.get_absolute_url())
    assert "很實用" in page.content.decode()


# --- RES-6: timesheets, expenses, purchases ----------------------------------------------------------


def test_RES_6_a_timesheet_on_a_project_the_person_is_not_allocated_to_is_refused(client, personas):
    project = project_of(personas)
    response = api(personas["technician"]).post(
        reverse("api:timesheet-list"),
        {"project": project.pk, "day": "2026-03-16", "hours": "8"},
        format="json",
    )
    # The technician does not even see the project before being allocated: the project is refused.
    assert response.status_code == 400
    allocated(personas, index=1)  # on another project: sees it, still not allocated to this one
    Allocation.objects.create(
        project=project,
        user=personas["technician"],
        role="工程師",
        percent=50,
        start=date(2026, 4, 1),
        end=date(2026, 4, 30),
    )
    response = api(personas["technician"]).post(
        reverse("api:timesheet-list"),
        {"project": project.pk, "day": "2026-03-16", "hours": "8"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "is not allocated to PJ-T-00000 on 2026-03-16" in " ".join(body["errors"]["project"]), body
    client.force_login(personas["technician"])
    page = client.post(
        reverse("costs:timesheet_add"), {"project": project.pk, "day": "2026-03-16", "hours": "8"}
    )
    assert page.status_code == 400
    assert "is not allocated to PJ-T-00000" in page.content.decode()
    assert not Timesheet.objects.exists()


def test_RES_6_a_timesheet_is_valued_at_the_rate_in_force_on_its_day(personas):
    position = Position.objects.get(name="工程師")
    CostRate.objects.create(position=position, hourly_rate=Decimal("180"), effective_from=date(2026, 1, 1))
    CostRate.objects.create(position=position, hourly_rate=Decimal("200"), effective_from=date(2026, 3, 1))
    CostRate.objects.create(position=None, hourly_rate=Decimal("120"), effective_from=date(2025, 1, 1))
    allocation = allocated(personas)
    february = services.log_time(
        actor=personas["technician"], project=allocation.project, day=date(2026, 2, 27), hours=Decimal("8")
    )
    march = services.log_time(
        actor=personas["technician"], project=allocation.project, day=date(2026, 3, 2), hours=Decimal("7.5")
    )
    assert (february.rate, february.cost) == (Decimal("180"), Decimal("1440.00"))
    assert (march.rate, march.cost) == (Decimal("200"), Decimal("1500.00"))
    allocated(personas, user_key="head")
    without_position = services.log_time(
        actor=personas["head"], project=allocation.project, day=date(2026, 3, 2), hours=Decimal("2")
    )
    assert without_position.cost == Decimal("240.00"), "the default rate"


def test_RES_6_an_expense_needs_its_receipt_and_the_leads_approval(client, personas):
    allocated(personas)
    client.force_login(personas["technician"])
    response = client.post(
        reverse("costs:expense_add"),
        {
            "project": project_of(personas).pk,
            "category": "travel",
            "description": "高鐵往返",
            "amount": "560",
            "spent_on": "2026-03-10",
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    refused = api(personas["technician"]).post(
        reverse("api:expense-submit", args=[expense.pk]), {}, format="json"
    )
    assert refused.status_code == 400 and "receipt" in refused.json()["detail"].lower()
    add_attachment(expense, receipt(), actor=personas["technician"])
    assert (
        api(personas["technician"])
        .post(reverse("api:expense-submit", args=[expense.pk]), {}, format="json")
        .status_code
        == 200
    )
    client.force_login(personas["lead"])
    assert "Expense to approve" in client.get(reverse("home")).content.decode()
    assert (
        api(personas["lead"])
        .post(reverse("api:expense-approve", args=[expense.pk]), {}, format="json")
        .status_code
        == 200
    )
    assert Notification.objects.filter(recipient=personas["technician"], title__contains="approved").exists()


# --- RES-6 / RES-7: budget vs actual, earned value, alerts -----------------------------------------


def costed_project(personas):
    """Budget 120,000 (personnel 100,000, travel 20,000); by 2026-02-28: 16 hours at 500
    (8,000), an approved travel expense of 4,000, an equipment purchase of 12,000 (no budget),
    and a travel claim of 1,000 still awaiting approval; milestone 1 is 60 % complete."""
    project = project_of(personas)
    budget(project, personnel="100000", travel="20000")
    CostRate.objects.create(
        position=Position.objects.get(name="工程師"),
        hourly_rate=Decimal("500"),
        effective_from=date(2026, 1, 1),
    )
    allocation = allocated(personas)
    technician = personas["technician"]
    services.log_time(actor=technician, project=project, day=date(2026, 2, 2), hours=Decimal("10"))
    services.log_time(actor=technician, project=project, day=date(2026, 2, 3), hours=Decimal("6"))
    services.log_time(
        actor=technician, project=project, day=date(2026, 3, 16), hours=Decimal("4")
    )  # after the date asked
    approved = services.claim_expense(
        actor=technician,
        project=project,
        category="travel",
        description="差旅",
        amount=Decimal("4000"),
        spent_on=date(2026, 2, 10),
        receipt=receipt(),
    )
    perform_transition(approved, "submit", actor=technician)
    perform_transition(approved, "approve", actor=personas["lead"])
    pending = services.claim_expense(
        actor=technician,
        project=project,
        category="travel",
        description="差旅二",
        amount=Decimal("1000"),
        spent_on=date(2026, 2, 20),
        receipt=receipt(),
    )
    perform_transition(pending, "submit", actor=technician)
    services.record_purchase(
        Purchase(
            project=project,
            category="equipment",
            item="服務器",
            amount=Decimal("12000"),
            purchased_on=date(2026, 2, 15),
        ),
        actor=personas["finance"],
    )
    first = project.milestones.order_by("planned_date").first()
    type(first).objects.filter(pk=first.pk).update(percent_complete=60)
    assert allocation.project == project
    return project


def test_RES_6_budget_vs_actual_CPI_and_SPI_match_the_hand_computed_values(personas):
    from onestop.costs.figures import project_figures

    project = costed_project(personas)
    figures = project_figures(project, as_of=date(2026, 2, 28))
    rows = {row.category: (row.budget, row.actual, row.variance) for row in figures.rows}
    assert rows == {
        "personnel": (Decimal("100000.00"), Decimal("8000.00"), Decimal("92000.00")),
        "equipment": (Decimal("0.00"), Decimal("12000.00"), Decimal("-12000.00")),
        "travel": (Decimal("20000.00"), Decimal("4000.00"), Decimal("16000.00")),
    }
    assert figures.budget == Decimal("120000.00")
    assert figures.actual == Decimal("24000.00")  # 8,000 + 4,000 + 12,000
    assert figures.committed == Decimal("1000.00")  # awaiting approval, not spent
    # PV: milestone 1 of 2 planned on 2026-02-28 → half the work → 60,000.
    assert figures.planned_value == Decimal("60000.00")
    # EV: mean completion (60 % + 0 %) / 2 = 30 % of 120,000 → 36,000.
    assert figures.earned_value == Decimal("36000.00")
    assert figures.cpi == Decimal("1.50")  # 36,000 / 24,000
    assert figures.spi == Decimal("0.60")  # 36,000 / 60,000
    assert figures.forecast == Decimal("80000.00")  # 120,000 / 1.5
    assert figures.forecast_variance == Decimal("40000.00")


def test_RES_6_the_cost_page_and_its_api_show_the_figures(client, personas):
    project = costed_project(personas)
    client.force_login(personas["lead"])
    page = client.get(reverse("costs:project_costs", args=[project.pk]))
    assert page.status_code == 200
    assert page.context["figures"].actual == Decimal("26000.00")  # to today: +4 hours at 500
    assert (
        reverse("costs:project_costs", args=[project.pk])
        in client.get(project.get_absolute_url()).content.decode()
    )
    body = api(personas["finance"]).get(reverse("api:project-costs-detail", args=[project.pk])).json()
    assert (body["actual"], body["budget"]) == ("26000.00", "120000.00")
    for key in ("quality", "client_a"):
        client.force_login(personas[key])
        assert client.get(reverse("costs:project_costs", args=[project.pk])).status_code == 404, key
        assert (
            api(personas[key]).get(reverse("api:project-costs-detail", args=[project.pk])).status_code == 404
        ), key


def test_RES_6_the_cost_page_exports_to_excel(client, personas):
    from openpyxl import load_workbook

    project = costed_project(personas)
    client.force_login(personas["finance"])
    response = client.get(reverse("costs:project_costs", args=[project.pk]), {"export": "xlsx"})
    book = load_workbook(BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].values)
    assert tuple(rows[4][:4]) == ("Total", 120000, 26000, 94000)


def test_RES_6_cost_page_queries_do_not_grow_with_entries(client, personas):
    project = costed_project(personas)
    client.force_login(personas["finance"])
    url = reverse("costs:project_costs", args=[project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    technician = personas["technician"]
    Timesheet.objects.bulk_create(
        Timesheet(
            user=technician,
            project=project,
            day=date(2026, 1, 5) + timedelta(days=n),
            hours=Decimal("1"),
            cost=Decimal("500"),
        )
        for n in range(60)
    )
    Purchase.objects.bulk_create(
        Purchase(
            project=project,
            item=f"耗材{n}",
            amount=Decimal("100"),
            purchased_on=date(2026, 1, 5) + timedelta(days=n),
        )
        for n in range(40)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_RES_6_a_threshold_alert_fires_exactly_once_per_crossing(client, personas):
    project = project_of(personas)
    budget(project, personnel="10000")
    CostRate.objects.create(
        position=Position.objects.get(name="工程師"),
        hourly_rate=Decimal("100"),
        effective_from=date(2026, 1, 1),
    )
    allocated(personas)
    technician, lead = personas["technician"], personas["lead"]

    def book(day, hours):
        services.log_time(actor=technician, project=project, day=date(2026, 3, day), hours=Decimal(hours))

    def alerts_to(user, level):
        return Notification.objects.filter(
            recipient=user, target_id=project.pk, title__contains=level
        ).count()

    book(2, "7")
    for day in (3, 4, 5, 6, 9, 10, 11):
        book(day, "9")  # 7 + 7 × 9 = 70 h → 7,000: 70 %, under the warning
    assert not BudgetAlert.objects.exists()
    book(12, "10")  # 8,000 = 80 %: the warning
    assert list(BudgetAlert.objects.values_list("category", "level")) in (
        [("", "warn"), ("personnel", "warn")],
        [("personnel", "warn"), ("", "warn")],
    )
    warnings = alerts_to(lead, "warning at 80%")
    assert warnings == 2, "total and personnel, once each"
    assert alerts_to(personas["finance"], "warning at 80%") == 2
    book(13, "5")  # 8,500: still past the warning, nothing new
    assert BudgetAlert.objects.count() == 2
    assert alerts_to(lead, "warning at 80%") == warnings
    book(16, "15")  # 10,000 = 100 %: needs approval to spend further
    assert BudgetAlert.objects.filter(level="approval").count() == 2
    assert alerts_to(lead, "needs approval") == 2
    book(17, "1")
    assert BudgetAlert.objects.count() == 4
    assert alerts_to(lead, "needs approval") == 2
    # Past the approval threshold the lead may no longer approve spending; management may.
    expense = services.claim_expense(
        actor=technician,
        project=project,
        category="personnel",
        description="加班餐費",
        amount=Decimal("300"),
        spent_on=date(2026, 3, 17),
        receipt=receipt(),
    )
    perform_transition(expense, "submit", actor=technician)
    client.force_login(personas["management"])
    assert "Expense to approve" in client.get(reverse("home")).content.decode(), "management's now"
    client.force_login(lead)
    assert "Expense to approve" not in client.get(reverse("home")).content.decode()
    assert (
        api(lead).post(reverse("api:expense-approve", args=[expense.pk]), {}, format="json").status_code
        == 403
    )
    assert (
        api(personas["management"])
        .post(reverse("api:expense-approve", args=[expense.pk]), {}, format="json")
        .status_code
        == 200
    )
    refused = api(lead).post(
        reverse("api:purchase-list"),
        {"project": project.pk, "item": "耗材", "amount": "200", "purchased_on": "2026-03-17"},
        format="json",
    )
    assert refused.status_code in (400, 403)


def test_RES_6_an_alert_is_cleared_when_the_budget_is_raised_and_fires_again_on_a_new_crossing(personas):
    from onestop.costs import alerts

    project = project_of(personas)
    budget(project, personnel="1000")
    CostRate.objects.create(
        position=Position.objects.get(name="工程師"),
        hourly_rate=Decimal("100"),
        effective_from=date(2026, 1, 1),
    )
    allocated(personas)
    services.log_time(actor=personas["technician"], project=project, day=date(2026, 3, 2), hours=Decimal("9"))
    assert BudgetAlert.objects.filter(cleared_at__isnull=True, level="warn").count() == 2
    budget(project, personnel="9000")  # an approved plan change raised the budget to 10,000
    alerts.check(project)
    assert not BudgetAlert.objects.filter(cleared_at__isnull=True).exists()
    services.log_time(
        actor=personas["technician"], project=project, day=date(2026, 3, 3), hours=Decimal("24")
    )
    services.log_time(
        actor=personas["technician"], project=project, day=date(2026, 3, 4), hours=Decimal("24")
    )
    services.log_time(
        actor=personas["technician"], project=project, day=date(2026, 3, 5), hours=Decimal("24")
    )
    assert BudgetAlert.objects.filter(cleared_at__isnull=True, level="warn").count() == 2
    assert BudgetAlert.objects.filter(level="warn").count() == 4


# --- RES-7: the roll-up ----------------------------------------------------------------------------


def test_RES_7_the_monthly_roll_up_names_composition_change_and_weak_points(client, personas):
    project = costed_project(personas)
    rows = rollup.roll_up(date(2026, 2, 1))
    (february,) = rows
    assert (february.personnel, february.travel, february.equipment, february.total) == (
        Decimal("8000.00"),
        Decimal("4000.00"),
        Decimal("12000.00"),
        Decimal("24000.00"),
    )
    assert any(
        "Equipment purchase" in point and "no budget" in point for point in february.weak_points
    ) or any("設備" in point for point in february.weak_points)
    (march,) = rollup.roll_up(date(2026, 3, 1))
    assert march.total == Decimal("2000.00") and march.cumulative == Decimal("26000.00")
    rollup.roll_up(date(2026, 3, 1))
    assert CostRollup.objects.count() == 2, "run again: updated in place"
    client.force_login(personas["finance"])
    page = client.get(reverse("costs:rollup"), {"month": "2026-03"})
    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert row.change == Decimal("-22000.00")
    client.force_login(personas["technician"])
    assert client.get(reverse("costs:rollup")).status_code == 403
    assert project.pk == row.project_id


def test_RES_7_the_periodic_task_rolls_up_this_month_and_the_last(personas):
    from onestop.costs.tasks import roll_up_costs

    costed_project(personas)
    roll_up_costs.call_local()
    assert set(CostRollup.objects.values_list("period", flat=True)) == {date(2026, 2, 1), date(2026, 3, 1)}


def test_RES_7_roll_up_page_queries_do_not_grow_with_projects(client, personas):
    costed_project(personas)
    for index in (1, 2, 3):
        project_of(personas, index)
    client.force_login(personas["finance"])
    rollup.roll_up(date(2026, 3, 1))
    client.get(reverse("costs:rollup"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("costs:rollup"))
    for index in (4, 5, 6, 7, 8):
        project_of(personas, index)
    rollup.roll_up(date(2026, 3, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("costs:rollup"))
    assert len(many) == len(few)
