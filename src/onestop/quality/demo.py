"""Demo data of quality monitoring (QA-1..3), written through the services where a flow exists:
the standard QC plan template, a QC plan per demo project, about six months of inspections
with passes and failures across categories and causes, rectification notices in every state
(one overdue), a spot-check draw and two improvement actions.

Deterministic: a fixed seed, dates relative to today. Without projects it does nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from onestop.accounts.models import Department, User
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.notifications import services as notifications
from onestop.projects.models import Project
from onestop.quality import services
from onestop.quality.models import (
    FindingCategory,
    FindingCause,
    ImprovementAction,
    Inspection,
    InspectionItem,
    Phase,
    QCTemplate,
    QCTemplateCheckpoint,
    RectificationNotice,
)

SEED = 20260315

# phase, name, indicators, threshold, frequency (days), department code
CHECKPOINTS = [
    (
        Phase.RND,
        "需求與設計文檔評審",
        "需求規格說明書完整、版本受控\n設計文檔與批准的方案一致",
        "評審問題關閉率 ≥ 95%",
        14,
        "rnd-software",
    ),
    (
        Phase.RND,
        "代碼質量檢查",
        "代碼審查覆蓋率\n靜態掃描嚴重問題數",
        "審查覆蓋率 ≥ 80%，嚴重問題為 0",
        14,
        "rnd-software",
    ),
    (
        Phase.TESTING,
        "系統測試執行",
        "測試用例執行率\n嚴重缺陷修復率",
        "執行率 100%，嚴重缺陷全部關閉",
        30,
        "rnd-testing",
    ),
    (Phase.TESTING, "測試報告審核", "測試報告數據可追溯、簽署齊全", "報告與測試記錄一致", 0, "rnd-testing"),
    (Phase.DELIVERY, "交付物核對", "交付物清單齊全\n里程碑按期交付", "里程碑按期率 ≥ 90%", 30, "pmo"),
]

# Weights that make the Pareto charts meaningful: documentation and method lead.
CATEGORY_WEIGHTS = [
    (FindingCategory.DOCUMENTATION, 9),
    (FindingCategory.TESTING, 6),
    (FindingCategory.PROCESS, 4),
    (FindingCategory.DELIVERY, 2),
    (FindingCategory.OTHER, 1),
]
CAUSE_WEIGHTS = [
    (FindingCause.METHOD, 8),
    (FindingCause.STAFF, 6),
    (FindingCause.RESOURCES, 3),
    (FindingCause.CLIENT, 2),
    (FindingCause.OTHER, 1),
]
FINDINGS = {
    FindingCategory.DOCUMENTATION: "設計文檔未隨需求變更更新",
    FindingCategory.TESTING: "部分測試用例無執行記錄",
    FindingCategory.PROCESS: "未按批准的方案執行代碼審查",
    FindingCategory.DELIVERY: "交付物清單缺少操作手冊",
    FindingCategory.OTHER: "現場環境記錄不完整",
}


def _user(username, fallback=None):
    return User.objects.filter(username=username).first() or fallback


def _department(code):
    return Department.objects.filter(code=code).first() or Department.objects.order_by("pk").first()


def _member(department):
    """The department's head, or its first active member."""
    if department is None:
        return None
    return (
        department.head
        or User.objects.filter(department=department, is_active=True).order_by("username").first()
    )


def _aware(day, hour=16):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _pick(rng, weights):
    return rng.choices([code for code, _w in weights], weights=[w for _c, w in weights])[0]


def load(actor=None) -> None:
    # Only projects that have started are inspected (one awaiting its kickoff is not).
    projects = list(
        Project.objects.exclude(state=Project.State.OPENED).select_related("project_lead").order_by("pk")
    )
    if not projects or Department.objects.count() == 0:
        return
    anyone_quality = User.objects.filter(groups__name=Role.QUALITY, is_active=True).order_by("pk").first()
    quality = _user("qa.gao") or anyone_quality
    quality2 = _user("qa.liang", quality)
    if quality is None:
        return
    rng = random.Random(SEED)
    today = timezone.localdate()

    # QA-1: the template, version 1, active.
    template = services.save_template(
        QCTemplate(
            code="standard",
            name="標準質量監控計劃",
            description="覆蓋技術研發、系統測試、服務交付三個階段的關鍵環節。",
            is_active=True,
        ),
        actor=quality,
    )
    for order, (phase, name, indicators, threshold, frequency, department) in enumerate(CHECKPOINTS, start=1):
        row = QCTemplateCheckpoint(
            template=template,
            phase=phase,
            name=name,
            indicators=indicators,
            acceptance_threshold=threshold,
            frequency_days=frequency,
            responsible_department=_department(department),
            sort_order=order,
        )
        row._history_user = quality
        row.save()

    # QA-1: a QC plan per project, adjusted by the lead, then activated.
    plans = []
    for project in projects:
        plan = services._plan_from_template(project, template, actor=project.project_lead)
        if project.project_lead_id:
            plan.note = "按項目實際調整：代碼質量檢查改為每週一次。"
            plan._history_user = project.project_lead
            plan.save()
            checkpoint = plan.checkpoints.filter(name="代碼質量檢查").first()
            if checkpoint is not None:
                checkpoint.frequency_days = 7
                checkpoint._history_user = project.project_lead
                checkpoint.save()
        perform_transition(plan, "activate", actor=quality)
        plans.append(plan)

    # QA-2: about six months of completed inspections; failures fall as improvement takes hold.
    failed_items = []
    for months_back in range(6, 0, -1):
        fail_rate = 0.03 + 0.016 * months_back
        for plan in plans:
            checkpoints = list(plan.checkpoints.order_by("phase", "sort_order", "pk"))
            for checkpoint in rng.sample(checkpoints, min(3, len(checkpoints))):
                day = today - timedelta(days=months_back * 30 - rng.randint(0, 25))
                inspector = rng.choice([quality, quality2])
                inspection = services.plan_inspection(
                    project=plan.project,
                    checkpoint=checkpoint,
                    planned_date=day,
                    inspector=inspector,
                    actor=quality,
                )
                for item in inspection.items.all():
                    if rng.random() < fail_rate:
                        category = _pick(rng, CATEGORY_WEIGHTS)
                        services.record_item(
                            item,
                            actor=inspector,
                            result=InspectionItem.Result.FAIL,
                            evidence="抽查項目文檔庫與測試記錄",
                            category=category,
                            cause=_pick(rng, CAUSE_WEIGHTS),
                            note=FINDINGS[category],
                        )
                        failed_items.append((day, item))
                    else:
                        result = (
                            InspectionItem.Result.NOT_APPLICABLE
                            if rng.random() < 0.05
                            else InspectionItem.Result.PASS
                        )
                        services.record_item(item, actor=inspector, result=result, evidence="已核對相關記錄")
                services.complete_inspection(inspection, actor=inspector)
                Inspection.objects.filter(pk=inspection.pk).update(
                    started_at=_aware(day, 9), completed_at=_aware(day, 16)
                )

    # QA-2: rectification notices from the most recent failures, in every state, one overdue.
    failed_items.sort(key=lambda pair: (pair[0], pair[1].pk), reverse=True)
    states = ["issued", "overdue", "responded", "closed", "closed", "reopened"]
    notices = []
    for (day, item), state in zip(failed_items, states, strict=False):
        department = item.inspection.checkpoint.responsible_department
        notice = services.raise_notice(
            item,
            department=department,
            deadline=today + timedelta(days=10),
            requirement=f"請於期限內完成整改：{item.note}，並提交整改記錄。",
            actor=quality,
        )
        RectificationNotice.objects.filter(pk=notice.pk).update(issued_at=_aware(day, 17))
        responder = department.head or _member(department) or User.objects.filter(is_superuser=True).first()
        if state == "overdue":
            RectificationNotice.objects.filter(pk=notice.pk).update(deadline=today - timedelta(days=3))
            notice.refresh_from_db()
            notifications.set_deadline(
                notice,
                title=services._deadline_title(notice),
                due_at=_aware(notice.deadline, 18),
                responsible=responder,
                escalate_to=notice.project.project_lead,
                actor=quality,
            )
        if state in ("responded", "closed", "reopened"):
            services.respond_notice(
                notice, actor=responder, response="已更新相關文檔並補充記錄，組內完成複核。"
            )
        if state == "closed":
            services.verify_notice(notice, actor=quality, verification="抽查整改記錄，問題已關閉。")
        if state == "reopened":
            services.reopen_notice(notice, actor=quality, reason="整改記錄不完整，缺少複核簽字。")
        notices.append(notice)

    # QA-2: the scheduled inspections of the current period, and an unannounced spot check.
    services.generate_due_inspections(today, actor=quality)
    population = services.spot_population()
    if population:
        services.draw_spot_check(
            actor=quality,
            sample_size=min(2, len(population)),
            planned_date=today + timedelta(days=2),
            inspector=quality2,
            seed=SEED,
            note="月度不定期抽查",
        )

    # QA-3: two improvement actions from the analysis.
    owner = _member(_department("rnd-software")) or quality
    first = ImprovementAction(
        title="技術文檔隨需求變更同步更新機制",
        description="需求變更單關閉前須附更新後的設計文檔，由質量管理部抽查。",
        source_category=FindingCategory.DOCUMENTATION,
        source_cause=FindingCause.METHOD,
        owner=owner,
        due_date=today + timedelta(days=20),
    )
    first._history_user = quality
    first.save()
    second = ImprovementAction(
        title="測試用例執行記錄模板化",
        description="統一測試執行記錄模板，測試報告須引用執行記錄編號。",
        source_category=FindingCategory.TESTING,
        source_cause=FindingCause.STAFF,
        source_notice=next((n for n in notices if n.state == RectificationNotice.State.CLOSED), None),
        owner=_member(_department("rnd-testing")) or quality2,
        due_date=today - timedelta(days=30),
    )
    second._history_user = quality
    second.save()
    services.complete_action(second, actor=second.owner)
    services.check_action(second, actor=quality, effective=True, note="近兩個月測試類問題明顯下降。")
