"""Demo data of the risk app (RSK-1..5, EXT-1): company and project risks at every level, found
in a brainstorming session and a questionnaire, assessed, answered, reviewed over the past
months; emergency plans; the warnings the indicators compute from the demo projects' own
figures, and one emergency plan activated from the most severe of them.

Runs after the stages (core/stages.py COMPANY_APPS), so the projects, inspections, acceptance
rounds, receivables, surveys and complaints it measures already exist.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.models import User
from onestop.core.roles import Role
from onestop.core.services import save
from onestop.projects.models import Project
from onestop.risks import defaults, indicators, services
from onestop.risks.models import (
    WARNING_ORDER,
    EmergencyPlan,
    IdentificationMethod,
    IdentificationSession,
    Risk,
    RiskCategory,
    RiskReview,
    Warning,
)


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _category(code):
    return RiskCategory.objects.get(code=code)


def _back(risk: Risk, days: int) -> None:
    """Date a demo risk's history back: identified ``days`` ago, its reviews spread since."""
    now = timezone.now()
    Risk.objects.filter(pk=risk.pk).update(identified_at=now - timedelta(days=days))
    reviews = list(RiskReview.objects.filter(risk=risk).order_by("pk"))
    if not reviews:
        return
    step = max(days // (len(reviews) + 1), 1)
    for index, row in enumerate(reviews):
        at = now - timedelta(days=days - step * (index + 1))
        RiskReview.objects.filter(pk=row.pk).update(reviewed_at=at)
        if index == 0:
            Risk.objects.filter(pk=risk.pk).update(assessed_at=at)
    if len(reviews) > 1:
        Risk.objects.filter(pk=risk.pk).update(
            last_reviewed_at=now - timedelta(days=days - step * len(reviews))
        )


# title, category, cause, event, consequence, (likelihood, impact), probability %, cost, days,
# strategy, action, reviews [(likelihood, impact, note)], days ago
COMPANY_RISKS = [
    (
        "核心技術骨幹流失",
        "personnel",
        "同業以高薪挖角，研發部近一年已有兩名高級工程師離職。",
        "負責多個項目的核心工程師離職。",
        "在建項目延期、知識斷層，客戶滿意度下降。",
        (4, 4),
        Decimal("40"),
        Decimal("600000"),
        45,
        "mitigate",
        "建立關鍵崗位 AB 角與知識庫，調整留任激勵",
        [(3, 4, "AB 角已覆蓋八成關鍵崗位，留任方案已落實。")],
        150,
    ),
    (
        "同業低價競爭壓縮毛利",
        "market",
        "區域內新進入者以低於成本的報價搶單。",
        "主要客戶要求降價或轉向低價供應商。",
        "年度毛利率下降三至五個百分點。",
        (3, 3),
        Decimal("30"),
        Decimal("800000"),
        0,
        "mitigate",
        "整理差異化服務方案與成功案例，重點客戶由管理層拜訪",
        [],
        60,
    ),
    (
        "合同責任條款覆蓋不足",
        "legal",
        "部分舊版合同範本未設責任上限與免責條款。",
        "客戶以交付延誤為由提出高額索賠。",
        "賠償金額可能超過合同金額。",
        (2, 5),
        Decimal("10"),
        Decimal("1500000"),
        0,
        "transfer",
        "更新合同範本，加入責任上限與免責條款，並投保職業責任險",
        [(2, 4, "新範本已啟用，保險已投保。")],
        120,
    ),
    (
        "辦公網路短暫中斷",
        "technical",
        "機房單線路接入。",
        "網路中斷數小時。",
        "內部作業短暫停頓，對客戶影響有限。",
        (1, 2),
        Decimal("5"),
        Decimal("20000"),
        0,
        "accept",
        "",
        [],
        90,
    ),
]

# Per demo project: title, category, cause, event, consequence, (likelihood, impact), strategy
PROJECT_RISKS = [
    (
        "關鍵里程碑交付延期",
        "management",
        "需求變更頻繁，測試環境到位晚於計劃。",
        "中期里程碑無法按期交付。",
        "驗收順延，影響收款節點。",
        (5, 4),
        "avoid",
    ),
    (
        "客戶數據接口不穩定",
        "technical",
        "客戶舊系統接口文件缺失。",
        "聯調階段反覆失敗。",
        "返工增加約兩週工作量。",
        (3, 2),
        "mitigate",
    ),
    (
        "現場人員安全",
        "personnel",
        "現場調研需進入生產車間。",
        "人員在現場受傷。",
        "停工與賠償，商譽受損。",
        (1, 4),
        "transfer",
    ),
]

EMERGENCY_PLANS = [
    (
        "項目重大延期應急預案",
        "management",
        "schedule_variance",
        "1. 項目負責人 24 小時內召開緊急會議，確認延期原因與範圍\n2. 評估可調配的資源，提出趕工或範圍調整方案\n3. 與客戶溝通新的時間表，必要時提出變更申請\n4. 每日跟蹤進度，直至偏差回到 10 個百分點以內\n5. 事後檢討並更新項目風險登記冊",
        "項目負責人：召集與協調；管理層：審批資源調配；客服：客戶溝通。",
        "項目管理辦公室 分機 2301；總經理辦公室 分機 2001",
    ),
    (
        "質量事故應急預案",
        "technical",
        "failed_inspections",
        "1. 立即停止相關交付並隔離問題成果\n2. 質量部 4 小時內完成初步原因分析\n3. 制定整改方案並指定責任部門\n4. 通知客戶並說明補救措施\n5. 驗證整改效果並形成改進措施",
        "質量部：牽頭調查；項目負責人：整改；管理層：對外溝通。",
        "質量部 分機 2501；值班手機 0912-000-501",
    ),
    (
        "客戶重大投訴應急預案",
        "market",
        "overdue_complaints",
        "1. 客服主管 2 小時內聯繫客戶並致歉\n2. 指定處理人與回覆期限\n3. 管理層視情況親自拜訪\n4. 結案後回訪並記錄改進",
        "客服：首問負責；管理層：重大客訴決策。",
        "客服中心 分機 2101",
    ),
]


def load(actor=None) -> None:
    management = _user("mgmt.chen") or User.objects.with_role(Role.MANAGEMENT).first()
    quality = _user("qa.gao") or User.objects.with_role(Role.QUALITY).first()
    if management is None or quality is None:
        return
    defaults.ensure()  # the data migration's categories and indicators (a test database has none)
    deputy = _user("mgmt.wang") or management
    today = timezone.localdate()

    # --- emergency plans (EXT-1) --------------------------------------------------------------
    plans = {}
    for title, category, kind, steps, roles, contacts in EMERGENCY_PLANS:
        plan = EmergencyPlan(
            title=title,
            category=_category(category),
            indicator_kind=kind,
            steps=steps,
            roles=roles,
            contacts=contacts,
        )
        save(plan, actor=quality)
        plans[kind] = plan

    # --- RSK-1: a brainstorming session and a questionnaire --------------------------------
    participants = [
        u
        for u in (management, deputy, quality, _user("pm.zhou"), _user("fin.song"), _user("expert.zhao"))
        if u
    ]
    brainstorm = save(
        IdentificationSession(
            method=IdentificationMethod.BRAINSTORMING,
            title="年度公司風險識別會",
            held_on=today - timedelta(days=150),
            facilitator=quality,
            minutes="與會者按技術、市場、管理、人員、法律五類逐一識別風險。\n共提出十二項風險，合併後列入登記冊四項。\n決議：重大風險每週檢視，由質量部跟進。",
        ),
        actor=quality,
    )
    brainstorm.participants.set(participants)
    questionnaire = save(
        IdentificationSession(
            method=IdentificationMethod.QUESTIONNAIRE,
            title="項目經理風險問卷",
            held_on=today - timedelta(days=40),
            facilitator=quality,
            questions="您負責的項目目前最擔心的風險是什麼？\n哪些資源不足可能影響交付？",
        ),
        actor=quality,
    )
    respondents = [u for u in (_user("pm.zhou"), _user("pm.xu"), _user("pm.sun")) if u]
    answers = [
        "客戶需求變更多，範圍蔓延，擔心里程碑延期。",
        "測試環境與測試人員不足，聯調時間被壓縮。",
        "外包供應商交付質量不穩定。",
    ]
    answer_rows = []
    for respondent, text in zip(respondents, answers, strict=False):
        question = questionnaire.question_list[0 if len(answer_rows) != 1 else 1]
        answer_rows.append(
            services.record_answer(
                questionnaire, actor=quality, respondent=respondent, question=question, answer=text
            )
        )

    # --- company risks at every level -------------------------------------------------------
    for index, (
        title,
        category,
        cause,
        event,
        consequence,
        (likelihood, impact),
        probability,
        cost,
        days,
        strategy,
        action,
        reviews,
        ago,
    ) in enumerate(COMPANY_RISKS):
        owner = [management, quality, _user("legal.zheng") or management, _user("it.cai") or quality][index]
        risk = services.identify(
            actor=quality,
            title=title,
            category=_category(category),
            cause=cause,
            event=event,
            consequence=consequence,
            owner=owner,
            session=brainstorm,
        )
        _assess_and_answer(
            risk,
            owner,
            management,
            quality,
            likelihood,
            impact,
            probability,
            cost,
            days,
            strategy,
            action,
            reviews,
        )
        _back(risk, ago)

    if answer_rows:
        services.answer_to_risk(
            answer_rows[0],
            actor=quality,
            title="客戶需求範圍蔓延",
            category=_category("management"),
            owner=answer_rows[0].respondent,
        )

    # --- project risks --------------------------------------------------------------------------
    projects = list(Project.objects.select_related("project_lead", "engagement").order_by("code")[:4])
    for number, project in enumerate(projects):
        lead = project.project_lead
        for index, (title, category, cause, event, consequence, (likelihood, impact), strategy) in enumerate(
            PROJECT_RISKS
        ):
            if number >= 2 and index == 2:
                continue
            risk = services.identify(
                actor=lead,
                title=title,
                category=_category(category),
                cause=cause,
                event=event,
                consequence=consequence,
                owner=lead,
                engagement=project.engagement,
            )
            if number == len(projects) - 1 and index == 1:
                _back(risk, 3)  # freshly identified: waits for its owner's assessment
                continue
            shift = 1 if number % 2 and likelihood > 1 else 0
            review = (
                [(max(likelihood - 1 - shift, 1), impact, "應對措施已見效，風險下降。")] if index == 0 else []
            )
            _assess_and_answer(
                risk,
                lead,
                management,
                quality,
                likelihood - shift,
                impact,
                Decimal(15 * (likelihood - shift)),
                Decimal(50000 * impact),
                5 * impact,
                strategy,
                {
                    "avoid": "調整範圍並重排計劃，與客戶確認新的里程碑",
                    "mitigate": "增加聯調人手，提前準備模擬接口",
                    "transfer": "購買現場人員意外險，與客戶簽訂安全責任條款",
                }[strategy],
                review,
            )
            _back(risk, 70 - 10 * index)
        if number == 0:
            realised = Risk.objects.filter(project=project, title=PROJECT_RISKS[1][0]).first()
            if realised is not None and realised.state != Risk.State.CLOSED:
                services.close_risk(
                    realised, actor=lead, outcome="not_realised", note="接口聯調已全部通過，風險解除。"
                )

    # --- RSK-5: warnings from the demo's live figures ------------------------------------------
    indicators.run()
    open_warnings = list(Warning.objects.filter(state=Warning.State.OPEN).order_by("raised_at"))
    order = [level.value for level in WARNING_ORDER]
    # The most severe warning that has an emergency plan of its kind (else the most severe).
    planned = [w for w in open_warnings if w.indicator.kind in plans] or open_warnings
    warning = max(planned, key=lambda w: order.index(w.level), default=None)
    if warning is not None:
        services.acknowledge_warning(warning, actor=management, comment="已收到，啟動應急預案。")
        plan = plans.get(warning.indicator.kind) or next(iter(plans.values()))
        activation = services.activate(
            plan,
            actor=management,
            situation=f"{warning.indicator.name}：{warning.subject}（{warning.value}）",
            warning=warning,
        )
        services.record_emergency_action(
            activation, actor=management, description="召開緊急會議，確認原因與影響範圍。"
        )
        services.record_emergency_action(
            activation, actor=management, description="調配兩名工程師支援，並通知客戶新的時間表。"
        )
    else:
        risk = Risk.objects.filter(level="critical").first()
        if risk is not None:
            activation = services.activate(
                plans["schedule_variance"],
                actor=management,
                situation="重大風險已發生，啟動預案。",
                risk=risk,
            )
            services.record_emergency_action(activation, actor=management, description="召開緊急會議。")


def _assess_and_answer(
    risk, owner, management, quality, likelihood, impact, probability, cost, days, strategy, action, reviews
):
    services.assess(
        risk,
        actor=owner,
        likelihood=likelihood,
        impact=impact,
        description="依歷史項目經驗與本次情況評估。",
        probability=probability,
        cost_impact=cost,
        schedule_impact_days=days,
    )
    today = timezone.localdate()
    reason = "" if strategy == risk.suggested_strategy else "綜合成本與可行性考量，選擇此策略。"
    if strategy == "accept":
        services.choose_response(
            risk,
            actor=owner,
            strategy=strategy,
            reason=reason,
            acceptance_expires=today + timedelta(days=180),
        )
        signer = management if risk.level in ("high", "critical") or owner == quality else quality
        services.sign_off_acceptance(risk, actor=signer, comment="同意接受，持續觀察。")
    else:
        services.choose_response(
            risk,
            actor=owner,
            strategy=strategy,
            reason=reason,
            action_title=action,
            action_owner=owner,
            action_due=today + timedelta(days=30),
        )
    for likelihood_after, impact_after, note in reviews:
        services.review(
            risk,
            actor=owner,
            likelihood=likelihood_after,
            impact=impact_after,
            note=note,
            responses_effective=True,
        )
