"""The policy's risk categories, the default 5 × 5 matrix and the early-warning indicators."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("technical", "技術風險", "技術方案不可行、關鍵技術不成熟、交付品質不達標等。"),
    ("market", "市場風險", "需求變化、競爭加劇、價格波動、客戶經營狀況惡化等。"),
    ("management", "管理風險", "進度失控、溝通不暢、流程缺失、資源調配不當等。"),
    ("personnel", "人員風險", "關鍵人員流失、能力不足、人手不足、職業安全等。"),
    ("legal", "法律風險", "合同條款缺陷、智慧財產權、合規與責任爭議等。"),
]

# kind, name, lower_is_worse, (blue, yellow, orange, red), period_days, roles, escalate_after_hours
INDICATORS = [
    ("schedule_variance", "項目進度落後（百分點）", False, (5, 10, 20, 30), 30, ["project_lead", "management"], 24),
    ("overdue_rectifications", "整改通知逾期未回覆", False, (1, 2, 3, 5), 30, ["quality", "project_lead"], 24),
    ("failed_inspections", "期間內質量檢查不合格", False, (1, 2, 3, 4), 30, ["quality", "project_lead"], 48),
    ("failed_acceptance", "期間內驗收未通過", False, (None, 1, 2, 3), 90, ["project_lead", "quality", "management"], 24),
    ("overdue_receivables", "應收款逾期（金額）", False, (1, 50000, 200000, 500000), 30, ["finance", "management"], 72),
    ("low_csat", "客戶滿意度偏低（平均分）", True, (3.5, 3.0, 2.5, 2.0), 90, ["customer_service", "quality"], 48),
    ("overdue_complaints", "客訴逾期未回覆", False, (1, 2, 3, 5), 30, ["customer_service", "quality"], 8),
    ("critical_risks_unanswered", "重大風險未採取應對", False, (None, None, 1, 3), 30, ["management", "quality"], 24),
]


def _grid():
    def high(v):
        return v * 5 > 15

    def low(v):
        return v * 5 <= 10

    levels, strategies = [], []
    for li in range(1, 6):
        level_row, strategy_row = [], []
        for im in range(1, 6):
            score = li * im
            level_row.append("critical" if score >= 16 else "high" if score >= 10 else "medium" if score >= 5 else "low")
            if high(li) and high(im):
                strategy_row.append("avoid")
            elif low(li) and low(im):
                strategy_row.append("accept")
            elif not low(li) and not high(im):
                strategy_row.append("mitigate")
            else:
                strategy_row.append("transfer")
        levels.append(level_row)
        strategies.append(strategy_row)
    return levels, strategies


def load(apps, schema_editor):
    Category = apps.get_model("risks", "RiskCategory")
    Matrix = apps.get_model("risks", "RiskMatrix")
    Indicator = apps.get_model("risks", "Indicator")
    for position, (code, name, description) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "description": description, "position": position})
    if not Matrix.objects.exists():
        levels, strategies = _grid()
        Matrix.objects.create(
            version=1,
            effective_from=date(2020, 1, 1),
            likelihood_labels=["極低", "低", "中", "高", "極高"],
            impact_labels=["輕微", "較小", "中等", "重大", "災難性"],
            levels=levels,
            strategies=strategies,
            colours={"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#c62828"},
            review_days={"low": 90, "medium": 30, "high": 14, "critical": 7},
            note="政策預設 5 × 5 矩陣",
        )
    for kind, name, lower, thresholds, period, roles, hours in INDICATORS:
        blue, yellow, orange, red = (None if v is None else Decimal(str(v)) for v in thresholds)
        Indicator.objects.get_or_create(
            kind=kind,
            defaults={
                "name": name,
                "lower_is_worse": lower,
                "blue": blue,
                "yellow": yellow,
                "orange": orange,
                "red": red,
                "period_days": period,
                "roles": roles,
                "escalate_after_hours": hours,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
