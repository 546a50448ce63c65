"""Demo staff allocation, team building and costs over the demo projects' months (RES-4..7).

- cost rates per position (a year ago, and a raise for engineers two months ago);
- every demo project's team allocated through the service; 黃俊傑 also lent to the warehouse
  project from next week (over-allocated: 130 %); 劉洋, 曾凱文 and 吳佩珊 on the bench; a
  reallocation request for 劉洋 waiting for 趙明遠 (head of 技術研發部), one approved for 吳佩珊;
- the hours of every allocated person on every working day so far (the current week partly
  booked, so "My work" asks for the rest); expenses (approved, one awaiting the lead's approval,
  one draft) with receipts, purchases; the budget alerts they cross;
- three team activities with participants and feedback;
- the monthly cost roll-ups from the first project's start to this month.

Every date is relative to today, so the demo looks the same whenever it is loaded.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from onestop.accounts.models import Department, Position, User
from onestop.core.services import delete_instance
from onestop.core.workflow import perform_transition
from onestop.costs import alerts, rollup, services
from onestop.costs.models import (
    Allocation,
    Category,
    CostRate,
    Purchase,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.projects.models import Project

RATES = [
    ("高級工程師", "260"),
    ("工程師", "180"),
    ("測試工程師", "160"),
    ("項目經理", "220"),
    ("技術總監", "320"),
]
# How much of the allocated day was booked, week after week (a little variation).
RHYTHM = [Decimal("1"), Decimal("0.9"), Decimal("1.1"), Decimal("1"), Decimal("0.85")]


def _user(username):
    return User.objects.get(username=username)


def _receipt(name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw  # noqa: PLC0415 — Pillow only to draw the demo's receipts

    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 351, 211), outline="black")
    draw.text((24, 30), "RECEIPT", fill="black")
    draw.text((24, 70), name.encode("ascii", "ignore").decode() or "OneStop demo", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")


def _rates(finance) -> None:
    today = timezone.localdate()
    year_ago = today.replace(month=1, day=1) - timedelta(days=365)
    services.save_rate(
        CostRate(position=None, hourly_rate=Decimal("150"), effective_from=year_ago, note="預設費率"),
        actor=finance,
    )
    for name, rate in RATES:
        position = Position.objects.filter(name=name).first()
        if position is None:
            continue
        services.save_rate(
            CostRate(position=position, hourly_rate=Decimal(rate), effective_from=year_ago, note="年度核定"),
            actor=finance,
        )
    engineer = Position.objects.filter(name="工程師").first()
    if engineer is not None:
        services.save_rate(
            CostRate(
                position=engineer,
                hourly_rate=Decimal("190"),
                effective_from=(today - timedelta(days=60)).replace(day=1),
                note="年中調薪",
            ),
            actor=finance,
        )


def _allocate(projects) -> None:
    # 張偉 left the warehouse project's team before it started: its 三維建模工程師 role in the
    # plan has nobody now (an unstaffed role on the heat map), until a replacement is found.
    warehouse = next((p for p in projects if p.name == "倉儲物流數字孿生"), None)
    if warehouse is not None:
        member = warehouse.members.filter(user__username="tech.zhang").first()
        if member is not None:
            delete_instance(member, actor=warehouse.project_lead, reason="調往其他項目，待補人選。")
    for project in projects:
        services.allocate_team(project, actor=project.project_lead)
    huang = User.objects.filter(username="tech.huang").first()
    if warehouse is not None and huang is not None:
        services.save_allocation(
            Allocation(
                project=warehouse,
                user=huang,
                role="數據採集支援",
                percent=30,
                start=warehouse.planned_start,
                end=warehouse.planned_start + timedelta(days=42),
                note="支援定位基站部署，與預測性維護項目並行。",
            ),
            actor=_user("hr.xu"),
        )


def _reallocations(projects) -> None:
    maintenance = next((p for p in projects if p.name == "設備預測性維護平台"), None)
    warehouse = next((p for p in projects if p.name == "倉儲物流數字孿生"), None)
    today = timezone.localdate()
    if maintenance is not None:
        services.request_reallocation(
            actor=maintenance.project_lead,
            project=maintenance,
            user=_user("tech.liu"),
            role="數據標註工程師",
            percent=50,
            start=today + timedelta(days=7),
            end=maintenance.planned_end,
            reason="模型訓練進度落後，歷史故障數據標註不足，需加派一名工程師協助標註。",
        )
    if warehouse is not None:
        request = services.request_reallocation(
            actor=warehouse.project_lead,
            project=warehouse,
            user=_user("tech.wu"),
            role="系統測試工程師",
            percent=40,
            start=warehouse.planned_start + timedelta(days=28),
            end=warehouse.planned_end,
            reason="系統集成階段需要測試工程師編寫測試方案並執行集成測試。",
        )
        head = request.from_department.head or request.from_department.parent.head
        perform_transition(request, "approve", actor=head, comment="同意借調，請於測試完成後歸還。")


def _timesheets(projects) -> None:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    rows = []
    rate_cache: dict[tuple, Decimal] = {}
    allocations = Allocation.objects.filter(project__in=projects).select_related("user", "project")
    for allocation in allocations:
        last = min(allocation.end, today)
        day = allocation.start
        tasks = list(
            allocation.project.tasks.filter(assignee__user=allocation.user).order_by("planned_start")
        )
        while day <= last:
            if day.weekday() < 5 and not (day >= monday and day.weekday() >= 2):  # this week: Mon–Tue only
                week = (day - allocation.start).days // 7
                hours = (Decimal(8) * allocation.percent / 100 * RHYTHM[week % len(RHYTHM)]).quantize(
                    Decimal("0.5")
                )
                if hours > 0:
                    key = (allocation.user.position_id, day.replace(day=1))
                    if key not in rate_cache:
                        rate_cache[key] = services.rate_for(allocation.user, day)
                    rate = rate_cache[key]
                    task = next((t for t in tasks if t.planned_start <= day <= t.planned_end), None)
                    rows.append(
                        Timesheet(
                            user=allocation.user,
                            project=allocation.project,
                            task=task,
                            day=day,
                            hours=hours,
                            description=task.name if task else allocation.role,
                            rate=rate,
                            cost=(rate * hours).quantize(Decimal("0.01")),
                        )
                    )
            day += timedelta(days=1)
    # Months of daily hours: written at once (with their history rows) rather than one service
    # call per day; the service's checks hold by construction (allocated days, ≤ 24 hours).
    bulk_create_with_history(rows, Timesheet, batch_size=500, default_user=_user("fin.song"))


def _expense(project, claimant, category, description, amount, day, *, state="approved"):
    expense = services.claim_expense(
        actor=claimant,
        project=project,
        category=category,
        description=description,
        amount=Decimal(amount),
        spent_on=day,
        receipt=_receipt(f"receipt-{project.code}-{day:%m%d}"),
    )
    if state in ("submitted", "approved", "rejected"):
        perform_transition(expense, "submit", actor=claimant, comment="請審批。")
    lead = project.project_lead
    # Past the approval threshold the lead may no longer approve: management does (RES-6).
    approver = lead if lead.has_perm("costs.approve_expense", expense) else _user("mgmt.chen")
    if state == "approved":
        perform_transition(expense, "approve", actor=approver, comment="同意報銷。")
    elif state == "rejected":
        perform_transition(expense, "reject", actor=project.project_lead, comment="發票抬頭有誤，請重開。")
    return expense


def _purchaser(project, usual):
    """Who records a purchase: past the approval threshold (the company equipment the project
    uses counts too) only management may (RES-6)."""
    return _user("mgmt.chen") if alerts.spending_blocked(project) else usual


def _costs(projects) -> None:
    today = timezone.localdate()
    by_name = {p.name: p for p in projects}
    maintenance = by_name.get("設備預測性維護平台")
    if maintenance is not None:
        start = maintenance.actual_start or maintenance.planned_start
        huang, hu = _user("tech.huang"), _user("tech.hu")
        services.record_purchase(
            Purchase(
                project=maintenance,
                category=Category.EQUIPMENT,
                item="振動傳感器 30 套",
                supplier="蘇州測控儀器有限公司",
                amount=Decimal("56800"),
                purchased_on=start + timedelta(days=8),
                note="含安裝支架與線纜。",
            ),
            actor=_purchaser(maintenance, _user("fin.song")),
        )
        services.record_purchase(
            Purchase(
                project=maintenance,
                category=Category.OTHER,
                item="GPU 雲主機（按月）",
                supplier="華雲計算",
                amount=Decimal("6400"),
                purchased_on=start + timedelta(days=21),
            ),
            actor=_purchaser(maintenance, maintenance.project_lead),
        )
        for week, amount in ((1, "4680"), (2, "5120"), (3, "6350"), (4, "7200")):
            _expense(
                maintenance,
                huang,
                Category.TRAVEL,
                f"東方綠能現場差旅（第 {week} 週）",
                amount,
                start + timedelta(weeks=week, days=1),
            )
        _expense(maintenance, hu, Category.COMMUNICATION, "現場 4G 數據卡", "860", start + timedelta(days=12))
        _expense(
            maintenance,
            hu,
            Category.TRAVEL,
            "模型驗證現場往返",
            "2380",
            today - timedelta(days=3),
            state="submitted",
        )
        _expense(
            maintenance,
            huang,
            Category.OFFICE,
            "標註工作站耗材",
            "420",
            today - timedelta(days=1),
            state="draft",
        )
    for name, travel, office in (
        ("主數據治理諮詢", ("3200", "4100", "3900", "2600"), "1250"),
        ("校園網絡安全評估", ("1800", "2100"), "680"),
    ):
        project = by_name.get(name)
        if project is None:
            continue
        start = project.actual_start or project.planned_start
        member = project.members.exclude(user=project.project_lead).select_related("user").first()
        claimant = member.user if member else project.project_lead
        for index, amount in enumerate(travel):
            _expense(
                project,
                claimant,
                Category.TRAVEL,
                f"客戶現場差旅 {index + 1}",
                amount,
                start + timedelta(weeks=2 + 3 * index),
            )
        _expense(
            project,
            project.project_lead,
            Category.OFFICE,
            "報告印製與裝訂",
            office,
            start + timedelta(weeks=11),
        )
    for project in projects:
        alerts.check(project)


def _team_building(hr) -> None:
    today = timezone.localdate()
    rnd = Department.objects.filter(code="rnd").first()
    activities = [
        (
            TeamActivity.Kind.TRAINING,
            "數字孿生與三維建模技術分享",
            rnd,
            today - timedelta(days=45),
            "公司 5 樓培訓室",
            "3600",
            "由張偉分享三維建模流程與定位技術選型經驗。",
            [
                ("tech.zhang", 5, "內容紮實，案例貼近實際項目。"),
                ("tech.liu", 4, "希望增加實操環節。"),
                ("tech.ma", 5, ""),
                ("tech.zeng", 4, ""),
            ],
        ),
        (
            TeamActivity.Kind.ACTIVITY,
            "秋季團隊拓展：太湖騎行",
            None,
            today - timedelta(days=30),
            "蘇州太湖綠道",
            "12800",
            "增進跨部門溝通與協作，全程 40 公里。",
            [
                ("tech.huang", 5, "很放鬆，認識了客服的同事。"),
                ("tech.hu", 4, ""),
                ("cs.lin", 5, "希望每季度一次。"),
                ("pm.peng", 4, ""),
                ("qa.gao", 3, "路線稍長。"),
            ],
        ),
        (
            TeamActivity.Kind.TRAINING,
            "項目成本控制與掙值管理培訓",
            Department.objects.filter(code="pmo").first(),
            today - timedelta(days=10),
            "線上會議",
            "2000",
            "財務部講解預算執行、工時成本與 CPI／SPI 的解讀。",
            [
                ("pm.zhou", 5, "對看懂成本頁很有幫助。"),
                ("pm.xu", 4, ""),
                ("pm.sun", 4, ""),
                ("pm.peng", 5, ""),
            ],
        ),
    ]
    for kind, title, department, held_on, location, cost, description, people in activities:
        activity = services.save_activity(
            TeamActivity(
                kind=kind,
                title=title,
                department=department,
                held_on=held_on,
                location=location,
                cost=Decimal(cost),
                description=description,
            ),
            actor=hr,
        )
        for username, rating, feedback in people:
            user = User.objects.filter(username=username).first()
            if user is not None:
                services.save_participant(
                    TeamParticipant(activity=activity, user=user, rating=rating, feedback=feedback), actor=hr
                )


def _rollups(projects) -> None:
    first: date | None = min(
        (p.actual_start or p.planned_start for p in projects if p.state != Project.State.OPENED), default=None
    )
    if first is None:
        return
    month = rollup.month_of(first)
    this_month = rollup.month_of(timezone.localdate())
    while month <= this_month:
        rollup.roll_up(month)
        month = (month + timedelta(days=32)).replace(day=1)


def load(actor=None) -> None:
    projects = list(Project.objects.select_related("project_lead").order_by("pk"))
    if not projects:
        return
    _rates(_user("fin.song"))
    _allocate(projects)
    _reallocations(projects)
    _timesheets(projects)
    _costs(projects)
    _team_building(_user("hr.xu"))
    _rollups(projects)
