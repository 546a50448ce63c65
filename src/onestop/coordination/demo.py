"""Demo data of project coordination (PRJ-3), on the projects in progress: an issue log with an
overdue issue, two client progress reports sent (one answered by the client), a reporting
schedule, an approved change request that started a new plan version and one awaiting the
decision, and resource requests to other departments (one answered).

Runs after the projects' demo; without a project in progress it does nothing."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.models import Department, User
from onestop.coordination import services
from onestop.coordination.models import ClientReportSchedule
from onestop.core.exceptions import DomainError
from onestop.projects.models import Project


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def load(actor=None) -> None:
    projects = list(
        Project.objects.filter(state="in_progress")
        .select_related("project_lead", "engagement")
        .order_by("code")
    )
    management = _user("mgmt.chen")
    if not projects or management is None:
        return
    today = timezone.localdate()
    for index, project in enumerate(projects[:2]):
        _issues(project, index, today)
    first = projects[0]
    _reports(first, today)
    _changes(first, management)
    _resources(first, management, today)


def _issues(project, index, today):
    lead = project.project_lead
    tester = _user("tech.wu") or lead
    developer = _user("tech.zhang") or lead
    rows = [
        (
            "現場網關與 PLC 通訊不穩定",
            "三號產線網關每日斷線 2–3 次，需排查交換機與協議配置。",
            developer,
            -5,
            "high",
        ),
        ("客戶測試環境尚未開通", "需客戶資訊部開通 VPN 及測試帳號，影響系統測試排期。", lead, 10, "urgent"),
        ("測試用例覆蓋率不足", "報警模組的邊界條件未覆蓋，需補充測試用例。", tester, 20, "normal"),
    ]
    for number, (title, description, owner, days, priority) in enumerate(rows[: 3 if index == 0 else 1]):
        issue = services.raise_issue(
            project,
            actor=lead,
            title=title,
            description=description,
            owner=owner,
            due_date=today + datetime.timedelta(days=days),
            priority=priority,
        )
        if index == 0 and number == 2:
            services.resolve_issue(issue, actor=owner, resolution="已補充 18 條邊界測試用例並通過評審。")


def _reports(project, today):
    lead = project.project_lead
    client = User.objects.filter(
        client_organization_id=project.engagement.client_id, is_active=True
    ).order_by("username")
    summaries = [
        "本期完成現場調研與需求確認，調研報告已提交。下期將開始系統設計，請貴方於月底前確認設備清單。",
        "本期完成數據採集網關部署（6/8 條產線），發現三號產線通訊不穩定，正在排查。下期完成其餘產線部署並啟動系統測試。",
    ]
    sent = []
    for number, summary in enumerate(summaries):
        end = today - datetime.timedelta(days=14 * (len(summaries) - 1 - number) + 1)
        report = services.prepare_report(
            project,
            actor=lead,
            period_start=end - datetime.timedelta(days=13),
            period_end=end,
            summary=summary,
        )
        if not client.exists():
            continue
        try:
            services.send_report(report, actor=lead)
        except DomainError:
            continue
        sent.append(report)
    if sent and client.exists():
        services.give_feedback(
            sent[0],
            actor=client.first(),
            text="進度清楚，感謝。設備清單已於本週提交，請確認是否完整。",
            rating=5,
        )

    schedule = ClientReportSchedule(
        project=project, every_weeks=2, next_due=today + datetime.timedelta(days=13)
    )
    schedule._history_user = lead
    schedule.save()


def _changes(project, management):
    lead = project.project_lead
    milestone = project.milestones.order_by("-planned_date").first()
    approved = services.request_change(
        project,
        actor=lead,
        kind="schedule",
        description="客戶新增兩條產線納入數據採集範圍，最終驗收順延一個月。",
        reason="客戶擴產計劃提前，要求一併接入新產線。",
        new_period_end=project.planned_end + datetime.timedelta(days=31),
        fee_change=Decimal("36000.00"),
        milestone_changes=(
            f"{(milestone.planned_date + datetime.timedelta(days=31)).isoformat()} {milestone.name} | 含新增產線驗收"
            if milestone
            else ""
        ),
        impact="工期延長一個月；增加網關設備兩台及差旅費用；質量與風險可控。",
    )
    services.submit_change(approved, actor=lead, comment="請審批")
    # When the plan has an open version already, the request stays submitted.
    with contextlib.suppress(DomainError):
        services.approve_change(approved, actor=management, comment="同意，請按新版本方案提交評審。")
    pending = services.request_change(
        project,
        actor=lead,
        kind="scope",
        description="增加移動端看板，供車間主管查看實時數據。",
        reason="客戶車間主管提出的新需求。",
        new_service_content="在原服務內容基礎上，增加移動端（iOS/Android）實時看板。",
        fee_change=Decimal("48000.00"),
        impact="需增加前端開發 1 人月；不影響最終驗收日期。",
    )
    services.submit_change(pending, actor=lead)


def _resources(project, management, today):
    lead = project.project_lead
    testing = Department.objects.filter(code="rnd").first()
    quality = Department.objects.filter(code="quality").first()
    if testing is not None:
        request = services.request_resources(
            project,
            actor=lead,
            department=testing,
            needed="系統測試工程師，負責數據採集平台的集成測試。",
            quantity="2 人，3 週",
            needed_by=today + datetime.timedelta(days=7),
        )
        answerer = testing.head or management
        services.answer_resource_request(
            request, actor=answerer, approved=True, answer="同意。安排吳佩珊、胡靜怡自下週一起支援 3 週。"
        )
    if quality is not None:
        services.request_resources(
            project,
            actor=lead,
            department=quality,
            needed="質量工程師參與上線前的交付檢查。",
            quantity="1 人，2 天",
            needed_by=today + datetime.timedelta(days=21),
        )
