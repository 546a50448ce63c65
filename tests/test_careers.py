"""Incentives and careers (HR-9, HR-10): the generic tests of every model and transition, and the
flows — a selection nominated, voted and announced; the honour certificate as a Chinese PDF; a
rotation that changes the position with history; the payroll export's totals; the privacy matrix."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import Department, Position
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
        TransitionCase("approve", {"submitted"}, "approved", actor="management", forbidden="hr"),
        TransitionCase("reject", {"submitted"}, "rejected", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        return TestIncentive().make_object(personas)


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
