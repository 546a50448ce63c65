"""Demo engagements in every intake state (INT-1..3), written through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.demo import DEMO_PASSWORD  # signing asks the signer's password (core.reauth)
from onestop.accounts.models import ClientOrganization, User
from onestop.engagements import services
from onestop.engagements.models import Channel

# client code, channel, subject, need, days ago
INQUIRIES = [
    (
        "HXZN",
        Channel.PHONE,
        "產線設備數據採集與可視化",
        "華信希望把蘇州工廠兩條產線約 200 台設備的運行數據集中採集，做成即時看板，並保留三年歷史數據供工藝分析。",
        20,
    ),
    (
        "DFLN",
        Channel.EMAIL,
        "光伏電站遠程監控平台升級",
        "現有監控系統已運行八年，需升級為支援 5 萬個測點、手機端告警的新平台，並與集團資產系統對接。",
        18,
    ),
    (
        "SJZX",
        Channel.PORTAL,
        "政務數據共享交換平台安全評估",
        "對數據共享交換平台做等保三級差距分析與整改建議，並協助完成測評準備。",
        16,
    ),
    (
        "CJWL",
        Channel.CHAT,
        "倉儲機器人調度系統",
        "需要一套調度 50 台 AGV 的系統，與現有 WMS 對接，高峰時段吞吐提升 30%。",
        14,
    ),
    (
        "RKYL",
        Channel.PHONE,
        "醫療器械生產追溯系統",
        "按 UDI 法規要求建設從原料到出廠的全流程追溯系統，含審計追蹤與電子簽名。",
        12,
    ),
    ("HWYH", Channel.EMAIL, "手機銀行性能壓測", "新版手機銀行上線前需做 1 萬併發的性能壓測與調優建議。", 9),
    ("MDDX", Channel.PORTAL, "實驗室教學用服務器採購", "想請貴公司代購 20 台服務器並上門安裝。", 8),
    (
        "XHWL",
        Channel.PHONE,
        "景區客流預測模型",
        "希望基於歷史票務與天氣數據預測未來 14 天客流，用於排班與限流。",
        6,
    ),
    (
        "HXZN",
        Channel.PORTAL,
        "MES 與 ERP 接口開發",
        "MES 與 SAP 之間的工單、物料、報工接口，需支援斷點續傳。",
        3,
    ),
    ("DFLN", Channel.PHONE, "儲能電站 BMS 數據分析", "分析三座儲能電站電池簇的衰減趨勢，給出運維建議。", 1),
]


def _user(username):
    return User.objects.get(username=username)


def _terms(content, requirements, months, fee, start_in_days=30):
    start = timezone.localdate() + timedelta(days=start_in_days)
    return {
        "service_content": content,
        "technical_requirements": requirements,
        "period_start": start,
        "period_end": start + timedelta(days=30 * months),
        "fee": Decimal(fee),
        "currency": "CNY",
    }


def load(actor=None) -> None:
    cs = {"cs.lin": _user("cs.lin"), "cs.guo": _user("cs.guo")}
    techs = [_user(name) for name in ("tech.zhang", "tech.li", "tech.liu", "tech.huang", "tech.ma")]
    clients = {org.code: org for org in ClientOrganization.objects.all()}
    now = timezone.now()
    engagements = []
    for index, (code, channel, subject, need, days_ago) in enumerate(INQUIRIES):
        client = clients[code]
        portal_user = client.users.first()
        if channel in (Channel.PORTAL, Channel.CHAT) and portal_user is not None:
            recorder = portal_user
        else:
            recorder = client.account_manager or cs["cs.lin"]
        contact = client.contacts.filter(is_primary=True).first()
        inquiry = services.record_inquiry(
            actor=recorder,
            client=client,
            contact=contact if recorder.client_organization_id is None else None,
            channel=channel,
            subject=subject,
            need=need,
            received_at=now - timedelta(days=days_ago, hours=index),
        )
        engagements.append(inquiry.engagement)

    def forward(engagement, technician):
        services.forward(
            engagement,
            actor=engagement.client.account_manager or cs["cs.lin"],
            technician=technician,
            comment="請評估是否屬於一站式技術服務範疇。",
        )

    def in_scope(engagement, technician, goals, requirements):
        forward(engagement, technician)
        services.assess_in_scope(
            engagement,
            actor=technician,
            service_goals=goals,
            technical_requirements=requirements,
            requested_deadline=timezone.localdate() + timedelta(days=180),
        )

    # 1. 華信: confirmed after two rounds; both signed.
    e, tech = engagements[0], techs[0]
    in_scope(
        e,
        tech,
        "集中採集 200 台設備數據並即時可視化，保留三年歷史。",
        "OPC UA / Modbus 採集；秒級刷新；三年數據線上查詢。",
    )
    p1 = services.propose(
        e,
        actor=tech,
        note="首輪方案與報價。",
        **_terms("數據採集網關部署、時序數據庫、可視化看板", "支援 200 台設備，延遲 ≤ 1 秒", 6, "680000"),
    )
    client_user = e.client.users.first()
    p2 = services.propose(
        e,
        actor=client_user,
        note="預算上限 62 萬，可接受分兩期交付。",
        **_terms(
            "數據採集網關部署、時序數據庫、可視化看板（分兩期）", "支援 200 台設備，延遲 ≤ 1 秒", 7, "620000"
        ),
    )
    services.accept_proposal(p2, actor=tech)
    services.sign_confirmation(e, actor=tech, role="technician", password=DEMO_PASSWORD)
    services.sign_confirmation(e, actor=client_user, role="client", password=DEMO_PASSWORD)
    del p1

    # 2. 東方綠能: three negotiation rounds, agreed; the technician signed, the client has not yet.
    e, tech = engagements[1], techs[1]
    in_scope(
        e, tech, "升級監控平台，支援 5 萬測點與手機告警。", "分布式採集、告警推送 ≤ 30 秒、與資產系統接口。"
    )
    client_user = e.client.users.first()
    services.propose(
        e,
        actor=tech,
        note="含三年運維。",
        **_terms("監控平台升級、手機端、資產系統接口、三年運維", "5 萬測點；告警 ≤ 30 秒", 8, "1280000"),
    )
    services.propose(
        e,
        actor=client_user,
        note="運維改為一年，工期希望縮短。",
        **_terms("監控平台升級、手機端、資產系統接口、一年運維", "5 萬測點；告警 ≤ 30 秒", 6, "980000"),
    )
    p3 = services.propose(
        e,
        actor=tech,
        note="六個月工期需增加人手，報價調整如下。",
        **_terms("監控平台升級、手機端、資產系統接口、一年運維", "5 萬測點；告警 ≤ 30 秒", 6, "1050000"),
    )
    services.accept_proposal(p3, actor=client_user)
    services.sign_confirmation(e, actor=tech, role="technician", password=DEMO_PASSWORD)

    # 3. 濱江市數據中心: in confirmation, first proposal awaiting the client's answer.
    e, tech = engagements[2], techs[2]
    in_scope(
        e, tech, "等保三級差距分析與整改建議，協助測評準備。", "覆蓋 12 個子系統；輸出差距清單與整改方案。"
    )
    services.propose(
        e,
        actor=tech,
        note="可於一個月內完成現場調研。",
        **_terms("等保三級差距分析、整改方案、測評陪同", "12 個子系統；差距清單", 3, "360000"),
    )

    # 4. 長江物流: in scope, no proposal yet.
    in_scope(
        engagements[3],
        techs[3],
        "AGV 調度系統與 WMS 對接，吞吐提升 30%。",
        "調度 50 台 AGV；接口延遲 < 200 ms。",
    )

    # 5, 6. 瑞康, 海灣銀行: waiting for the technician's assessment.
    forward(engagements[4], techs[4])
    forward(engagements[5], techs[0])

    # 7. 明德大學: out of scope (hardware resale), with a reply and alternatives.
    e, tech = engagements[6], techs[1]
    forward(e, tech)
    services.assess_out_of_scope(
        e,
        actor=tech,
        reason="單純的硬件代購與安裝不屬於本公司一站式技術服務範疇。",
        suggestions="建議通過學校政府採購平台向服務器廠商直接採購；如需實驗室教學平台的規劃、部署與運維，我們可提供一站式服務。",
    )

    # 8. 星河文旅: withdrawn by the client.
    e = engagements[7]
    forward(e, techs[2])
    services.withdraw(
        e, actor=e.client.account_manager or cs["cs.guo"], comment="客戶表示今年預算取消，明年再議。"
    )

    # 9, 10: just received, not yet forwarded (one from the portal, one by phone).
