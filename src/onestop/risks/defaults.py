"""The policy's risk categories and the default early-warning indicators (the same as the data
migration 0002 writes), for a database built without migrations (the tests) and the demo."""

from __future__ import annotations

from decimal import Decimal

from onestop.risks.models import Indicator, RiskCategory

CATEGORIES = [
    ("technical", "技術風險", "技術方案不可行、關鍵技術不成熟、交付品質不達標等。"),
    ("market", "市場風險", "需求變化、競爭加劇、價格波動、客戶經營狀況惡化等。"),
    ("management", "管理風險", "進度失控、溝通不暢、流程缺失、資源調配不當等。"),
    ("personnel", "人員風險", "關鍵人員流失、能力不足、人手不足、職業安全等。"),
    ("legal", "法律風險", "合同條款缺陷、智慧財產權、合規與責任爭議等。"),
]

# kind, name, lower_is_worse, (blue, yellow, orange, red), period_days, roles, escalate_after_hours
INDICATORS = [
    (
        "schedule_variance",
        "項目進度落後（百分點）",
        False,
        (5, 10, 20, 30),
        30,
        ["project_lead", "management"],
        24,
    ),
    (
        "overdue_rectifications",
        "整改通知逾期未回覆",
        False,
        (1, 2, 3, 5),
        30,
        ["quality", "project_lead"],
        24,
    ),
    ("failed_inspections", "期間內質量檢查不合格", False, (1, 2, 3, 4), 30, ["quality", "project_lead"], 48),
    (
        "failed_acceptance",
        "期間內驗收未通過",
        False,
        (None, 1, 2, 3),
        90,
        ["project_lead", "quality", "management"],
        24,
    ),
    (
        "overdue_receivables",
        "應收款逾期（金額）",
        False,
        (1, 50000, 200000, 500000),
        30,
        ["finance", "management"],
        72,
    ),
    (
        "low_csat",
        "客戶滿意度偏低（平均分）",
        True,
        (3.5, 3.0, 2.5, 2.0),
        90,
        ["customer_service", "quality"],
        48,
    ),
    ("overdue_complaints", "客訴逾期未回覆", False, (1, 2, 3, 5), 30, ["customer_service", "quality"], 8),
    (
        "critical_risks_unanswered",
        "重大風險未採取應對",
        False,
        (None, None, 1, 3),
        30,
        ["management", "quality"],
        24,
    ),
    # RSK-5 from the costs, people and resources apps (migration 0003)
    (
        "budget_burn",
        "預算消耗超前於完成進度（百分點）",
        False,
        (10, 20, 30, 50),
        30,
        ["finance", "management"],
        48,
    ),
    (
        "over_allocation",
        "人員超額分配（週負荷峰值 %）",
        False,
        (101, 120, 150, 200),
        28,
        ["hr", "management"],
        72,
    ),
    ("certificate_expiry", "人員證書即將到期（剩餘天數）", True, (60, 30, 14, 0), 60, ["hr"], 72),
    (
        "equipment_expiry",
        "設備校正／保固／授權即將到期（剩餘天數）",
        True,
        (30, 14, 7, 0),
        30,
        ["archive"],
        48,
    ),
]


def ensure(category_model=RiskCategory, indicator_model=Indicator) -> None:
    """Create the categories and indicators that are missing (by code / kind)."""
    for position, (code, name, description) in enumerate(CATEGORIES, start=1):
        category_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    for kind, name, lower, thresholds, period, roles, hours in INDICATORS:
        if indicator_model.objects.filter(kind=kind).exists():
            continue
        blue, yellow, orange, red = (None if v is None else Decimal(str(v)) for v in thresholds)
        indicator_model.objects.create(
            kind=kind,
            name=name,
            lower_is_worse=lower,
            blue=blue,
            yellow=yellow,
            orange=orange,
            red=red,
            period_days=period,
            roles=roles,
            escalate_after_hours=hours,
        )
