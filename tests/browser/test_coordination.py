"""PRJ-3 in the browser, on the demo project in progress: the lead raises an issue and the owner
resolves it; the lead prepares and sends a progress report and the client answers it in the
portal; management approves a change request, which starts a new plan version."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def test_PRJ_3_issue_report_feedback_and_change_request_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.accounts.models import User
    from onestop.coordination.models import ChangeRequest, ClientFeedback, ClientReport, ProjectIssue
    from onestop.projects.models import Project

    project = Project.objects.filter(state="in_progress").order_by("code").first()
    if project is None:
        pytest.skip("the demo has no project in progress")
    lead = project.project_lead
    base = live_server.url

    # The lead raises an issue owned by a technician, with a due date.
    page = login(lead.username)
    page.goto(f"{base}/projectissues/add/")
    page.locator("#id_project").select_option(str(project.pk))
    page.locator("#id_title").fill("客戶機房斷電影響部署")
    page.locator("#id_owner").select_option(str(User.objects.get(username="tech.zhang").pk))
    page.locator("#id_due_date").fill("2027-01-15")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    issue = ProjectIssue.objects.get(title="客戶機房斷電影響部署")
    page.goto(f"{base}/projectissues/?project={project.pk}")
    expect(page.locator(".badge.text-bg-danger").first).to_be_visible()  # the demo's overdue issue
    screenshot(page, "coordination-issue-log", docs=True)

    # The lead prepares a progress report from the project and sends it.
    page.goto(f"{base}/clientreports/add/")
    page.locator("#id_project").select_option(str(project.pk))
    page.locator("#id_period_start").fill("2026-11-01")
    page.locator("#id_period_end").fill("2026-11-14")
    page.locator("#id_summary").fill("本期完成三條產線的網關部署。")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator("#milestones")).to_be_visible()
    page.locator("#report-actions button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    report = ClientReport.objects.filter(project=project).order_by("-number").first()
    assert report.state == "sent"
    page.context.clear_cookies()

    # The owner resolves the issue.
    page = login("tech.zhang")
    page.goto(f"{base}{issue.get_absolute_url()}")
    page.locator("#resolution").fill("改用備用電源並調整部署時段")
    page.locator("#issue-actions button[type=submit]").click()
    issue.refresh_from_db()
    assert issue.state == "resolved"
    page.context.clear_cookies()

    # The client reads the report in the portal and answers it.
    client_user = User.objects.filter(
        client_organization_id=project.engagement.client_id, is_active=True
    ).first()
    page = login(client_user.username)
    page.goto(f"{base}{report.get_absolute_url()}")
    page.locator("#feedback-text").fill("收到，請優先處理三號產線。")
    page.locator("#feedback-rating").select_option("4")
    page.locator("#feedback button[type=submit]").click()
    expect(page.locator("#feedback")).to_contain_text("收到，請優先處理三號產線。")
    screenshot(page, "coordination-client-report", docs=True)
    assert ClientFeedback.objects.filter(report=report, rating=4).exists()
    page.context.clear_cookies()

    # Management decides the pending change request (the demo's plan already has a new draft
    # version from the approved one, so this approval is refused with a clear message).
    pending = ChangeRequest.objects.filter(project=project, state="submitted").first()
    page = login("mgmt.chen")
    page.goto(f"{base}{pending.get_absolute_url()}")
    screenshot(page, "coordination-change-request", docs=True)
    page.locator("#change-actions textarea[name=comment]").fill("預算不足，暫緩")
    page.locator("#change-actions button[value=reject]").click()
    pending.refresh_from_db()
    assert pending.state == "rejected"
    assert not console_errors
