"""Incentives and careers (HR-9, HR-10): the generic tests of every model and transition, and the
flows — a selection nominated, voted and announced; the honour certificate as a Chinese PDF; a
rotation that changes the position with history; the payroll export's totals; the privacy matrix."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department, Position, User
from onestop.careers import services
from onestop.careers.models import (
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    Nomination,
    PositionMove,
    Recognition,
    Selection,
    Vote,
)
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from tests.generic import ModelTestBase
from tests.test_people import people_personas
from tests.workflow import TransitionCase, TransitionTestBase


@pytest.fixture
def personas(personas, make_user):
    return people_personas(personas, make_user)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def a_selection(title="2026 年度優秀員工評選", state=None, winners=2):
    today = timezone.localdate()
    selection = Selection.objects.create(
        title=title,
        period="2026 年度",
        nominations_open_on=today - timedelta(days=20),
        nominations_close_on=today - timedelta(days=10),
        voting_opens_on=today - timedelta(days=9),
        voting_closes_on=today + timedelta(days=5),
        winners=winners,
    )
    if state is not None:
        Selection.objects.filter(pk=selection.pk).update(state=state)
        selection.refresh_from_db()
    return selection


def a_plan(personas, state=None):
    plan = DevelopmentPlan.objects.create(
        employee=personas["employee"],
        superior=personas["pmo_head"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        goals="PLC 編程達到 4 級",
        next_review_on=date(2026, 3, 31),
    )
    if state is not None:
        DevelopmentPlan.objects.filter(pk=plan.pk).update(state=state)
        plan.refresh_from_db()
    return plan


def another_position():
    department = Department.objects.get_or_create(code="rnd-q", defaults={"name": "技術研發部"})[0]
    return Position.objects.get_or_create(name="高級工程師", defaults={"department": department})[0]


# --- generic tests of every model ---------------------------------------------------------------


class TestRecognition(ModelTestBase):
    model = Recognition
    manager = "hr"
    viewer = "management"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return Recognition.objects.create(
            employee=personas["employee"],
            kind="commendation",
            title=f"技術創新獎{index}",
            reason="主導接口重構。",
            awarded_on=date(2026, 11, 30),
        )

    def create_data(self, personas):
        return {
            "employee": personas["employee"].pk,
            "kind": "certificate",
            "title": "2026 年度技術創新獎",
            "reason": "主導 MES 接口重構，缺陷率下降 40%。",
            "awarded_on": "2026-11-30",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "2026 年度技術創新一等獎"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestIncentive(ModelTestBase):
    model = Incentive
    manager = "hr"
    viewer = "management"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "period"

    def make_object(self, personas, index=0):
        return Incentive.objects.create(
            employee=personas["employee"],
            kind="bonus",
            amount=Decimal("1000.00") + index,
            period="2026-11",
            reason="季度獎金",
        )

    def create_data(self, personas):
        return {
            "employee": personas["employee"].pk,
            "kind": "allowance",
            "amount": "800.00",
            "currency": "CNY",
            "period": "2026-11",
            "reason": "駐場津貼",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "amount": "900.00"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "period": "2026-13"}


class TestSelection(ModelTestBase):
    model = Selection
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "winners"

    def make_object(self, personas, index=0):
        return a_selection(title=f"評選{index}")

    def create_data(self, personas):
        return {
            "title": "2026 年度優秀員工評選",
            "period": "2026 年度",
            "description": "全體員工投票",
            "nominations_open_on": "2026-12-01",
            "nominations_close_on": "2026-12-10",
            "voting_opens_on": "2026-12-11",
            "voting_closes_on": "2026-12-20",
            "winners": 3,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "winners": 2}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "winners": 0}


class TestNomination(ModelTestBase):
    model = Nomination
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "reason"

    def make_object(self, personas, index=0):
        return Nomination.objects.create(
            selection=a_selection(title=f"評選{index}"), nominee=personas["employee"], reason="表現優秀"
        )

    def create_data(self, personas):
        selection = Selection.objects.filter(title="新評選").first() or a_selection(title="新評選")
        return {
            "selection": selection.pk,
            "nominee": personas["colleague"].pk,
            "reason": "全年項目一次通過驗收",
        }

    def update_data(self, obj, personas):
        return {
            "selection": obj.selection_id,
            "nominee": obj.nominee_id,
            "reason": "全年項目一次通過驗收（補充）",
        }

    def invalid_data(self, personas):
        return {**self.create_data(personas), "reason": ""}


class TestVote(ModelTestBase):
    model = Vote
    manager = "technician"
    outsider = "cs"
    no_view = "client_a"
    invalid_field = "nomination"

    def _voting(self, personas, title):
        selection = Selection.objects.filter(title=title).first() or a_selection(title=title, state="voting")
        first = Nomination.objects.get_or_create(
            selection=selection, nominee=personas["employee"], defaults={"reason": "優秀"}
        )[0]
        second = Nomination.objects.get_or_create(
            selection=selection, nominee=personas["colleague"], defaults={"reason": "優秀"}
        )[0]
        return selection, first, second

    def make_object(self, personas, index=0):
        selection, first, _second = self._voting(personas, f"評選{index}")
        return Vote.objects.create(selection=selection, nomination=first, voter=personas["technician"])

    def create_data(self, personas):
        selection, first, _second = self._voting(personas, "新評選")
        return {"selection": selection.pk, "nomination": first.pk}

    def update_data(self, obj, personas):
        second = Nomination.objects.get(selection=obj.selection, nominee=personas["colleague"])
        return {"selection": obj.selection_id, "nomination": second.pk}

    def invalid_data(self, personas):
        selection, _first, _second = self._voting(personas, "新評選")
        other = self._voting(personas, "別的評選")[1]
        return {"selection": selection.pk, "nomination": other.pk}


class TestCareerPath(ModelTestBase):
    model = CareerPath
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"

    def make_object(self, personas, index=0):
        return CareerPath.objects.create(name=f"序列{index}")

    def create_data(self, personas):
        return {"name": "技術序列", "description": "工程師到技術總監"}

    def update_data(self, obj, personas):
        return {"name": "技術序列（2027）", "description": "工程師到技術總監"}

    def invalid_data(self, personas):
        return {"name": "", "description": ""}


class TestCareerLevel(ModelTestBase):
    model = CareerLevel
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "required_skills"

    def make_object(self, personas, index=0):
        path = CareerPath.objects.get_or_create(name="技術序列")[0]
        return CareerLevel.objects.create(
            path=path, rank=index + 1, title=f"職級{index}", position=personas["position"], criteria="考核 A"
        )

    def create_data(self, personas):
        path = CareerPath.objects.get_or_create(name="管理序列")[0]
        return {
            "path": path.pk,
            "rank": 1,
            "title": "項目經理",
            "position": personas["position"].pk,
            "criteria": "獨立負責中型項目",
            "min_years": "2",
            "required_grade": "B",
            "required_skills": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "path": obj.path_id, "rank": obj.rank, "min_years": "3"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "required_skills": "不存在的技能 3"}


class TestDevelopmentPlan(ModelTestBase):
    model = DevelopmentPlan
    manager = "hr"
    viewer = "employee"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "ends_on"

    def make_object(self, personas, index=0):
        return a_plan(personas)

    def create_data(self, personas):
        return {
            "employee": personas["employee"].pk,
            "superior": personas["pmo_head"].pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "goals": "取得 PMP 認證",
            "next_review_on": "2026-03-31",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "goals": "取得 PMP 認證\n負責一個大型項目"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "ends_on": "2025-12-31"}


class TestDevelopmentReview(ModelTestBase):
    model = DevelopmentReview
    manager = "hr"
    viewer = "employee"
    outsider = "technician"
    no_view = "client_a"
    invalid_field = "notes"

    def _plan(self, personas):
        return DevelopmentPlan.objects.filter(state="agreed").first() or a_plan(personas, state="agreed")

    def make_object(self, personas, index=0):
        return DevelopmentReview.objects.create(
            plan=self._plan(personas), held_on=date(2026, 3, 31), progress="on_track", notes=f"回顧{index}"
        )

    def create_data(self, personas):
        return {
            "plan": self._plan(personas).pk,
            "held_on": "2026-03-31",
            "progress": "behind",
            "notes": "認證考試延後一個月",
            "next_review_on": "2026-06-30",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "progress": "on_track"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "notes": ""}


class TestPositionMove(ModelTestBase):
    model = PositionMove
    manager = "hr"
    viewer = "management"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "reason"

    def make_object(self, personas, index=0):
        return PositionMove.objects.create(
            employee=personas["employee"],
            kind="promotion",
            to_position=another_position(),
            effective_on=date(2026, 12, 1),
            reason=f"晉升{index}",
        )

    def create_data(self, personas):
        return {
            "employee": personas["employee"].pk,
            "kind": "rotation",
            "to_position": another_position().pk,
            "effective_on": "2026-12-01",
            "reason": "輪崗一年",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "reason": "輪崗一年，熟悉研發流程"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "reason": ""}


# --- generic tests of every transition ----------------------------------------------------------


class GenericTransitions(TransitionTestBase):
    def test_declared_transitions_match_the_model(self):
        graph = self.model.transition_graph()
        assert {case.name for case in self.transitions} == set(self.model.generic_transition_names())
        for case in self.transitions:
            assert (set(case.sources), case.target) == (set(graph[case.name][0]), graph[case.name][1])


class TestRecognitionTransitions(GenericTransitions):
    model = Recognition
    outsider = "technician"
    transitions = [
        TransitionCase("approve", {"proposed"}, "approved", actor="management", forbidden="hr"),
        TransitionCase("reject", {"proposed"}, "rejected", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        return TestRecognition().make_object(personas)


class TestIncentiveTransitions(GenericTransitions):
    model = Incentive
    outsider = "technician"
    transitions = [
        TransitionCase("submit", {"draft"}, "submitted", actor="hr", forbidden="employee"),
        TransitionCase("approve_first", {"submitted"}, "second_approval", actor="management", forbidden="hr"),
        TransitionCase(
            "approve", {"submitted", "second_approval"}, "approved", actor="management", forbidden="hr"
        ),
        TransitionCase(
            "reject", {"submitted", "second_approval"}, "rejected", actor="management", forbidden="hr"
        ),
    ]

    def make_object(self, personas):
        return TestIncentive().make_object(personas)

    def make_object_for(self, personas, state, case):
        """Above the second-approval amount for the first of two approvals and for a record that
        already has it (given by someone other than the acting manager)."""
        obj = self.make_object_in(personas, state)
        if case.name == "approve_first" or state == "second_approval":
            first = personas["admin"] if state == "second_approval" else None
            Incentive.objects.filter(pk=obj.pk).update(
                amount=Decimal("50000.01"), approvals_needed=2, first_approved_by=first
            )
            obj.refresh_from_db()
        return obj


class TestSelectionTransitions(GenericTransitions):
    model = Selection
    outsider = None  # every member of staff sees a selection; a client may not open one at all (403)
    transitions = [
        TransitionCase("open_voting", {"nominating"}, "voting", actor="hr", forbidden="technician"),
        TransitionCase("announce", {"voting"}, "announced", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        selection = a_selection()
        nomination = Nomination.objects.create(
            selection=selection, nominee=personas["employee"], reason="優秀"
        )
        Vote.objects.create(selection=selection, nomination=nomination, voter=personas["technician"])
        return selection


class TestDevelopmentPlanTransitions(GenericTransitions):
    model = DevelopmentPlan
    outsider = "technician"
    transitions = [
        TransitionCase("propose", {"draft"}, "proposed", actor="pmo_head", forbidden="employee"),
        TransitionCase("agree", {"proposed"}, "agreed", actor="employee", forbidden="pmo_head"),
        TransitionCase("ask_changes", {"proposed"}, "draft", actor="employee", forbidden="hr"),
        TransitionCase("complete", {"agreed"}, "completed", actor="pmo_head", forbidden="employee"),
    ]

    def make_object(self, personas):
        return a_plan(personas)


class TestPositionMoveTransitions(GenericTransitions):
    model = PositionMove
    outsider = "technician"
    transitions = [
        TransitionCase("approve", {"proposed"}, "approved", actor="management", forbidden="hr"),
        TransitionCase("reject", {"proposed"}, "rejected", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        return TestPositionMove().make_object(personas)


# --- the flows ----------------------------------------------------------------------------------


def test_HR_9_a_selection_is_nominated_voted_and_announced_with_the_right_winners(personas, english):
    hr, boss = personas["hr"], personas["management"]
    employee, colleague, technician = personas["employee"], personas["colleague"], personas["technician"]
    today = timezone.localdate()
    response = api(hr).post(
        "/api/careers/selections/",
        {
            "title": "2026 年度優秀員工評選",
            "period": "2026 年度",
            "nominations_open_on": str(today - timedelta(days=3)),
            "nominations_close_on": str(today - timedelta(days=1)),
            "voting_opens_on": str(today - timedelta(days=1)),
            "voting_closes_on": str(today + timedelta(days=3)),
            "winners": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    selection = Selection.objects.get(pk=response.json()["id"])
    # HR nominates anyone; a superior the people they head; other staff may not nominate at all.
    for person in (employee, technician):
        response = api(hr).post(
            "/api/careers/nominations/",
            {"selection": selection.pk, "nominee": person.pk, "reason": "全年表現優秀"},
            format="json",
        )
        assert response.status_code == 201, response.json()
    response = api(personas["pmo_head"]).post(
        "/api/careers/nominations/",
        {"selection": selection.pk, "nominee": colleague.pk, "reason": "項目一次通過驗收"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = api(technician).post(
        "/api/careers/nominations/",
        {"selection": selection.pk, "nominee": colleague.pk, "reason": "推薦"},
        format="json",
    )
    assert response.status_code == 403
    response = api(hr).post(
        "/api/careers/nominations/",
        {"selection": selection.pk, "nominee": employee.pk, "reason": "再次提名"},
        format="json",
    )
    assert response.status_code == 400  # nominated once per selection
    assert (
        api(hr).post(f"/api/careers/selections/{selection.pk}/open_voting/", {}, format="json").status_code
        == 200
    )

    nominations = {n.nominee_id: n for n in Nomination.objects.filter(selection=selection)}

    def work_urls(user):
        return [row["url"] for row in api(user).get(reverse("api:my-work")).json()]

    assert selection.get_absolute_url() in work_urls(personas["cs"])  # a vote open, not cast yet

    def cast(voter, nominee):
        return api(voter).post(
            "/api/careers/votes/",
            {"selection": selection.pk, "nomination": nominations[nominee.pk].pk},
            format="json",
        )

    response = cast(employee, employee)
    assert response.status_code == 400 and "themselves" in str(response.json()), response.json()
    for voter, nominee in [
        (colleague, employee),
        (personas["cs"], employee),
        (personas["finance"], colleague),
        (personas["quality"], colleague),
        (personas["legal"], technician),
    ]:
        assert cast(voter, nominee).status_code == 201
    assert selection.get_absolute_url() not in work_urls(personas["cs"])  # voted
    response = cast(personas["cs"], colleague)
    assert response.status_code in (400, 409) and "already voted" in str(response.json())
    assert Vote.objects.filter(selection=selection).count() == 5
    # Secret: a voter sees their own vote only, HR every vote; the tally is HR's until announced.
    assert api(personas["cs"]).get("/api/careers/votes/").json()["count"] == 1
    assert api(personas["pmo_head"]).get("/api/careers/votes/").json()["count"] == 0
    assert api(hr).get("/api/careers/votes/").json()["count"] == 5
    client = Client()
    client.force_login(personas["cs"])
    page = client.get(selection.get_absolute_url()).content.decode()
    assert 'id="tally"' not in page and 'id="my-vote"' in page

    assert (
        api(hr).post(f"/api/careers/selections/{selection.pk}/announce/", {}, format="json").status_code
        == 403
    )
    response = api(boss).post(f"/api/careers/selections/{selection.pk}/announce/", {}, format="json")
    assert response.status_code == 200, response.json()
    # One winner asked for, two tied on 2 votes: both win, and each holds an approved recognition.
    winners = set(
        Nomination.objects.filter(selection=selection, is_winner=True).values_list("nominee_id", flat=True)
    )
    assert winners == {employee.pk, colleague.pk}
    assert Nomination.objects.get(selection=selection, nominee=technician).votes_received == 1
    recognitions = Recognition.objects.filter(selection=selection)
    assert {r.employee_id for r in recognitions} == winners
    assert {r.state for r in recognitions} == {"approved"}
    assert cast(personas["archive"], employee).status_code in (400, 403)  # voting is over
    page = client.get(selection.get_absolute_url()).content.decode()
    assert 'id="tally"' in page and employee.display_name in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_HR_9_the_honour_certificate_prints_as_a_chinese_pdf_with_the_persons_name(client, personas):
    recognition = services.save_recognition(
        Recognition(
            employee=personas["employee"],
            kind="certificate",
            title="2026 年度技術創新獎",
            reason="主導 MES 接口重構。",
            awarded_on=date(2026, 11, 30),
        ),
        actor=personas["hr"],
    )
    perform_transition(recognition, "approve", actor=personas["management"])
    client.force_login(personas["employee"])
    url = reverse(
        "core:document_pdf", args=["careers.recognition", recognition.pk, "recognition_certificate"]
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout
    text = text.decode()
    assert "榮譽證書" in text and personas["employee"].display_name in text and "2026 年度技術創新獎" in text
    client.force_login(personas["colleague"])
    assert client.get(url).status_code == 404


def test_HR_10_a_rotation_changes_the_position_and_the_career_history_shows_every_move(client, personas):
    from onestop.people import services as people_services
    from tests.test_people_models import an_appraisal

    employee = personas["employee"]
    appraisal = an_appraisal(personas)  # of the position held before the rotation
    old_position, old_department = employee.position, employee.department
    target = another_position()
    response = api(personas["hr"]).post(
        "/api/careers/position-moves/",
        {
            "employee": employee.pk,
            "kind": "rotation",
            "to_position": target.pk,
            "effective_on": "2026-12-01",
            "reason": "輪崗一年",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    move = response.json()
    assert (move["from_position"], move["from_department"]) == (old_position.pk, old_department.pk)
    response = api(personas["management"]).post(
        f"/api/careers/position-moves/{move['id']}/approve/", {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200, response.json()
    employee.refresh_from_db()
    assert (employee.position, employee.department) == (target, target.department)
    # the user's history keeps the change, by the approver, beside the move's own "from" columns
    assert employee.history.filter(position=target, history_user=personas["management"]).exists()

    # An appraisal result's promotion goes through the same function and shows in the same history.
    action = people_services.propose_action(
        actor=personas["hr"],
        appraisal=appraisal,
        kind="promotion",
        reason="考核優秀",
        new_position=old_position,
    )
    people_services.approve_action(action, actor=personas["management"])
    employee.refresh_from_db()
    assert employee.position == old_position

    steps = (
        api(personas["pmo_head"])
        .get("/api/careers/position-moves/history/", {"employee": employee.pk})
        .json()
    )
    assert sorted(step["to_position"] for step in steps) == sorted([str(target), str(old_position)])
    assert len({step["source"] for step in steps}) == 2  # one from each kind of record
    client.force_login(employee)
    page = client.get(reverse("careers:person", args=[employee.pk])).content.decode()
    assert page.count("<tr>") >= 3 and str(target) in page and "輪崗一年" in page and "考核優秀" in page
    # The path's summary counts the holders of each level's position, never names them.
    path = CareerPath.objects.create(name="技術序列")
    CareerLevel.objects.create(path=path, rank=2, title="高級工程師", position=target, criteria="考核 A")
    client.force_login(personas["technician"])
    page = client.get(path.get_absolute_url()).content.decode()
    assert 'id="path-summary"' in page and employee.display_name not in page
    client.force_login(personas["colleague"])
    assert client.get(reverse("careers:person", args=[employee.pk])).status_code == 404
    history = api(personas["colleague"]).get(
        "/api/careers/position-moves/history/", {"employee": employee.pk}
    )
    assert history.status_code == 404


def test_HR_10_a_promotion_shows_which_criteria_of_its_target_level_are_met(client, personas):
    from onestop.people.models import Appraisal, Cycle, PersonSkill, ResultAction, Skill
    from tests.test_people_models import an_appraisal

    employee = personas["employee"]
    User.objects.filter(pk=employee.pk).update(date_joined=timezone.make_aware(datetime(2026, 6, 1)))
    plc, safety = Skill.objects.create(name="PLC 編程"), Skill.objects.create(name="安全規範")
    PersonSkill.objects.create(employee=employee, skill=plc, level=4, source="superior")
    appraisal = an_appraisal(personas)
    Cycle.objects.filter(pk=appraisal.cycle_id).update(kind="year")
    Appraisal.objects.filter(pk=appraisal.pk).update(grade="A")
    level = CareerLevel.objects.create(
        path=CareerPath.objects.create(name="技術序列"),
        rank=2,
        title="高級工程師",
        position=another_position(),
        criteria="年度考核 B 以上，PLC 編程 3 級",
        min_years=1,
        required_grade="B",
        required_skills="PLC 編程 3\n安全規範 2",
    )
    move = PositionMove.objects.create(
        employee=employee,
        kind="promotion",
        to_position=level.position,
        target_level=level,
        effective_on=date(2026, 12, 1),
        reason="表現優秀",
    )
    del safety

    def criteria(user):
        client.force_login(user)
        html = client.get(move.get_absolute_url()).content.decode()
        assert 'id="promotion-readiness"' in html and "年度考核 B 以上" in html
        return re.findall(r'data-criterion-met="(\w+)"><td>([^<]+)</td><td>[^<]*</td><td>([^<]*)</td>', html)

    # Half a year in the position (one needed), grade A (B needed), PLC 4 (3 needed), no safety skill.
    assert criteria(personas["hr"]) == [
        ("no", "在原職位的年資", "0.5"),
        ("yes", "年度考核等級", "A (2026)"),
        ("yes", "技能：PLC 編程", "4"),
        ("no", "技能：安全規範", "—"),
    ]
    assert criteria(personas["pmo_head"])[1] == ("yes", "年度考核等級", "A (2026)")  # the superior
    # Management decides the move but sees only summaries of appraisals: not the grade.
    assert criteria(personas["management"])[1] == ("unknown", "年度考核等級", "不在您的查閱範圍")
    answer = api(personas["hr"]).get(reverse("api:positionmove-readiness", args=[move.pk]))
    assert [(row["met"], row["actual"]) for row in answer.json()] == [
        (False, "0.5"),
        (True, "A (2026)"),
        (True, "4"),
        (False, "—"),
    ]
    assert (
        api(personas["colleague"]).get(reverse("api:positionmove-readiness", args=[move.pk])).status_code
        == 404
    )
    Appraisal.objects.filter(pk=appraisal.pk).update(grade="C")
    assert criteria(personas["hr"])[1] == ("no", "年度考核等級", "C (2026)")
    # An appraisal result that moved the person into the position counts as the start as well.
    ResultAction.objects.create(
        appraisal=appraisal,
        employee=employee,
        kind="promotion",
        reason="考核優秀",
        new_position=move.from_position,
        effective_on=date(2025, 10, 1),
        state="approved",
    )
    assert criteria(personas["hr"])[0] == ("yes", "在原職位的年資", "1.2")  # since 2025-10-01


def test_HR_9_HR_10_privacy_own_superior_HR_see_others_get_404(client, personas):
    employee = personas["employee"]
    plan = a_plan(personas, state="agreed")
    review = DevelopmentReview.objects.create(
        plan=plan, held_on=date(2026, 3, 31), progress="on_track", notes="順利"
    )
    selection = a_selection(state="voting")
    nomination = Nomination.objects.create(selection=selection, nominee=personas["colleague"], reason="優秀")
    work = [row["url"] for row in api(personas["pmo_head"]).get(reverse("api:my-work")).json()]
    assert plan.get_absolute_url() in work  # its review date has come
    records = {
        "recognition": TestRecognition().make_object(personas),
        "incentive": TestIncentive().make_object(personas),
        "plan": plan,
        "review": review,
        "move": TestPositionMove().make_object(personas),
        "vote": Vote.objects.create(selection=selection, nomination=nomination, voter=employee),
    }
    seen = {
        # persona: the kinds they see (the others answer 404)
        "employee": set(records),
        "pmo_head": {"recognition", "incentive", "plan", "review", "move"},  # votes are secret
        "hr": set(records),
        "management": {"recognition", "incentive", "move"},  # decides these; plans are not its
        "colleague": set(),
        "technician": set(),
        "client_a": set(),
    }
    for persona, kinds in seen.items():
        client.force_login(personas[persona])
        for kind, record in records.items():
            expected = 200 if kind in kinds else 404
            assert client.get(record.get_absolute_url()).status_code == expected, (persona, kind)
            opts = record._meta
            url = reverse(f"api:{opts.model_name}-detail", args=[record.pk])
            # A client may not open these kinds at all: the API says 403 (the page 404, as above).
            api_expected = 403 if persona == "client_a" else expected
            assert api(personas[persona]).get(url).status_code == api_expected, (persona, kind)
        expected = 200 if persona in ("employee", "pmo_head", "hr", "management") else 404
        assert client.get(reverse("careers:person", args=[employee.pk])).status_code == expected, persona
        # The person's own page (every member of staff may open it) shows the same records to the
        # same people, and none of them to anyone else.
        if persona != "client_a":
            html = client.get(employee.get_absolute_url()).content.decode()
            for kind, panel in (("recognition", "person-recognitions"), ("incentive", "person-incentives")):
                shown = f'data-record="{records[kind].pk}"' in html.split(f'id="{panel}"', 1)[-1]
                assert shown == (kind in kinds and f'id="{panel}"' in html), (persona, kind)
            assert ('id="person-recognitions"' in html) == ("recognition" in kinds), persona


def test_HR_9_EXT_4_an_incentive_above_the_policys_amount_needs_two_different_managers(
    client, personas, make_user, english
):
    from onestop.cockpit import services as cockpit_services
    from onestop.core import policy

    hr, chen = personas["hr"], personas["management"]
    wang = make_user(Role.MANAGEMENT, username="mgmt.wang2", full_name="王副總")
    assert policy.value("careers.incentive_second_approval_above") == Decimal("50000")

    def submitted(amount):
        row = services.save_incentive(
            Incentive(
                employee=personas["employee"],
                kind="bonus",
                amount=Decimal(amount),
                period="2026-12",
                reason="年度專項獎",
            ),
            actor=hr,
        )
        perform_transition(row, "submit", actor=hr)
        return row

    # At the threshold one approval is enough: the page offers "Approve", not the first of two.
    small = submitted("50000.00")
    client.force_login(chen)
    page = client.get(small.get_absolute_url()).content.decode()
    assert 'data-transition="approve"' in page and 'data-transition="approve_first"' not in page
    assert (
        api(chen).post(f"/api/careers/incentives/{small.pk}/approve/", {}, format="json").status_code == 200
    )

    # Above it: "Approve" now would be refused with the reason; the first of two is offered.
    large = submitted("60000.00")
    page = client.get(large.get_absolute_url()).content.decode()
    assert 'data-transition="approve_first"' in page and 'data-transition="approve"' not in page
    refused = api(chen).post(f"/api/careers/incentives/{large.pk}/approve/", {}, format="json")
    assert refused.status_code == 400 and "second manager" in refused.json()["detail"], refused.json()
    answer = api(chen).post(
        f"/api/careers/incentives/{large.pk}/approve_first/", {"comment": "同意"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["state"], answer.json()["first_approved_by"]) == ("second_approval", chen.pk)
    assert answer.json()["needs_second_approval"] is True

    # The first approver cannot give the second approval (403, no button, not on their "My work");
    # another manager is told, finds it on "My work" and approves it.
    assert (
        api(chen).post(f"/api/careers/incentives/{large.pk}/approve/", {}, format="json").status_code == 403
    )
    assert 'data-transition="approve"' not in client.get(large.get_absolute_url()).content.decode()
    assert large.get_absolute_url() not in [
        row["url"] for row in api(chen).get(reverse("api:my-work")).json()
    ]
    assert large.get_absolute_url() in [row["url"] for row in api(wang).get(reverse("api:my-work")).json()]
    assert wang.notifications.filter(
        url=large.get_absolute_url(), title__startswith="Second approval"
    ).exists()
    assert not chen.notifications.filter(url=large.get_absolute_url()).exists()  # not asked twice
    answer = api(wang).post(f"/api/careers/incentives/{large.pk}/approve/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "approved"
    large.refresh_from_db()
    assert (large.first_approved_by, large.decided_by) == (chen, wang)
    assert hr.notifications.filter(url=large.get_absolute_url()).exists()  # the proposer hears of it

    # A new policy version lowers the amount from tomorrow: an incentive drafted today keeps today's.
    tomorrow = timezone.localdate() + timedelta(days=1)
    values = {**policy.values(), "careers.incentive_second_approval_above": Decimal("1000")}
    version = cockpit_services.propose(
        actor=chen, effective_from=tomorrow, reason="調低複核金額", values=values
    )
    cockpit_services.approve(version, actor=wang)
    today = submitted("5000.00")
    assert not today.needs_second_approval
    assert (
        api(chen).post(f"/api/careers/incentives/{today.pk}/approve/", {}, format="json").status_code == 200
    )
    drafted_tomorrow = Incentive(amount=Decimal("5000.00"), created_at=timezone.now() + timedelta(days=1))
    assert drafted_tomorrow.approvals_required() == 2


def test_HR_9_the_payroll_export_holds_the_months_approved_incentives_and_their_totals(client, personas):
    from openpyxl import load_workbook

    hr, boss = personas["hr"], personas["management"]

    def incentive(person, kind, amount, period, approve=True, **extra):
        row = services.save_incentive(
            Incentive(
                employee=person, kind=kind, amount=Decimal(amount), period=period, reason="季度", **extra
            ),
            actor=hr,
        )
        perform_transition(row, "submit", actor=hr)
        if approve:
            perform_transition(row, "approve", actor=boss)
        return row

    incentive(personas["employee"], "bonus", "8000.00", "2026-11")
    incentive(personas["colleague"], "bonus", "5000.50", "2026-11")
    incentive(personas["colleague"], "allowance", "600.00", "2026-11")
    incentive(personas["employee"], "bonus", "9999.00", "2026-11", approve=False)  # awaiting approval
    incentive(personas["employee"], "bonus", "7000.00", "2026-10")  # another month

    waiting = incentive(personas["employee"], "bonus", "1.00", "2026-12", approve=False)
    work = [row["url"] for row in api(boss).get(reverse("api:my-work")).json()]
    assert waiting.get_absolute_url() in work  # an incentive to approve

    totals = api(hr).get("/api/careers/incentives/payroll/", {"period": "2026-11"}).json()
    assert {(t["kind"], t["count"], Decimal(t["amount"])) for t in totals} == {
        ("bonus", 2, Decimal("13000.50")),
        ("allowance", 1, Decimal("600.00")),
    }
    assert api(hr).get("/api/careers/incentives/payroll/", {"period": "2026-13"}).status_code == 400
    assert (
        api(personas["employee"]).get("/api/careers/incentives/payroll/", {"period": "2026-11"}).status_code
        == 403
    )

    client.force_login(hr)
    page = client.get(reverse("careers:payroll"), {"period": "2026-11"}).content.decode()
    assert "13,000.50" in page and "600.00" in page and "9,999.00" not in page
    response = client.get(
        reverse("careers:incentive_list"), {"payroll": "true", "period": "2026-11", "export": "xlsx"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].values)
    header, body = rows[0], rows[1:]
    amount = header.index(str(Incentive._meta.get_field("amount").verbose_name).capitalize())
    assert len(body) == 3 and sum(Decimal(str(row[amount])) for row in body) == Decimal("13600.50")
    client.force_login(personas["employee"])
    assert client.get(reverse("careers:payroll")).status_code == 403
