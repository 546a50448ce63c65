"""Demo data of the resources app (RES-1..3): document types with their writing standards,
documents of the demo projects with versions in every review state (one delivered, one past its
retention awaiting disposal approval), knowledge articles in Traditional Chinese (published,
in review, a case study), and equipment in every state of its life.

Runs after the stages and builds on their projects and engagements.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onestop.accounts.models import User
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.projects.models import Project
from onestop.resources import services
from onestop.resources.models import Checkout, DocumentType, Equipment, TechnicalDocument

TYPES = [
    (
        "technical-plan",
        "技術方案",
        10,
        "# 技術方案\n\n## 1. 項目背景與目標\n\n## 2. 技術路線\n\n## 3. 實施步驟與時程\n\n## 4. 風險與對策\n",
        "目標與客戶需求一一對應\n技術路線可行並有依據\n時程與里程碑一致\n風險已識別並有對策",
    ),
    (
        "design",
        "設計文檔",
        10,
        "# 設計文檔\n\n## 1. 架構\n\n## 2. 模組設計\n\n## 3. 介面\n\n## 4. 資料\n",
        "架構圖完整清楚\n介面定義明確\n符合技術方案",
    ),
    (
        "test-report",
        "測試報告",
        5,
        "# 測試報告\n\n## 1. 測試範圍\n\n## 2. 測試環境\n\n## 3. 測試結果\n\n## 4. 缺陷與結論\n",
        "測試範圍涵蓋全部需求\n測試結果真實、可追溯\n缺陷均有處理結論",
    ),
    (
        "user-manual",
        "用戶手冊",
        5,
        "# 用戶手冊\n\n## 1. 快速入門\n\n## 2. 功能說明\n\n## 3. 常見問題\n",
        "步驟與系統一致\n截圖清楚\n術語統一",
    ),
    (
        "maintenance-manual",
        "維護手冊",
        8,
        "# 維護手冊\n\n## 1. 日常巡檢\n\n## 2. 備份與還原\n\n## 3. 故障排除\n",
        "巡檢項目完整\n備份還原步驟經過演練\n聯絡窗口正確",
    ),
    ("other", "其他", 3, "# 文件\n", "內容完整"),
]

ARTICLES = [
    (
        "article",
        "機房弱電施工要點",
        "弱電,機房,接地",
        "## 施工前\n\n- 確認**接地電阻**小於 1 歐姆\n- 線槽與強電保持 30 公分以上間距\n\n## 施工中\n\n"
        "1. 每日填寫施工日誌\n2. 線纜兩端貼標籤\n\n## 驗收\n\n| 項目 | 標準 |\n|---|---|\n| 接地電阻 | < 1Ω |\n| 標籤 | 兩端一致 |\n",
    ),
    (
        "solution",
        "防火牆規則審查方法",
        "資安,防火牆,firewall",
        "## 步驟\n\n1. 匯出現行規則（Firewall policy）\n2. 標記超過 180 天未命中的規則\n3. 與系統負責人確認後停用\n\n> 停用前先備份設定。",
    ),
    (
        "case_study",
        "案例：工控網路安全評估",
        "工控,資安,評估",
        "## 背景\n\n客戶為製造業，產線網路與辦公網路未隔離。\n\n## 做法\n\n- 盤點資產 312 項\n- 分區隔離與白名單\n\n## 經驗\n\n提早約定停機窗口，現場測試更順利。",
    ),
    (
        "article",
        "壓力測試報告撰寫範例",
        "測試,報告",
        "## 要點\n\n- 寫明並發數、持續時間與環境\n- 附上回應時間分佈圖\n- 結論需對應驗收指標",
    ),
]

EQUIPMENT = [
    ("網路分析儀", "instrument", "Fluke LinkIQ", Decimal("180000"), Decimal("600")),
    ("光纖熔接機", "tool", "Fujikura 90S+", Decimal("250000"), Decimal("800")),
    ("示波器", "instrument", "Keysight DSOX1204G", Decimal("60000"), Decimal("300")),
    ("筆記型電腦（測試用）", "computer", "ThinkPad T14", Decimal("45000"), Decimal("150")),
    ("弱電測試工具組", "tool", "Klein VDV", Decimal("12000"), Decimal("80")),
    ("漏洞掃描軟體授權", "software", "Nessus Professional", Decimal("110000"), Decimal("350")),
    ("接地電阻測試儀", "instrument", "Kyoritsu 4105A", Decimal("25000"), Decimal("120")),
    ("舊型交換機", "network", "Cisco 2960", Decimal("30000"), Decimal("50")),
    ("舊型投影機", "other", "Epson EB-X05", Decimal("18000"), Decimal("40")),
    ("熱顯像儀", "instrument", "FLIR E6", Decimal("95000"), Decimal("400")),
    ("3D 印表機", "other", "Prusa MK4", Decimal("40000"), Decimal("100")),
]


def _user(username, role=None):
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None and role is not None:
        found = User.objects.with_role(role).filter(is_active=True).order_by("pk").first()
    return found


def _file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _types(quality):
    result = {}
    for code, name, years, skeleton, checklist in TYPES:
        kind, _created = DocumentType.objects.get_or_create(
            code=code,
            defaults={"name": name, "retention_years": years, "skeleton": skeleton, "checklist": checklist},
        )
        result[code] = kind
    return result


def _approve(version, reviewer, approver):
    services.submit_version(version, actor=version.author, reviewer=reviewer, approver=approver)
    services.review_version(
        version, actor=reviewer, checklist=dict.fromkeys(version.document.doc_type.checklist_items, True)
    )
    services.approve_version(version, actor=approver)


def _documents(types, reviewer, approver, archive, boss):
    projects = list(Project.objects.select_related("project_lead", "engagement").order_by("pk")[:4])
    for index, project in enumerate(projects):
        lead = project.project_lead
        if lead is None or reviewer is None or approver is None or lead.pk in (reviewer.pk, approver.pk):
            continue
        plan = services.create_document(
            actor=lead,
            project=project,
            doc_type=types["technical-plan"],
            title=f"{project.name} 技術方案",
            file=_file("技術方案.txt", f"{project.name}\n目標：依合約完成\n技術路線：分階段實施\n"),
            change_note="初版",
        )
        _approve(plan.versions.get(), reviewer, approver)
        report = services.create_document(
            actor=lead,
            project=project,
            doc_type=types["test-report"],
            title=f"{project.name} 系統測試報告",
            file=_file("測試報告.txt", "測試範圍：功能測試\n結果：通過 48 項，失敗 2 項\n"),
            change_note="初版：功能測試",
        )
        v1 = report.versions.get()
        _approve(v1, reviewer, approver)
        if index == 0:
            # Delivered to the client; version 2 in review shows its difference.
            services.deliver(
                report, actor=lead, version=v1, delivered_to=f"{project.engagement.client} 資訊部"
            )
            v2 = services.add_version(
                report,
                actor=lead,
                change_note="補充壓力測試結果，修正兩項缺陷的結論",
                file=_file(
                    "測試報告-v2.txt",
                    "測試範圍：功能測試與壓力測試\n結果：通過 50 項，失敗 0 項\n壓力測試：500 並發，平均回應 0.8 秒\n",
                ),
            )
            services.submit_version(v2, actor=lead, reviewer=reviewer, approver=approver)
        elif index == 1:
            services.create_document(
                actor=lead,
                project=project,
                doc_type=types["user-manual"],
                title=f"{project.name} 用戶手冊",
                file=_file("用戶手冊.txt", "快速入門：登入後選擇「工作台」\n"),
                change_note="草稿",
            )
        elif index == 2:
            # An old maintenance manual past its retention: the archive room asked for disposal.
            manual = services.create_document(
                actor=lead,
                project=project,
                doc_type=types["maintenance-manual"],
                title=f"{project.name} 舊版維護手冊",
                file=_file("維護手冊.txt", "日常巡檢：每週一次\n"),
                change_note="初版",
            )
            _approve(manual.versions.get(), reviewer, approver)
            TechnicalDocument.objects.filter(pk=manual.pk).update(
                retention_until=timezone.localdate() - timedelta(days=3)
            )
            manual.refresh_from_db()
            if archive is not None:
                services.request_disposal(
                    manual, actor=archive, comment="保存期限已滿，已有新版維護手冊取代，申請銷毀。"
                )


def _checks(quality):
    """The open inspections of the projects with documents link the versions they read (QA-2)."""
    from onestop.quality.models import Inspection  # noqa: PLC0415 — demo data only
    from onestop.quality.states import INSPECTION_OPEN  # noqa: PLC0415

    projects = TechnicalDocument.objects.values("project_id").distinct()
    for inspection in Inspection.objects.filter(project_id__in=projects, state__in=INSPECTION_OPEN).order_by(
        "planned_date", "pk"
    )[:3]:
        actor = inspection.inspector or quality
        documents = TechnicalDocument.objects.filter(project_id=inspection.project_id).order_by("code")[:2]
        for document in documents:
            version = document.versions.order_by("-number").first()
            if version is not None and not version.checks.filter(item__inspection=inspection).exists():
                services.check_document(inspection, actor=actor, version=version, note="章節完整，與方案一致")


def _articles(technician, quality, author2):
    for index, (kind, title, tags, body) in enumerate(ARTICLES):
        writer = technician if index % 2 == 0 else author2
        article = services.write_article(
            actor=writer, kind=kind, title=title, body=body, tags=tags, summary=""
        )
        if index == len(ARTICLES) - 1:
            services.submit_article(article, actor=writer)  # waits for quality's review
            continue
        services.submit_article(article, actor=writer)
        services.publish_article(article, actor=quality)
        for rater, stars in ((quality, 5), (author2 if writer == technician else technician, 4)):
            if rater is not None and rater.pk != writer.pk:
                services.rate_article(article, actor=rater, stars=stars)
    # A case study from a closed engagement, drafted from its records.
    closed = (
        Engagement.objects.filter(stage=Engagement.Stage.CLOSED, project__isnull=False).first()
        or Engagement.objects.filter(stage=Engagement.Stage.CLOSED).order_by("pk").first()
    )
    if closed is not None:
        draft = services.case_study_draft(closed)
        services.write_article(
            actor=technician,
            kind=draft["kind"],
            title=draft["title"],
            body=draft["body"],
            engagement=closed,
            tags="案例",
        )


def _equipment(requester, boss, keeper):
    today = timezone.localdate()
    projects = list(Project.objects.select_related("project_lead").order_by("pk")[:3])
    items = []
    for name, category, model_number, price, rate in EQUIPMENT:
        items.append(
            services.request_equipment(
                actor=requester,
                name=name,
                category=category,
                model_number=model_number,
                purpose="專案現場量測與測試所需",
                estimated_price=price,
                daily_rate=rate,
                maintenance_interval_days=180,
            )
        )

    def bring_in(item):
        services.approve_purchase(item, actor=boss)
        services.order(item, actor=keeper, supplier="宏達儀器股份有限公司", price=item.estimated_price)
        services.arrive(item, actor=keeper)
        services.accept(item, actor=keeper, note="外觀、功能、配件清點皆合格")

    # 0: checked out to a project; 1: checked out, return overdue; 2: in stock with past use;
    # 3: in maintenance; 4: awaiting inspection; 5: ordered (licence); 6: requested; 7: scrapped;
    # 8: scrapping requested; 9: purchase approved, to order; 10: purchase rejected.
    for item in [*items[:4], items[7], items[8]]:
        bring_in(item)
    for position, item in enumerate(items[:3]):
        project = projects[position % len(projects)] if projects else None
        person = project.project_lead if project is not None else requester
        services.check_out(
            item, actor=keeper, person=person, project=project, due_back_on=today + timedelta(days=14)
        )
        start = today - timedelta(days=20 + 10 * position)
        Checkout.objects.filter(equipment=item, returned_on__isnull=True).update(
            checked_out_on=start, due_back_on=start + timedelta(days=12 if position == 1 else 40)
        )
        if position == 2:
            services.return_item(item, actor=keeper, condition_note="正常，已清潔")
            Checkout.objects.filter(equipment=item).update(returned_on=start + timedelta(days=9))
    Equipment.objects.filter(pk=items[0].pk).update(calibration_due_on=today + timedelta(days=7))
    Equipment.objects.filter(pk=items[2].pk).update(warranty_until=today + timedelta(days=25))
    services.start_maintenance(items[3], actor=keeper, comment="鍵盤故障送修")
    services.approve_purchase(items[4], actor=boss)
    services.order(items[4], actor=keeper, supplier="弱電工具行", price=Decimal("11800"))
    services.arrive(items[4], actor=keeper)
    services.approve_purchase(items[5], actor=boss)
    services.order(items[5], actor=keeper, supplier="資安軟體代理商", price=Decimal("108000"))
    Equipment.objects.filter(pk=items[5].pk).update(licence_until=date(today.year + 1, 1, 31))
    services.record_maintenance(
        items[7],
        actor=keeper,
        kind="evaluation",
        description="年度評估：不支援新標準，建議汰換",
        verdict="replace",
    )
    services.request_scrap(items[7], actor=keeper, comment="年度評估建議汰換")
    services.approve_scrap(items[7], actor=boss, comment="同意報廢，交資產管理註銷")
    services.request_scrap(items[8], actor=keeper, comment="燈泡壽命已盡，維修費用高於新購")
    services.approve_purchase(items[9], actor=boss)
    services.reject_purchase(items[10], actor=boss, comment="本年度預算不足，明年再議")


def load(actor=None) -> None:
    quality = _user("qa.gao", Role.QUALITY)
    reviewer = _user("expert.zhao", Role.REVIEWER)
    approver = _user("mgmt.wang", Role.MANAGEMENT)
    boss = _user("mgmt.chen", Role.MANAGEMENT)
    archive = _user("archive.luo", Role.ARCHIVE)
    technician = _user("tech.hu", Role.TECHNICIAN)
    author2 = _user("tech.zhang", Role.TECHNICIAN)
    if quality is None or technician is None or boss is None or archive is None:
        return
    types = _types(quality)
    _documents(types, reviewer, approver, archive, boss)
    _checks(quality)
    _articles(technician, quality, author2 or technician)
    _equipment(technician, boss, archive)
