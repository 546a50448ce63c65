"""HR-3..HR-8: appraisal (indicators, cycles month → quarter → year, evaluation, computed
figures, results applied), the skills matrix and skills training — through HTTP.

The service-only transitions are run here: Appraisal.submit_self / submit_scores / acknowledge /
appeal / close, Cycle.close, ResultAction.approve, ImprovementPlan.conclude, Enrolment.complete.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.acceptance.models import AcceptanceRound
from onestop.accounts.models import Department, Position, User
from onestop.core.roles import Role
from onestop.feedback.models import Complaint, Survey
from onestop.notifications.models import Notification
from onestop.people import grading, services
from onestop.people.models import (
    Appraisal,
    AppraisalScore,
    Course,
    Cycle,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    PersonSkill,
    ResultAction,
    Skill,
    TrainingSession,
)
from onestop.plans.models import PlanReview
from onestop.projects.models import Milestone, ProgressReport, ProjectMember
from onestop.quality.models import RectificationNotice
from tests.stages import make_project, stage_personas

TZ = timezone.get_default_timezone()


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the organisation: a company, its PMO, and people in and outside it --------------------------


def people_personas(personas, make_user):
    """The shared personas and the stage roles, plus a company with its PMO: "employee" (a project
    lead in the PMO), "pmo_head" (the direct superior), "top" (heads the company), "colleague"."""
    people = stage_personas(personas, make_user)
    company = Department.objects.create(code="company", name="公司本部")
    top = make_user(Role.MANAGEMENT, username="ceo", full_name="董事長")
    company.head = top
    company.save()
    pmo = Department.objects.create(code="pmo-t", name="項目管理部", parent=company)
    pmo_head = make_user(Role.PROJECT_LEAD, username="pmo.head", full_name="項目部長", department=pmo)
    pmo.head = pmo_head
    pmo.save()
    other = Department.objects.create(code="fin-t", name="財務部", parent=company)
    position = Position.objects.create(name="項目經理", department=pmo)
    employee = people["lead"]
    User.objects.filter(pk=employee.pk).update(department=pmo, position=position)
    employee.refresh_from_db()
    colleague = make_user(
        Role.PROJECT_LEAD, username="pm.colleague", full_name="同事乙", department=pmo, position=position
    )
    User.objects.filter(pk=people["finance"].pk).update(department=other)
    Department.objects.get_or_create(code="rnd-q", defaults={"name": "技術研發部"})
    return {
        **people,
        "employee": employee,
        "pmo_head": pmo_head,
        "colleague": colleague,
        "top": top,
        "position": position,
    }


@pytest.fixture
def personas(personas, make_user):
    return people_personas(personas, make_user)


INDICATORS = [
    # category, name, weight, source
    ("performance", "里程碑按時完成", 20, "milestones_on_time"),
    ("performance", "進度表按時提交", 10, "progress_on_time"),
    ("performance", "引發整改通知", 5, "notices_caused"),
    ("performance", "整改通知關閉", 5, "notices_closed"),
    ("performance", "驗收一次通過", 10, "acceptance_first_round"),
    ("performance", "客戶滿意度", 15, "csat"),
    ("ability", "方案評審貢獻", 5, "expert_reviews"),
    ("attitude", "客戶投訴", 10, "complaints"),
    ("ability", "專業能力", 10, ""),
    ("attitude", "團隊協作", 10, ""),
]


@pytest.fixture
def template(personas):
    template = IndicatorTemplate.objects.create(position=personas["position"], title="項目經理考核指標")
    for order, (category, name, weight, source) in enumerate(INDICATORS):
        Indicator.objects.create(
            template=template,
            category=category,
            name=name,
            weight=weight,
            target="≥ 90%",
            source=source,
            sort_order=order,
        )
    return template


# --- the records the figures come from (January 2026) --------------------------------------------

JAN = (date(2026, 1, 1), date(2026, 1, 31))


def build_january_records(personas):
    """Milestones 2 of 3 on time, progress tables 1 of 2 on time, 2 notices caused (1 closed),
    first acceptance rounds 1 of 2 passed, one survey averaging 4.4, one expert review, two
    complaints — plus records outside January or of someone else, which must not count."""
    from tests.test_quality import notice_for

    employee = personas["employee"]
    project = make_project(personas, 0, lead=employee)
    other_project = make_project(personas, 1, lead=personas["colleague"])
    Milestone.objects.create(
        project=project, name="需求確認", planned_date=date(2026, 1, 10), completed_on=date(2026, 1, 9)
    )
    Milestone.objects.create(
        project=project, name="設計評審", planned_date=date(2026, 1, 20), completed_on=date(2026, 1, 20)
    )
    Milestone.objects.create(
        project=project, name="原型交付", planned_date=date(2026, 1, 30), completed_on=date(2026, 2, 3)
    )
    Milestone.objects.create(project=other_project, name="他人的里程碑", planned_date=date(2026, 1, 15))
    on_time = ProgressReport.objects.create(
        project=project, period_start=date(2026, 1, 1), period_end=date(2026, 1, 14)
    )
    late = ProgressReport.objects.create(
        project=project, period_start=date(2026, 1, 15), period_end=date(2026, 1, 28)
    )
    ProgressReport.objects.filter(pk=on_time.pk).update(
        state="submitted", submitted_at=at(date(2026, 1, 14), 17)
    )
    ProgressReport.objects.filter(pk=late.pk).update(state="submitted", submitted_at=at(date(2026, 1, 30)))
    quality_people = {**personas, "lead": employee}
    with time_machine.travel(at(date(2026, 6, 17)), tick=False):
        first = notice_for(quality_people)
        second = notice_for(quality_people)
    # notice_for makes its own project (led by the employee) for the inspections.
    RectificationNotice.objects.filter(pk=first.pk).update(
        issued_at=at(date(2026, 1, 5)), state="closed", closed_at=at(date(2026, 1, 25))
    )
    RectificationNotice.objects.filter(pk=second.pk).update(issued_at=at(date(2026, 1, 12)))
    first_round = AcceptanceRound.objects.create(
        project=project, number=1, state="failed", concluded_at=at(date(2026, 1, 8))
    )
    AcceptanceRound.objects.create(
        project=project,
        number=2,
        state="passed",
        concluded_at=at(date(2026, 1, 18)),
        previous_round=first_round,
    )
    AcceptanceRound.objects.create(
        project=first.project, number=1, state="passed", concluded_at=at(date(2026, 1, 22))
    )
    Survey.objects.create(
        engagement=project.engagement,
        project=project,
        client=project.engagement.client,
        project_lead=employee,
        invited_at=at(date(2026, 1, 2)),
        respond_by=date(2026, 1, 16),
        token_nonce="x",
        answered_at=at(date(2026, 1, 12)),
        score_service_quality=4,
        score_timeliness=5,
        score_communication=4,
        score_competence=5,
        score_value=4,
    )
    review = PlanReview.objects.create(
        version=other_project.plan_version, reviewer=employee, scores={"1": 4}, recommendation="pass"
    )
    PlanReview.objects.filter(pk=review.pk).update(submitted_at=at(date(2026, 1, 21)))
    for day in (3, 19):
        complaint = Complaint.objects.create(
            code=f"CP-T-{day}",
            client=project.engagement.client,
            engagement=project.engagement,
            channel="phone",
            subject="回覆慢",
            description="客戶反映回覆慢",
            filed_by=personas["cs"],
            filed_at=at(date(2026, 1, day)),
        )
        assert complaint.pk
    Complaint.objects.create(
        code="CP-T-FEB",
        client=project.engagement.client,
        engagement=project.engagement,
        channel="phone",
        subject="二月的",
        description="不在一月",
        filed_by=personas["cs"],
        filed_at=at(date(2026, 2, 2)),
    )
    return project


EXPECTED_JANUARY = {
    "milestones_on_time": (Decimal("66.67"), 3),
    "progress_on_time": (Decimal("50.00"), 2),
    "notices_caused": (Decimal("2"), 2),
    "notices_closed": (Decimal("50.00"), 2),
    "acceptance_first_round": (Decimal("50.00"), 2),
    "csat": (Decimal("4.40"), 1),
    "expert_reviews": (Decimal("1"), 1),
    "complaints": (Decimal("2"), 2),
}


def open_cycle(user, **data):
    response = api(user).post(reverse("api:cycle-list"), data, format="json")
    assert response.status_code == 201, response.json()
    return Cycle.objects.get(pk=response.json()["id"])


def appraisal_of(cycle, personas):
    return Appraisal.objects.get(cycle=cycle, employee=personas["employee"])


def figures(appraisal):
    return {
        row.indicator.source: (row.computed_value, row.computed_count)
        for row in appraisal.scores.select_related("indicator")
        if row.indicator.source
    }


def score_all(client, appraisal, value, *, submit=True, comment="表現穩定"):
    data = {"overall": "整體表現良好", "submit": "1" if submit else ""}
    for row in appraisal.scores.all():
        data[f"score_{row.pk}"] = value
        data[f"comment_{row.pk}"] = comment
    return client.post(reverse("people:appraisal_score", args=[appraisal.pk]), data)


def run_month(client, personas, number, value, *, self_assessment=False):
    """A month: HR opens, (employee self-assesses,) the superior scores, the employee reads, HR closes."""
    cycle = open_cycle(
        personas["hr"], kind="month", year=2026, number=number, self_assessment=self_assessment
    )
    appraisal = appraisal_of(cycle, personas)
    if self_assessment:
        client.force_login(personas["employee"])
        data = {"comment": "本月按計劃完成"} | {f"self_{row.pk}": 85 for row in appraisal.scores.all()}
        assert (
            client.post(reverse("people:appraisal_self_assess", args=[appraisal.pk]), data).status_code == 302
        )
    client.force_login(personas["pmo_head"])
    response = score_all(client, appraisal, value)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(personas["employee"])
    assert (
        client.post(
            reverse("people:appraisal_acknowledge", args=[appraisal.pk]), {"comment": "同意"}
        ).status_code
        == 302
    )
    client.force_login(personas["hr"])
    assert (
        client.post(reverse("people:appraisal_close", args=[appraisal.pk]), {"comment": ""}).status_code
        == 302
    )
    appraisal.refresh_from_db()
    assert appraisal.state == "closed"
    return appraisal


# --- HR-5 / HR-6 / HR-7 ---------------------------------------------------------------------------


def test_HR_7_a_monthly_appraisal_is_filled_with_figures_that_match_the_records(personas, template):
    build_january_records(personas)
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=1)
    appraisal = appraisal_of(cycle, personas)
    assert figures(appraisal) == EXPECTED_JANUARY
    assert AppraisalScore.objects.filter(appraisal=appraisal).count() == len(INDICATORS)
    assert appraisal.superior == personas["pmo_head"]
    assert appraisal.state == "self"  # the cycle asks for a self-assessment first (the default)
    # The colleague leads other work: its own figures, not the employee's.
    colleague = Appraisal.objects.get(cycle=cycle, employee=personas["colleague"])
    assert figures(colleague)["milestones_on_time"] == (Decimal("0.00"), 1)
    assert figures(colleague)["complaints"] == (Decimal("0"), 0)
    assert figures(colleague)["csat"] == (None, 0)


def test_HR_7_each_computed_figure_links_to_the_records_it_counts(client, personas, template):
    project = build_january_records(personas)
    appraisal = appraisal_of(open_cycle(personas["hr"], kind="month", year=2026, number=1), personas)
    client.force_login(personas["pmo_head"])
    page = client.get(appraisal.get_absolute_url()).content.decode()
    figures_url = reverse("people:appraisal_figures", args=[appraisal.pk, "milestones_on_time"])
    assert figures_url in page
    listed = client.get(figures_url).content.decode()
    for name in ("需求確認", "設計評審", "原型交付"):
        assert name in listed
    assert "他人的里程碑" not in listed
    assert project.milestones.get(name="原型交付").get_absolute_url() in listed or "原型交付" in listed
    assert client.get(reverse("people:appraisal_figures", args=[appraisal.pk, "nothing"])).status_code == 404
    answer = api(personas["pmo_head"]).get(
        reverse("api:appraisal-figures", args=[appraisal.pk, "milestones_on_time"])
    )
    assert answer.status_code == 200
    assert sorted(row["counted"] for row in answer.json()["results"]) == [0, 1, 1]
    # Someone who may not see the appraisal does not see its records either.
    other = api(personas["colleague"]).get(
        reverse("api:appraisal-figures", args=[appraisal.pk, "milestones_on_time"])
    )
    assert other.status_code == 404


def test_HR_6_7_a_year_month_to_quarter_to_year_with_the_roll_up_rule(client, personas, template):
    build_january_records(personas)
    january = run_month(client, personas, 1, 80, self_assessment=True)
    assert january.own_score == Decimal("80.00") and january.final_score == Decimal("80.00")
    assert january.grade == "B"
    assert {row.self_score for row in january.scores.all()} == {85}
    assert figures(january) == EXPECTED_JANUARY
    february = run_month(client, personas, 2, 90)
    march = run_month(client, personas, 3, 70)
    assert (february.grade, march.grade) == ("A", "C")

    # Q1 is built on the three months: weighted 1,1,2 (March counts double), 70% of the roll-up.
    quarter = open_cycle(
        personas["hr"],
        kind="quarter",
        year=2026,
        number=1,
        self_assessment=False,
        rollup_method="weighted",
        part_weights="1,1,2",
        rollup_share=70,
    )
    q1 = appraisal_of(quarter, personas)
    client.force_login(personas["pmo_head"])
    page = client.get(q1.get_absolute_url()).content.decode()
    assert "70% × " in page and january.get_absolute_url() in page
    assert score_all(client, q1, 85).status_code == 302
    q1.refresh_from_db()
    rolled = (Decimal(80) * 1 + Decimal(90) * 1 + Decimal(70) * 2) / 4  # 77.5
    assert q1.rollup_score == rolled
    assert q1.final_score == Decimal("0.7") * rolled + Decimal("0.3") * 85  # 79.75
    assert q1.grade == "C"
    client.force_login(personas["employee"])
    client.post(reverse("people:appraisal_acknowledge", args=[q1.pk]), {})
    client.force_login(personas["hr"])
    client.post(reverse("people:appraisal_close", args=[q1.pk]), {})
    q1.refresh_from_db()
    assert q1.state == "closed"

    # The year is built on its quarters: only Q1 is closed, so it alone is rolled up (mean).
    year = open_cycle(
        personas["hr"], kind="year", year=2026, number=1, self_assessment=False, rollup_share=50
    )
    annual = appraisal_of(year, personas)
    client.force_login(personas["pmo_head"])
    score_all(client, annual, 90)
    annual.refresh_from_db()
    assert annual.rollup_score == q1.final_score
    assert annual.final_score == grading.rounded(Decimal("0.5") * q1.final_score + Decimal("0.5") * 90)
    assert annual.grade == "B"

    # HR closes the month cycles once every appraisal in them is closed.
    january_cycle = january.cycle
    open_left = january_cycle.appraisals.exclude(state="closed").count()
    response = api(personas["hr"]).post(
        reverse("api:cycle-close", args=[january_cycle.pk]), {}, format="json"
    )
    if open_left:
        assert response.status_code == 400
        for other in january_cycle.appraisals.exclude(state="closed"):
            Appraisal.objects.filter(pk=other.pk).update(state="closed")
        response = api(personas["hr"]).post(
            reverse("api:cycle-close", args=[january_cycle.pk]), {}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert Cycle.objects.get(pk=january_cycle.pk).state == "closed"


def test_HR_5_weights_must_add_up_to_100_before_a_cycle_opens(personas, template):
    Indicator.objects.filter(template=template, name="團隊協作").update(weight=5)
    response = api(personas["hr"]).post(
        reverse("api:cycle-list"), {"kind": "month", "year": 2026, "number": 4}, format="json"
    )
    assert response.status_code == 400
    assert "100%" in response.json()["detail"]
    assert not Cycle.objects.exists()


def test_HR_5_a_template_used_by_an_appraisal_is_frozen_and_changes_by_a_new_version(
    client, personas, template
):
    open_cycle(personas["hr"], kind="month", year=2026, number=5)
    template.refresh_from_db()
    assert template.first_used_at is not None
    client.force_login(personas["hr"])
    assert client.get(reverse("people:indicatortemplate_edit", args=[template.pk])).status_code == 403
    response = client.post(reverse("people:indicatortemplate_new_version", args=[template.pk]))
    assert response.status_code == 302
    copy = IndicatorTemplate.objects.get(position=template.position, version=2)
    assert copy.is_active and copy.indicators.count() == len(INDICATORS)
    template.refresh_from_db()
    assert not template.is_active


def test_HR_7_scores_need_every_indicator_and_a_comment_and_a_draft_keeps_them(client, personas, template):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=6, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    client.force_login(personas["pmo_head"])
    response = score_all(client, appraisal, 80, comment="")
    assert response.status_code == 400
    appraisal.refresh_from_db()
    assert appraisal.state == "scoring" and not appraisal.scores.filter(score__isnull=False).exists()
    assert score_all(client, appraisal, 75, submit=False).status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.state == "scoring" and set(appraisal.scores.values_list("score", flat=True)) == {75}
    # Only the direct superior scores; the employee may not score themself.
    client.force_login(personas["employee"])
    assert score_all(client, appraisal, 100).status_code == 403


def test_HR_7_the_employee_appeals_HR_returns_it_and_the_superior_scores_again(client, personas, template):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=7, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    client.force_login(personas["pmo_head"])
    score_all(client, appraisal, 55)
    client.force_login(personas["employee"])
    response = client.post(
        reverse("people:appraisal_appeal", args=[appraisal.pk]), {"reason": "本月兩個項目按期完成，分數偏低"}
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.state == "appealed" and appraisal.appeal_reason
    assert (
        Notification.objects.filter(recipient=personas["hr"], title__contains="appeal").exists()
        or Notification.objects.filter(recipient=personas["hr"]).exists()
    )
    response = api(personas["hr"]).post(
        reverse("api:appraisal-rescore", args=[appraisal.pk]), {"comment": "請重新評分"}, format="json"
    )
    assert response.status_code == 200, response.json()
    client.force_login(personas["pmo_head"])
    score_all(client, appraisal, 72)
    appraisal.refresh_from_db()
    assert (appraisal.state, appraisal.final_score, appraisal.grade) == ("review", Decimal("72.00"), "C")


def test_HR_7_the_appraisal_steps_through_the_api(personas, template):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=8)
    appraisal = appraisal_of(cycle, personas)
    rows = list(appraisal.scores.values_list("pk", flat=True))
    employee, head = api(personas["employee"]), api(personas["pmo_head"])
    url = lambda name: reverse(f"api:appraisal-{name}", args=[appraisal.pk])  # noqa: E731
    assert (
        employee.post(
            url("self-assess"), {"scores": {str(rows[0]): 90}, "comment": "自評"}, format="json"
        ).status_code
        == 200
    )
    assert head.post(url("refresh-figures"), {}, format="json").status_code == 200
    body = {
        "scores": {str(pk): {"score": 88, "comment": "好"} for pk in rows},
        "comment": "整體好",
        "submit": True,
    }
    response = head.post(url("score"), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["grade"] == "B"
    assert head.post(url("score"), body, format="json").status_code == 409  # moved on
    assert employee.post(url("acknowledge"), {"comment": "同意"}, format="json").status_code == 200
    assert api(personas["hr"]).post(url("close"), {}, format="json").status_code == 200
    assert Appraisal.objects.get(pk=appraisal.pk).state == "closed"


# --- HR-8 ------------------------------------------------------------------------------------------


def test_HR_8_a_promotion_approved_by_management_changes_the_position_with_history(
    client, personas, template
):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=9, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    senior = Position.objects.create(name="高級項目經理", department=personas["position"].department)
    client.force_login(personas["hr"])
    response = client.post(
        reverse("people:resultaction_add"),
        {"appraisal": appraisal.pk, "kind": "promotion", "reason": "年度考核優秀", "new_position": senior.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = ResultAction.objects.get()
    assert action.employee == personas["employee"] and action.state == "proposed"
    assert client.post(reverse("people:resultaction_approve", args=[action.pk]), {}).status_code == 403
    client.force_login(personas["management"])
    assert (
        client.post(reverse("people:resultaction_approve", args=[action.pk]), {"comment": "同意"}).status_code
        == 302
    )
    employee = User.objects.get(pk=personas["employee"].pk)
    assert employee.position == senior
    latest = employee.history.order_by("-history_date").first()
    assert (latest.position_id, latest.history_user_id) == (senior.pk, personas["management"].pk)
    # A reward needs its amount.
    client.force_login(personas["hr"])
    response = client.post(
        reverse("people:resultaction_add"), {"appraisal": appraisal.pk, "kind": "reward", "reason": "獎勵"}
    )
    assert response.status_code == 400


def test_HR_8_an_improvement_plan_has_goals_check_ins_and_an_outcome(client, personas, template):
    client.force_login(personas["pmo_head"])
    response = client.post(
        reverse("people:improvementplan_add"),
        {
            "employee": personas["employee"].pk,
            "starts_on": "2026-04-01",
            "ends_on": "2026-06-30",
            "goals": "里程碑按時率 ≥ 90%",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = ImprovementPlan.objects.get()
    assert plan.superior == personas["pmo_head"]
    response = client.post(
        reverse("people:improvementplan_check_in", args=[plan.pk]),
        {"held_on": "2026-05-01", "progress": "on_track", "notes": "四月里程碑全部按時"},
    )
    assert response.status_code == 302
    assert plan.check_ins.count() == 1
    response = client.post(
        reverse("people:improvementplan_conclude", args=[plan.pk]), {"outcome": "met", "note": "目標達成"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.outcome) == ("completed", "met")


def test_HR_8_the_grade_distribution_per_department_for_management(client, personas, template):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=10, self_assessment=False)
    Appraisal.objects.filter(cycle=cycle, employee=personas["employee"]).update(grade="A", final_score=95)
    Appraisal.objects.filter(cycle=cycle, employee=personas["colleague"]).update(grade="C", final_score=72)
    client.force_login(personas["management"])
    page = client.get(reverse("people:distribution"), {"cycle": cycle.pk}).content.decode()
    assert "項目管理部" in page and 'id="distribution"' in page
    # Management sees the summary, not the appraisals themselves.
    assert client.get(appraisal_of(cycle, personas).get_absolute_url()).status_code == 404
    client.force_login(personas["technician"])
    assert client.get(reverse("people:distribution")).status_code == 403
    answer = api(personas["management"]).get(reverse("api:appraisal-distribution"), {"cycle": cycle.pk})
    assert answer.status_code == 200
    assert answer.json() == [
        {"department": "項目管理部", "grades": {"A": 1, "B": 0, "C": 1, "D": 0, "E": 0}, "total": 2}
    ]
    assert api(personas["technician"]).get(reverse("api:appraisal-distribution")).status_code == 403


# --- HR-4 / HR-3 -----------------------------------------------------------------------------------


@pytest.fixture
def plc(personas):
    skill = Skill.objects.create(name="PLC 編程", category="自動化")
    PersonSkill.objects.create(employee=personas["employee"], skill=skill, level=4, source="superior")
    PersonSkill.objects.create(employee=personas["colleague"], skill=skill, level=3, source="training")
    PersonSkill.objects.create(employee=personas["colleague"], skill=skill, level=2, source="superior")
    PersonSkill.objects.create(employee=personas["technician"], skill=skill, level=2, source="training")
    return skill


def test_HR_4_who_knows_a_skill_at_a_level_and_is_free_in_a_month(client, personas, plc):
    project = make_project(
        personas, 3, lead=personas["pmo_head"]
    )  # in progress; its planned period covers March
    ProjectMember.objects.create(project=project, user=personas["employee"], role="項目經理", allocation=90)
    client.force_login(personas["pmo_head"])
    page = client.get(reverse("people:skills_matrix"), {"skill": plc.pk, "level": 3}).content.decode()
    assert personas["employee"].display_name in page and personas["colleague"].display_name in page
    found = api(personas["pmo_head"]).get(
        reverse("api:personskill-search"), {"skill": plc.pk, "level": 3, "month": "2026-03", "free": 20}
    )
    assert found.status_code == 200, found.json()
    assert [row["full_name"] for row in found.json()["results"]] == [personas["colleague"].display_name]
    assert found.json()["results"][0]["allocated"] == 0
    # Without the free-capacity condition, the busier but stronger person comes first.
    found = api(personas["pmo_head"]).get(reverse("api:personskill-search"), {"skill": plc.pk, "level": 3})
    assert [row["level"] for row in found.json()["results"]] == [4, 3]


def test_HR_3_enrolment_approval_result_certificate_and_skill_level(client, personas, plc):
    course = Course.objects.create(
        title="西門子 PLC 進階", kind="external", hours=24, skill=plc, level_awarded=5, certificate_months=24
    )
    session = TrainingSession.objects.create(
        course=course, starts_on=date(2027, 1, 10), ends_on=date(2027, 1, 12), trainer="外聘講師", capacity=1
    )
    client.force_login(personas["employee"])
    response = client.post(
        reverse("people:enrolment_add"), {"session": session.pk, "employee": personas["employee"].pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    enrolment = Enrolment.objects.get()
    assert enrolment.state == "requested"
    assert Notification.objects.filter(recipient=personas["pmo_head"]).exists()
    response = api(personas["pmo_head"]).post(
        reverse("api:enrolment-approve", args=[enrolment.pk]), {}, format="json"
    )
    assert response.status_code == 200, response.json()
    # The session is full now.
    response = api(personas["hr"]).post(
        reverse("api:enrolment-list"),
        {"session": session.pk, "employee": personas["colleague"].pk},
        format="json",
    )
    assert response.status_code == 400
    response = api(personas["hr"]).post(
        reverse("api:enrolment-record", args=[enrolment.pk]),
        {"score": "92.5", "passed": True, "certificate_no": "SIE-2027-001"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    enrolment.refresh_from_db()
    assert enrolment.certificate_expires_on == date(2029, 1, 12)
    assert PersonSkill.objects.get(employee=personas["employee"], skill=plc, source="certificate").level == 5
    # Two months before expiry: on "My work" and reminded once.
    with time_machine.travel(at(date(2028, 12, 1)), tick=False):
        client.force_login(personas["employee"])
        assert "SIE" in client.get(reverse("people:enrolment_list"), {"expiring": "true"}).content.decode()
        assert services.remind_expiring_certificates() == 1
        assert services.remind_expiring_certificates() == 0


# --- privacy ----------------------------------------------------------------------------------------


@pytest.fixture
def records(personas, template, plc):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=11, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    action = services.propose_action(
        actor=personas["hr"], appraisal=appraisal, kind="commendation", reason="表揚"
    )
    plan = services.start_plan(
        actor=personas["hr"],
        employee=personas["employee"],
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
        goals="目標",
    )
    course = Course.objects.create(title="安全保密", kind="internal", hours=2)
    session = TrainingSession.objects.create(
        course=course, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 1), trainer="許雅雯", capacity=30
    )
    enrolment = services.enrol(actor=personas["hr"], session=session, employee=personas["employee"])
    skill = PersonSkill.objects.get(employee=personas["employee"], skill=plc)
    return {
        "appraisal": appraisal,
        "resultaction": action,
        "improvementplan": plan,
        "enrolment": enrolment,
        "personskill": skill,
    }


# role → kinds seen (the record is about "employee", in the PMO under the company)
PRIVACY = {
    "employee": {"appraisal", "resultaction", "improvementplan", "enrolment", "personskill"},
    "pmo_head": {"appraisal", "resultaction", "improvementplan", "enrolment", "personskill"},
    "top": {"appraisal", "resultaction", "improvementplan", "enrolment", "personskill"},  # heads the company
    "hr": {"appraisal", "resultaction", "improvementplan", "enrolment", "personskill"},
    "colleague": {"personskill"},  # a project lead staffs projects: skills, nothing else
    "technician": set(),
    "finance": set(),
    "client_a": set(),
}


@pytest.mark.parametrize("persona", list(PRIVACY))
def test_HR_privacy_matrix_each_role_and_people_record_is_seen_or_404(client, personas, records, persona):
    user = personas[persona]
    client.force_login(user)
    for kind, record in records.items():
        expected = kind in PRIVACY[persona]
        page = client.get(record.get_absolute_url())
        assert page.status_code == (
            200 if expected else (403 if persona == "client_a" and page.status_code == 403 else 404)
        ), (persona, kind, page.status_code)
        answer = api(user).get(reverse(f"api:{kind}-detail", args=[record.pk]))
        assert answer.status_code in ((200,) if expected else (403, 404)), (persona, kind, answer.status_code)
        if not expected and persona != "client_a":
            assert answer.status_code == 404, (persona, kind)


# --- query counts -----------------------------------------------------------------------------------


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(queries)


def test_HR_the_appraisal_list_page_matrix_and_search_run_a_fixed_number_of_queries(
    client, personas, template, plc
):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=12, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    client.force_login(personas["hr"])
    search = {"skill": plc.pk, "level": 1, "month": "2026-03", "free": 0}
    urls = [
        (reverse("people:appraisal_list"), None),
        (appraisal.get_absolute_url(), None),
        (reverse("people:skills_matrix"), search),
        (reverse("people:personskill_list"), None),
        (reverse("people:enrolment_list"), None),
    ]
    before = [count_queries(client, url, data) for url, data in urls]
    # More people, more appraisals in the cycle, more skills and levels.
    department = personas["employee"].department
    for index in range(8):
        person = User.objects.create(
            username=f"more{index}",
            full_name=f"新同事{index}",
            department=department,
            position=personas["position"],
        )
        appraisal_more = Appraisal.objects.create(
            cycle=cycle,
            employee=person,
            superior=personas["pmo_head"],
            template=template,
            department=department,
        )
        services.compute_figures([appraisal_more], actor=personas["hr"])
        PersonSkill.objects.create(employee=person, skill=plc, level=3, source="superior")
    Skill.objects.create(name="Python")
    after = [count_queries(client, url, data) for url, data in urls]
    assert before == after


def test_HR_7_appraisal_results_and_training_records_export_to_excel_for_whoever_sees_them(
    client, personas, template, records
):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(personas["hr"])
    response = client.get(reverse("people:appraisal_list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].values)
    assert len(rows) - 1 == Appraisal.objects.count()
    response = client.get(reverse("people:enrolment_list"), {"export": "xlsx"})
    assert response.status_code == 200
    # The colleague sees neither the employee's appraisal nor their training record.
    client.force_login(personas["colleague"])
    rows = list(
        load_workbook(
            BytesIO(client.get(reverse("people:appraisal_list"), {"export": "xlsx"}).content), read_only=True
        )
        .worksheets[0]
        .values
    )
    names = {row[0] for row in rows[1:]}
    assert personas["employee"].display_name not in names


def test_HR_3_the_yearly_training_plan_of_a_department_comes_from_its_skills_gaps(client, personas, plc):
    course = Course.objects.create(title="PLC 入門", kind="internal", hours=8, skill=plc, level_awarded=3)
    TrainingSession.objects.create(
        course=course, starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 3), trainer="張偉", capacity=10
    )
    pmo = personas["employee"].department
    answer = api(personas["hr"]).get(reverse("api:course-plan"), {"department": pmo.pk, "year": 2027})
    assert answer.status_code == 200, answer.json()
    assert answer.json() == [
        {
            "skill": "PLC 編程",
            "holders": 2,
            "below": [personas["pmo_head"].display_name],
            "courses": [{"id": course.pk, "title": "PLC 入門", "sessions": ["2027-03-02"]}],
        }
    ]
    client.force_login(personas["hr"])
    page = client.get(reverse("people:training_plan"), {"department": pmo.pk, "year": 2027}).content.decode()
    assert "PLC 入門" in page and personas["pmo_head"].display_name in page
    client.force_login(personas["technician"])
    assert client.get(reverse("people:training_plan")).status_code == 403


def test_HR_my_work_lists_appraisals_to_write_and_read_trainings_due_and_plans_to_review(
    client, personas, template, english
):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=2, due_on="2026-03-10")
    appraisal = appraisal_of(cycle, personas)
    client.force_login(personas["employee"])
    assert "Self-assessment to write" in client.get(reverse("home")).content.decode()
    services.self_assess(appraisal, actor=personas["employee"], scores={}, comment="")
    client.force_login(personas["pmo_head"])
    page = client.get(reverse("home")).content.decode()
    assert "Appraisal to write" in page and appraisal.get_absolute_url() in page
    services.start_plan(
        actor=personas["hr"],
        employee=personas["employee"],
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
        goals="目標",
    )
    assert "Improvement plan to review" in client.get(reverse("home")).content.decode()
    course = Course.objects.create(title="安全保密", kind="internal", hours=2)
    today = timezone.localdate()
    session = TrainingSession.objects.create(
        course=course,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=3),
        trainer="許雅雯",
        capacity=5,
    )
    services.enrol(actor=personas["hr"], session=session, employee=personas["employee"])
    client.force_login(personas["employee"])
    assert "Training due" in client.get(reverse("home")).content.decode()


def test_HR_9_an_approved_commendation_prints_as_a_chinese_pdf_certificate(client, personas, template):
    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=3, self_assessment=False)
    action = services.propose_action(
        actor=personas["hr"],
        appraisal=appraisal_of(cycle, personas),
        kind="commendation",
        reason="三月兩個項目提前交付",
    )
    services.approve_action(action, actor=personas["management"])
    url = reverse("core:document_pdf", args=["people.resultaction", action.pk, "commendation_certificate"])
    client.force_login(personas["employee"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(personas["colleague"])
    assert client.get(url).status_code == 404


def test_HR_9_the_payroll_export_holds_the_approved_rewards_and_raises(client, personas, template):
    from io import BytesIO

    from openpyxl import load_workbook

    cycle = open_cycle(personas["hr"], kind="month", year=2026, number=4, self_assessment=False)
    appraisal = appraisal_of(cycle, personas)
    reward = services.propose_action(
        actor=personas["hr"], appraisal=appraisal, kind="reward", reason="獎勵", amount=Decimal("3000.00")
    )
    services.propose_action(
        actor=personas["hr"], appraisal=appraisal, kind="raise", reason="待批", amount=Decimal("800.00")
    )
    services.propose_action(actor=personas["hr"], appraisal=appraisal, kind="commendation", reason="表揚")
    services.approve_action(reward, actor=personas["management"])
    client.force_login(personas["hr"])
    response = client.get(reverse("people:resultaction_list"), {"payroll": "true", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].values)
    assert len(rows) == 2 and 3000 in rows[1]


def test_HR_7_EXT_3_supervisions_approved_rewards_and_penalties_of_the_period_feed_the_appraisal(personas):
    from onestop.people import metrics
    from onestop.supervision.models import Sanction

    employee, colleague = personas["employee"], personas["colleague"]
    rows = [
        ("S-1", "reward", employee, date(2026, 1, 10), "approved"),  # counted
        ("S-2", "commendation", employee, date(2026, 1, 20), "approved"),  # counted
        ("S-3", "warning", employee, date(2026, 1, 15), "approved"),  # counted as a penalty
        ("S-4", "reward", employee, date(2026, 1, 16), "proposed"),  # not approved
        ("S-5", "penalty", employee, date(2026, 2, 1), "approved"),  # after the period
        ("S-6", "reward", colleague, date(2026, 1, 12), "approved"),  # someone else's
    ]
    for code, kind, person, day, state in rows:
        Sanction.objects.create(
            code=code, kind=kind, person=person, reason="考核", effective_on=day, state=state
        )
    people = [employee.pk, colleague.pk]
    rewards = metrics.figures("rewards", people, *JAN)
    penalties = metrics.figures("penalties", people, *JAN)
    assert (rewards[employee.pk].value, rewards[colleague.pk].value) == (Decimal("2"), Decimal("1"))
    assert penalties[employee.pk].value == Decimal("1") and colleague.pk not in penalties
    assert [row.code for row in metrics.records("rewards", employee, *JAN)] == ["S-1", "S-2"]
    assert [row.code for row in metrics.records("penalties", employee, *JAN)] == ["S-3"]
