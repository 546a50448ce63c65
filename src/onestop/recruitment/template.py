"""The policy's onboarding programme (入職培訓): its five parts, with the day each is due after the
start and, where the part ends with a test, the pass score. Written into the template by the data
migration 0002 and again by ``services.assign_onboarding`` when the template is still empty (a
database built without migrations); HR changes them on the Onboarding template page."""

from decimal import Decimal

# order, topic, title, what it covers, due after the start (days), has a test, pass score
DEFAULT_PARTS = [
    (1, "overview", "公司概況", "公司發展歷程、組織架構、主要業務與服務客戶。", 3, False, None),
    (2, "culture", "企業文化", "企業使命、願景與價值觀，員工行為規範。", 5, False, None),
    (
        3,
        "service_process",
        "一站式服務流程",
        "從客戶諮詢、需求評估、方案制定、合同簽訂到實施、驗收、結算與回訪的全流程及各環節職責。",
        10,
        True,
        Decimal("80"),
    ),
    (
        4,
        "technical",
        "技術規範",
        "公司技術標準、開發與測試規範、文檔要求與質量控制要點。",
        20,
        True,
        Decimal("80"),
    ),
    (5, "security", "安全與保密制度", "信息安全、客戶資料保密、保密協議與違規處理。", 5, True, Decimal("90")),
]


def default_parts(model) -> list:
    return [
        model(order=o, topic=t, title=title, content=c, due_days=d, has_test=h, pass_score=p)
        for o, t, title, c, d, h, p in DEFAULT_PARTS
    ]
