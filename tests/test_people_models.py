"""Generic tests of every people model's pages and API (tests/generic.py), and the generic
transitions (tests/workflow.py): Appraisal.uphold / rescore, ResultAction.reject,
Enrolment.approve / cancel / mark_absent."""

from __future__ import annotations

from datetime import date

import pytest

from onestop.people import services
from onestop.people.models import (
    Appraisal,
    CheckIn,
    Course,
    Cycle,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    PersonSkill,
    ResultAction,
    Skill,
    TrainingSession,
)
from tests.generic import ModelTestBase
from tests.test_people import INDICATORS, people_personas
from tests.workflow import TransitionCase, TransitionTestBase


@pytest.fixture
def personas(personas, make_user):
    return people_personas(personas, make_user)


def a_template(personas, title="項目經理考核指標"):
    template = IndicatorTemplate.objects.filter(position=personas["position"], version=1).first()
    if template is None:
        template = IndicatorTemplate.objects.create(position=personas["position"], title=title)
        for order, (category, name, weight, source) in enumerate(INDICATORS):
            Indicator.objects.create(
                template=template,
                category=category,
                name=name,
                weight=weight,
                target="≥ 90%",
                source=source,
                sort_order=order,
            )
    return template


def an_appraisal(personas, state=None):
    a_template(personas)
    cycle = Cycle.objects.filter(kind="month", year=2026, number=1).first() or services.open_cycle(
        actor=personas["hr"], kind="month", year=2026, number=1, self_assessment=False
    )
    appraisal = Appraisal.objects.get(cycle=cycle, employee=personas["employee"])
    if state is not None:
        Appraisal.objects.filter(pk=appraisal.pk).update(state=state)
        appraisal.refresh_from_db()
    return appraisal


class TestIndicatorTemplate(ModelTestBase):
    model = IndicatorTemplate
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return IndicatorTemplate.objects.create(
            position=personas["position"], version=10 + index, title=f"模板{index}"
        )

    def create_data(self, personas):
        return {
            "position": personas["position"].pk,
            "title": "項目經理考核指標",
            "is_active": True,
            "notes": "2026 年版",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "項目經理考核指標（修訂）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "title": ""}


class TestIndicator(ModelTestBase):
    model = Indicator
    api_basename = "appraisalindicator"
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "weight"

    def make_object(self, personas, index=0):
        template = IndicatorTemplate.objects.get_or_create(
            position=personas["position"], version=20, defaults={"title": "模板"}
        )[0]
        return Indicator.objects.create(
            template=template, category="ability", name=f"指標{index}", weight=10, target="≥ 3 次"
        )

    def create_data(self, personas):
        template = IndicatorTemplate.objects.get_or_create(
            position=personas["position"], version=21, defaults={"title": "模板"}
        )[0]
        return {
            "template": template.pk,
            "category": "performance",
            "name": "里程碑按時完成",
            "weight": "20",
            "target": "≥ 90%",
            "target_value": "90",
            "source": "milestones_on_time",
            "sort_order": 1,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "template": obj.template_id, "weight": "25"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "weight": "120"}


class TestCycle(ModelTestBase):
    model = Cycle
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "number"

    def make_object(self, personas, index=0):
        cycle = Cycle(kind="month", year=2030 + index // 12, number=index % 12 + 1)
        cycle.clean()
        cycle.save()
        return cycle

    def create_data(self, personas):
        return {
            "kind": "quarter",
            "year": 2026,
            "number": 2,
            "self_assessment": "on",
            "rollup_method": "mean",
            "rollup_share": 70,
        }

    def api_create_data(self, personas):
        return {
            "kind": "quarter",
            "year": 2026,
            "number": 2,
            "self_assessment": True,
            "rollup_method": "mean",
            "rollup_share": 70,
        }

    def update_data(self, obj, personas):
        return {
            "rollup_method": "weighted",
            "part_weights": "1,1,2",
            "rollup_share": 60,
            "due_on": "2026-07-15",
        }

    def api_update_data(self, obj, personas):
        return {"rollup_share": 60, "due_on": "2026-07-15"}

    def invalid_data(self, personas):
        return {**self.api_create_data(personas), "number": 13}


class TestResultAction(ModelTestBase):
    model = ResultAction
    manager = "hr"
    viewer = "management"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        appraisal = an_appraisal(personas)
        return ResultAction.objects.create(
            appraisal=appraisal, employee=appraisal.employee, kind="commendation", reason=f"表揚{index}"
        )

    def create_data(self, personas):
        return {
            "appraisal": an_appraisal(personas).pk,
            "kind": "reward",
            "reason": "季度考核優秀",
            "amount": "3000.00",
        }

    def update_data(self, obj, personas):
        return {"kind": "reward", "reason": "季度考核優秀（修訂）", "amount": "5000.00"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": ""}


class TestImprovementPlan(ModelTestBase):
    model = ImprovementPlan
    manager = "hr"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "ends_on"

    def make_object(self, personas, index=0):
        return ImprovementPlan.objects.create(
            employee=personas["employee"],
            superior=personas["pmo_head"],
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            goals=f"目標{index}",
        )

    def create_data(self, personas):
        return {
            "employee": personas["employee"].pk,
            "superior": personas["pmo_head"].pk,
            "starts_on": "2026-04-01",
            "ends_on": "2026-06-30",
            "goals": "里程碑按時率 ≥ 90%",
            "support": "每週輔導一次",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "goals": "里程碑按時率 ≥ 95%"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "ends_on": "2026-03-01"}


class TestCheckIn(ModelTestBase):
    model = CheckIn
    manager = "hr"
    outsider = "technician"
    no_view = "client_a"
    invalid_field = "progress"

    def plan(self, personas):
        return ImprovementPlan.objects.first() or ImprovementPlan.objects.create(
            employee=personas["employee"],
            superior=personas["pmo_head"],
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            goals="目標",
        )

    def make_object(self, personas, index=0):
        return CheckIn.objects.create(
            plan=self.plan(personas), held_on=date(2026, 5, 1), progress="on_track", notes=f"面談{index}"
        )

    def create_data(self, personas):
        return {
            "plan": self.plan(personas).pk,
            "held_on": "2026-05-15",
            "progress": "behind",
            "notes": "進度落後一週",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "progress": "on_track"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "progress": "unknown"}


class TestSkill(ModelTestBase):
    model = Skill
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "name"

    def make_object(self, personas, index=0):
        return Skill.objects.create(name=f"技能{index}", category="自動化")

    def create_data(self, personas):
        return {"name": "PLC 編程", "category": "自動化", "description": "1 入門 … 5 專家"}

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "name": obj.name, "category": "工業控制"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "name": ""}


class TestPersonSkill(ModelTestBase):
    model = PersonSkill
    manager = "hr"
    viewer = "colleague"
    outsider = "technician"
    no_view = "client_a"
    invalid_field = "level"

    def make_object(self, personas, index=0):
        skill = Skill.objects.create(name=f"技能{index}")
        return PersonSkill.objects.create(
            employee=personas["employee"], skill=skill, level=3, source="superior"
        )

    def create_data(self, personas):
        skill = Skill.objects.get_or_create(name="PLC 編程")[0]
        return {
            "employee": personas["employee"].pk,
            "skill": skill.pk,
            "level": 4,
            "source": "superior",
            "assessed_on": "2026-06-01",
            "evidence": "主管評定",
        }

    def update_data(self, obj, personas):
        return {
            "employee": obj.employee_id,
            "skill": obj.skill_id,
            "level": 5,
            "source": obj.source,
            "assessed_on": "2026-07-01",
            "evidence": "升級",
        }

    def invalid_data(self, personas):
        return {**self.create_data(personas), "level": 7}


class TestCourse(ModelTestBase):
    model = Course
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "hours"

    def make_object(self, personas, index=0):
        return Course.objects.create(title=f"課程{index}", kind="internal", hours=4)

    def create_data(self, personas):
        return {"title": "信息安全與保密", "kind": "online", "provider": "公司內訓", "hours": "2.0"}

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "hours": "3.0"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "hours": "-1"}


class TestTrainingSession(ModelTestBase):
    model = TrainingSession
    manager = "hr"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "ends_on"

    def course(self):
        return Course.objects.get_or_create(title="PLC 進階", defaults={"kind": "hands_on", "hours": 16})[0]

    def make_object(self, personas, index=0):
        return TrainingSession.objects.create(
            course=self.course(),
            starts_on=date(2027, 1, 10),
            ends_on=date(2027, 1, 11),
            trainer="講師",
            capacity=20,
        )

    def create_data(self, personas):
        return {
            "course": self.course().pk,
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-02",
            "trainer": "外聘講師",
            "location": "培訓室",
            "capacity": 12,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "capacity": 15}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "ends_on": "2027-02-01"}


class TestEnrolment(ModelTestBase):
    model = Enrolment
    manager = "hr"
    outsider = "technician"
    no_view = "client_a"
    deletable = False
    invalid_field = "session"

    def session(self, index=0):
        course = Course.objects.get_or_create(title="安全保密", defaults={"kind": "internal", "hours": 2})[0]
        return TrainingSession.objects.create(
            course=course,
            starts_on=date(2027, 1, 10 + index % 15),
            ends_on=date(2027, 1, 28),
            trainer="許雅雯",
            capacity=30,
        )

    def make_object(self, personas, index=0):
        return Enrolment.objects.create(session=self.session(index), employee=personas["employee"])

    def create_data(self, personas):
        return {"session": self.session().pk, "employee": personas["employee"].pk}

    def update_data(self, obj, personas):
        return {"session": self.session(1).pk, "employee": obj.employee_id}

    def invalid_data(self, personas):
        return {"session": "", "employee": personas["employee"].pk}


# --- generic transitions -----------------------------------------------------------------------


class GenericTransitions(TransitionTestBase):
    """The models' other transitions are service-only, run in tests/test_people.py."""

    def test_declared_transitions_match_the_model(self):
        graph = self.model.transition_graph()
        assert {case.name for case in self.transitions} == set(self.model.generic_transition_names())
        for case in self.transitions:
            assert (set(case.sources), case.target) == (set(graph[case.name][0]), graph[case.name][1])


class TestAppraisalTransitions(GenericTransitions):
    model = Appraisal
    outsider = "technician"
    transitions = [
        TransitionCase("uphold", {"appealed"}, "acknowledged", actor="hr", forbidden="pmo_head"),
        TransitionCase("rescore", {"appealed"}, "scoring", actor="hr", forbidden="employee"),
    ]

    def make_object(self, personas):
        return an_appraisal(personas)


class TestResultActionTransitions(GenericTransitions):
    model = ResultAction
    outsider = "technician"
    transitions = [
        TransitionCase("reject", {"proposed"}, "rejected", actor="management", forbidden="hr"),
    ]

    def make_object(self, personas):
        appraisal = an_appraisal(personas)
        return ResultAction.objects.create(
            appraisal=appraisal, employee=appraisal.employee, kind="commendation", reason="表揚"
        )


class TestEnrolmentTransitions(GenericTransitions):
    model = Enrolment
    outsider = "technician"
    transitions = [
        TransitionCase("approve", {"requested"}, "enrolled", actor="pmo_head", forbidden="employee"),
        TransitionCase("cancel", {"requested", "enrolled"}, "cancelled", actor="hr", forbidden="employee"),
        TransitionCase("mark_absent", {"enrolled"}, "absent", actor="hr", forbidden="pmo_head"),
    ]

    def make_object(self, personas):
        course = Course.objects.get_or_create(title="安全保密", defaults={"kind": "internal", "hours": 2})[0]
        session = TrainingSession.objects.create(
            course=course,
            starts_on=date(2027, 1, 10),
            ends_on=date(2027, 1, 10),
            trainer="許雅雯",
            capacity=30,
        )
        return Enrolment.objects.create(session=session, employee=personas["employee"])
