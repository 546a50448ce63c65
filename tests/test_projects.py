"""PRJ-1, PRJ-2: opening a project from a signed contract, the kickoff, the implementation plan
and its Gantt chart, the progress table and its review, exports and reminders.

All transitions of Project (kick_off, complete, record_acceptance) and of ProgressReport
(submit, review, return_for_correction) are service-only: they run through projects.services
and are tested here. KickoffMeeting, KickoffAttendee, ProgressReport and ProgressRow have no
generic pages; their own pages and API are tested below.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.contracts.models import Contract
from onestop.core.exceptions import DomainError
from onestop.core.workflow import perform_transition
from onestop.notifications.models import Deadline, Notification
from onestop.plans.models import BudgetLine, StaffAssignment
from onestop.projects import selectors, services
from onestop.projects.models import (
    KickoffAttendee,
    KickoffMeeting,
    Milestone,
    ProgressReport,
    ProgressRow,
    Project,
    ProjectMember,
    Task,
)
from tests.generic import ModelTestBase
from tests.stages import in_english, make_project, signed_contract, stage_personas


@pytest.fixture
def personas(personas, make_user):
    return in_english(stage_personas(personas, make_user))


@pytest.fixture(autouse=True)
def english(english):
    """English messages everywhere (see tests/conftest.py), also for API calls."""
    yield


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


COUNTER = {"n": 300}


def next_index() -> int:
    COUNTER["n"] += 1
    return COUNTER["n"]


def staffed_contract(personas, index=None, *, state=Contract.State.SIGNED):
    """A signed contract whose plan has a team (lead, technician) and a budget."""
    contract = signed_contract(personas, next_index() if index is None else index)
    version = contract.engagement.plan.effective_version
    type(contract.engagement.plan).objects.filter(pk=contract.engagement.plan.pk).update(
        project_lead=personas["lead"]
    )
    StaffAssignment.objects.create(version=version, user=personas["lead"], role="項目經理", allocation=60)
    StaffAssignment.objects.create(
        version=version, user=personas["technician"], role="工程師", allocation=100
    )
    BudgetLine.objects.create(version=version, category="personnel", amount=Decimal("120000.00"))
    BudgetLine.objects.create(version=version, category="travel", amount=Decimal("8000.00"))
    BudgetLine.objects.create(
        version=version, category="personnel", description="外聘", amount=Decimal("2000.00")
    )
    if state != Contract.State.SIGNED:
        Contract.objects.filter(pk=contract.pk).update(state=state)
        contract.refresh_from_db()
    return contract


def opened(personas, **kwargs) -> Project:
    return services.open_project(
        staffed_contract(personas), actor=personas["lead"], project_lead=personas["lead"], **kwargs
    )


def kicked_off(personas, held_on=date(2026, 1, 5)) -> Project:
    project = opened(personas)
    services.record_kickoff(
        project,
        actor=personas["lead"],
        held_on=held_on,
        location="甲方會議室",
        attendees=[personas["lead"], personas["technician"]],
        goals="完成評估",
        tasks_communicated="調研、測試、報告",
    )
    project.refresh_from_db()
    return project


# --- PRJ-1: opening a project -------------------------------------------------------------------


def test_PRJ_1_a_project_cannot_open_without_a_signed_contract(personas):
    for state in (Contract.State.DRAFT, Contract.State.IN_REVIEW, Contract.State.APPROVED):
        contract = staffed_contract(personas, state=state)
        with pytest.raises(DomainError, match="A project opens only from a signed contract"):
            services.open_project(contract, actor=personas["lead"], project_lead=personas["lead"])
        assert not Project.objects.filter(contract=contract).exists()
    # And through the page and the API: the draft contract is not even offered; posting it is refused.
    contract = staffed_contract(personas, state=Contract.State.DRAFT)
    response = api(personas["lead"]).post(
        reverse("api:project-list"), {"contract": contract.pk}, format="json"
    )
    assert response.status_code == 400
    assert "signed contract" in response.json()["detail"]
    assert not Project.objects.exists()


def test_PRJ_1_opening_takes_the_plans_milestones_team_and_budget_once(personas, client):
    contract = staffed_contract(personas)
    project = services.open_project(contract, actor=personas["management"])
    assert project.code.startswith("PJ-") and project.state == Project.State.OPENED
    assert (
        project.project_lead == personas["lead"]
        or project.project_lead == contract.engagement.plan.project_lead
    )
    assert [m.name for m in project.milestones.all()] == ["調研完成", "最終驗收"]
    assert all(m.source_id for m in project.milestones.all())
    team = {(m.user_id, m.role, m.allocation) for m in project.members.all()}
    assert (personas["technician"].pk, "工程師", 100) in team
    budget = services.budget_of(project)
    assert budget["total"] == Decimal("130000.00")
    assert dict(budget["by_category"])["Personnel"] == Decimal("122000.00")
    with pytest.raises(DomainError, match="already has a project"):
        services.open_project(contract, actor=personas["management"])
    # The open-a-project form lists only signed contracts without a project.
    other = staffed_contract(personas)
    client.force_login(personas["lead"])
    page = client.get(reverse("projects:project_add")).content.decode()
    assert other.code in page and contract.code not in page
    response = client.post(
        reverse("projects:project_add"), {"contract": other.pk, "project_lead": personas["lead"].pk}
    )
    assert response.status_code == 302
    new = Project.objects.get(contract=other)
    assert new.opened_by == personas["lead"] and new.members.count() == 2


def test_PRJ_1_the_plans_lead_must_be_a_project_lead(personas):
    contract = signed_contract(personas, next_index())  # the plan's lead is customer service
    with pytest.raises(DomainError, match="not an active project lead"):
        services.open_project(contract, actor=personas["management"])
    project = services.open_project(contract, actor=personas["management"], project_lead=personas["lead"])
    assert project.project_lead == personas["lead"]


# --- PRJ-1: the kickoff ---------------------------------------------------------------------------


def test_PRJ_1_kickoff_moves_the_project_in_progress_and_attendees_acknowledge(personas, client):
    project = opened(personas)
    member = project.members.get(user=personas["technician"])
    client.force_login(personas["lead"])
    page = client.get(reverse("projects:project_kickoff", args=[project.pk])).content.decode()
    assert "kickoff-form" in page
    response = client.post(
        reverse("projects:project_kickoff", args=[project.pk]),
        {
            "held_on": "2026-01-05",
            "location": "甲方會議室",
            "attendees": [personas["lead"].pk, personas["technician"].pk],
            "goals": "完成工控系統安全評估",
            "tasks_communicated": "現場調研、滲透測試、評估報告",
            "requirements": "遵守甲方安全管理規定",
            "minutes": "雙方確認里程碑",
            f"responsibility_{member.pk}": "負責滲透測試與報告",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.state == Project.State.IN_PROGRESS
    assert project.actual_start == date(2026, 1, 5)
    member.refresh_from_db()
    assert member.responsibilities == "負責滲透測試與報告"
    meeting = KickoffMeeting.objects.get(project=project)
    assert meeting.recorded_by == personas["lead"]
    assert set(meeting.attendees.values_list("pk", flat=True)) == {
        personas["lead"].pk,
        personas["technician"].pk,
    }
    assert Notification.objects.filter(recipient=personas["technician"], target_id=project.pk).exists()
    # kick_off is service-only: the generic transition route refuses it.
    response = client.post(reverse("core:transition", args=["projects.project", project.pk, "kick_off"]))
    assert response.status_code == 404
    # The technician acknowledges on the page; the time is recorded once.
    client.force_login(personas["technician"])
    assert "acknowledge" in client.get(meeting.get_absolute_url()).content.decode()
    assert client.post(reverse("projects:kickoffmeeting_acknowledge", args=[meeting.pk])).status_code == 302
    # A client never sees the kickoff (404, like a missing record), not even to acknowledge it.
    client.force_login(personas["client_a"])
    assert client.post(reverse("projects:kickoffmeeting_acknowledge", args=[meeting.pk])).status_code == 404
    client.force_login(personas["technician"])
    row = KickoffAttendee.objects.get(meeting=meeting, user=personas["technician"])
    first = row.acknowledged_at
    assert first is not None
    # … and again through the API: idempotent, the first time stays.
    response = api(personas["technician"]).post(reverse("api:kickoffmeeting-acknowledge", args=[meeting.pk]))
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.acknowledged_at == first
    # Someone who did not attend cannot acknowledge; a second kickoff is refused.
    with pytest.raises(DomainError):
        services.acknowledge_kickoff(meeting, actor=personas["finance"])
    with pytest.raises(DomainError, match="recorded once"):
        services.record_kickoff(
            project,
            actor=personas["lead"],
            held_on=date(2026, 1, 6),
            location="x",
            attendees=[personas["lead"]],
            goals="x",
            tasks_communicated="x",
        )


def test_PRJ_1_kickoff_through_the_api_and_bad_input(personas):
    project = opened(personas)
    url = reverse("api:project-kickoff", args=[project.pk])
    bad = api(personas["lead"]).post(
        url,
        {"held_on": "2026-01-05", "location": "x", "attendees": [], "goals": "x", "tasks_communicated": "x"},
        format="json",
    )
    assert bad.status_code == 400
    future = (date.today() + timedelta(days=30)).isoformat()
    body = {
        "held_on": future,
        "location": "會議室",
        "attendees": [personas["technician"].pk],
        "goals": "目標",
        "tasks_communicated": "任務",
    }
    assert api(personas["lead"]).post(url, body, format="json").status_code == 400
    assert (
        api(personas["technician"]).post(url, {**body, "held_on": "2026-01-05"}, format="json").status_code
        == 403
    )
    response = api(personas["lead"]).post(url, {**body, "held_on": "2026-01-05"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "in_progress"
    assert KickoffAttendee.objects.filter(meeting__project=project).count() == 1


# --- PRJ-1: the implementation plan -----------------------------------------------------------------


def test_PRJ_1_task_dependency_cycles_and_other_projects_tasks_are_refused(personas):
    project = kicked_off(personas)
    lead = personas["lead"]

    def task(name, start, end, depends_on=()):
        return services.save_task(
            Task(project=project, name=name, planned_start=start, planned_end=end),
            actor=lead,
            depends_on=list(depends_on),
        )

    a = task("調研", date(2026, 1, 5), date(2026, 1, 20))
    b = task("測試", date(2026, 1, 21), date(2026, 2, 10), [a])
    c = task("報告", date(2026, 2, 11), date(2026, 2, 28), [b])
    with pytest.raises(DomainError, match="cycle"):
        services.save_task(a, actor=lead, depends_on=[c])
    assert list(a.depends_on.all()) == []
    with pytest.raises(DomainError, match="itself"):
        services.save_task(a, actor=lead, depends_on=[a])
    other = kicked_off(personas)
    foreign = services.save_task(
        Task(project=other, name="他案任務", planned_start=date(2026, 1, 5), planned_end=date(2026, 1, 6)),
        actor=lead,
    )
    with pytest.raises(DomainError, match="another project"):
        services.save_task(c, actor=lead, depends_on=[b, foreign])
    # The API answers the same refusals with 400, and a task cannot end before it starts.
    response = api(lead).patch(reverse("api:task-detail", args=[a.pk]), {"depends_on": [c.pk]}, format="json")
    assert response.status_code == 400 and "cycle" in response.json()["detail"]
    response = api(lead).post(
        reverse("api:task-list"),
        {"project": project.pk, "name": "x", "planned_start": "2026-02-01", "planned_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400
    # The form shows the refusal on the dependencies field.
    from django.test import Client

    web = Client()
    web.force_login(lead)
    response = web.post(
        reverse("projects:task_edit", args=[a.pk]),
        {
            "name": a.name,
            "planned_start": "2026-01-05",
            "planned_end": "2026-01-20",
            "percent_complete": 0,
            "depends_on": [c.pk],
        },
    )
    assert response.status_code == 400 and "cycle" in response.content.decode()


def test_PRJ_1_the_project_page_shows_the_gantt_data_and_the_task_table(personas, client):
    project = kicked_off(personas)
    a = services.save_task(
        Task(
            project=project,
            name="調研",
            planned_start=date(2026, 1, 5),
            planned_end=date(2026, 1, 20),
            milestone=project.milestones.first(),
        ),
        actor=personas["lead"],
    )
    services.save_task(
        Task(project=project, name="測試", planned_start=date(2026, 1, 21), planned_end=date(2026, 2, 10)),
        actor=personas["lead"],
        depends_on=[a],
    )
    client.force_login(personas["lead"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="gantt-data"' in page and 'id="task-table"' in page
    assert f'"dependencies": "t{a.pk}"' in page
    assert "projects.js" in page and "frappe-gantt" in page
    assert "<script>" not in page.split('id="gantt-data"')[0][-200:]  # data only, no inline code
    assert 'id="budget-total"' in page


# --- PRJ-2: the progress table ---------------------------------------------------------------------


def test_PRJ_2_linear_planned_percent():
    assert services.linear_percent(date(2026, 1, 1), date(2026, 1, 10), date(2025, 12, 31)) == 0
    assert services.linear_percent(date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 5)) == 50
    assert services.linear_percent(date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 10)) == 100
    assert services.linear_percent(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)) == 100


def test_PRJ_2_weekly_periods_run_monday_to_sunday_and_other_lengths_from_the_start(personas):
    project = kicked_off(personas)
    assert project.period_for(date(2026, 1, 14)) == (date(2026, 1, 12), date(2026, 1, 18))
    project.progress_period_days = 14
    assert project.period_for(date(2026, 1, 20)) == (date(2026, 1, 19), date(2026, 2, 1))


def test_PRJ_2_review_updates_milestones_and_the_variance_is_computed(personas, client):
    project = kicked_off(personas)  # milestones 2026-02-28 調研完成, 2026-06-30 最終驗收; start 2026-01-01
    first, last = project.milestones.order_by("planned_date")
    task = services.save_task(
        Task(
            project=project,
            milestone=last,
            name="測試",
            planned_start=date(2026, 3, 2),
            planned_end=date(2026, 3, 11),
        ),
        actor=personas["lead"],
    )
    report = services.start_report(project, actor=personas["technician"], day=date(2026, 3, 4))
    assert (report.period_start, report.period_end) == (date(2026, 3, 2), date(2026, 3, 8))
    rows = {row.item: row for row in report.rows.all()}
    assert list(report.rows.values_list("item", flat=True)) == ["調研完成", "最終驗收", "測試"]
    # 調研完成 spans 2026-01-01..02-28: fully elapsed by 03-08. The task: 7 of 10 days → 70%;
    # 最終驗收 takes its tasks' plan: 70%.
    assert rows["調研完成"].planned_percent == 100
    assert rows["測試"].planned_percent == 70
    assert rows["最終驗收"].planned_percent == 70
    # The technician (a member) fills the rows on the page.
    client.force_login(personas["technician"])
    data = {
        f"row-{rows['調研完成'].pk}-percent_complete": "100",
        f"row-{rows['調研完成'].pk}-actual_end": "2026-03-03",
        f"row-{rows['調研完成'].pk}-work_done": "調研報告定稿",
        f"row-{rows['最終驗收'].pk}-percent_complete": "40",
        f"row-{rows['測試'].pk}-percent_complete": "50",
        f"row-{rows['測試'].pk}-problems": "測試環境延遲交付",
        f"row-{rows['測試'].pk}-actual_start": "2026-03-03",
    }
    response = client.post(report.get_absolute_url(), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = ProgressRow.objects.get(pk=rows["測試"].pk)
    assert (row.percent_complete, row.variance, row.filled_by) == (50, -20, personas["technician"])
    summary = services.project_variance(list(report.rows.all()))
    assert summary == {"planned": 85, "actual": 70, "variance": -15}
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="project-variance">-15%' in page and "text-bg-danger" in page
    # Bad input: a percentage out of range is refused with the row named; nothing saved.
    response = client.post(report.get_absolute_url(), {f"row-{rows['測試'].pk}-percent_complete": "120"})
    assert response.status_code == 400
    assert ProgressRow.objects.get(pk=rows["測試"].pk).percent_complete == 50
    # Members fill; only the lead submits and reviews.
    with pytest.raises(PermissionDenied):
        services.submit_report(report, actor=personas["technician"])
    services.submit_report(report, actor=personas["lead"])
    with pytest.raises(DomainError):
        services.fill_rows(report, actor=personas["technician"], rows={row.pk: {"percent_complete": 60}})
    services.review_report(report, actor=personas["lead"], comment="進度落後，請加派人手")
    report.refresh_from_db()
    assert report.state == ProgressReport.State.REVIEWED and report.reviewed_by == personas["lead"]
    first.refresh_from_db()
    last.refresh_from_db()
    task.refresh_from_db()
    assert (first.percent_complete, first.completed_on) == (100, date(2026, 3, 3))
    assert (last.percent_complete, last.completed_on) == (40, None)
    assert (task.percent_complete, task.actual_start, task.actual_end) == (50, date(2026, 3, 3), None)
    # The selector other apps use.
    progress = selectors.latest_progress(project)
    assert [row["item"] for row in progress] == ["調研完成", "最終驗收", "測試"]
    assert progress[2]["problems"] == "測試環境延遲交付" and progress[0]["actual_end"] == date(2026, 3, 3)


def test_PRJ_2_the_lead_returns_a_report_for_correction_with_a_reason(personas):
    project = kicked_off(personas)
    report = services.start_report(project, actor=personas["lead"], day=date(2026, 1, 7))
    assert selectors.latest_progress(project) == []
    services.submit_report(report, actor=personas["lead"])
    assert selectors.latest_progress(project)  # the submitted one, while none is reviewed
    with pytest.raises(DomainError, match="reason"):
        services.return_report(report, actor=personas["lead"], comment="")
    response = api(personas["lead"]).post(
        reverse("api:progressreport-return-for-correction", args=[report.pk]),
        {"comment": "請補充問題說明"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert report.state == ProgressReport.State.DRAFT and report.review_comment == "請補充問題說明"
    assert Notification.objects.filter(recipient=personas["technician"], target_id=report.pk).exists()


def test_PRJ_2_the_api_fills_submits_and_reviews(personas):
    project = kicked_off(personas)
    response = api(personas["technician"]).post(reverse("api:project-start-report", args=[project.pk]))
    assert response.status_code == 201, response.json()
    report = ProgressReport.objects.get(pk=response.json()["id"])
    row = report.rows.first()
    url = reverse("api:progressreport-fill", args=[report.pk])
    bad = api(personas["technician"]).post(
        url, {"rows": [{"id": row.pk, "percent_complete": 101}]}, format="json"
    )
    assert bad.status_code == 400
    ok = api(personas["technician"]).post(
        url, {"rows": [{"id": row.pk, "percent_complete": 30, "work_done": "完成訪談"}]}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["rows"][0]["percent_complete"] == 30
    assert (
        api(personas["finance"])
        .post(url, {"rows": [{"id": row.pk, "percent_complete": 1}]}, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas["technician"]).post(reverse("api:progressreport-submit", args=[report.pk])).status_code
        == 403
    )
    assert (
        api(personas["lead"]).post(reverse("api:progressreport-submit", args=[report.pk])).status_code == 200
    )
    response = api(personas["lead"]).post(
        reverse("api:progressreport-review", args=[report.pk]), {"comment": "OK"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "reviewed"
    assert (
        api(personas["lead"]).post(reverse("api:progressreport-review", args=[report.pk])).status_code == 409
    )


def _reviewed_report(personas):
    project = kicked_off(personas)
    report = services.start_report(project, actor=personas["lead"], day=date(2026, 2, 4))
    row = report.rows.first()
    services.fill_rows(
        report,
        actor=personas["technician"],
        rows={row.pk: {"percent_complete": 80, "work_done": "現場調研完成"}},
    )
    services.submit_report(report, actor=personas["technician"] if False else personas["lead"])
    services.review_report(report, actor=personas["lead"], comment="同意")
    report.refresh_from_db()
    return report


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_PRJ_2_the_progress_table_prints_as_a_pdf_with_the_forms_chinese_title(personas, client):
    report = _reviewed_report(personas)
    client.force_login(personas["lead"])
    response = client.get(reverse("projects:progressreport_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "一站式技術服務項目進度表" in text
    assert report.project.code in text and "現場調研完成" in text and "項目經理甲" in text
    # Permission-checked: the client of the project's organisation may not download it.
    client.force_login(personas["client_a"])
    assert client.get(reverse("projects:progressreport_pdf", args=[report.pk])).status_code == 404
    # Clients have no access to progress tables at all (403, which reveals nothing about this one).
    response = api(personas["client_a"]).get(reverse("api:progressreport-pdf", args=[report.pk]))
    assert response.status_code == 403


def test_PRJ_2_the_progress_table_exports_to_excel_with_the_form_layout(personas, client):
    from openpyxl import load_workbook

    report = _reviewed_report(personas)
    client.force_login(personas["technician"])
    response = client.get(reverse("projects:progressreport_xlsx", args=[report.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "《一站式技術服務項目進度表》"
    assert "A1:M1" in {str(r) for r in sheet.merged_cells.ranges}
    assert report.project.code in sheet["B3"].value
    assert "2026-02-02" in sheet["B4"].value
    assert (
        sheet["A7"].value == "#" and sheet["B7"].value == "里程碑／任務"
    )  # the form is printed in the company language
    assert (
        sheet["B8"].value == "調研完成" and sheet["H8"].value == 0.8 and sheet["J8"].value == "現場調研完成"
    )
    # Who filled each row, and when, as on the PDF.
    assert sheet["M7"].value == "填寫人" and sheet["M8"].value.startswith("技術員甲 ")
    api_response = api(personas["lead"]).get(reverse("api:progressreport-xlsx", args=[report.pk]))
    assert api_response.status_code == 200 and api_response.content[:2] == b"PK"


def test_PRJ_2_reminders_are_sent_once_per_period(personas, django_capture_on_commit_callbacks):
    project = kicked_off(personas)
    today = date(2026, 1, 14)
    assert services.remind_due_reports(today) == 1
    report = ProgressReport.objects.get(project=project)
    assert (report.period_start, report.period_end) == (date(2026, 1, 12), date(2026, 1, 18))
    deadline = Deadline.objects.get(target_type__model="progressreport", target_id=report.pk)
    assert deadline.responsible == personas["lead"] and deadline.closed_at is None
    of_report = Notification.objects.filter(target_type__model="progressreport", target_id=report.pk)
    notified = of_report.count()
    assert notified == 2  # the lead and the technician
    assert services.remind_due_reports(today) == 0
    assert services.remind_due_reports(today + timedelta(days=2)) == 0
    assert of_report.count() == notified
    assert Deadline.objects.filter(target_type__model="progressreport", target_id=report.pk).count() == 1
    services.submit_report(report, actor=personas["lead"])
    deadline.refresh_from_db()
    assert deadline.closed_at is not None
    assert services.remind_due_reports(today) == 0  # submitted: nothing more to remind
    assert services.remind_due_reports(date(2026, 1, 19)) == 1  # the next week's table


def test_PRJ_2_my_work_lists_kickoffs_reports_to_fill_and_to_review(personas, client):
    from onestop.core.work import work_for

    project = opened(personas)
    services.record_kickoff(
        project,
        actor=personas["lead"],
        held_on=date(2026, 1, 5),
        location="會議室",
        attendees=[personas["lead"], personas["technician"]],
        goals="目標",
        tasks_communicated="任務",
    )
    kinds = [item.kind for item in work_for(personas["technician"])]
    assert "Kickoff to acknowledge" in kinds
    report = services.start_report(project, actor=personas["lead"], day=date(2026, 1, 7))
    assert "Progress table to fill in" in [item.kind for item in work_for(personas["technician"])]
    services.submit_report(report, actor=personas["lead"])
    assert "Progress table to review" in [item.kind for item in work_for(personas["lead"])]
    assert work_for(personas["client_a"]) == [] or all(
        "Progress" not in i.kind for i in work_for(personas["client_a"])
    )


# --- completing and acceptance -------------------------------------------------------------------


def test_PRJ_1_complete_needs_every_milestone_and_record_acceptance_follows(personas, client):
    project = kicked_off(personas)
    with pytest.raises(DomainError, match="Every milestone"):
        services.complete_project(project, actor=personas["lead"])
    Milestone.objects.filter(project=project).update(percent_complete=100, completed_on=date(2026, 6, 20))
    with pytest.raises(PermissionDenied):
        services.complete_project(project, actor=personas["technician"])
    client.force_login(personas["lead"])
    response = client.post(reverse("projects:project_complete", args=[project.pk]), {"comment": "實施完成"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED and project.actual_end == date(2026, 6, 20)
    # The acceptance app runs record_acceptance through perform_transition when the client signs.
    perform_transition(project, "record_acceptance", actor=personas["client_a"], comment="驗收通過")
    project.refresh_from_db()
    assert project.state == Project.State.ACCEPTED
    # The service-only transitions are not offered generically.
    assert Project.generic_transition_names() == []
    assert ProgressReport.generic_transition_names() == []


# --- clients and access --------------------------------------------------------------------------


def test_PRJ_1_clients_see_their_projects_overview_and_milestones_but_not_the_internal_work(personas, client):
    report = _reviewed_report(personas)
    project = report.project
    client.force_login(personas["client_a"])
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "調研完成" in text  # milestones
    assert 'id="budget' not in text and 'id="team"' not in text and 'id="progress"' not in text
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("projects:project_kickoff", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:task_list")).status_code == 403
    a = api(personas["client_a"])
    assert a.get(reverse("api:project-detail", args=[project.pk])).status_code == 200
    assert a.get(reverse("api:milestone-list")).json()["count"] == 2
    assert a.get(reverse("api:project-budget", args=[project.pk])).status_code == 404
    assert a.get(reverse("api:progressreport-list")).status_code == 403
    # A client of another organisation gets 404 for everything of this project.
    client.force_login(personas["client_b"])
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.get(report.get_absolute_url()).status_code == 404
    assert api(personas["client_b"]).get(reverse("api:project-detail", args=[project.pk])).status_code == 404


def test_X_1_the_timeline_shows_the_project_for_staff_and_the_milestones_for_the_client(personas):
    from onestop.projects.timeline import events

    report = _reviewed_report(personas)
    engagement = report.project.engagement
    staff = [e["title"] for e in events(engagement, personas["lead"])]
    assert any("opened" in t for t in staff) and any("Kickoff meeting" in t for t in staff)
    assert any("reviewed" in t for t in staff) and any("In progress" in t for t in staff)
    mine = [e["title"] for e in events(engagement, personas["client_a"])]
    assert any("opened" in t for t in mine) and not any("Progress table" in t for t in mine)
    assert events(engagement, personas["client_b"]) == []


# --- query counts -------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_PRJ_1_the_project_page_and_the_progress_table_run_a_fixed_number_of_queries(personas, client):
    project = kicked_off(personas)
    lead = personas["lead"]

    def add_tasks(n, start):
        previous = None
        for i in range(n):
            previous = services.save_task(
                Task(
                    project=project,
                    name=f"任務{start + i}",
                    planned_start=date(2026, 1, 5),
                    planned_end=date(2026, 1, 9),
                    milestone=project.milestones.first(),
                ),
                actor=lead,
                depends_on=[previous] if previous else [],
            )

    add_tasks(2, 0)
    report = services.start_report(project, actor=lead, day=date(2026, 1, 7))
    services.start_report(project, actor=lead, day=date(2026, 1, 14))
    client.force_login(lead)
    few = (_count(client, project.get_absolute_url()), _count(client, report.get_absolute_url()))
    add_tasks(6, 10)
    ProjectMember.objects.create(project=project, user=personas["quality"], role="質量", allocation=20)
    report.rows.all().delete()
    for position, values in enumerate(services.planned_rows(project, report.period_end), start=1):
        ProgressRow.objects.create(report=report, position=position, filled_by=lead, **values)
    services.start_report(project, actor=lead, day=date(2026, 1, 21))
    many = (_count(client, project.get_absolute_url()), _count(client, report.get_absolute_url()))
    assert many == few, f"queries grew from {few} to {many}"


# --- generic pages of the models -----------------------------------------------------------------------


class TestProjectModel(ModelTestBase):
    model = Project
    manager = "management"
    deleter = "admin"
    viewer = "finance"
    outsider = "client_b"
    invalid_field = "contract"

    def make_object(self, personas, index=0):
        return make_project(personas, next_index(), state="opened")

    def create_data(self, personas):
        return {"contract": staffed_contract(personas).pk, "project_lead": personas["lead"].pk}

    def update_data(self, obj, personas):
        return {
            "name": "工控安全評估（更名）",
            "project_lead": personas["lead"].pk,
            "planned_start": "2026-01-01",
            "planned_end": "2026-07-31",
            "progress_period_days": 14,
        }

    def api_update_data(self, obj, personas):
        return {"name": "工控安全評估（更名）", "planned_end": "2026-07-31", "progress_period_days": 14}

    def invalid_data(self, personas):
        return {"contract": "", "project_lead": personas["lead"].pk}


class TestMilestoneModel(ModelTestBase):
    model = Milestone
    manager = "lead"
    viewer = "finance"
    outsider = "client_b"
    invalid_field = "name"

    def make_object(self, personas, index=0):
        return make_project(personas, next_index()).milestones.first()

    def create_data(self, personas):
        project = make_project(personas, next_index())
        project.milestones.all().delete()  # only the milestone under test is new
        return {
            "project": project.pk,
            "name": "中期檢查",
            "planned_date": "2026-04-15",
            "deliverables": "中期報告",
        }

    def update_data(self, obj, personas):
        return {
            "project": obj.project_id,
            "name": "調研完成（修訂）",
            "planned_date": "2026-03-05",
            "deliverables": "調研報告",
        }

    def api_update_data(self, obj, personas):
        return {"name": "調研完成（修訂）", "planned_date": "2026-03-05"}

    def invalid_data(self, personas):
        project = make_project(personas, next_index())
        project.milestones.all().delete()
        return {"project": project.pk, "name": "", "planned_date": "2026-04-15"}


class TestProjectMemberModel(ModelTestBase):
    model = ProjectMember
    manager = "lead"
    viewer = "finance"
    no_view = "client_a"
    invalid_field = "role"

    def make_object(self, personas, index=0):
        project = make_project(personas, next_index())
        return ProjectMember.objects.create(
            project=project, user=personas["technician"], role="工程師", allocation=50
        )

    def create_data(self, personas):
        project = make_project(personas, next_index())
        return {
            "project": project.pk,
            "user": personas["technician"].pk,
            "role": "工程師",
            "allocation": 80,
            "responsibilities": "測試",
        }

    def update_data(self, obj, personas):
        return {
            "project": obj.project_id,
            "user": obj.user_id,
            "role": "高級工程師",
            "allocation": 60,
            "responsibilities": "測試與報告",
        }

    def api_update_data(self, obj, personas):
        return {"role": "高級工程師"}

    def invalid_data(self, personas):
        project = make_project(personas, next_index())
        return {"project": project.pk, "user": personas["technician"].pk, "role": "", "allocation": 50}


class TestTaskModel(ModelTestBase):
    model = Task
    manager = "lead"
    viewer = "finance"
    no_view = "client_a"
    invalid_field = "planned_end"

    def make_object(self, personas, index=0):
        project = make_project(personas, next_index())
        return Task.objects.create(
            project=project, name="現場調研", planned_start=date(2026, 1, 5), planned_end=date(2026, 1, 20)
        )

    def create_data(self, personas):
        project = make_project(personas, next_index())
        return {
            "project": project.pk,
            "milestone": project.milestones.first().pk,
            "name": "滲透測試",
            "planned_start": "2026-02-01",
            "planned_end": "2026-02-20",
            "percent_complete": 0,
            "resource_needs": "測試筆電兩台",
        }

    def update_data(self, obj, personas):
        return {
            "project": obj.project_id,
            "name": "現場調研（延長）",
            "planned_start": "2026-01-05",
            "planned_end": "2026-01-25",
            "percent_complete": 30,
        }

    def api_update_data(self, obj, personas):
        return {"name": "現場調研（延長）", "percent_complete": 30}

    def invalid_data(self, personas):
        project = make_project(personas, next_index())
        return {
            "project": project.pk,
            "name": "x",
            "planned_start": "2026-02-20",
            "planned_end": "2026-02-01",
            "percent_complete": 0,
        }


def test_PRJ_1_the_project_list_runs_a_fixed_number_of_queries_with_filters(personas, client):
    client.force_login(personas["management"])
    for _ in range(3):
        make_project(personas, next_index())
    url = (
        reverse("projects:project_list")
        + f"?state=in_progress&project_lead={personas['lead'].pk}&client={personas['client_a'].client_organization_id}"
    )
    few = _count(client, url)
    for _ in range(6):
        make_project(personas, next_index())
    assert _count(client, url) == few
    assert "PJ-T-" in client.get(url).content.decode()


# --- references across client organisations (issue 10, item 4) ---------------------------------


def test_PRJ_1_a_kickoff_refuses_an_attendee_of_another_client_organisation(personas):
    project = opened(personas)
    foreign = next(
        personas[name]
        for name in ("client_a", "client_b")
        if personas[name].client_organization_id != project.engagement.client_id
    )
    body = {
        "held_on": "2026-01-05",
        "location": "會議室",
        "attendees": [personas["technician"].pk, foreign.pk],
        "goals": "目標",
        "tasks_communicated": "任務",
    }
    response = api(personas["lead"]).post(
        reverse("api:project-kickoff", args=[project.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert "attendees" in response.json()["errors"], response.json()
    assert "client" in str(response.json()["errors"]["attendees"])
    assert not KickoffMeeting.objects.filter(project=project).exists()
    assert not KickoffAttendee.objects.filter(user=foreign).exists()
    project.refresh_from_db()
    assert project.state == "opened"
    assert not Notification.objects.filter(recipient=foreign).exists()
