"""Demo data of the acceptance stage (ACC-1..3), on the demo projects that are complete.

The first completed project failed its first acceptance round with two problems (one
rectified, one still open); a second completed project, if there is one, passed its round
with the report signed by the client. Without a completed project nothing is loaded.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onestop.acceptance import services
from onestop.acceptance.documents import application_form, report_form
from onestop.acceptance.models import AcceptanceRound, Method
from onestop.core import comments, signatures
from onestop.core.models import Comment, Visibility


def load(actor=None) -> None:
    from onestop.projects.models import Project

    projects = list(
        Project.objects.filter(state="completed")
        .exclude(acceptance_rounds__isnull=False)
        .select_related("engagement__client", "project_lead", "contract")
        .order_by("pk")[:2]
    )
    if projects:
        failed_round(projects[0])
    if len(projects) > 1:
        passed_round(projects[1])


def _complete_milestones(project) -> None:
    for milestone in project.milestones.filter(completed_on__isnull=True):
        milestone.completed_on = min(milestone.planned_date, timezone.localdate())
        milestone.percent_complete = 100
        milestone._history_user = project.project_lead
        milestone.save()


def _prepared_round(project, *, assessment: str, deliverables: list[dict]) -> AcceptanceRound | None:
    from onestop.acceptance.services import client_users

    _complete_milestones(project)
    lead = project.project_lead
    acceptance_round = services.apply(
        project, actor=lead, self_assessment=assessment, deliverables=deliverables
    )
    signatures.sign(application_form(), acceptance_round, actor=lead, role="project_lead")
    users = list(client_users(acceptance_round).order_by("pk")[:2])
    if not users:
        return None
    roles = ["驗收組長", "業務代表"]
    for user, role in zip(users, roles, strict=False):
        services.name_team_member(acceptance_round, actor=users[0], user=user, role=role)
    acceptance_round.refresh_from_db()
    for item in acceptance_round.checklist.all():
        services.tick(item, actor=users[-1], note="已完成")
    services.start(acceptance_round, actor=users[0])
    acceptance_round.refresh_from_db()
    return acceptance_round


DELIVERABLES = [
    {"name": "需求規格說明書", "description": "V1.2，含需求追溯矩陣", "delivered_on": None},
    {"name": "系統安裝包與部署手冊", "description": "含資料庫遷移腳本", "delivered_on": None},
    {"name": "用戶操作手冊", "description": "PDF 電子版及紙本各一份", "delivered_on": None},
]


def failed_round(project) -> None:
    acceptance_round = _prepared_round(
        project,
        assessment="項目各里程碑均已完成，功能測試通過率 98%，自評達到合同約定的質量標準，申請驗收。",
        deliverables=_dated(DELIVERABLES, project),
    )
    if acceptance_round is None:
        return
    team = list(acceptance_round.team.select_related("user"))
    leader = team[0].user
    lead = project.project_lead
    # ACC-2: the client asks the project team for help on the round's thread.
    comments.add_comment(
        acceptance_round, actor=leader, body="請問報表性能測試使用的數據量是多少？我們想在測試環境重現。"
    )
    comments.add_comment(
        acceptance_round,
        actor=lead,
        body="以 2025 年全年數據（約 1,200 萬筆）測試，測試環境帳號已寄至貴方信箱。",
        channel=Comment.Channel.PORTAL,
        visibility=Visibility.SHARED,
    )
    comments.add_comment(acceptance_round, actor=lead, body="內部：請技術組本週內完成報表索引優化的預案。")
    criteria = list(acceptance_round.criteria.all())
    for index, criterion in enumerate(criteria):
        services.record_result(
            acceptance_round,
            actor=leader,
            criterion=criterion,
            method=Method.DOCUMENT_REVIEW,
            passed=True,
            note="文檔齊全",
        )
        services.record_result(
            acceptance_round,
            actor=leader,
            criterion=criterion,
            method=Method.SYSTEM_TEST,
            passed=index != 0,
            note="高峰時段報表查詢超過 5 秒" if index == 0 else "",
        )
    services.add_problem(
        acceptance_round,
        actor=leader,
        description="月度報表查詢在高峰時段響應超過 5 秒。",
        requirement="優化報表查詢，高峰時段響應時間不超過 2 秒，並提交性能測試報告。",
    )
    services.add_problem(
        acceptance_round,
        actor=leader,
        description="用戶操作手冊缺少權限設定章節。",
        requirement="補充權限設定章節並重新提交手冊。",
    )
    services.fill_report(
        acceptance_round,
        actor=leader,
        conclusion="fail",
        summary="系統主要功能符合要求，但報表性能未達合同質量標準，手冊不完整，本輪驗收不合格，請整改後重新申請。",
    )
    manual = acceptance_round.problems.order_by("pk").last()
    services.resolve_problem(
        manual, actor=project.project_lead, fix="已補充第 7 章「權限設定」，手冊更新為 V1.1。"
    )


def _dated(rows, project):
    day = project.actual_end or project.planned_end or timezone.localdate()
    return [{**row, "delivered_on": day - timedelta(days=index)} for index, row in enumerate(rows)]


def passed_round(project) -> None:
    acceptance_round = _prepared_round(
        project,
        assessment="項目已按計劃全部完成，交付物齊全，自評合格，申請整體驗收。",
        deliverables=_dated(DELIVERABLES[:2], project),
    )
    if acceptance_round is None:
        return
    leader = acceptance_round.team.select_related("user").first().user
    methods = [Method.DOCUMENT_REVIEW, Method.SYSTEM_TEST, Method.DEMONSTRATION, Method.USER_TRIAL]
    for index, criterion in enumerate(acceptance_round.criteria.all()):
        services.record_result(
            acceptance_round,
            actor=leader,
            criterion=criterion,
            method=methods[index % len(methods)],
            passed=True,
            note="符合要求",
        )
    services.fill_report(
        acceptance_round,
        actor=leader,
        conclusion="pass",
        summary="經文檔審查、系統測試、功能演示及用戶試用，項目符合合同約定的質量標準，驗收合格。",
    )
    acceptance_round.refresh_from_db()
    signatures.sign(report_form(), acceptance_round, actor=leader, role="client")
    acceptance_round.refresh_from_db()
    signatures.sign(report_form(), acceptance_round, actor=project.project_lead, role="project_lead")
