"""Demo data of the people chapter (HR-3..HR-8): a year of appraisal, skills and training.

- Indicator templates for the project managers, engineers and testers (with computed indicators).
- The last whole quarter before last month (July–September when the demo loads in October to
  January) appraised month by month and closed, the quarter built on them and closed; last month
  open, its figures computed from the demo projects, in every step of the evaluation.
- A promotion approved (the engineer's position changes), a reward awaiting management, an
  improvement plan with its check-ins.
- The skills catalogue and levels; courses of each kind with sessions, results, certificates —
  one of them expiring within two months (on its holder's My work).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.models import Position, User
from onestop.core.workflow import perform_transition
from onestop.people import services
from onestop.people.models import (
    Appraisal,
    Course,
    Cycle,
    Indicator,
    IndicatorTemplate,
    PersonSkill,
    Skill,
    TrainingSession,
)
from onestop.people.states import AppraisalState

# category, indicator, weight, target, computed from
PM_INDICATORS = [
    ("performance", "里程碑按時完成率", 20, "≥ 90%", "milestones_on_time"),
    ("performance", "進度表按時提交率", 10, "100%", "progress_on_time"),
    ("performance", "驗收一次通過率", 10, "≥ 80%", "acceptance_first_round"),
    ("performance", "所負責項目的客戶滿意度", 15, "≥ 4.5 分", "csat"),
    ("performance", "引發的整改通知", 5, "≤ 1 份", "notices_caused"),
    ("performance", "客戶投訴", 5, "0 宗", "complaints"),
    ("ability", "方案策劃與資源協調", 15, "方案一次評審通過", ""),
    ("ability", "擔任評審專家", 5, "每季 ≥ 2 次", "expert_reviews"),
    ("attitude", "責任心與團隊協作", 15, "無推諉、主動補位", ""),
]
ENGINEER_INDICATORS = [
    ("performance", "任務按計劃完成", 30, "≥ 90% 按時", ""),
    ("performance", "交付質量（測試缺陷）", 20, "嚴重缺陷 0", ""),
    ("performance", "引發的整改通知", 10, "0 份", "notices_caused"),
    ("ability", "技術能力與技能提升", 20, "每年掌握一項新技能", ""),
    ("attitude", "工作態度與協作", 20, "準時填報進度、主動溝通", ""),
]
TEMPLATES = {
    "項目經理": ("項目經理考核指標", PM_INDICATORS),
    "高級工程師": ("高級工程師考核指標", ENGINEER_INDICATORS),
    "工程師": ("工程師考核指標", ENGINEER_INDICATORS),
    "測試工程師": ("測試工程師考核指標", ENGINEER_INDICATORS),
}
# A score per person for July, August, September and the quarter (others get 82).
SCORES = {
    "pm.sun": (92, 95, 90, 93),
    "pm.xu": (85, 82, 88, 86),
    "pm.peng": (80, 84, 86, 85),
    "tech.liu": (90, 93, 95, 94),
    "tech.zeng": (62, 58, 65, 60),
    "tech.hu": (78, 80, 83, 81),
}
SKILLS = [
    ("PLC 編程", "工業自動化"),
    ("工業網絡（PROFINET）", "工業自動化"),
    ("Python 數據分析", "軟件開發"),
    ("Java 後端開發", "軟件開發"),
    ("系統測試設計", "測試"),
    ("項目管理（PMP）", "管理"),
    ("需求調研與分析", "管理"),
    ("信息安全", "通用"),
]
# username: {skill: (level, source)}
LEVELS = {
    "tech.zhang": {
        "Java 後端開發": (5, "superior"),
        "PLC 編程": (3, "training"),
        "需求調研與分析": (4, "superior"),
    },
    "tech.li": {"Python 數據分析": (5, "certificate"), "Java 後端開發": (4, "superior")},
    "tech.liu": {"PLC 編程": (4, "certificate"), "工業網絡（PROFINET）": (3, "training")},
    "tech.huang": {"PLC 編程": (3, "superior"), "Python 數據分析": (2, "training")},
    "tech.ma": {"Java 後端開發": (3, "superior"), "信息安全": (3, "training")},
    "tech.zeng": {"PLC 編程": (2, "superior"), "Java 後端開發": (2, "superior")},
    "tech.wu": {"系統測試設計": (4, "superior"), "Python 數據分析": (3, "training")},
    "tech.hu": {"系統測試設計": (5, "certificate"), "信息安全": (4, "training")},
    "pm.zhou": {"項目管理（PMP）": (5, "certificate"), "需求調研與分析": (5, "superior")},
    "pm.sun": {"項目管理（PMP）": (4, "certificate"), "PLC 編程": (3, "superior")},
    "pm.xu": {"項目管理（PMP）": (4, "superior"), "需求調研與分析": (4, "superior")},
    "pm.peng": {"項目管理（PMP）": (3, "training"), "系統測試設計": (3, "superior")},
}


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _months_ago(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - months
    return index // 12, index % 12 + 1


def load(actor=None) -> None:
    hr = _user("hr.xu")
    management = _user("mgmt.chen")
    if hr is None or management is None or Cycle.objects.exists():
        return
    today = timezone.localdate()
    _templates(hr)
    _skills(hr)
    _training(hr, today)
    _appraisals(hr, management, today)


def _templates(hr):
    for name, (title, indicators) in TEMPLATES.items():
        for position in Position.objects.filter(name=name):
            template = services.save(
                IndicatorTemplate(
                    position=position, title=title, notes="依《一站式技術服務管理制度》第四章制定。"
                ),
                actor=hr,
            )
            for order, (category, indicator, weight, target, source) in enumerate(indicators):
                services.save(
                    Indicator(
                        template=template,
                        category=category,
                        name=indicator,
                        weight=Decimal(weight),
                        target=target,
                        source=source,
                        sort_order=order,
                    ),
                    actor=hr,
                )


def _skills(hr):
    catalogue = {
        name: services.save(Skill(name=name, category=category), actor=hr) for name, category in SKILLS
    }
    for username, levels in LEVELS.items():
        person = _user(username)
        if person is None:
            continue
        for skill, (level, source) in levels.items():
            services.save(
                PersonSkill(
                    employee=person,
                    skill=catalogue[skill],
                    level=level,
                    source=source,
                    assessed_by=hr,
                    evidence="年度技能評定",
                ),
                actor=hr,
            )


def _training(hr, today):
    skills = {skill.name: skill for skill in Skill.objects.all()}
    security = services.save(
        Course(
            title="信息安全與保密制度",
            kind="online",
            provider="公司內訓",
            hours=Decimal(2),
            skill=skills["信息安全"],
            level_awarded=2,
            description="保密協議、數據分級與客戶資料的處理。",
        ),
        actor=hr,
    )
    plc = services.save(
        Course(
            title="西門子 PLC 進階編程",
            kind="external",
            provider="西門子（中國）培訓中心",
            hours=Decimal(24),
            skill=skills["PLC 編程"],
            level_awarded=4,
            certificate_months=24,
            description="S7-1500 編程、調試與診斷。",
        ),
        actor=hr,
    )
    network = services.save(
        Course(
            title="工業網絡實操",
            kind="hands_on",
            provider="技術研發部",
            hours=Decimal(16),
            skill=skills["工業網絡（PROFINET）"],
            level_awarded=3,
            certificate_months=12,
            description="PROFINET 組網、故障排查實操。",
        ),
        actor=hr,
    )
    services.save(
        Course(
            title="一站式技術服務流程",
            kind="internal",
            provider="人力資源部",
            hours=Decimal(4),
            description="從諮詢受理到費用結算的全流程與各環節表單。",
        ),
        actor=hr,
    )
    # The hands-on course of last year: its 12-month certificate expires within two months.
    past_end = services.add_months(today, -11) - timedelta(days=20)
    past = services.save(
        TrainingSession(
            course=network,
            starts_on=past_end - timedelta(days=1),
            ends_on=past_end,
            trainer="趙明遠",
            location="蘇州實驗室",
            capacity=8,
        ),
        actor=hr,
    )
    spring = services.save(
        TrainingSession(
            course=plc,
            starts_on=services.add_months(today, -7),
            ends_on=services.add_months(today, -7) + timedelta(days=2),
            trainer="西門子講師 王工",
            location="上海培訓中心",
            capacity=6,
        ),
        actor=hr,
    )
    upcoming = services.save(
        TrainingSession(
            course=security,
            starts_on=today + timedelta(days=7),
            ends_on=today + timedelta(days=7),
            trainer="許雅雯",
            location="線上",
            capacity=40,
        ),
        actor=hr,
    )
    for username, passed, number in [
        ("tech.liu", True, "NET-2025-011"),
        ("tech.huang", True, "NET-2025-012"),
    ]:
        person = _user(username)
        if person is None:
            continue
        enrolment = services.enrol(actor=hr, session=past, employee=person)
        services.record_result(
            enrolment, actor=hr, score=Decimal("88.0"), passed=passed, certificate_no=number
        )
    for username, score, passed in [
        ("tech.zhang", "91.0", True),
        ("tech.zeng", "55.0", False),
        ("pm.sun", "84.5", True),
    ]:
        person = _user(username)
        if person is None:
            continue
        enrolment = services.enrol(actor=hr, session=spring, employee=person)
        services.record_result(
            enrolment,
            actor=hr,
            score=Decimal(score),
            passed=passed,
            certificate_no=f"SIE-{spring.starts_on.year}-{person.pk:03d}" if passed else "",
        )
    for username in ("tech.ma", "cs.lin", "fin.tang"):
        person = _user(username)
        if person is not None:
            services.enrol(actor=hr, session=upcoming, employee=person)
    requester = _user("tech.wu")
    if requester is not None:
        services.enrol(actor=requester, session=upcoming, employee=requester)  # awaits expert.zhao's approval


def _score_all(appraisal, value):
    rows = {
        row.pk: (
            value + (3 if row.indicator.category == "attitude" else 0) if value < 97 else value,
            _comment(value),
        )
        for row in appraisal.scores.select_related("indicator")
    }
    return services.score(appraisal, actor=appraisal.superior, scores=rows, comment=_comment(value))


def _comment(value):
    if value >= 90:
        return "表現突出，按期高質量交付，客戶評價好。"
    if value >= 80:
        return "完成預定目標，溝通及時。"
    if value >= 70:
        return "基本完成目標，個別節點延誤。"
    return "多個任務延誤，需制定改進計劃並加強輔導。"


def _closed_quarter(today: date) -> tuple[int, int]:
    """The last whole quarter before the open month (last month): in January the open month is
    December, so the closed quarter is July–September, not the quarter December belongs to."""
    open_year, open_month = _months_ago(today, 1)
    index = open_year * 4 + (open_month - 1) // 3 - 1
    return index // 4, index % 4 + 1


def _appraisals(hr, management, today):
    quarter_year, quarter = _closed_quarter(today)
    months = [3 * (quarter - 1) + offset for offset in (1, 2, 3)]
    for position, number in enumerate(months):
        cycle = services.open_cycle(
            actor=hr, kind="month", year=quarter_year, number=number, self_assessment=False
        )
        for appraisal in cycle.appraisals.select_related("employee", "superior"):
            scores = SCORES.get(appraisal.employee.username)
            appraisal = _score_all(appraisal, scores[position] if scores else 82)
            services.acknowledge(appraisal, actor=appraisal.employee, comment="已閱，同意。")
            services.close_appraisal(appraisal, actor=hr)
        services.close_cycle(cycle, actor=hr)
    q_cycle = services.open_cycle(
        actor=hr,
        kind="quarter",
        year=quarter_year,
        number=quarter,
        self_assessment=False,
        rollup_method="weighted",
        part_weights="1,1,2",
        rollup_share=70,
    )
    for appraisal in q_cycle.appraisals.select_related("employee", "superior"):
        scores = SCORES.get(appraisal.employee.username)
        appraisal = _score_all(appraisal, scores[3] if scores else 82)
        if appraisal.employee.username == "tech.zeng":
            services.appeal(
                appraisal, actor=appraisal.employee, reason="第三季度承擔了兩個緊急項目，延誤非個人原因。"
            )
            perform_transition(
                appraisal, "uphold", actor=hr, comment="經與主管核實，維持評分；已安排改進計劃。"
            )
        else:
            services.acknowledge(appraisal, actor=appraisal.employee, comment="已閱。")
        services.close_appraisal(appraisal, actor=hr)
    services.close_cycle(q_cycle, actor=hr)
    _results(hr, management, q_cycle, today)

    # The open month: last month, figures computed, the evaluation at every step.
    open_year, open_month = _months_ago(today, 1)
    month = services.open_cycle(
        actor=hr,
        kind="month",
        year=open_year,
        number=open_month,
        self_assessment=True,
        due_on=today + timedelta(days=5),
    )
    for index, appraisal in enumerate(
        month.appraisals.select_related("employee", "superior").order_by("employee__username")
    ):
        step = index % 5
        if step == 0:
            continue  # awaiting the self-assessment
        self_scores = {row.pk: 85 for row in appraisal.scores.all()}
        services.self_assess(
            appraisal, actor=appraisal.employee, scores=self_scores, comment="本月按計劃推進負責的任務。"
        )
        if step == 1:
            continue  # awaiting the superior (the demo's pm.sun / pm.xu appraisals: scored by pm.zhou)
        appraisal = _score_all(appraisal, 80 + index % 15)
        if step == 3:
            services.acknowledge(appraisal, actor=appraisal.employee, comment="已閱。")
        elif step == 4:
            services.appeal(appraisal, actor=appraisal.employee, reason="本月客戶投訴與本人負責範圍無關。")
    Appraisal.objects.filter(cycle=month, state=AppraisalState.SCORING).update(superior_comment="")


def _results(hr, management, cycle, today):
    best = Appraisal.objects.filter(cycle=cycle, employee__username="tech.liu").first()
    senior = Position.objects.filter(name="高級工程師").first()
    if best is not None and senior is not None:
        promotion = services.propose_action(
            actor=hr,
            appraisal=best,
            kind="promotion",
            reason="連續三個月考核優秀，季度等級 A，技能達到高級工程師要求。",
            new_position=senior,
            effective_on=today.replace(day=1),
        )
        services.approve_action(promotion, actor=management, comment="同意晉升。")
    good = Appraisal.objects.filter(cycle=cycle, employee__username="pm.sun").first()
    if good is not None:
        services.propose_action(
            actor=hr,
            appraisal=good,
            kind="reward",
            reason="季度考核優秀，兩個項目一次通過驗收。",
            amount=Decimal("5000.00"),
        )
    weak = Appraisal.objects.filter(cycle=cycle, employee__username="tech.zeng").first()
    if weak is not None:
        services.propose_action(
            actor=hr, appraisal=weak, kind="pip", reason="季度等級 D，制定三個月績效改進計劃。"
        )
        plan = services.start_plan(
            actor=hr,
            employee=weak.employee,
            appraisal=weak,
            starts_on=services.add_months(today, -2),
            ends_on=services.add_months(today, 1),
            goals="任務按時完成率 ≥ 90%\n嚴重缺陷 0\n完成 PLC 進階課程並通過考核",
            support="主管每兩週面談一次；安排高級工程師張偉結對輔導。",
        )
        superior = plan.superior
        services.check_in(
            plan,
            actor=superior,
            held_on=services.add_months(today, -2) + timedelta(days=14),
            progress="behind",
            notes="兩項任務延誤，已調整任務拆分。",
        )
        services.check_in(
            plan,
            actor=superior,
            held_on=services.add_months(today, -1),
            progress="on_track",
            notes="本月任務全部按時完成，缺陷數下降。",
        )
