"""Demo recruitment: two openings with candidates at every stage, a need awaiting management's
approval, and a hire from last month whose onboarding is in progress (HR-1..HR-3)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm_log.models import StateLog

from onestop.accounts.models import Department, Position, User
from onestop.core.services import save
from onestop.core.workflow import perform_transition
from onestop.projects.models import Project
from onestop.recruitment import services
from onestop.recruitment.models import Candidate, Channel, HiringNeed, Interview, Onboarding, Posting

COMMENTS = {
    "專業技能": ("基礎紮實，能清楚說明過往項目的技術方案。", "技術深度一般，部分問題需提示。"),
    "溝通表達": ("表達清晰，條理分明。", "回答略顯拘謹。"),
    "團隊協作": ("有跨部門協作經驗，態度積極。", "以個人開發為主，協作經驗較少。"),
    "崗位匹配度": ("與崗位要求高度匹配。", "部分要求尚需培養。"),
}


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _position(name, department):
    return Position.objects.filter(name=name, department=department).first()


def _backdate(candidate, days: list[int]) -> None:
    """Spread the candidate's history over the past: applied ``sum(days)`` days ago, each stage
    ``days[i]`` long, so the time-in-stage figures read like a real month."""
    total = sum(days)
    start = timezone.now() - timedelta(days=total)
    Candidate.objects.filter(pk=candidate.pk).update(
        applied_on=timezone.localdate(start), created_at=start, stage_since=start
    )
    content_type = ContentType.objects.get_for_model(Candidate)
    moment = start
    logs = list(StateLog.objects.filter(content_type=content_type, object_id=candidate.pk).order_by("pk"))
    for log, length in zip(logs, days, strict=False):
        moment = moment + timedelta(days=length)
        StateLog.objects.filter(pk=log.pk).update(timestamp=moment)
    if logs:
        Candidate.objects.filter(pk=candidate.pk).update(stage_since=moment)
        # The interviews were held the day after the screening passed, scored the same day.
        interviewed = start + timedelta(days=days[0] + 1)
        for index, interview in enumerate(
            Interview.objects.filter(candidate=candidate, scored_at__isnull=False)
        ):
            held = interviewed + timedelta(hours=2 * index)
            Interview.objects.filter(pk=interview.pk).update(
                scheduled_at=held, scored_at=held + timedelta(hours=1)
            )
    if candidate.hired_at:
        Candidate.objects.filter(pk=candidate.pk).update(hired_at=moment)


def _post(actor, **fields) -> Posting:
    return save(Posting(**fields), actor=actor, reason="")


def _score(interview, actor, high=True, recommendation="hire"):
    scores = [
        {
            "criterion": c,
            "score": 4 if high else 3,
            "comment": COMMENTS.get(c, ("表現良好。", "尚可。"))[0 if high else 1],
        }
        for c in interview.candidate.need.criteria_items
    ]
    services.score_interview(interview, actor=actor, scores=scores, recommendation=recommendation, summary="")


def load(actor=None) -> None:
    hr = _user("hr.xu")
    boss = _user("mgmt.chen")
    head = _user("expert.zhao")
    if hr is None or boss is None or head is None:
        return
    software = Department.objects.filter(code="rnd-software").first()
    testing = Department.objects.filter(code="rnd-testing").first()
    pmo = Department.objects.filter(code="pmo").first()
    engineer = _position("工程師", software)
    tester = _position("測試工程師", testing)
    manager = _position("項目經理", pmo)
    if not (engineer and tester and manager):
        return
    project = Project.objects.order_by("code").first()
    today = timezone.localdate()
    interviewers = [u for u in (_user("tech.zhang"), _user("tech.li"), head) if u is not None]

    # --- opening 1: two engineers for a project short of people --------------------------------
    need = services.record_need(
        HiringNeed(
            position=engineer,
            department=software,
            headcount=2,
            education="bachelor",
            years_experience=3,
            skills="Python 4\nDjango 3\nPLC 編程 2",
            certificates="軟件設計師（中級）優先",
            reason=HiringNeed.Reason.PROJECT_GAP if project else HiringNeed.Reason.BUSINESS_PLAN,
            project=project,
            justification="項目實施階段開發工作量超出現有人力，需補充兩名工程師。",
            target_date=today + timedelta(days=45),
            hiring_manager=head,
        ),
        actor=hr,
    )
    services.submit_need(need, actor=hr, comment="請審批")
    perform_transition(need, "approve", actor=boss, comment="同意招聘兩名工程師。")
    site = _post(
        hr,
        need=need,
        channel=Channel.COMPANY_SITE,
        title="軟件工程師（Python）",
        published_on=today - timedelta(days=40),
    )
    board = _post(
        hr,
        need=need,
        channel=Channel.JOB_BOARD,
        title="軟件工程師（Python/Django）",
        where="前程無憂",
        url="https://jobs.51job.com/",
        published_on=today - timedelta(days=40),
        closes_on=today + timedelta(days=20),
    )
    campus = _post(
        hr,
        need=need,
        channel=Channel.CAMPUS,
        title="2027 屆軟件工程師",
        where="蘇州大學計算機學院",
        published_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=25),
    )

    def candidate(name, source, posting=None, **more):
        return services.add_candidate(
            Candidate(
                need=more.pop("need", need),
                full_name=name,
                phone=more.pop("phone", "138-0000-0000"),
                email=more.pop("email", ""),
                source=source,
                posting=posting,
                **more,
            ),
            actor=hr,
        )

    def interview(cand, who, round_=1, days_ago=5):
        return services.schedule_interview(
            Interview(
                candidate=cand,
                round=round_,
                interviewer=who,
                scheduled_at=timezone.now() - timedelta(days=days_ago),
                place="蘇州總部 3 樓會議室",
            ),
            actor=hr,
        )

    def through_interviews(cand):
        perform_transition(cand, "pass_screening", actor=hr, comment="簡歷符合要求")
        for index, who in enumerate(interviewers[:2]):
            _score(interview(cand, who, index + 1), who)
        perform_transition(cand, "pass_interviews", actor=hr, comment="面試通過")

    def through_background(cand, score):
        through_interviews(cand)
        services.record_test(cand, actor=hr, score=Decimal(score), note="Python 與資料庫設計題。")

    def offer(cand, salary):
        services.propose_offer(
            cand,
            actor=hr,
            background_note="前僱主與學歷已核實，無不良記錄。",
            salary=Decimal(salary),
            start_date=today + timedelta(days=14),
            superior=head,
            terms="試用期三個月。",
        )

    # screening
    candidate(
        "林志豪",
        Channel.JOB_BOARD,
        board,
        email="lin.zh@example.com",
        years_experience=4,
        school="南京大學 軟件工程",
    )
    c = candidate("王雨婷", Channel.COMPANY_SITE, site, email="wang.yt@example.com", years_experience=3)
    _backdate(c, [6])
    # interview: one interviewer scored, the other still to score (tech.li's My work)
    c = candidate("趙文博", Channel.JOB_BOARD, board, email="zhao.wb@example.com", years_experience=5)
    perform_transition(c, "pass_screening", actor=hr, comment="經驗豐富")
    _score(interview(c, interviewers[0], 1, 2), interviewers[0])
    if len(interviewers) > 1:
        interview(c, interviewers[1], 1, -1)
    _backdate(c, [5, 3])
    # written test
    c = candidate("孫佳怡", Channel.CAMPUS, campus, email="sun.jy@example.com", school="蘇州大學 計算機科學")
    through_interviews(c)
    _backdate(c, [4, 7, 2])
    # background check
    c = candidate(
        "周明軒",
        Channel.REFERRAL,
        referrer=_user("tech.zhang"),
        email="zhou.mx@example.com",
        years_experience=6,
    )
    through_background(c, 86)
    _backdate(c, [2, 6, 4, 3])
    # offer awaiting management's approval (mgmt.chen's My work)
    c = candidate("吳冠廷", Channel.JOB_BOARD, board, email="wu.gt@example.com", years_experience=4)
    through_background(c, 82)
    offer(c, "16500")
    _backdate(c, [5, 8, 3, 4, 2])
    # rejected after the interviews
    c = candidate("鄭宇航", Channel.COMPANY_SITE, site, email="zheng.yh@example.com")
    perform_transition(c, "pass_screening", actor=hr)
    _score(interview(c, interviewers[0], 1, 20), interviewers[0], high=False, recommendation="no")
    perform_transition(c, "reject", actor=hr, comment="專業技能與崗位要求差距較大。")
    _backdate(c, [3, 6])
    # hired last month, onboarding in progress
    c = candidate(
        "陳思遠", Channel.REFERRAL, referrer=_user("tech.li"), email="chen.sy@example.com", years_experience=3
    )
    through_background(c, 91)
    offer(c, "15800")
    perform_transition(c, "approve_offer", actor=boss, comment="同意")
    perform_transition(c, "accept_offer", actor=hr, comment="候選人已書面接受")
    services.hire(c, actor=hr, username="chen.sy", employee_no="E2026031")
    _backdate(c, [3, 6, 2, 4, 2, 3, 5, 1])
    hired = User.objects.get(username="chen.sy")
    start = today - timedelta(days=12)
    onboarding = Onboarding.objects.get(user=hired)
    Onboarding.objects.filter(pk=onboarding.pk).update(start_date=start)
    Candidate.objects.filter(pk=c.pk).update(offer_start_date=start)
    User.objects.filter(pk=hired.pk).update(date_joined=timezone.now() - timedelta(days=12))
    tasks = list(onboarding.tasks.order_by("order"))
    for task in tasks:
        part_days = (task.due_date - (today + timedelta(days=14))).days
        type(task).objects.filter(pk=task.pk).update(due_date=start + timedelta(days=part_days))
        task.refresh_from_db()
    services.complete_task(tasks[0], actor=hired, note="了解了公司歷程與組織架構。")
    services.acknowledge_task(tasks[0], actor=head)
    services.complete_task(tasks[1], actor=hired, note="企業價值觀與行為規範。")
    services.acknowledge_task(tasks[1], actor=hr)
    services.complete_task(tasks[2], actor=hired, note="熟悉了從諮詢到回訪的全流程。", score=Decimal("88"))

    # --- opening 2: a test engineer replacing a leaver -----------------------------------------
    leaving = _user("tech.wu")
    need2 = services.record_need(
        HiringNeed(
            position=tester,
            department=testing,
            headcount=1,
            education="bachelor",
            years_experience=2,
            skills="自動化測試 3\nSelenium 3\n性能測試 2",
            certificates="ISTQB 基礎級",
            reason=HiringNeed.Reason.REPLACEMENT if leaving else HiringNeed.Reason.BUSINESS_PLAN,
            replaces=leaving,
            justification="測試工程師下月離職，需及時補位以保證驗收測試進度。",
            target_date=today + timedelta(days=30),
            hiring_manager=head,
        ),
        actor=hr,
    )
    services.submit_need(need2, actor=hr)
    perform_transition(need2, "approve", actor=boss, comment="同意")
    referral = _post(
        hr,
        need=need2,
        channel=Channel.REFERRAL,
        title="測試工程師（內部推薦）",
        published_on=today - timedelta(days=25),
    )
    hunter = _post(
        hr,
        need=need2,
        channel=Channel.HEADHUNTER,
        title="資深測試工程師",
        where="科銳國際",
        published_on=today - timedelta(days=20),
    )
    c = candidate(
        "黃詩涵", Channel.HEADHUNTER, hunter, need=need2, email="huang.sh@example.com", years_experience=4
    )
    _backdate(c, [3])
    c = candidate(
        "許嘉豪", Channel.REFERRAL, referral, need=need2, referrer=_user("tech.hu"), email="xu.jh@example.com"
    )
    perform_transition(c, "pass_screening", actor=hr)
    _score(interview(c, head, 1, 1), head)
    _backdate(c, [4, 2])
    c = candidate(
        "劉欣妍", Channel.HEADHUNTER, hunter, need=need2, email="liu.xy@example.com", years_experience=5
    )
    through_interviews(c)
    _backdate(c, [2, 5, 1])
    c = candidate(
        "蔡承恩", Channel.HEADHUNTER, hunter, need=need2, email="cai.ce@example.com", years_experience=6
    )
    through_background(c, 78)
    _backdate(c, [2, 4, 2, 3])
    c = candidate(
        "葉書瑤", Channel.REFERRAL, referral, need=need2, referrer=_user("tech.hu"), email="ye.sy@example.com"
    )
    through_background(c, 84)
    offer(c, "14000")
    perform_transition(c, "approve_offer", actor=boss, comment="同意")
    _backdate(c, [2, 4, 2, 3, 1, 2])
    c = candidate(
        "馬俊凱", Channel.HEADHUNTER, hunter, need=need2, email="ma.jk@example.com", years_experience=3
    )
    through_background(c, 80)
    offer(c, "13500")
    perform_transition(c, "approve_offer", actor=boss)
    perform_transition(c, "accept_offer", actor=hr)
    _backdate(c, [2, 3, 2, 3, 1, 2, 1])
    c = candidate(
        "楊子涵", Channel.HEADHUNTER, hunter, need=need2, email="yang.zh@example.com", years_experience=4
    )
    through_background(c, 75)
    offer(c, "15000")
    perform_transition(c, "approve_offer", actor=boss)
    perform_transition(c, "decline_offer", actor=hr, comment="已接受其他公司的錄用。")
    _backdate(c, [2, 3, 2, 3, 1, 2, 4])

    # --- a need awaiting management's approval -------------------------------------------------
    pm_head = _user("pm.zhou") or hr
    draft = services.record_need(
        HiringNeed(
            position=manager,
            department=pmo,
            headcount=1,
            education="bachelor",
            years_experience=5,
            skills="項目管理 4\n客戶溝通 4",
            certificates="PMP",
            reason=HiringNeed.Reason.BUSINESS_PLAN,
            justification="依年度經營計劃，下半年新增兩個智能製造項目，需增加一名項目經理。",
            target_date=today + timedelta(days=60),
            hiring_manager=pm_head,
        ),
        actor=pm_head,
    )
    services.submit_need(draft, actor=pm_head)
