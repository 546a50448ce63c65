"""Demo projects (PRJ-1, PRJ-2), written through the real services from signed contracts:

1. 倉儲物流數字孿生: opened from its signed contract, awaiting the kickoff meeting;
2. 東方 … 設備預測性維護: in progress for two months, kickoff held, a task plan with
   dependencies, five weekly progress tables (four reviewed, the current one being filled),
   falling behind schedule in the last weeks;
3. 瑞康 … 數據治理 and 明德 … 網絡安全評估: implementation complete (every milestone complete),
   awaiting acceptance.

Every date is relative to today, so the demo looks the same whenever it is loaded.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.demo import DEMO_PASSWORD  # signing asks the signer's password (core.reauth)
from onestop.accounts.models import ClientOrganization, User
from onestop.contracts import services as contract_services
from onestop.contracts.models import LEGAL_CHECKLIST
from onestop.engagements import services as engagement_services
from onestop.engagements.models import Channel
from onestop.plans import services as plan_services
from onestop.projects import services
from onestop.projects.models import Task


def _user(username):
    return User.objects.get(username=username)


def _engagement(client_code, subject, need, technician, fee, start, months):
    client = ClientOrganization.objects.get(code=client_code)
    recorder = client.account_manager or _user("cs.lin")
    engagement = engagement_services.record_inquiry(
        actor=recorder,
        client=client,
        channel=Channel.PHONE,
        subject=subject,
        need=need,
        technician=technician,
    ).engagement
    engagement_services.assess_in_scope(
        engagement, actor=technician, service_goals=need, technical_requirements=need
    )
    proposal = engagement_services.propose(
        engagement,
        actor=technician,
        service_content=subject,
        technical_requirements=need,
        period_start=start,
        period_end=start + timedelta(days=30 * months),
        fee=Decimal(fee),
    )
    client_user = client.users.first()
    engagement_services.accept_proposal(proposal, actor=client_user)
    engagement_services.sign_confirmation(
        engagement, actor=technician, role="technician", password=DEMO_PASSWORD
    )
    engagement_services.sign_confirmation(
        engagement, actor=client_user, role="client", password=DEMO_PASSWORD
    )
    engagement.refresh_from_db()
    return engagement


def _approved_plan(engagement, lead, milestones, team, budget):
    management = _user("mgmt.chen")
    panel = [_user("expert.zhao"), _user("expert.qian"), _user("expert.feng")]
    plan = plan_services.create_plan(engagement, actor=management, project_lead=lead)
    version = plan.versions.get(number=1)
    plan_services.update_version(
        version,
        actor=lead,
        technical_route="現場調研、數據採集、模型訓練、系統集成。",
        implementation_steps="調研 → 設計 → 開發 → 測試 → 上線",
        quality_measures="每個里程碑交付評審與測試報告。",
        milestones=milestones,
        staffing=[{"user": lead, "role": "項目負責人", "allocation": 60}]
        + [{"user": user, "role": role, "allocation": share} for user, role, share in team],
        budget_lines=[{"category": c, "description": d, "amount": Decimal(a)} for c, d, a in budget],
    )
    plan_services.submit_version(version, actor=lead, reviewers=panel, comment="請評審。")
    codes = ("rationality", "feasibility", "innovation", "risk_controllability")
    for reviewer in panel:
        plan_services.submit_review(
            version, actor=reviewer, scores=dict.fromkeys(codes, 4), recommendation="pass", comments="同意。"
        )
    plan_services.approve_version(version, actor=management, comment="同意執行。")
    return plan


def _signed(contract):
    """Take a drafted contract through both reviews and both signatures."""
    legal, management = _user("legal.zheng"), _user("mgmt.chen")
    contract_services.submit(contract, actor=legal, comment="請審核。")
    contract_services.legal_review(
        contract, actor=legal, checked=[key for key, _label in LEGAL_CHECKLIST], comment="合規。", passed=True
    )
    contract_services.business_review(contract, actor=management, comment="條款與方案一致。", passed=True)
    contract.refresh_from_db()
    contract_services.sign_contract(contract, actor=management, role="company", password=DEMO_PASSWORD)
    client_user = contract.engagement.client.users.first()
    contract_services.sign_contract(contract, actor=client_user, role="client", password=DEMO_PASSWORD)
    contract.refresh_from_db()
    return contract


def _new_contract(engagement):
    legal = _user("legal.zheng")
    contract = contract_services.draft_contract(
        engagement, actor=legal, template=contract_services.active_template()
    )
    return _signed(contract)


def load(actor=None) -> None:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())

    # 1. Opened from a newly signed contract, awaiting the kickoff meeting. (The contracts
    # demo's own contract stays in drafting with its fee difference, for that stage's demo.)
    lead, technician = _user("pm.zhou"), _user("tech.zhang")
    start = monday + timedelta(days=7)
    engagement = _engagement(
        "CJWL" if ClientOrganization.objects.filter(code="CJWL").exists() else "HXZN",
        "倉儲物流數字孿生",
        "建立倉庫三維數字孿生，實時顯示庫位、叉車與出入庫作業。",
        technician,
        "360000",
        start,
        3,
    )
    _approved_plan(
        engagement,
        lead,
        milestones=[
            {
                "name": "需求調研與建模",
                "due_date": start + timedelta(days=30),
                "deliverables": "調研報告、三維模型",
            },
            {
                "name": "系統集成與上線",
                "due_date": start + timedelta(days=85),
                "deliverables": "系統、操作手冊",
            },
        ],
        team=[(technician, "三維建模工程師", 80)],
        budget=[("personnel", "工程師人工 6 人月", "240000"), ("equipment", "定位基站 20 套", "60000")],
    )
    services.open_project(_new_contract(engagement), actor=lead)

    # 2. In progress: started five weeks ago, weekly progress tables, some variance.
    lead, zhang, wu = _user("pm.peng"), _user("tech.huang"), _user("tech.hu")
    start = monday - timedelta(weeks=5)
    engagement = _engagement(
        "DFLN" if ClientOrganization.objects.filter(code="DFLN").exists() else "HXZN",
        "設備預測性維護平台",
        "採集關鍵設備振動與溫度數據，建立故障預測模型並提供維護工單建議。",
        zhang,
        "420000",
        start,
        4,
    )
    _approved_plan(
        engagement,
        lead,
        milestones=[
            {
                "name": "現場調研與數據採集",
                "due_date": start + timedelta(days=20),
                "deliverables": "調研報告、數據採集方案",
            },
            {
                "name": "預測模型開發",
                "due_date": start + timedelta(days=62),
                "deliverables": "模型與驗證報告",
            },
            {
                "name": "系統上線與驗收",
                "due_date": start + timedelta(days=120),
                "deliverables": "系統、運維手冊",
            },
        ],
        team=[(zhang, "算法工程師", 100), (wu, "測試工程師", 50)],
        budget=[
            ("personnel", "工程師人工 8 人月", "280000"),
            ("equipment", "振動傳感器 30 套", "60000"),
            ("travel", "現場差旅", "25000"),
            ("other", "雲資源", "15000"),
        ],
    )
    project = services.open_project(_new_contract(engagement), actor=lead)
    members = {m.user_id: m for m in project.members.all()}
    services.record_kickoff(
        project,
        actor=lead,
        held_on=start,
        location="東方能源 3 號會議室",
        attendees=[lead, zhang, wu],
        goals="四個月內上線設備預測性維護平台，故障預警準確率不低於 85%。",
        tasks_communicated="現場調研、數據採集、模型開發、系統集成與上線。",
        requirements="進入廠區須遵守安全規定；數據不得帶離廠區網絡。",
        minutes="雙方確認里程碑與接口人；每週一提交進度表。",
        responsibilities={
            members[lead.pk].pk: "總體協調、進度與質量把控、每週審核進度表",
            members[zhang.pk].pk: "數據採集方案、預測模型開發",
            members[wu.pk].pk: "測試方案、模型驗證與系統測試",
        },
    )
    for user in (zhang, wu):
        meeting = project.kickoff
        services.acknowledge_kickoff(meeting, actor=user)
    milestones = list(project.milestones.order_by("planned_date"))
    m1, m2, _m3 = milestones
    survey = services.save_task(
        Task(
            project=project,
            milestone=m1,
            name="現場調研",
            assignee=members[zhang.pk],
            planned_start=start,
            planned_end=start + timedelta(days=9),
            resource_needs="現場陪同人員一名",
        ),
        actor=lead,
    )
    collect = services.save_task(
        Task(
            project=project,
            milestone=m1,
            name="部署採集網關",
            assignee=members[zhang.pk],
            planned_start=start + timedelta(days=7),
            planned_end=start + timedelta(days=20),
            resource_needs="振動傳感器 30 套",
        ),
        actor=lead,
        depends_on=[survey],
    )
    model = services.save_task(
        Task(
            project=project,
            milestone=m2,
            name="模型訓練與調參",
            assignee=members[zhang.pk],
            planned_start=start + timedelta(days=21),
            planned_end=start + timedelta(days=55),
            resource_needs="GPU 雲主機",
        ),
        actor=lead,
        depends_on=[collect],
    )
    services.save_task(
        Task(
            project=project,
            milestone=m2,
            name="模型驗證",
            assignee=members[wu.pk],
            planned_start=start + timedelta(days=45),
            planned_end=start + timedelta(days=62),
        ),
        actor=lead,
        depends_on=[model],
    )
    # Weekly tables: (survey %, collect %, model %, problems); the last one is being filled in.
    weeks = [
        (60, 0, 0, ""),
        (100, 40, 0, "部分設備無法停機安裝傳感器。"),
        (100, 80, 0, "網關固件需升級，延誤兩天。"),
        (100, 100, 15, "歷史故障數據標註不足。"),
        (100, 100, 30, "標註人員不足，模型訓練進度落後。"),
        (100, 100, 45, "已加派一名標註人員，差距縮小中。"),
    ]
    for week, (p_survey, p_collect, p_model, problem) in enumerate(weeks):
        day = start + timedelta(weeks=week, days=2)
        report = services.start_report(project, actor=zhang, day=day)
        values = {}
        for row in report.rows.all():
            if row.task_id == survey.pk:
                values[row.pk] = {
                    "percent_complete": p_survey,
                    "actual_start": start,
                    "work_done": "完成產線走訪與設備清點",
                }
                if p_survey == 100:
                    values[row.pk]["actual_end"] = start + timedelta(days=10)
            elif row.task_id == collect.pk and p_collect:
                values[row.pk] = {
                    "percent_complete": p_collect,
                    "work_done": "安裝傳感器與網關",
                    "problems": problem,
                }
                if p_collect == 100:
                    values[row.pk]["actual_end"] = start + timedelta(days=23)
            elif row.task_id == model.pk and p_model:
                values[row.pk] = {
                    "percent_complete": p_model,
                    "work_done": "特徵工程與基線模型",
                    "next_steps": "補充標註數據",
                    "problems": problem,
                }
            elif row.milestone_id == m1.pk and row.task_id is None:
                done = round((p_survey + p_collect) / 2)
                values[row.pk] = {
                    "percent_complete": done,
                    "next_steps": "完成數據採集" if done < 100 else "",
                }
                if done == 100:
                    values[row.pk]["actual_end"] = start + timedelta(days=23)
            elif row.milestone_id == m2.pk and row.task_id is None and p_model:
                values[row.pk] = {"percent_complete": round(p_model * 0.7)}
        services.fill_rows(report, actor=zhang, rows=values)
        if week < len(weeks) - 1:
            services.submit_report(report, actor=lead)
            comment = "進度正常。" if week < 2 else "請加派標註人員，下週追回進度。"
            services.review_report(report, actor=lead, comment=comment)

    # 3. Complete: every milestone complete, awaiting the client's acceptance (the acceptance
    # demo takes the first through a failed and a passed round, the second to a failed round).
    _completed(
        "RKYL",
        "主數據治理諮詢",
        "梳理物料與客戶主數據，制定數據標準並完成一次清洗。",
        "260000",
        _user("pm.xu"),
        _user("tech.ma"),
        14,
    )
    _completed(
        "MDDX",
        "校園網絡安全評估",
        "對校園網絡進行安全評估，出具整改建議並複測。",
        "180000",
        _user("pm.sun"),
        _user("tech.li"),
        13,
    )


def _completed(client_code, subject, need, fee, lead, tech, weeks_ago):
    """A project whose every milestone is complete, awaiting the client's acceptance."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=weeks_ago)
    client = client_code if ClientOrganization.objects.filter(code=client_code).exists() else "HXZN"
    engagement = _engagement(client, subject, need, tech, fee, start, 3)
    _approved_plan(
        engagement,
        lead,
        milestones=[
            {"name": "數據現狀評估", "due_date": start + timedelta(days=30), "deliverables": "評估報告"},
            {
                "name": "數據標準與清洗",
                "due_date": start + timedelta(days=85),
                "deliverables": "數據標準、清洗報告",
            },
        ],
        team=[(tech, "數據工程師", 100)],
        budget=[("personnel", "人工", "200000"), ("travel", "差旅", "10000")],
    )
    project = services.open_project(_new_contract(engagement), actor=lead)
    services.record_kickoff(
        project,
        actor=lead,
        held_on=start,
        location="線上會議",
        attendees=[lead, tech],
        goals="三個月內完成主數據標準與清洗。",
        tasks_communicated="評估、標準制定、清洗。",
    )
    services.acknowledge_kickoff(project.kickoff, actor=tech)
    report = services.start_report(project, actor=tech, day=start + timedelta(days=86))
    services.fill_rows(
        report,
        actor=tech,
        rows={
            row.pk: {
                "percent_complete": 100,
                "actual_end": row.planned_end,
                "work_done": "已完成並提交交付物",
            }
            for row in report.rows.all()
        },
    )
    services.submit_report(report, actor=lead)
    services.review_report(report, actor=lead, comment="全部里程碑完成。")
    services.complete_project(project, actor=lead, comment="實施完成，申請驗收。")
