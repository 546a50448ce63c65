"""Demo data of the acceptance stage (ACC-1..3), on the demo projects that are complete.

The first completed project runs the whole loop: round 1 fails with two problems, both are
rectified, and round 2 passes with the report signed by the client (the project is then
accepted, the client is invited to the survey and the settlement can start). A second
completed project, if there is one, stops after a failed round with one problem still open.
Without a completed project nothing is loaded.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onestop.acceptance import services
from onestop.acceptance.documents import application_form, report_form
from onestop.acceptance.models import AcceptanceRound, Method
from onestop.acceptance.services import client_users
from onestop.accounts.demo import DEMO_PASSWORD  # signing asks the signer's password (core.reauth)
from onestop.core import comments, signatures
from onestop.core.models import Comment, Visibility
from onestop.projects.models import Project


def load(actor=None) -> None:
    projects = list(
        Project.objects.filter(state="completed")
        .exclude(acceptance_rounds__isnull=False)
        .select_related("engagement__client", "project_lead", "contract")
        .order_by("pk")[:2]
    )
    if projects:
        first = failed_round(projects[0])
        if first is not None:
            rectified_and_passed(first)
    if len(projects) > 1:
        failed_round(projects[1])


def _complete_milestones(project) -> None:
    for milestone in project.milestones.filter(completed_on__isnull=True):
        milestone.completed_on = min(milestone.planned_date, timezone.localdate())
        milestone.percent_complete = 100
        milestone._history_user = project.project_lead
        milestone.save()


def _prepared_round(project, *, assessment: str, deliverables: list[dict]) -> AcceptanceRound | None:
    _complete_milestones(project)
    lead = project.project_lead
    acceptance_round = services.apply(
        project, actor=lead, self_assessment=assessment, deliverables=deliverables
    )
    signatures.sign(
        application_form(), acceptance_round, actor=lead, role="project_lead", password=DEMO_PASSWORD
    )
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


def failed_round(project) -> AcceptanceRound | None:
    acceptance_round = _prepared_round(
        project,
        assessment="項目各里程碑均已完成，功能測試通過率 98%，自評達到合同約定的質量標準，申請驗收。",
        deliverables=_dated(DELIVERABLES, project),
    )
    if acceptance_round is None:
        return None
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
    acceptance_round.refresh_from_db()
    return acceptance_round


def rectified_and_passed(failed) -> None:
    """The open problem is fixed, round 2 is prepared, tested and passes with the client's signature."""
    project = failed.project
    for problem in failed.problems.filter(state="open"):
        services.resolve_problem(
            problem,
            actor=project.project_lead,
            fix="已建立報表索引並啟用查詢快取，高峰時段響應 1.3 秒，性能測試報告已提交。",
        )
    failed.refresh_from_db()
    second = services.start_next_round(failed, actor=project.project_lead)
    second.refresh_from_db()
    signatures.sign(
        application_form(), second, actor=project.project_lead, role="project_lead", password=DEMO_PASSWORD
    )
    leader = second.team.select_related("user").first().user
    for item in second.checklist.all():
        services.tick(item, actor=leader, note="已複核整改結果")
    services.start(second, actor=leader)
    second.refresh_from_db()
    _pass(
        second,
        leader,
        summary="整改項目均已完成並經複測，報表性能與手冊均符合合同質量標準，第 2 輪驗收合格。",
    )


def _dated(rows, project):
    day = project.actual_end or project.planned_end or timezone.localdate()
    return [{**row, "delivered_on": day - timedelta(days=index)} for index, row in enumerate(rows)]


def _pass(acceptance_round, leader, *, summary: str) -> None:
    project = acceptance_round.project
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
        summary=summary,
    )
    acceptance_round.refresh_from_db()
    signatures.sign(report_form(), acceptance_round, actor=leader, role="client", password=DEMO_PASSWORD)
    acceptance_round.refresh_from_db()
    signatures.sign(
        report_form(),
        acceptance_round,
        actor=project.project_lead,
        role="project_lead",
        password=DEMO_PASSWORD,
    )
