"""QA-1..3: QC plans, inspections, rectification notices, analysis and improvement, through
the services, the pages and the API.

Every transition of the quality models is service-only and runs through quality.services,
tested here: QCPlan.activate / revise, Inspection.start / complete,
RectificationNotice.respond / close / reopen, ImprovementAction.mark_done /
confirm_effective / mark_not_effective.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from onestop.accounts.models import Department
from onestop.core.exceptions import DomainError
from onestop.core.roles import Role
from onestop.notifications.models import Deadline, Notification
from onestop.notifications.services import process_deadlines
from onestop.quality import analytics, services
from onestop.quality.models import (
    FindingCategory,
    FindingCause,
    ImprovementAction,
    Inspection,
    InspectionItem,
    Phase,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    QCTemplateCheckpoint,
    RectificationNotice,
    SpotCheckDraw,
)
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas

# The quality tests run on a fixed day (a Wednesday mid-month, so "this month" and "this week"
# have days on both sides), whatever the day the suite runs.
TODAY = date(2026, 6, 17)


@pytest.fixture(autouse=True)
def on_today():
    start = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    department = Department.objects.create(code="rnd-q", name="技術研發部")
    head = make_user(Role.TECHNICIAN, username="rnd.head", full_name="研發部長", department=department)
    department.head = head
    department.save()
    member = make_user(Role.TECHNICIAN, username="rnd.member", full_name="研發工程師", department=department)
    other_lead = make_user(Role.PROJECT_LEAD, username="lead2", full_name="項目經理乙")
    return {**people, "head": head, "member": member, "other_lead": other_lead}


@pytest.fixture(autouse=True)
def english(english):
    """English messages everywhere (see tests/conftest.py), also for API calls."""
    yield


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def department():
    return Department.objects.get(code="rnd-q")


def make_template(actor, *, code="standard", active=True, checkpoints=True) -> QCTemplate:
    template = services.save_template(
        QCTemplate(code=code, name="標準質量監控計劃", is_active=active), actor=actor
    )
    if checkpoints:
        for order, (phase, name, frequency) in enumerate(
            [(Phase.RND, "設計評審", 14), (Phase.TESTING, "系統測試", 30), (Phase.DELIVERY, "交付核對", 0)],
            start=1,
        ):
            QCTemplateCheckpoint.objects.create(
                template=template,
                phase=phase,
                name=name,
                indicators=f"{name}指標一\n{name}指標二",
                acceptance_threshold="≥ 95%",
                frequency_days=frequency,
                responsible_department=department(),
                sort_order=order,
            )
    return template


def template_for(personas) -> QCTemplate:
    return services.active_template() or make_template(personas["quality"])


def shared_project(personas, index=900):
    """A project with the persona "technician" on its team (so it sees the project's quality
    records, X-3) but without any quality role."""
    from onestop.projects.models import Project

    return Project.objects.filter(code=f"PJ-T-{index:05d}").first() or project_with_technician(
        personas, index
    )


def project_with_technician(personas, index):
    from onestop.projects.models import ProjectMember

    project = make_project(personas, index)
    ProjectMember.objects.create(project=project, user=personas["technician"], role="工程師", allocation=50)
    return project


def active_plan(personas, project=None) -> QCPlan:
    project = project or shared_project(personas)
    plan = QCPlan.objects.filter(project=project).first()
    if plan is None:
        plan = services.create_qc_plan(project, actor=personas["quality"], template=template_for(personas))
    if plan.state == QCPlan.State.DRAFT:
        services.activate_plan(plan, actor=personas["quality"])
    return plan


def draft_plan(personas) -> QCPlan:
    """A draft plan without checkpoints (the tests add their own)."""
    project = shared_project(personas, 901)
    plan = QCPlan.objects.filter(project=project).first()
    if plan is None:
        plan = services.create_qc_plan(project, actor=personas["quality"], template=template_for(personas))
        plan.checkpoints.all().delete()
    return plan


def inspection_on(personas, *, checkpoint=True, day=None) -> Inspection:
    plan = active_plan(personas)
    return services.plan_inspection(
        project=plan.project,
        checkpoint=plan.checkpoints.first() if checkpoint else None,
        planned_date=day or TODAY,
        inspector=personas["quality"],
        kind=Inspection.Kind.SPOT,
        actor=personas["quality"],
    )


def failed_item(
    personas, category=FindingCategory.DOCUMENTATION, cause=FindingCause.METHOD
) -> InspectionItem:
    inspection = inspection_on(personas)
    item = inspection.items.first()
    return services.record_item(
        item,
        actor=personas["quality"],
        result="fail",
        evidence="設計文檔",
        category=category,
        cause=cause,
        note="文檔未更新",
    )


def answer_all(inspection, actor, failures=()):
    for item in inspection.items.all():
        if item.pk in failures:
            services.record_item(
                item, actor=actor, result="fail", category="testing", cause="staff", note="缺記錄"
            )
        else:
            services.record_item(item, actor=actor, result="pass")


def notice_for(personas, **kwargs) -> RectificationNotice:
    return services.raise_notice(
        failed_item(personas),
        department=department(),
        deadline=TODAY + timedelta(days=7),
        requirement="更新設計文檔並提交複核記錄",
        actor=personas["quality"],
        **kwargs,
    )


# --- generic pages and API of every model --------------------------------------------------


class TestQCTemplate(ModelTestBase):
    model = QCTemplate
    api_basename = "qctemplate"
    manager = "quality"
    deleter = "admin"
    viewer = "lead"
    no_view = "client_a"
    invalid_field = "code"

    def make_object(self, personas, index=0):
        return make_template(personas["quality"], code=f"tpl-{index}", checkpoints=False)

    def create_data(self, personas):
        return {"code": "standard", "name": "標準質量監控計劃", "description": "三階段", "is_active": True}

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "code": obj.code, "name": obj.name + "（修訂）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "code": "不是 代碼!"}


class TestQCTemplateCheckpoint(ModelTestBase):
    model = QCTemplateCheckpoint
    api_basename = "qctemplatecheckpoint"
    manager = "quality"
    viewer = "lead"
    no_view = "client_a"
    invalid_field = "indicators"

    def make_object(self, personas, index=0):
        template = QCTemplate.objects.filter(code="cp-tests").first() or make_template(
            personas["quality"], code="cp-tests", checkpoints=False
        )
        return QCTemplateCheckpoint.objects.create(
            template=template,
            phase=Phase.RND,
            name=f"檢查點 {index}",
            indicators="指標",
            acceptance_threshold="100%",
            responsible_department=department(),
        )

    def create_data(self, personas):
        template = QCTemplate.objects.filter(code="cp-new").first() or make_template(
            personas["quality"], code="cp-new", checkpoints=False
        )
        return {
            "template": template.pk,
            "phase": "testing",
            "name": "系統測試執行",
            "indicators": "測試用例執行率\n缺陷修復率",
            "acceptance_threshold": "執行率 100%",
            "frequency_days": 14,
            "responsible_department": department().pk,
            "sort_order": 1,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "template": obj.template_id, "name": "系統測試執行（修訂）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "indicators": "  \n "}


class TestQCPlan(ModelTestBase):
    model = QCPlan
    api_basename = "qcplan"
    manager = "quality"
    deletable = False
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "project"

    def make_object(self, personas, index=0):
        project = project_with_technician(personas, 300 + index)
        return services.create_qc_plan(project, actor=personas["quality"], template=template_for(personas))

    def create_data(self, personas):
        from onestop.projects.models import Project

        project = make_project(personas, 400 + Project.objects.count())
        return {"project": project.pk, "template": template_for(personas).pk}

    def update_data(self, obj, personas):
        return {"note": "按項目實際調整頻率"}

    def invalid_data(self, personas):
        return {"project": "", "template": template_for(personas).pk}


class TestQCCheckpoint(ModelTestBase):
    model = QCCheckpoint
    api_basename = "qccheckpoint"
    manager = "quality"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "indicators"

    def make_object(self, personas, index=0):
        return QCCheckpoint.objects.create(
            plan=draft_plan(personas),
            phase=Phase.DELIVERY,
            name=f"交付核對 {index}",
            indicators="交付物齊全",
            acceptance_threshold="100%",
            responsible_department=department(),
        )

    def create_data(self, personas):
        return {
            "plan": draft_plan(personas).pk,
            "phase": "rnd",
            "name": "代碼審查",
            "indicators": "審查覆蓋率",
            "acceptance_threshold": "≥ 80%",
            "frequency_days": 7,
            "responsible_department": department().pk,
            "sort_order": 5,
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "plan": obj.plan_id, "frequency_days": 14}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "indicators": ""}


class TestInspection(ModelTestBase):
    model = Inspection
    api_basename = "inspection"
    manager = "quality"
    deleter = "admin"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "planned_date"

    def make_object(self, personas, index=0):
        return inspection_on(personas, day=date(2026, 3, 1) + timedelta(days=index))

    def create_data(self, personas):
        return {
            "project": shared_project(personas).pk,
            "kind": "spot",
            "planned_date": "2026-04-01",
            "inspector": personas["quality"].pk,
        }

    def update_data(self, obj, personas):
        return {"planned_date": "2026-04-02", "inspector": personas["quality"].pk, "summary": "改期"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "planned_date": "not a date"}


class TestInspectionItem(ModelTestBase):
    model = InspectionItem
    api_basename = "inspectionitem"
    manager = "quality"
    deletable = False
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "label"

    def make_object(self, personas, index=0):
        inspection = Inspection.objects.filter(kind="spot").first() or inspection_on(personas)
        return InspectionItem.objects.create(
            inspection=inspection, label=f"附加檢查 {index}", sort_order=50 + index
        )

    def create_data(self, personas):
        inspection = Inspection.objects.filter(code="QI-T-EMPTY").first() or Inspection.objects.create(
            code="QI-T-EMPTY", project=shared_project(personas), planned_date=TODAY, kind="spot"
        )
        return {"inspection": inspection.pk, "label": "附加：現場環境記錄", "sort_order": 99}

    def update_data(self, obj, personas):
        return {"result": "pass", "evidence": "已核對", "category": "", "cause": "", "note": ""}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "label": ""}


class TestSpotCheckDraw(ModelTestBase):
    model = SpotCheckDraw
    api_basename = "spotcheckdraw"
    manager = "quality"
    deletable = False
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "sample_size"

    def make_object(self, personas, index=0):
        active_plan(personas)
        return services.draw_spot_check(
            actor=personas["quality"],
            sample_size=1,
            planned_date=TODAY,
            seed=index,
            inspector=personas["quality"],
        )

    def create_data(self, personas):
        active_plan(personas)
        return {"sample_size": 2, "planned_date": TODAY.isoformat(), "seed": 42, "note": "月度抽查"}

    def update_data(self, obj, personas):
        return {"note": "已通知質量管理部"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "sample_size": 0}


class TestRectificationNotice(ModelTestBase):
    model = RectificationNotice
    api_basename = "rectificationnotice"
    manager = "quality"
    deletable = False
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "requirement"

    def make_object(self, personas, index=0):
        return notice_for(personas)

    def create_data(self, personas):
        return {
            "item": failed_item(personas).pk,
            "department": department().pk,
            "requirement": "補齊測試記錄",
            "deadline": (TODAY + timedelta(days=5)).isoformat(),
        }

    def update_data(self, obj, personas):
        return {"requirement": "補齊測試記錄並複核", "deadline": (TODAY + timedelta(days=9)).isoformat()}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "requirement": ""}


class TestImprovementAction(ModelTestBase):
    model = ImprovementAction
    api_basename = "improvementaction"
    manager = "quality"
    deletable = False
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "source_category"

    def make_object(self, personas, index=0):
        return ImprovementAction.objects.create(
            title=f"改進措施 {index}",
            description="文檔同步機制",
            source_category="documentation",
            owner=personas["head"],
            due_date=TODAY + timedelta(days=30),
        )

    def create_data(self, personas):
        return {
            "title": "文檔隨需求變更同步",
            "description": "需求變更單關閉前須附更新後的設計文檔",
            "source_category": "documentation",
            "source_cause": "method",
            "owner": personas["head"].pk,
            "due_date": (TODAY + timedelta(days=30)).isoformat(),
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "文檔隨需求變更同步（修訂）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "source_category": "", "source_cause": ""}


# --- QA-1: QC plans ---------------------------------------------------------------------------


def test_QA_1_a_qc_plan_is_made_from_the_active_template_with_its_checkpoints(personas):
    template = make_template(personas["quality"])
    project = shared_project(personas)
    plan = services.create_qc_plan(project, actor=personas["lead"])
    assert plan.template == template and plan.state == QCPlan.State.DRAFT
    rows = list(plan.checkpoints.order_by("sort_order").values_list("phase", "name", "frequency_days"))
    assert rows == [("rnd", "設計評審", 14), ("testing", "系統測試", 30), ("delivery", "交付核對", 0)]
    assert {c.source.template_id for c in plan.checkpoints.all()} == {template.pk}
    with pytest.raises(DomainError, match="already has a QC plan"):
        services.create_qc_plan(project, actor=personas["quality"])


def test_QA_1_a_template_version_used_for_a_plan_is_frozen_and_gets_a_new_version(client, personas):
    template = make_template(personas["quality"])
    services.create_qc_plan(shared_project(personas), actor=personas["quality"])
    template.refresh_from_db()
    assert template.in_use
    client.force_login(personas["quality"])
    response = client.post(
        reverse("quality:qctemplate_edit", args=[template.pk]),
        {"code": template.code, "name": "改名", "description": "", "is_active": True},
    )
    assert response.status_code == 400 and "can no longer change" in response.content.decode()
    checkpoint = template.checkpoints.first()
    response = api(personas["quality"]).patch(
        reverse("api:qctemplatecheckpoint-detail", args=[checkpoint.pk]), {"name": "改"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(reverse("quality:qctemplate_new_version", args=[template.pk]))
    copy = QCTemplate.objects.get(code=template.code, version=2)
    assert response.status_code == 302 and copy.checkpoints.count() == 3 and not copy.in_use


def test_QA_1_the_lead_adjusts_checkpoints_while_draft_then_activates_and_must_give_a_reason_to_adjust_again(
    client, personas
):
    make_template(personas["quality"])
    plan = services.create_qc_plan(shared_project(personas), actor=personas["lead"])
    checkpoint = plan.checkpoints.get(name="設計評審")
    client.force_login(personas["lead"])
    data = {
        "phase": "rnd",
        "name": "設計評審",
        "indicators": "設計文檔與方案一致",
        "acceptance_threshold": "問題關閉率 ≥ 95%",
        "frequency_days": 7,
        "responsible_department": department().pk,
        "sort_order": 1,
    }
    assert client.post(reverse("quality:qccheckpoint_edit", args=[checkpoint.pk]), data).status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.frequency_days == 7
    assert (
        client.post(
            reverse("quality:qccheckpoint_delete", args=[plan.checkpoints.get(name="交付核對").pk])
        ).status_code
        == 302
    )
    assert client.post(reverse("quality:qcplan_activate", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.state == QCPlan.State.ACTIVE and plan.activated_at
    # Active: the checkpoints no longer change until the lead chooses "Adjust" with a reason.
    assert client.post(reverse("quality:qccheckpoint_edit", args=[checkpoint.pk]), data).status_code == 403
    assert client.post(reverse("quality:qcplan_revise", args=[plan.pk]), {"comment": ""}).status_code == 400
    response = api(personas["lead"]).post(
        reverse("api:qcplan-revise", args=[plan.pk]), {"comment": "客戶調整測試階段"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "draft"


def test_QA_1_another_lead_may_not_adjust_the_plan_and_a_plan_needs_checkpoints_to_activate(personas):
    make_template(personas["quality"])
    plan = services.create_qc_plan(shared_project(personas), actor=personas["quality"])
    with pytest.raises(PermissionDenied):
        services.activate_plan(plan, actor=personas["other_lead"])
    response = api(personas["other_lead"]).patch(
        reverse("api:qccheckpoint-detail", args=[plan.checkpoints.first().pk]),
        {"frequency_days": 7},
        format="json",
    )
    assert response.status_code == 404  # another project's lead does not see this plan
    plan.checkpoints.all().delete()
    with pytest.raises(DomainError, match="at least one checkpoint"):
        services.activate_plan(plan, actor=personas["lead"])


# --- QA-2: inspections -----------------------------------------------------------------------


def test_QA_2_scheduled_inspections_are_generated_from_the_plan_frequency_and_generation_is_idempotent(
    personas,
):
    plan = active_plan(personas)
    start = plan.project.actual_start
    day = start + timedelta(days=31)
    first = services.generate_due_inspections(day)
    # One per checkpoint for the current period: every 14 days, every 30 days, once.
    assert sorted((i.checkpoint.frequency_days, i.planned_date) for i in first) == [
        (0, start),
        (14, start + timedelta(days=28)),
        (30, start + timedelta(days=30)),
    ]
    assert services.generate_due_inspections(day) == []
    assert services.generate_due_inspections(day + timedelta(days=1)) == []
    later = services.generate_due_inspections(start + timedelta(days=43))
    assert [(i.checkpoint.frequency_days, i.planned_date) for i in later] == [
        (14, start + timedelta(days=42))
    ]
    inspection = first[0]
    labels = list(inspection.items.values_list("check_code", flat=True))
    assert labels[:4] == ["documents", "plan", "test_reports", "delivery"]
    assert inspection.items.count() == 4 + len(inspection.checkpoint.indicator_list)


def test_QA_2_a_spot_check_is_reproducible_from_its_seed_and_population(personas):
    active_plan(personas)
    active_plan(personas, shared_project(personas, 902))
    draw = services.draw_spot_check(actor=personas["quality"], sample_size=3, planned_date=TODAY, seed=7)
    assert len(draw.population) == 6 and len(draw.selection) == 3
    assert services.replay_draw(draw) == draw.selection
    assert draw.inspections.count() == 3 and set(draw.inspections.values_list("kind", flat=True)) == {"spot"}
    same = services.select_sample(draw.population, 7, 3)
    assert same == draw.selection
    others = {
        tuple(u["label"] for u in services.select_sample(draw.population, seed, 3)) for seed in range(8, 20)
    }
    assert any(labels != tuple(u["label"] for u in draw.selection) for labels in others)
    # The stored population keeps the audit possible after the projects move on.
    QCCheckpoint.objects.filter(plan__project__code="PJ-T-00902").update(name="改名")
    draw.refresh_from_db()
    assert draw.replay_matches
    response = api(personas["technician"]).get(reverse("api:spotcheckdraw-replay", args=[draw.pk]))
    assert response.json()["matches"] is True
    with pytest.raises(DomainError, match="larger than the population"):
        services.draw_spot_check(actor=personas["quality"], sample_size=7, planned_date=TODAY)


def test_QA_2_completing_needs_every_item_answered_and_a_failure_needs_category_and_cause(client, personas):
    inspection = inspection_on(personas)
    services.start_inspection(inspection, actor=personas["quality"])
    with pytest.raises(DomainError, match="Answer every item"):
        services.complete_inspection(inspection, actor=personas["quality"])
    item = inspection.items.first()
    client.force_login(personas["quality"])
    response = client.post(
        reverse("quality:inspectionitem_record", args=[item.pk]), {"result": "fail", "evidence": "x"}
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.result == ""
    response = api(personas["quality"]).patch(
        reverse("api:inspectionitem-detail", args=[item.pk]), {"result": "fail"}, format="json"
    )
    assert response.status_code == 400 and {"category", "cause"} <= set(response.json()["errors"])
    answer_all(inspection, personas["quality"], failures={item.pk})
    response = client.post(
        reverse("quality:inspection_complete", args=[inspection.pk]), {"summary": "一項不合格"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (
        inspection.state == "completed"
        and inspection.passed is False
        and inspection.completed_by == personas["quality"]
    )
    # A completed checklist no longer changes.
    with pytest.raises(Exception):  # noqa: B017  permission (closed) or validation
        services.record_item(item, actor=personas["quality"], result="pass")


def checklist_data(inspection, answers):
    """The one-page checklist's POST: every item "pass" unless ``answers`` (by item id) says otherwise."""
    data = {}
    for item in inspection.items.all():
        for name, value in answers.get(item.pk, {"result": "pass"}).items():
            data[f"item-{item.pk}-{name}"] = value
    return data


def test_QA_1_the_one_page_checklist_saves_every_answer_in_one_transaction(client, personas):
    inspection = inspection_on(personas)
    first, *rest = inspection.items.all()
    client.force_login(personas["quality"])
    url = reverse("quality:inspection_checklist", args=[inspection.pk])
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert page.count("app-item-row") == len(rest) + 1 and 'data-action="save-checklist"' in page
    # A failure without its category and cause: nothing is recorded, not even the passes.
    response = client.post(
        url, checklist_data(inspection, {first.pk: {"result": "fail", "evidence": "文檔"}})
    )
    assert response.status_code == 400
    assert "Say what kind of problem was found." in response.content.decode()
    assert not inspection.items.exclude(result="").exists()
    inspection.refresh_from_db()
    assert inspection.state == "planned"
    # With the finding: every item recorded at once, by whom and when; the inspection started.
    failure = {"result": "fail", "evidence": "文檔", "category": "documentation", "cause": "method"}
    response = client.post(url, checklist_data(inspection, {first.pk: failure}))
    assert response.status_code == 302 and response["Location"].endswith("#checklist")
    assert set(inspection.items.values_list("result", flat=True)) == {"pass", "fail"}
    assert set(inspection.items.values_list("recorded_by", flat=True)) == {personas["quality"].pk}
    inspection.refresh_from_db()
    assert inspection.state == "in_progress"
    # Saving the same answers again records nothing more.
    history = InspectionItem.history.count()
    assert client.post(url, checklist_data(inspection, {first.pk: failure})).status_code == 302
    assert InspectionItem.history.count() == history
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert personas["quality"].display_name in page  # who recorded each item


def test_QA_1_the_checklist_through_the_api_is_all_or_nothing(personas):
    inspection = inspection_on(personas)
    first, second, *_rest = inspection.items.all()
    url = reverse("api:inspection-checklist", args=[inspection.pk])
    quality = api(personas["quality"])
    answers = [{"item": first.pk, "result": "pass"}, {"item": second.pk, "result": "fail"}]
    response = quality.post(url, {"answers": answers}, format="json")
    assert response.status_code == 400 and f"item-{second.pk}-category" in response.json()["errors"]
    assert not inspection.items.exclude(result="").exists()
    other = inspection_on(personas).items.first()
    response = quality.post(url, {"answers": [{"item": other.pk, "result": "pass"}]}, format="json")
    assert response.status_code == 400 and "answers" in response.json()["errors"]
    answers[1].update(category="documentation", cause="method")
    response = quality.post(url, {"answers": answers}, format="json")
    assert response.status_code == 200
    assert {row["result"] for row in response.json()["items"] if row["id"] in (first.pk, second.pk)} == {
        "pass",
        "fail",
    }
    assert api(personas["technician"]).post(url, {"answers": answers}, format="json").status_code in (
        403,
        404,
    )


def test_QA_2_the_notice_button_goes_once_the_item_has_its_notice(client, personas):
    notice = notice_for(personas)
    client.force_login(personas["quality"])
    page = client.get(notice.item.inspection.get_absolute_url()).content.decode()
    assert notice.code in page
    assert f'href="{reverse("quality:rectificationnotice_add")}?item={notice.item.pk}"' not in page


def test_QA_2_only_quality_and_the_inspector_run_inspections(client, personas):
    inspection = inspection_on(personas)
    client.force_login(personas["technician"])
    assert client.post(reverse("quality:inspection_start", args=[inspection.pk])).status_code == 403
    item = inspection.items.first()
    assert (
        client.post(reverse("quality:inspectionitem_record", args=[item.pk]), {"result": "pass"}).status_code
        == 403
    )
    assert (
        api(personas["lead"]).post(reverse("api:inspection-start", args=[inspection.pk])).status_code == 403
    )


# --- QA-2: rectification notices ---------------------------------------------------------------


def test_QA_2_a_notice_is_answered_by_the_department_verified_or_reopened_by_quality(client, personas):
    notice = notice_for(personas)
    assert notice.code.startswith("ZG-") and notice.project == notice.inspection.project
    told = set(Notification.objects.filter(target_id=notice.pk).values_list("recipient__username", flat=True))
    assert {"rnd.head", "rnd.member"} <= told
    deadline = Deadline.objects.get(target_id=notice.pk, closed_at__isnull=True)
    assert (deadline.responsible, deadline.escalate_to) == (personas["head"], personas["lead"])
    # Someone outside the department may not answer; a member may.
    client.force_login(personas["technician"])
    response = client.post(
        reverse("quality:rectificationnotice_respond", args=[notice.pk]), {"response": "已改"}
    )
    assert response.status_code == 403
    client.force_login(personas["member"])
    response = client.post(
        reverse("quality:rectificationnotice_respond", args=[notice.pk]), {"response": "已更新設計文檔"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "responded" and notice.responded_by == personas["member"]
    assert not Deadline.objects.filter(target_id=notice.pk, closed_at__isnull=True).exists()
    # The department may not verify its own work; quality reopens with a reason.
    with pytest.raises(PermissionDenied):
        services.verify_notice(notice, actor=personas["head"])
    response = api(personas["quality"]).post(
        reverse("api:rectificationnotice-reopen", args=[notice.pk]), {}, format="json"
    )
    assert response.status_code == 400
    services.reopen_notice(notice, actor=personas["quality"], reason="缺少複核記錄")
    assert notice.state == "reopened" and notice.reopen_count == 1
    assert Deadline.objects.filter(target_id=notice.pk, closed_at__isnull=True).exists()
    services.respond_notice(notice, actor=personas["head"], response="補齊複核記錄")
    response = api(personas["quality"]).post(
        reverse("api:rectificationnotice-verify", args=[notice.pk]), {"verification": "已核實"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "closed"
    with pytest.raises(DomainError):
        services.respond_notice(notice, actor=personas["head"], response="再次")


def test_QA_2_a_notice_is_raised_only_from_a_failed_item_with_a_deadline_not_in_the_past(personas):
    inspection = inspection_on(personas)
    item = services.record_item(inspection.items.first(), actor=personas["quality"], result="pass")
    with pytest.raises(DomainError, match="failed checklist item"):
        services.raise_notice(
            item, department=department(), deadline=TODAY, requirement="x", actor=personas["quality"]
        )
    failed = failed_item(personas)
    with pytest.raises(DomainError, match="past"):
        services.raise_notice(
            failed,
            department=department(),
            deadline=TODAY - timedelta(days=1),
            requirement="x",
            actor=personas["quality"],
        )
    with pytest.raises(PermissionDenied):
        services.raise_notice(
            failed, department=department(), deadline=TODAY, requirement="x", actor=personas["technician"]
        )
    assert RectificationNotice.objects.count() == 0


def test_QA_2_an_overdue_notice_is_reminded_then_escalated_to_the_department_head_and_the_project_lead(
    personas,
):
    notice = notice_for(personas)
    due = timezone.make_aware(datetime.combine(notice.deadline, datetime.min.time())) + timedelta(hours=18)
    Notification.objects.all().delete()
    assert process_deadlines(now=due - timedelta(days=2)) == (0, 0)
    assert process_deadlines(now=due - timedelta(hours=12)) == (1, 0)
    assert list(Notification.objects.values_list("recipient__username", "level")) == [
        ("rnd.head", "reminder")
    ]
    assert process_deadlines(now=due + timedelta(minutes=1)) == (0, 1)
    escalated = set(
        Notification.objects.filter(level="escalation").values_list("recipient__username", flat=True)
    )
    assert escalated == {"rnd.head", "lead"}
    assert process_deadlines(now=due + timedelta(days=1)) == (0, 0)  # once only


def test_QA_2_the_notice_form_prints_as_a_pdf_for_staff_only(client, personas):
    notice = notice_for(personas)
    url = reverse(
        "core:document_pdf", args=["quality.rectificationnotice", notice.pk, "rectification_notice"]
    )
    client.force_login(personas["technician"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from onestop.core import signatures

    text = signatures.get_document("rectification_notice").render(notice)
    assert "整改通知單" in text and notice.code in text and "更新設計文檔並提交複核記錄" in text
    client.force_login(personas["client_a"])
    assert client.get(url).status_code == 404
    assert api(personas["client_a"]).get(
        reverse("api:rectificationnotice-pdf", args=[notice.pk])
    ).status_code in (403, 404)


# --- QA-3: analysis and improvement ---------------------------------------------------------------


def _completed(personas, day, failures):
    """A completed inspection on ``day`` whose first items fail with the given (category, cause)."""
    inspection = inspection_on(personas, day=day)
    items = list(inspection.items.all())
    for item, (category, cause) in zip(items, failures, strict=False):
        services.record_item(item, actor=personas["quality"], result="fail", category=category, cause=cause)
    for item in items[len(failures) :]:
        services.record_item(item, actor=personas["quality"], result="pass")
    services.complete_inspection(inspection, actor=personas["quality"])
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=12)
    Inspection.objects.filter(pk=inspection.pk).update(completed_at=moment)
    return inspection


def known_data(personas):
    _completed(personas, date(2026, 1, 10), [("documentation", "method"), ("documentation", "staff")])
    _completed(personas, date(2026, 1, 20), [])
    _completed(personas, date(2026, 2, 5), [("testing", "method")])
    _completed(personas, date(2026, 2, 15), [])
    _completed(personas, date(2026, 2, 25), [])
    _completed(personas, date(2025, 12, 31), [("other", "other")])  # outside the period


def test_QA_3_the_analysis_numbers_are_right_on_a_known_data_set(personas):
    known_data(personas)
    result = analytics.analyse(analytics.Period(date(2026, 1, 1), date(2026, 2, 28)))
    assert result["totals"] == {"total": 5, "passed": 3, "failed": 2, "rate": 60.0}
    assert [(r["label"], r["total"], r["passed"], r["rate"]) for r in result["trend"]] == [
        ("2026-01", 2, 1, 50.0),
        ("2026-02", 3, 2, 66.7),
    ]
    assert [(r["code"], r["count"], r["cumulative"]) for r in result["by_category"]] == [
        ("documentation", 2, 66.7),
        ("testing", 1, 100.0),
    ]
    assert [(r["code"], r["count"], r["cumulative"]) for r in result["by_cause"]] == [
        ("method", 2, 66.7),
        ("staff", 1, 100.0),
    ]
    assert [(r["label"], r["total"], r["rate"]) for r in result["by_phase"]] == [
        ("Research and development", 5, 60.0)
    ]
    assert [(r["label"], r["rate"]) for r in result["by_department"]] == [("技術研發部", 60.0)]
    assert len(result["by_project"]) == 1 and result["by_project"][0]["failed"] == 2


def test_QA_3_the_quality_page_and_lists_run_a_fixed_number_of_queries(client, personas):
    client.force_login(personas["quality"])
    known_data(personas)
    notice_for(personas)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"start": "2025-01-01", "end": "2027-12-31"})
            assert response.status_code == 200
        return len(queries)

    urls = [
        reverse("quality:analysis"),
        reverse("quality:inspection_list"),
        reverse("quality:rectificationnotice_list"),
    ]
    few = [count(url) for url in urls]
    for index in range(6):
        _completed(personas, date(2026, 3, 1) + timedelta(days=index), [("delivery", "resources")])
        notice_for(personas)
    assert [count(url) for url in urls] == few
    page = client.get(
        reverse("quality:analysis"), {"start": "2026-01-01", "end": "2026-12-31"}
    ).content.decode()
    assert 'id="quality-charts"' in page and 'id="chart-trend"' in page and "quality.js" in page


def test_QA_3_the_excel_export_holds_the_same_tables(client, personas):
    from openpyxl import load_workbook

    known_data(personas)
    notice_for(personas)
    personas["quality"].language = "en"  # the export follows the user's language
    personas["quality"].save()
    client.force_login(personas["quality"])
    response = client.get(reverse("quality:analysis_export"), {"start": "2026-01-01", "end": "2026-02-28"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Trend by month",
        "Findings by category",
        "Findings by cause",
        "Pass rate by phase",
        "Pass rate by department",
        "Pass rate by project",
        "Overdue rectifications",
        "Open notices",
    ]
    rows = list(book["Trend by month"].iter_rows(values_only=True))
    assert rows == [
        ("Month", "Inspections", "Passed", "Failed", "Pass rate (%)"),
        ("2026-01", 2, 1, 1, 50.0),
        ("2026-02", 3, 2, 1, 66.7),
    ]
    category = list(book["Findings by category"].iter_rows(values_only=True))
    assert category[1] == ("Documentation", 2, 66.7, 66.7)
    assert len(list(book["Open notices"].iter_rows(values_only=True))) == 2
    client.force_login(personas["client_a"])
    assert client.get(reverse("quality:analysis_export")).status_code == 403
    assert (
        client.get(reverse("quality:analysis"), {"start": "2026-02-01", "end": "2026-01-01"}).status_code
        == 403
    )
    client.force_login(personas["quality"])
    assert (
        client.get(reverse("quality:analysis"), {"start": "2026-02-01", "end": "2026-01-01"}).status_code
        == 400
    )


def test_QA_3_an_improvement_action_is_done_by_its_owner_and_checked_for_effectiveness_by_quality(
    client, personas
):
    action = ImprovementAction.objects.create(
        title="文檔同步機制",
        description="變更單關閉前附更新文檔",
        source_category="documentation",
        owner=personas["head"],
        due_date=TODAY + timedelta(days=10),
    )
    with pytest.raises(PermissionDenied):
        services.complete_action(action, actor=personas["technician"])
    client.force_login(personas["head"])
    assert client.post(reverse("quality:improvementaction_done", args=[action.pk])).status_code == 302
    action.refresh_from_db()
    assert action.state == "done"
    assert (
        client.post(
            reverse("quality:improvementaction_check", args=[action.pk]), {"effective": "yes", "note": "好"}
        ).status_code
        == 403
    )
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        services.check_action(action, actor=personas["quality"], effective=False, note="")
    response = api(personas["quality"]).post(
        reverse("api:improvementaction-check", args=[action.pk]),
        {"effective": False, "note": "問題仍在"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "not_effective"
    other = ImprovementAction.objects.create(
        title="測試記錄模板",
        description="統一模板",
        source_cause="staff",
        owner=personas["head"],
        due_date=TODAY,
    )
    services.complete_action(other, actor=personas["quality"])
    services.check_action(other, actor=personas["quality"], effective=True, note="缺陷下降")
    other.refresh_from_db()
    assert other.state == "effective" and other.checked_by == personas["quality"]
    # The transitions are named for the meta-test: mark_done, confirm_effective, mark_not_effective.


# --- who sees what, "My work", timeline ---------------------------------------------------------


def test_QA_clients_see_nothing_of_quality_monitoring(client, personas):
    notice = notice_for(personas)
    inspection = notice.inspection
    client.force_login(personas["client_a"])
    assert client.get(reverse("quality:analysis")).status_code == 403
    assert client.get(reverse("quality:inspection_list")).status_code == 403
    assert client.get(inspection.get_absolute_url()).status_code in (403, 404)
    assert client.get(notice.get_absolute_url()).status_code in (403, 404)
    client_api = api(personas["client_a"])
    for name in ("inspection", "rectificationnotice", "qcplan", "improvementaction", "spotcheckdraw"):
        assert client_api.get(reverse(f"api:{name}-list")).status_code == 403
    assert client_api.get(reverse("api:quality-analysis-list")).status_code == 403
    from onestop.quality.timeline import events

    assert events(notice.project.engagement, personas["client_a"]) == []


def test_QA_my_work_lists_inspections_to_run_notices_to_answer_and_verify_and_actions_owned(personas):
    from onestop.core.work import work_for

    notice = notice_for(personas)
    planned = inspection_on(personas)
    kinds = {item.kind: item for item in work_for(personas["quality"])}
    assert "Inspection to run" in kinds
    assert any(planned.code in item.title for item in work_for(personas["quality"]))
    head_items = [item for item in work_for(personas["head"]) if item.kind == "Rectification to answer"]
    assert [item.url for item in head_items] == [notice.get_absolute_url()]
    assert [i.url for i in work_for(personas["member"]) if i.kind == "Rectification to answer"] == [
        notice.get_absolute_url()
    ]
    assert not [i for i in work_for(personas["technician"]) if i.kind == "Rectification to answer"]
    services.respond_notice(notice, actor=personas["head"], response="已整改")
    assert [i.url for i in work_for(personas["quality"]) if i.kind == "Rectification to verify"] == [
        notice.get_absolute_url()
    ]
    ImprovementAction.objects.create(
        title="措施", description="d", source_category="other", owner=personas["member"], due_date=TODAY
    )
    assert [i.title for i in work_for(personas["member"]) if i.kind == "Improvement action"] == ["措施"]


def test_X_1_the_timeline_shows_completed_inspections_and_notices_in_a_fixed_number_of_queries(personas):
    from onestop.quality.timeline import events

    notice = notice_for(personas)
    services.complete_inspection(_answered(notice.inspection, personas), actor=personas["quality"])
    services.respond_notice(notice, actor=personas["head"], response="已整改")
    services.verify_notice(notice, actor=personas["quality"], verification="已核實")
    engagement = notice.project.engagement
    with CaptureQueriesContext(connection) as queries:
        rows = events(engagement, personas["technician"])
    titles = [row["title"] for row in rows]
    assert any("1 failed" in title for title in titles)
    assert any(notice.code in title and "closed" in title for title in titles)
    assert len(queries) <= 3


def _answered(inspection, personas):
    for item in inspection.items.filter(result=""):
        services.record_item(item, actor=personas["quality"], result="pass")
    return inspection


def test_QA_the_demo_data_does_nothing_without_projects_and_is_meaningful_with_them(personas):
    from onestop.quality import demo

    demo.load()
    assert not QCTemplate.objects.exists()
    shared_project(personas, 950)
    shared_project(personas, 951)
    demo.load()
    assert QCPlan.objects.filter(state="active").count() == 2
    completed = Inspection.objects.filter(state="completed")
    assert (
        completed.count() == 36
        and completed.filter(passed=False).exists()
        and completed.filter(passed=True).exists()
    )
    months = {i.completed_at.strftime("%Y-%m") for i in completed}
    assert len(months) >= 5
    states = set(RectificationNotice.objects.values_list("state", flat=True))
    assert states == {"issued", "responded", "closed", "reopened"}
    assert any(notice.is_overdue for notice in RectificationNotice.objects.all())
    assert SpotCheckDraw.objects.count() == 1 and SpotCheckDraw.objects.get().replay_matches
    assert set(ImprovementAction.objects.values_list("state", flat=True)) == {"open", "effective"}
    categories = set(InspectionItem.objects.filter(result="fail").values_list("category", flat=True))
    assert len(categories) >= 3


# --- one action path (issue 9) ------------------------------------------------------------------


def test_QA_a_refused_page_action_shows_the_page_again_with_the_input_kept(client, personas):
    notice = notice_for(personas)
    services.respond_notice(notice, actor=personas["member"], response="已更新設計文檔")
    client.force_login(personas["quality"])
    # Reopening needs a reason: the notice's page again, 400, the choice kept, nothing changed.
    response = client.post(
        reverse("quality:rectificationnotice_verify", args=[notice.pk]), {"decision": "reopen", "note": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'data-action="verify"' in page
    assert '<option value="reopen" selected>' in page
    notice.refresh_from_db()
    assert notice.state == "responded"
    # An item answered without its finding: the inspection's checklist again, that item's input kept.
    inspection = inspection_on(personas)
    item = inspection.items.first()
    response = client.post(
        reverse("quality:inspection_checklist", args=[inspection.pk]),
        {f"item-{item.pk}-result": "fail", f"item-{item.pk}-evidence": "抽查記錄X"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "抽查記錄X" in page
    assert f'id="id_checklist_item-{item.pk}-evidence"' in page


def test_QA_a_record_the_user_may_not_see_answers_404_to_its_page_actions(client, personas):
    notice = notice_for(personas)
    client.force_login(personas["client_a"])
    for name in ("respond", "verify"):
        url = reverse(f"quality:rectificationnotice_{name}", args=[notice.pk])
        assert client.post(url, {"response": "x", "decision": "close"}).status_code == 404
    item = notice.item
    assert client.post(reverse("quality:inspectionitem_record", args=[item.pk]), {}).status_code == 404
    assert client.post(reverse("quality:inspection_start", args=[item.inspection_id])).status_code == 404


# --- choices offer only what can be chosen (issue 11 §4) ----------------------------------------


def _item_options(page: str) -> list[int]:
    select = re.search(r'<select[^>]*name="item"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [int(value) for value in re.findall(r'<option value="(\d+)"', select)]


def test_QA_2_the_notice_form_offers_only_the_failed_items_of_its_inspection_without_a_notice(
    client, personas
):
    quality = personas["quality"]
    first, second = inspection_on(personas), inspection_on(personas)
    items = list(first.items.order_by("sort_order", "pk"))
    assert len(items) >= 3
    answer_all(first, quality, failures={items[0].pk, items[1].pk})  # the third passes
    other = second.items.first()
    answer_all(second, quality, failures={other.pk})
    services.raise_notice(
        InspectionItem.objects.get(pk=items[1].pk),
        department=department(),
        deadline=TODAY + timedelta(days=7),
        requirement="補記錄",
        actor=quality,
    )
    client.force_login(quality)
    url = f"{reverse('quality:rectificationnotice_add')}?item={items[0].pk}"
    page = client.get(url).content.decode()
    # Not the passed item, not the one that has its notice, not the other inspection's failure.
    assert _item_options(page) == [items[0].pk]

    # Another inspection's item posted from this page is refused on the same page, nothing raised.
    response = client.post(
        url,
        {
            "item": other.pk,
            "department": department().pk,
            "requirement": "補記錄",
            "deadline": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code in (200, 400)
    assert 'name="requirement"' in response.content.decode()
    assert not RectificationNotice.objects.filter(item=other).exists()
