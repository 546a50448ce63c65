"""Demo data of incentives and careers (HR-9, HR-10).

- Career paths 技術序列 (工程師 → 高級工程師 → 技術總監) and 管理序列 (項目經理 → 副總經理) with
  their promotion criteria, minimum years, required skills and grades.
- The 2026 outstanding-employee selection: three nominees, the staff's votes, announced — the
  winners hold an approved recognition (an honour certificate to print).
- Three incentives: a bonus approved (in last month's payroll export), a commission awaiting
  management, and a special award above the second-approval amount that the general manager
  approved first and the deputy general manager (mgmt.wang) has still to approve.
- A development plan in progress (agreed, a review held, the next one due) and a job rotation
  approved (the tester's position changed, with history); the promotion of the people demo
  (an appraisal result) shows in the same career history.
- A promotion to 高級工程師 awaiting management, whose page shows the level's criteria met and not.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from onestop.accounts.models import Position, User
from onestop.careers import services
from onestop.careers.models import (
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    PositionMove,
    Selection,
)
from onestop.core.services import save
from onestop.core.workflow import perform_transition
from onestop.people.models import Course
from onestop.projects.models import Project

PATHS = {
    "技術序列": (
        "技術人員的發展通道：由工程師到技術總監，以技術能力、項目貢獻與考核結果為晉升依據。",
        [
            (1, "工程師", "工程師", "獨立完成模塊開發與實施；年度考核 B 以上。", 0, "B", ""),
            (
                2,
                "高級工程師",
                "高級工程師",
                "承擔核心技術攻關並指導工程師；連續兩年考核 B 以上，一次 A。",
                3,
                "A",
                "PLC 編程 4",
            ),
            (
                3,
                "技術總監",
                "技術總監",
                "主持技術路線與方案評審；帶領團隊完成重大項目。",
                5,
                "A",
                "需求調研與分析 4",
            ),
        ],
    ),
    "管理序列": (
        "項目與部門管理人員的發展通道。",
        [
            (
                1,
                "項目經理",
                "項目經理",
                "獨立負責中型項目，客戶滿意度 4.5 分以上。",
                0,
                "B",
                "項目管理（PMP） 3",
            ),
            (
                2,
                "副總經理",
                "副總經理",
                "分管業務線，年度目標達成；經管理層評議。",
                5,
                "A",
                "項目管理（PMP） 5",
            ),
        ],
    ),
}


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def load(actor=None) -> None:
    hr, boss = _user("hr.xu"), _user("mgmt.chen")
    if hr is None or boss is None or CareerPath.objects.exists():
        return
    today = timezone.localdate()
    _paths(hr)
    _selection(hr, boss, today)
    _incentives(hr, boss, today)
    _plan(hr, today)
    _rotation(hr, boss, today)
    _promotion(hr, today)


def _paths(hr):
    for name, (description, levels) in PATHS.items():
        path = CareerPath(name=name, description=description)
        save(path, actor=hr)
        for rank, title, position_name, criteria, years, grade, skills in levels:
            position = Position.objects.filter(name=position_name).first()
            if position is None:
                continue
            level = CareerLevel(
                path=path,
                rank=rank,
                title=title,
                position=position,
                criteria=criteria,
                min_years=Decimal(years),
                required_grade=grade,
                required_skills=skills,
            )
            save(level, actor=hr)


def _selection(hr, boss, today):
    selection = Selection(
        title=f"{today.year} 年度優秀員工評選",
        period=f"{today.year} 年度",
        description="每部門推薦，全體員工投票，得票最多的兩位當選。",
        nominations_open_on=today - timedelta(days=30),
        nominations_close_on=today - timedelta(days=8),
        voting_opens_on=today - timedelta(days=7),
        voting_closes_on=today,
        winners=2,
    )
    save(selection, actor=hr)
    nominees = {}
    for username, reason in (
        ("pm.sun", "全年負責四個項目全部一次通過驗收，客戶滿意度 4.8。"),
        ("tech.zhang", "主導 MES 接口重構，缺陷率下降 40%。"),
        ("tech.wu", "建立自動化測試框架，回歸測試時間縮短一半。"),
    ):
        person = _user(username)
        if person is not None:
            nominees[username] = services.nominate(selection, actor=hr, nominee=person, reason=reason)
    if len(nominees) < 2:
        return
    perform_transition(selection, "open_voting", actor=hr, comment="提名截止，開始投票。")
    ballots = {
        "pm.sun": ["cs.he", "cs.lin", "pm.zhou", "qa.gao", "fin.song", "tech.li"],
        "tech.zhang": ["tech.liu", "tech.huang", "tech.ma", "expert.zhao"],
        "tech.wu": ["tech.hu", "qa.liang"],
    }
    for username, voters in ballots.items():
        if username not in nominees:
            continue
        for voter_name in voters:
            voter = _user(voter_name)
            if voter is not None:
                services.vote(selection, actor=voter, nomination=nominees[username])
    perform_transition(selection, "announce", actor=boss, comment="經管理層確認，公布評選結果。")


def _incentives(hr, boss, today):
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sun = _user("pm.sun")
    if sun is not None:
        bonus = services.save_incentive(
            Incentive(
                employee=sun,
                kind="bonus",
                amount=Decimal("8000.00"),
                period=last_month,
                reason="第三季度考核等級 A，兩個項目一次通過驗收。",
            ),
            actor=hr,
        )
        perform_transition(bonus, "submit", actor=hr)
        perform_transition(bonus, "approve", actor=boss, comment="同意。")
    zhou = _user("pm.zhou")
    project = Project.objects.filter(project_lead=zhou).first() if zhou is not None else None
    if zhou is not None and project is not None:
        commission = services.save_incentive(
            Incentive(
                employee=zhou,
                kind="commission",
                amount=Decimal("12500.00"),
                period=today.strftime("%Y-%m"),
                reason="項目回款提成：合同額的 1%。",
                project=project,
            ),
            actor=hr,
        )
        perform_transition(commission, "submit", actor=hr)
    gao = _user("qa.gao")
    if gao is not None:
        # Above the policy's amount (50,000): the general manager approved first, the deputy
        # general manager (mgmt.wang) gives the second approval.
        award = services.save_incentive(
            Incentive(
                employee=gao,
                kind="bonus",
                amount=Decimal("60000.00"),
                period=today.strftime("%Y-%m"),
                reason="年度專項獎：建立質量抽檢制度，全年整改通知按時關閉率 100%。",
            ),
            actor=hr,
        )
        perform_transition(award, "submit", actor=hr)
        perform_transition(award, "approve_first", actor=boss, comment="同意，請副總經理複核。")


def _plan(hr, today):
    person = _user("tech.huang")
    target = CareerLevel.objects.filter(path__name="技術序列", rank=2).first()
    if person is None:
        return
    plan = services.save_plan(
        DevelopmentPlan(
            employee=person,
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=300),
            target_level=target,
            goals="PLC 編程達到 4 級並取得認證\n獨立負責一個中型項目的實施\n年度考核 A",
            next_review_on=today - timedelta(days=1),
        ),
        actor=hr,
    )
    courses = list(Course.objects.filter(skill__name="PLC 編程")[:2])
    if courses:
        plan.courses.set(courses)
    perform_transition(plan, "propose", actor=hr, comment="與主管面談後擬定。")
    perform_transition(plan, "agree", actor=person, comment="同意。")
    services.save_review(
        DevelopmentReview(
            plan=plan,
            held_on=today - timedelta(days=30),
            progress="on_track",
            notes="PLC 進階課程已完成，認證考試排在下月。",
            next_review_on=today - timedelta(days=1),
        ),
        actor=hr,
    )


def _rotation(hr, boss, today):
    person = _user("tech.hu")
    engineer = Position.objects.filter(name="工程師").first()
    if person is None or engineer is None or person.position_id == engineer.pk:
        return
    move = services.save_move(
        PositionMove(
            employee=person,
            kind="rotation",
            to_position=engineer,
            effective_on=today.replace(day=1),
            reason="輪崗至軟件開發組一年，熟悉開發流程，為測試自動化打基礎。",
        ),
        actor=hr,
    )
    perform_transition(move, "approve", actor=boss, comment="同意輪崗。")


def _promotion(hr, today):
    """An engineer (level 1 of the technical path) proposed for level 2."""
    levels = {
        level.rank: level for level in CareerLevel.objects.filter(path__name="技術序列", rank__in=(1, 2))
    }
    if len(levels) < 2:
        return
    level = levels[2]
    person = _user("tech.ma")
    if person is None or person.position_id != levels[1].position_id:
        return
    services.save_move(
        PositionMove(
            employee=person,
            kind="promotion",
            to_position=level.position,
            target_level=level,
            effective_on=(today.replace(day=1) + timedelta(days=32)).replace(day=1),
            reason="年度優秀員工，已獨立負責兩個項目的實施。",
        ),
        actor=hr,
    )
