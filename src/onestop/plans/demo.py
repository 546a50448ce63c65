"""Demo service plans (PLN-1..3), written through the real services: one that needed two
review rounds and was approved, one in review, one being drafted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.demo import DEMO_PASSWORD  # signing asks the signer's password (core.reauth)
from onestop.accounts.models import ClientOrganization, User
from onestop.engagements import services as engagement_services
from onestop.engagements.models import Channel, Engagement
from onestop.plans import services


def _user(username):
    return User.objects.get(username=username)


def _confirmed(client_code, subject, need, technician, fee, months):
    """A further engagement carried to a signed confirmation, as the plan stage needs."""
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
    start = timezone.localdate() + timedelta(days=30)
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


def _fill(version, actor, *, route, steps, quality, lead, team, budget):
    start = version.period_start
    services.update_version(
        version,
        actor=actor,
        technical_route=route,
        implementation_steps=steps,
        quality_measures=quality,
        milestones=[
            {
                "name": "需求細化與方案設計",
                "due_date": start + timedelta(days=30),
                "deliverables": "詳細設計說明書",
            },
            {
                "name": "開發與集成測試",
                "due_date": start + timedelta(days=120),
                "deliverables": "系統、測試報告",
            },
            {"name": "上線與驗收", "due_date": version.period_end, "deliverables": "驗收報告、運維手冊"},
        ],
        staffing=[{"user": lead, "role": "項目負責人", "allocation": 60}]
        + [{"user": user, "role": role, "allocation": share} for user, role, share in team],
        budget_lines=[{"category": c, "description": d, "amount": Decimal(a)} for c, d, a in budget],
    )


def _review(version, reviewer, scores, recommendation, comments=""):
    codes = ("rationality", "feasibility", "innovation", "risk_controllability")
    services.submit_review(
        version,
        actor=reviewer,
        scores=dict(zip(codes, scores, strict=True)),
        recommendation=recommendation,
        comments=comments,
    )


def load(actor=None) -> None:
    management, deputy = _user("mgmt.chen"), _user("mgmt.wang")
    panel = [_user("expert.zhao"), _user("expert.qian"), _user("expert.feng")]
    budget = [
        ("personnel", "工程師人工 6 人月", "260000"),
        ("equipment", "採集網關 20 台", "150000"),
        ("office", "辦公耗材", "8000"),
        ("travel", "蘇州現場差旅", "36000"),
        ("communication", "專線與雲資源", "24000"),
        ("other", "不可預見費", "20000"),
    ]

    # 1. 華信 (confirmed by the intake demo): two review rounds, then approved and effective.
    engagement = Engagement.objects.filter(stage=Engagement.Stage.CONFIRMED).order_by("received_at").first()
    if engagement is not None:
        lead = _user("pm.zhou")
        plan = services.create_plan(engagement, actor=management, project_lead=lead)
        v1 = plan.versions.get(number=1)
        _fill(
            v1,
            lead,
            route="OPC UA / Modbus 網關採集，時序數據庫存儲，Web 看板展示。",
            steps="調研 → 設計 → 開發 → 試運行 → 驗收",
            quality="代碼評審；每個里程碑的測試報告。",
            lead=lead,
            team=[(_user("tech.zhang"), "技術負責人", 80)],
            budget=budget,
        )
        services.submit_version(v1, actor=lead, reviewers=panel, comment="請各位專家評審。")
        _review(v1, panel[0], (4, 3, 3, 2), "revise", "風險控制措施不足：未考慮老舊設備協議不兼容。")
        _review(v1, panel[1], (3, 3, 3, 2), "revise", "實施步驟過粗，需要分兩期並給出回退方案。")
        _review(v1, panel[2], (4, 4, 3, 3), "pass", "質量措施可再細化。")
        v2 = services.new_version(
            plan, actor=lead, change_note="按評審意見：分兩期實施，增加協議兼容性驗證與回退方案。"
        )
        _fill(
            v2,
            lead,
            route="OPC UA / Modbus 網關採集，老舊設備加裝協議轉換模塊；時序數據庫；Web 看板。",
            steps="一期：一號產線 100 台試點與兼容性驗證；二期：二號產線推廣。每期設回退方案。",
            quality="代碼評審；兼容性測試清單；每期驗收前第三方抽測。",
            lead=lead,
            team=[(_user("tech.zhang"), "技術負責人", 80), (_user("tech.wu"), "測試工程師", 50)],
            budget=[*budget[:-1], ("other", "協議轉換模塊與不可預見費", "42000")],
        )
        services.submit_version(v2, actor=lead, reviewers=panel, comment="已按意見修改，請複審。")
        _review(v2, panel[0], (4, 4, 3, 4), "pass")
        _review(v2, panel[1], (4, 4, 4, 4), "pass")
        _review(v2, panel[2], (5, 4, 3, 4), "pass", "質量措施到位。")
        services.approve_version(v2, actor=management, comment="同意，按此方案執行。")

    # 2. A second client: the plan is with the review panel (one of three reviews in).
    tech = _user("tech.li")
    engagement = _confirmed(
        "RKYL",
        "醫療器械生產追溯系統",
        "按 UDI 法規建設全流程追溯系統，含審計追蹤與電子簽名。",
        tech,
        "560000",
        6,
    )
    lead = _user("pm.xu")
    plan = services.create_plan(engagement, actor=deputy, project_lead=lead)
    v1 = plan.versions.get(number=1)
    _fill(
        v1,
        lead,
        route="基於 UDI 的批次追溯模型；審計追蹤與電子簽名符合 21 CFR Part 11。",
        steps="現狀調研 → 追溯模型設計 → 開發 → 驗證 (IQ/OQ/PQ) → 上線",
        quality="計算機化系統驗證；每階段評審。",
        lead=lead,
        team=[(tech, "技術負責人", 70)],
        budget=[("personnel", "人工", "300000"), ("travel", "差旅", "20000"), ("other", "驗證文檔", "30000")],
    )
    services.submit_version(v1, actor=lead, reviewers=panel, comment="請評審。")
    _review(v1, panel[0], (4, 4, 3, 4), "pass")

    # 3. A third client: the project lead is still drafting version 1.
    engagement = _confirmed(
        "HWYH",
        "手機銀行安全滲透測試",
        "對新版手機銀行 App 與後台接口做安全滲透測試並給出加固建議。",
        _user("tech.liu"),
        "180000",
        2,
    )
    services.create_plan(engagement, actor=management, project_lead=_user("pm.sun"))
