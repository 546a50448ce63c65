"""Project coordination (PRJ-3): the issue log, client progress reports and feedback, change
requests that become plan versions, resource requests to other departments.

Service-only transitions exercised here through coordination.services: ProjectIssue resolve,
close, reopen; ClientReport send; ChangeRequest submit, approve, reject, implement;
ResourceRequest approve, decline.
"""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from onestop.coordination import services
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.coordination.selectors import approved_change_amount
from onestop.core.exceptions import DomainError
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.notifications.models import Deadline, Notification
from onestop.notifications.services import process_deadlines
from onestop.plans import services as plan_services
from onestop.plans.models import PlanVersion
from onestop.projects.models import Milestone, Project
from tests.factories import DepartmentFactory
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas

CODES = ("rationality", "feasibility", "innovation", "risk_controllability")


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def project_of(personas, index=0):
    """One project per test (cached on the personas dict), led by personas["lead"], client org A."""
    key = f"_project_{index}"
    if key not in personas:
        personas[key] = make_project(personas, index)
    return personas[key]


def project_of_org_b(personas, index=50):
    project = make_project(personas, index)
    Engagement.objects.filter(pk=project.engagement_id).update(
        client=personas["client_b"].client_organization
    )
    project.refresh_from_db()
    return project


def issue(personas, index=0, **fields):
    values = {
        "project": project_of(personas),
        "title": f"網關通訊不穩定 {index}",
        "owner": personas["technician"],
        "due_date": date(2026, 12, 31),
        "raised_by": personas["lead"],
        **fields,
    }
    return ProjectIssue.objects.create(**values)


def report(personas, index=0, *, state="draft", project=None):
    project = project or project_of(personas)
    return ClientReport.objects.create(
        project=project,
        number=index + 1,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 14),
        summary=f"第 {index + 1} 期進展",
        snapshot={"milestones": [], "progress": []},
        prepared_by=personas["lead"],
        state=state,
    )


# --- generic pages, API and permissions ---------------------------------------------------------


class TestProjectIssue(ModelTestBase):
    model = ProjectIssue
    api_basename = "projectissue"
    manager = "lead"
    deleter = "admin"
    viewer = "cs"  # customer service sees coordination, finance does not
    no_view = "client_a"
    invalid_field = "due_date"

    def make_object(self, personas, index=0):
        return issue(personas, index)

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "title": "客戶測試環境尚未開通",
            "description": "需客戶開通 VPN",
            "owner": personas["technician"].pk,
            "due_date": "2026-12-15",
            "priority": "high",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "title": "客戶測試環境尚未開通（已催辦）", "priority": "urgent"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "due_date": ""}


class TestClientReport(ModelTestBase):
    model = ClientReport
    api_basename = "clientreport"
    manager = "lead"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "period_end"

    def make_object(self, personas, index=0):
        return report(personas, index)

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "period_start": "2026-04-01",
            "period_end": "2026-04-14",
            "summary": "本期完成系統設計。",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "summary": "本期完成系統設計與評審。"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "period_end": "2026-03-01"}


class TestClientReportSchedule(ModelTestBase):
    model = ClientReportSchedule
    api_basename = "clientreportschedule"
    manager = "lead"
    viewer = "cs"
    no_view = "client_a"
    invalid_field = "every_weeks"

    def make_object(self, personas, index=0):
        return ClientReportSchedule.objects.create(
            project=make_project(personas, 100 + index), every_weeks=2, next_due=date(2026, 4, 1)
        )

    def create_data(self, personas):
        if "_free_project" not in personas:
            personas["_free_project"] = make_project(personas, 900)
        return {
            "project": personas["_free_project"].pk,
            "every_weeks": 2,
            "next_due": "2026-04-01",
            "active": True,
        }

    def update_data(self, obj, personas):
        return {"project": obj.project_id, "every_weeks": 4, "next_due": "2026-04-15", "active": True}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "every_weeks": 0}


class TestClientFeedback(ModelTestBase):
    model = ClientFeedback
    api_basename = "clientfeedback"
    manager = "cs"  # recording feedback received by phone; the portal path is tested below
    viewer = "quality"  # sees coordination; customer service and finance may not record feedback
    outsider = "client_b"
    invalid_field = "rating"

    def sent_report(self, personas):
        if "_sent_report" not in personas:
            personas["_sent_report"] = report(personas, 0, state="sent")
        return personas["_sent_report"]

    def make_object(self, personas, index=0):
        return ClientFeedback.objects.create(
            report=self.sent_report(personas), text=f"意見 {index}", rating=4, author=personas["cs"]
        )

    def create_data(self, personas):
        return {"report": self.sent_report(personas).pk, "text": "進度清楚，謝謝。", "rating": 5}

    def update_data(self, obj, personas):
        return {"report": obj.report_id, "text": "進度清楚，請加快測試。", "rating": 4}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "rating": 9}


class TestChangeRequest(ModelTestBase):
    model = ChangeRequest
    api_basename = "changerequest"
    manager = "lead"
    viewer = "cs"  # customer service sees coordination, finance does not
    no_view = "client_a"
    invalid_field = "milestone_changes"

    def make_object(self, personas, index=0):
        return ChangeRequest.objects.create(
            project=project_of(personas),
            kind="budget",
            description=f"增加設備 {index}",
            reason="客戶擴產",
            fee_change=Decimal("1000.00"),
            impact="成本增加",
            requested_by=personas["lead"],
        )

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "kind": "schedule",
            "description": "最終驗收順延一個月",
            "reason": "客戶設備到貨延遲",
            "new_service_content": "",
            "new_period_end": "2026-07-31",
            "fee_change": "10000.00",
            "milestone_changes": "2026-07-31 最終驗收 | 驗收報告",
            "impact": "工期延長一個月",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "fee_change": "12000.00"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "milestone_changes": "七月底 最終驗收"}


class TestResourceRequest(ModelTestBase):
    model = ResourceRequest
    api_basename = "resourcerequest"
    manager = "lead"
    viewer = "cs"  # customer service sees coordination, finance does not
    no_view = "client_a"
    invalid_field = "needed_by"

    def department(self, personas):
        if "_department" not in personas:
            personas["_department"] = DepartmentFactory(
                code="testing", name="系統測試組", head=personas["technician"]
            )
        return personas["_department"]

    def make_object(self, personas, index=0):
        return ResourceRequest.objects.create(
            project=project_of(personas),
            department=self.department(personas),
            needed=f"測試工程師 {index}",
            quantity="2 人，3 週",
            needed_by=date(2026, 5, 1),
            requested_by=personas["lead"],
        )

    def create_data(self, personas):
        return {
            "project": project_of(personas).pk,
            "department": self.department(personas).pk,
            "needed": "測試工程師支援集成測試",
            "quantity": "2 人，3 週",
            "needed_by": "2026-05-01",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "quantity": "3 人，2 週"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "needed_by": ""}


# --- PRJ-3: the issue log -------------------------------------------------------------------------


def test_PRJ_3_an_issue_is_raised_resolved_closed_and_reopened_through_the_services(
    personas, django_capture_on_commit_callbacks
):
    project = project_of(personas)
    owner = personas["technician"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(personas["lead"]).post(
            "/api/project-issues/",
            {
                "project": project.pk,
                "title": "三號產線網關斷線",
                "owner": owner.pk,
                "due_date": "2026-12-31",
                "priority": "high",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    raised = ProjectIssue.objects.get(pk=response.json()["id"])
    assert (raised.raised_by, raised.state) == (personas["lead"], "open")
    deadline = Deadline.objects.get(target_id=raised.pk, closed_at__isnull=True)
    assert (deadline.responsible, deadline.escalate_to) == (owner, personas["lead"])
    assert Notification.objects.filter(recipient=owner, title__contains="三號產線網關斷線").exists()
    assert any(owner.email in message.to for message in mail.outbox)

    # Only the owner (or whoever runs the project) resolves, and with a resolution; finance
    # does not even see the project's issues (X-3: need-to-know).
    assert (
        api(personas["finance"])
        .post(f"/api/project-issues/{raised.pk}/resolve/", {"resolution": "x"})
        .status_code
        == 404
    )
    response = api(owner).post(f"/api/project-issues/{raised.pk}/resolve/", {"resolution": ""}, format="json")
    assert response.status_code == 400
    response = api(owner).post(
        f"/api/project-issues/{raised.pk}/resolve/", {"resolution": "更換交換機並調整心跳間隔"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    assert not Deadline.objects.filter(target_id=raised.pk, closed_at__isnull=True).exists()

    # The lead reopens with a reason (required), the owner resolves again, the lead closes.
    assert (
        api(personas["lead"]).post(f"/api/project-issues/{raised.pk}/reopen/", {}, format="json").status_code
        == 400
    )
    response = api(personas["lead"]).post(
        f"/api/project-issues/{raised.pk}/reopen/", {"comment": "今早又斷線"}, format="json"
    )
    assert response.json()["state"] == "open" and response.json()["resolved_at"] is None
    raised.refresh_from_db()
    services.resolve_issue(raised, actor=owner, resolution="更換網關固件")
    services.close_issue(raised, actor=personas["lead"])
    raised.refresh_from_db()
    assert raised.state == "closed" and raised.resolution == "更換網關固件"
    # A closed issue can be reopened; a closed one cannot be resolved again.
    with pytest.raises(DomainError):
        services.resolve_issue(raised, actor=owner, resolution="再次")


def test_PRJ_3_an_overdue_issue_is_highlighted_filtered_and_escalated(personas, client):
    project = project_of(personas)
    today = timezone.localdate()
    late = services.raise_issue(
        project,
        actor=personas["lead"],
        title="客戶環境未開通",
        owner=personas["technician"],
        due_date=today - datetime.timedelta(days=3),
    )
    on_time = services.raise_issue(
        project,
        actor=personas["lead"],
        title="補充測試用例",
        owner=personas["technician"],
        due_date=today + datetime.timedelta(days=10),
    )
    assert late.is_overdue and not on_time.is_overdue
    client.force_login(personas["lead"])
    page = client.get(reverse("coordination:projectissue_list")).content.decode()
    assert "text-bg-danger" in page and "overdue" in page
    filtered = client.get(reverse("coordination:projectissue_list"), {"overdue": "true"}).content.decode()
    assert late.get_absolute_url() in filtered and on_time.get_absolute_url() not in filtered
    detail = client.get(late.get_absolute_url()).content.decode()
    assert "alert-danger" in detail
    # The deadline job escalates the overdue issue to the project lead (controllable clock).
    _reminders, escalations = process_deadlines(now=timezone.now())
    assert escalations == 1
    assert Notification.objects.filter(
        recipient=personas["lead"], level=Notification.Level.ESCALATION, title__contains="客戶環境未開通"
    ).exists()


def test_PRJ_3_issues_are_listed_per_project_and_globally_with_filters(personas, client):
    first, second = project_of(personas, 0), project_of(personas, 1)
    a = issue(personas, 1, project=first, priority="urgent")
    b = issue(personas, 2, project=second, owner=personas["lead"])
    client.force_login(personas["management"])
    everything = client.get(reverse("coordination:projectissue_list")).content.decode()
    assert a.get_absolute_url() in everything and b.get_absolute_url() in everything
    per_project = client.get(
        reverse("coordination:projectissue_list"), {"project": first.pk}
    ).content.decode()
    assert a.get_absolute_url() in per_project and b.get_absolute_url() not in per_project
    by_owner = api(personas["management"]).get("/api/project-issues/", {"owner": personas["lead"].pk}).json()
    assert [row["id"] for row in by_owner["results"]] == [b.pk]
    by_priority = api(personas["management"]).get("/api/project-issues/", {"priority": "urgent"}).json()
    assert [row["id"] for row in by_priority["results"]] == [a.pk]


# --- PRJ-3: client progress reports and feedback ------------------------------------------------------


def test_PRJ_3_a_report_is_made_from_milestones_and_progress_and_a_sent_report_never_changes(
    personas, django_capture_on_commit_callbacks
):
    project = project_of(personas)
    Milestone.objects.filter(project=project, name="調研完成").update(
        percent_complete=100, completed_on=date(2026, 2, 25)
    )
    response = api(personas["lead"]).post(
        "/api/client-reports/",
        {
            "project": project.pk,
            "period_start": "2026-02-16",
            "period_end": "2026-03-01",
            "summary": "調研完成。",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1 and body["state"] == "draft"
    names = [(m["name"], m["percent_complete"]) for m in body["snapshot"]["milestones"]]
    assert names == [("調研完成", 100), ("最終驗收", 0)]
    assert body["snapshot"]["overall_percent"] == 50
    assert "progress" in body["snapshot"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api(personas["lead"]).post(f"/api/client-reports/{body['id']}/send/")
    assert response.status_code == 200 and response.json()["state"] == "sent"
    client_user = personas["client_a"]
    assert Notification.objects.filter(recipient=client_user, target_id=body["id"]).exists()
    assert any(client_user.email in message.to for message in mail.outbox)

    # Later progress does not alter the sent report, and it cannot be edited or resent.
    Milestone.objects.filter(project=project, name="最終驗收").update(percent_complete=80)
    sent = ClientReport.objects.get(pk=body["id"])
    assert [m["percent_complete"] for m in sent.milestones] == [100, 0]
    assert (
        api(personas["lead"])
        .patch(f"/api/client-reports/{sent.pk}/", {"summary": "改"}, format="json")
        .status_code
        == 403
    )
    assert api(personas["lead"]).post(f"/api/client-reports/{sent.pk}/send/").status_code == 409
    # The next report takes the new state of the project, numbered 2.
    second = services.prepare_report(
        project,
        actor=personas["lead"],
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 15),
        summary="設計中",
    )
    assert second.number == 2 and [m["percent_complete"] for m in second.milestones] == [100, 80]


def test_PRJ_3_only_the_projects_lead_or_management_prepares_and_sends(personas, make_user):
    project = project_of(personas)
    other_lead = make_user(Role.PROJECT_LEAD, username="lead2")
    response = api(other_lead).post(
        "/api/client-reports/",
        {"project": project.pk, "period_start": "2026-03-01", "period_end": "2026-03-14", "summary": "x"},
        format="json",
    )
    # another project's lead does not see this project: it cannot be named, nor its report sent.
    assert response.status_code == 400 and "project" in response.json()["errors"]
    draft = report(personas)
    assert api(other_lead).post(f"/api/client-reports/{draft.pk}/send/").status_code == 404
    assert api(personas["technician"]).post(f"/api/client-reports/{draft.pk}/send/").status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_PRJ_3_a_client_sees_only_its_organisations_sent_reports(personas, client):
    own_sent = report(personas, 0, state="sent")
    own_draft = report(personas, 1)
    other = report(personas, 0, state="sent", project=project_of_org_b(personas))
    client.force_login(personas["client_a"])
    listed = client.get(reverse("coordination:clientreport_list")).content.decode()
    assert own_sent.get_absolute_url() in listed
    assert own_draft.get_absolute_url() not in listed and other.get_absolute_url() not in listed
    assert client.get(own_sent.get_absolute_url()).status_code == 200
    assert client.get(own_draft.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    rows = api(personas["client_a"]).get("/api/client-reports/").json()["results"]
    assert [row["id"] for row in rows] == [own_sent.pk]
    assert api(personas["client_a"]).get(f"/api/client-reports/{other.pk}/").status_code == 404
    # Nor can it answer another organisation's report.
    response = api(personas["client_a"]).post(
        "/api/client-feedback/", {"report": other.pk, "text": "?"}, format="json"
    )
    assert response.status_code == 400
    assert (
        client.post(reverse("coordination:clientreport_feedback", args=[other.pk]), {"text": "?"}).status_code
        == 404
    )
    # Clients never see the issue log, change requests or resource requests.
    for name in ("projectissue_list", "changerequest_list", "resourcerequest_list"):
        assert client.get(reverse(f"coordination:{name}")).status_code == 403


def test_PRJ_3_the_client_gives_feedback_in_the_portal_and_the_lead_is_notified(personas, client):
    sent = report(personas, 0, state="sent")
    client.force_login(personas["client_a"])
    page = client.get(sent.get_absolute_url()).content.decode()
    assert reverse("coordination:clientreport_feedback", args=[sent.pk]) in page
    response = client.post(
        reverse("coordination:clientreport_feedback", args=[sent.pk]),
        {"text": "進度清楚，謝謝。", "rating": "5"},
    )
    assert response.status_code == 302
    feedback = ClientFeedback.objects.get(report=sent)
    assert (feedback.author, feedback.rating) == (personas["client_a"], 5)
    assert Notification.objects.filter(
        recipient=personas["lead"], target_id=sent.pk, body__contains="進度清楚"
    ).exists()
    # A rating outside 1–5 is refused and nothing is saved; a rating is optional.
    assert (
        client.post(
            reverse("coordination:clientreport_feedback", args=[sent.pk]), {"text": "x", "rating": "6"}
        ).status_code
        == 400
    )
    response = api(personas["client_a"]).post(
        "/api/client-feedback/", {"report": sent.pk, "text": "補充意見"}, format="json"
    )
    assert response.status_code == 201 and response.json()["rating"] is None
    # The lead sees it on the report's page; feedback on a draft report is refused.
    client.force_login(personas["lead"])
    assert "進度清楚，謝謝。" in client.get(sent.get_absolute_url()).content.decode()
    draft = report(personas, 1)
    with pytest.raises(PermissionDenied):
        services.give_feedback(draft, actor=personas["client_a"], text="x")
    assert ClientFeedback.objects.filter(report=draft).count() == 0


def test_PRJ_3_refused_feedback_shows_the_report_again_with_what_the_client_typed(personas, client):
    sent = report(personas, 0, state="sent")
    client.force_login(personas["client_a"])
    response = client.post(
        reverse("coordination:clientreport_feedback", args=[sent.pk]),
        {"text": "請補充測試報告", "rating": "6"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "請補充測試報告" in page and "is-invalid" in page
    assert not ClientFeedback.objects.filter(report=sent).exists()


def test_PRJ_3_a_change_rejected_without_a_reason_names_the_field_on_the_page(personas, client):
    request = change(personas)
    services.submit_change(request, actor=personas["management"])
    client.force_login(personas["management"])
    response = client.post(
        reverse("coordination:changerequest_decide", args=[request.pk]),
        {"decision": "reject", "comment": " "},
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "submitted"


def test_PRJ_3_the_scheduled_report_job_sends_due_reports_once(personas, django_capture_on_commit_callbacks):
    project = project_of(personas)
    today = date(2026, 3, 16)
    schedule = ClientReportSchedule.objects.create(project=project, every_weeks=2, next_due=today)
    paused = ClientReportSchedule.objects.create(
        project=project_of(personas, 1), every_weeks=1, next_due=today, active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reports(today) == 1
    assert services.send_due_reports(today) == 0  # idempotent: a second run sends nothing
    schedule.refresh_from_db()
    sent = ClientReport.objects.get(project=project)
    assert sent.state == "sent" and schedule.last_report == sent
    assert schedule.next_due == today + datetime.timedelta(days=14)
    assert (sent.period_start, sent.period_end) == (today - datetime.timedelta(days=13), today)
    assert not ClientReport.objects.filter(project=paused.project).exists()
    assert Notification.objects.filter(recipient=personas["client_a"], target_id=sent.pk).count() == 1
    # Two weeks later the next one goes out.
    assert services.send_due_reports(today + datetime.timedelta(days=14)) == 1
    assert ClientReport.objects.filter(project=project, state="sent").count() == 2


def test_PRJ_3_a_due_report_that_cannot_be_sent_tells_the_lead_and_sends_nothing(personas):
    project = project_of(personas)
    personas["client_a"].__class__.objects.filter(client_organization=project.engagement.client).update(
        is_active=False
    )
    ClientReportSchedule.objects.create(project=project, every_weeks=1, next_due=date(2026, 3, 16))
    assert services.send_due_reports(date(2026, 3, 16)) == 0
    assert not ClientReport.objects.filter(project=project).exists()
    assert Notification.objects.filter(
        recipient=personas["lead"], title__contains="could not be sent"
    ).exists()
    assert services.send_due_reports(date(2026, 3, 16)) == 0
    assert (
        Notification.objects.filter(recipient=personas["lead"], title__contains="could not be sent").count()
        == 1
    )


# --- PRJ-3: change requests ------------------------------------------------------------------------------


def change(personas, project=None, **fields):
    values = {
        "kind": "schedule",
        "description": "客戶新增兩條產線，最終驗收順延",
        "reason": "客戶擴產",
        "new_period_end": date(2026, 7, 31),
        "fee_change": Decimal("36000.00"),
        "milestone_changes": "2026-07-31 最終驗收 | 含新產線驗收\n2026-05-15 新產線接入 | 接入報告",
        "impact": "工期延長一個月",
        **fields,
    }
    return services.request_change(project or project_of(personas), actor=personas["lead"], **values)


def plan_state(project):
    plan = project.engagement.plan
    return (
        list(plan.versions.values_list("number", "state", "fee", "period_end")),
        plan.effective_version_id,
        project.plan_version_id,
        list(Milestone.objects.filter(project=project).values_list("name", "planned_date")),
    )


def test_PRJ_3_a_change_request_that_is_not_approved_leaves_the_plan_and_the_project_unchanged(personas):
    project = project_of(personas)
    before = plan_state(project)
    draft = change(personas)
    submitted = change(personas)
    services.submit_change(submitted, actor=personas["lead"])
    rejected = change(personas)
    services.submit_change(rejected, actor=personas["lead"])
    response = api(personas["management"]).post(
        f"/api/change-requests/{rejected.pk}/reject/", {}, format="json"
    )
    assert response.status_code == 400  # a rejection needs a reason
    response = api(personas["management"]).post(
        f"/api/change-requests/{rejected.pk}/reject/", {"comment": "費用超出預算"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    project.refresh_from_db()
    assert plan_state(project) == before
    assert {c.state for c in (draft, submitted)} == {"draft", "submitted"}
    assert ChangeRequest.objects.get(pk=draft.pk).plan_version is None
    assert approved_change_amount(project.contract) == Decimal("0")


def test_PRJ_3_only_management_decides_and_only_a_draft_is_edited(personas):
    submitted = change(personas)
    assert (
        api(personas["management"])
        .post(f"/api/change-requests/{submitted.pk}/approve/", {}, format="json")
        .status_code
        == 409
    )
    services.submit_change(submitted, actor=personas["lead"])
    assert Deadline.objects.filter(target_id=submitted.pk, responsible=personas["management"]).exists()
    assert Notification.objects.filter(recipient=personas["management"], target_id=submitted.pk).exists()
    assert (
        api(personas["lead"])
        .post(f"/api/change-requests/{submitted.pk}/approve/", {}, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas["lead"])
        .patch(f"/api/change-requests/{submitted.pk}/", {"reason": "改"}, format="json")
        .status_code
        == 403
    )
    submitted.refresh_from_db()
    assert submitted.state == "submitted" and submitted.plan_version is None
    # A request that changes nothing is refused with a clear message.
    response = api(personas["lead"]).post(
        "/api/change-requests/",
        {
            "project": project_of(personas).pk,
            "kind": "scope",
            "description": "x",
            "reason": "y",
            "impact": "z",
        },
        format="json",
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()["errors"]


def test_PRJ_3_an_approved_change_becomes_a_plan_version_and_once_approved_the_project_follows_it(
    personas, make_user
):
    project = project_of(personas)
    # The plan's lead must hold the project-lead role for the plan to save (the stage builder
    # gives the plan to customer service).
    type(project.engagement.plan).objects.filter(pk=project.engagement.plan.pk).update(
        project_lead=personas["lead"]
    )
    Milestone.objects.filter(project=project, name="調研完成").update(
        percent_complete=100, completed_on=date(2026, 2, 27)
    )
    old_version = project.plan_version
    request = change(personas)
    services.submit_change(request, actor=personas["lead"])
    response = api(personas["management"]).post(
        f"/api/change-requests/{request.pk}/approve/", {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved"
    request.refresh_from_db()
    version = request.plan_version
    # The new version is a draft prefilled with the change; the project still follows the old one.
    assert (version.number, version.state) == (2, PlanVersion.State.DRAFT)
    assert version.period_end == date(2026, 7, 31)
    assert version.fee == old_version.fee + Decimal("36000.00")
    assert list(version.milestones.values_list("name", "due_date")) == [
        ("調研完成", date(2026, 2, 28)),
        ("新產線接入", date(2026, 5, 15)),
        ("最終驗收", date(2026, 7, 31)),
    ]
    assert "客戶擴產" in version.change_note
    project.refresh_from_db()
    assert project.plan_version == old_version
    assert approved_change_amount(project.contract) == Decimal("36000.00")

    # The version goes through the plan's own review and approval.
    reviewers = [make_user(Role.REVIEWER, username=f"expert{n}") for n in range(2)]
    plan_services.update_version(
        version,
        actor=personas["management"],
        staffing=[{"user": personas["lead"], "role": "項目負責人", "allocation": 60}],
        budget_lines=[{"category": "personnel", "description": "人工", "amount": Decimal("200000.00")}],
    )
    plan_services.submit_version(version, actor=personas["management"], reviewers=reviewers)
    for reviewer in reviewers:
        plan_services.submit_review(
            version, actor=reviewer, scores=dict.fromkeys(CODES, 4), recommendation="pass"
        )
    version.refresh_from_db()
    project.refresh_from_db()
    assert version.state == PlanVersion.State.PASSED and project.plan_version == old_version
    plan_services.approve_version(version, actor=personas["management"], comment="同意變更")

    project.refresh_from_db()
    request.refresh_from_db()
    assert project.plan_version == version and project.planned_end == date(2026, 7, 31)
    assert request.state == "implemented" and request.implemented_at is not None
    milestones = {m.name: m for m in Milestone.objects.filter(project=project)}
    assert set(milestones) == {"調研完成", "新產線接入", "最終驗收"}
    # The completed milestone keeps its actual completion; the others follow the new plan.
    assert (
        milestones["調研完成"].completed_on == date(2026, 2, 27)
        and milestones["調研完成"].percent_complete == 100
    )
    assert milestones["最終驗收"].planned_date == date(2026, 7, 31)
    assert milestones["最終驗收"].deliverables == "含新產線驗收"
    assert all(m.source.version_id == version.pk for m in milestones.values())
    assert approved_change_amount(project.contract) == Decimal("36000.00")


def test_PRJ_3_approval_is_refused_while_the_plan_has_an_open_version_and_changes_nothing(personas):
    project = project_of(personas)
    plan = project.engagement.plan
    plan_services.new_version(plan, actor=personas["management"], change_note="另一修訂")
    before = plan_state(project)
    request = change(personas)
    services.submit_change(request, actor=personas["management"])
    response = api(personas["management"]).post(
        f"/api/change-requests/{request.pk}/approve/", {}, format="json"
    )
    assert response.status_code == 409
    request.refresh_from_db()
    assert request.state == "submitted" and request.plan_version is None
    assert plan_state(project) == before


def test_PRJ_3_approved_change_amount_sums_the_approved_and_implemented_fee_changes(personas):
    project = project_of(personas)
    contract = project.contract
    assert approved_change_amount(contract) == Decimal("0")
    for state, fee in (
        ("approved", "1000.00"),
        ("implemented", "-300.50"),
        ("submitted", "99.00"),
        ("rejected", "7.00"),
    ):
        row = change(personas, fee_change=Decimal(fee))
        ChangeRequest.objects.filter(pk=row.pk).update(state=state)
    assert approved_change_amount(contract) == Decimal("699.50")
    assert approved_change_amount(project_of(personas, 1).contract) == Decimal("0")


def test_PRJ_3_the_change_request_pages_submit_and_decide(personas, client):
    request = change(personas)
    client.force_login(personas["lead"])
    page = client.get(request.get_absolute_url()).content.decode()
    assert reverse("coordination:changerequest_submit", args=[request.pk]) in page
    assert client.post(reverse("coordination:changerequest_submit", args=[request.pk])).status_code == 302
    client.force_login(personas["management"])
    page = client.get(request.get_absolute_url()).content.decode()
    assert reverse("coordination:changerequest_decide", args=[request.pk]) in page
    response = client.post(
        reverse("coordination:changerequest_decide", args=[request.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400  # a reason is needed
    response = client.post(
        reverse("coordination:changerequest_decide", args=[request.pk]),
        {"decision": "reject", "comment": "不同意"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "rejected" and request.decision_comment == "不同意"


# --- PRJ-3: resource requests ---------------------------------------------------------------------------


def test_PRJ_3_a_resource_request_is_answered_by_the_department_head_with_notices_both_ways(
    personas, make_user, client
):
    head = make_user(Role.TECHNICIAN, username="head.testing")
    department = DepartmentFactory(code="testing", name="系統測試組", head=head)
    response = api(personas["lead"]).post(
        "/api/resource-requests/",
        {
            "project": project_of(personas).pk,
            "department": department.pk,
            "needed": "測試工程師",
            "quantity": "2 人，3 週",
            "needed_by": "2026-05-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    request = ResourceRequest.objects.get(pk=response.json()["id"])
    assert Notification.objects.filter(recipient=head, target_id=request.pk).exists()
    assert Deadline.objects.filter(target_id=request.pk, responsible=head, closed_at__isnull=True).exists()
    # "My work" of the head lists it.
    client.force_login(head)
    assert request.get_absolute_url() in client.get("/").content.decode()
    # Someone else (not head, not management) may not answer (nor, off the team, see it);
    # an answer needs text.
    assert api(personas["technician"]).post(
        f"/api/resource-requests/{request.pk}/approve/", {"answer": "好"}
    ).status_code in (403, 404)
    assert (
        api(head)
        .post(f"/api/resource-requests/{request.pk}/decline/", {"answer": ""}, format="json")
        .status_code
        == 400
    )
    response = api(head).post(
        f"/api/resource-requests/{request.pk}/approve/", {"answer": "安排吳佩珊支援 3 週"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    request.refresh_from_db()
    assert (request.answered_by, request.answer) == (head, "安排吳佩珊支援 3 週")
    assert Notification.objects.filter(
        recipient=personas["lead"], target_id=request.pk, body__contains="吳佩珊"
    ).exists()
    assert not Deadline.objects.filter(target_id=request.pk, closed_at__isnull=True).exists()
    # Answered: it cannot be answered again nor edited.
    assert (
        api(head)
        .post(f"/api/resource-requests/{request.pk}/decline/", {"answer": "改"}, format="json")
        .status_code
        == 409
    )
    assert (
        api(personas["lead"])
        .patch(f"/api/resource-requests/{request.pk}/", {"quantity": "1 人"}, format="json")
        .status_code
        == 403
    )


def test_PRJ_3_management_answers_when_the_department_has_no_head(personas, client):
    department = DepartmentFactory(code="nohead", name="無主管部門")
    request = services.request_resources(
        project_of(personas),
        actor=personas["lead"],
        department=department,
        needed="設備",
        quantity="1 台",
        needed_by=date(2026, 5, 1),
    )
    client.force_login(personas["management"])
    page = client.get(request.get_absolute_url()).content.decode()
    assert reverse("coordination:resourcerequest_answer", args=[request.pk]) in page
    response = client.post(
        reverse("coordination:resourcerequest_answer", args=[request.pk]),
        {"decision": "decline", "answer": "本月無空閒設備"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "declined"


# --- My work, timeline, demo ------------------------------------------------------------------------


def test_PRJ_3_my_work_lists_issues_decisions_reports_and_feedback_to_give(personas, client):
    project = project_of(personas)
    mine = issue(personas, 0, owner=personas["technician"])
    submitted = change(personas)
    services.submit_change(submitted, actor=personas["lead"])
    draft = report(personas, 0)
    sent = report(personas, 1, state="sent")
    ClientReportSchedule.objects.create(project=project, every_weeks=2, next_due=timezone.localdate())
    expectations = {
        "technician": [mine.get_absolute_url()],
        "management": [submitted.get_absolute_url()],
        "lead": [
            draft.get_absolute_url(),
            reverse("coordination:clientreportschedule_detail", args=[project.client_report_schedule.pk]),
        ],
        "client_a": [sent.get_absolute_url()],
    }
    for persona, urls in expectations.items():
        client.force_login(personas[persona])
        page = client.get("/").content.decode()
        for url in urls:
            assert url in page, (persona, url)
    ClientFeedback.objects.create(report=sent, text="好", author=personas["client_a"])
    client.force_login(personas["client_a"])
    assert sent.get_absolute_url() not in client.get("/").content.decode()


def test_X_1_the_timeline_shows_coordination_events_in_a_fixed_number_of_queries(personas):
    from onestop.coordination.timeline import events

    project = project_of(personas)
    engagement = project.engagement

    def count(user):
        with CaptureQueriesContext(connection) as queries:
            rows = events(engagement, user)
        return len(queries), rows

    issue(personas, 0)
    sent = report(personas, 0, state="sent")
    ClientReport.objects.filter(pk=sent.pk).update(sent_at=timezone.now(), sent_by=personas["lead"])
    ClientFeedback.objects.create(report=sent, text="好", rating=5, author=personas["client_a"])
    count(personas["management"])  # warm-up: the user's roles are read once and kept on the user
    few, rows = count(personas["management"])
    kinds = {row["kind"] for row in rows}
    assert {"issue", "client_report", "client_feedback"} <= kinds
    for index in range(1, 6):
        issue(personas, index)
        again = report(personas, index, state="sent")
        ClientFeedback.objects.create(report=again, text="好", author=personas["client_a"])
        services.submit_change(change(personas), actor=personas["lead"])
    many, rows = count(personas["management"])
    assert many == few
    # The client sees the reports sent to it and its feedback, not the internal log.
    _queries, client_rows = count(personas["client_a"])
    assert {row["kind"] for row in client_rows} == {"client_report", "client_feedback"}
    assert not events(engagement, personas["client_b"])


def test_PRJ_3_demo_does_nothing_without_projects_and_fills_the_log_with_one(personas, make_user):
    from onestop.coordination import demo

    demo.load()  # no project, no management user: nothing, no error
    assert not ProjectIssue.objects.exists()
    make_user(Role.MANAGEMENT, username="mgmt.chen")
    DepartmentFactory(code="rnd", name="技術研發部", head=make_user(Role.REVIEWER, username="expert.zhao"))
    project = project_of(personas)
    demo.load()
    assert ProjectIssue.objects.filter(project=project).count() == 3
    assert any(i.is_overdue for i in ProjectIssue.objects.all())
    assert ClientReport.objects.filter(project=project, state="sent").count() == 2
    assert ClientFeedback.objects.count() == 1
    assert set(ChangeRequest.objects.values_list("state", flat=True)) == {"approved", "submitted"}
    assert ChangeRequest.objects.get(state="approved").plan_version.state == PlanVersion.State.DRAFT
    assert ResourceRequest.objects.filter(state="approved").count() == 1
    assert Project.objects.get(pk=project.pk).plan_version == project.plan_version


# --- dates of the plan after a change (issue 10, item 6) ------------------------------------------------


@pytest.mark.parametrize(
    ("change_fields", "field"),
    [
        # A milestone 900 days after the end of the service period.
        ({"milestone_changes": "2028-12-17 最終驗收 | 驗收報告"}, "milestone_changes"),
        # A period shortened before a milestone that is not moved.
        ({"new_period_end": "2026-03-31", "milestone_changes": ""}, "new_period_end"),
    ],
)
def test_PRJ_3_a_change_that_leaves_a_milestone_outside_the_service_period_is_refused(
    personas, change_fields, field
):
    project = project_of(personas)
    body = {
        "project": project.pk,
        "kind": "schedule",
        "description": "最終驗收順延",
        "reason": "客戶設備到貨延遲",
        "fee_change": "0.00",
        "impact": "工期延長",
        **change_fields,
    }
    response = api(personas["lead"]).post("/api/change-requests/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert "最終驗收" in str(response.json()["errors"])  # the message names the milestone
    assert not ChangeRequest.objects.exists()
