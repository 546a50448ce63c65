"""PRJ-2 and PLN-1 in the browser (issue 11 §4): a member marks their task's row done on the
progress table, which fits a phone's width; the project lead adds and removes plan rows on one
page, sees the budget total against the confirmed fee as they type, and saves them all at once."""

from __future__ import annotations

from playwright.sync_api import expect


def test_PRJ_2_a_member_marks_their_row_done_and_the_table_fits_a_phone(login, live_server, console_errors):
    from onestop.projects.models import ProgressReport, ProgressRow

    report = ProgressReport.objects.filter(state=ProgressReport.State.DRAFT).first()
    assert report is not None, "the demo leaves a progress table being filled in"
    row = (
        ProgressRow.objects.filter(report=report, percent_complete__lt=100, task__assignee__isnull=False)
        .select_related("task__assignee__user")
        .first()
    )
    page = login(row.task.assignee.user.username)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    table = page.locator(".table-responsive:has(.app-progress-table)")
    # The table fits the phone: nothing to scroll sideways.
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
    page.locator(f"[aria-controls=row-details-{row.pk}]").click()
    expect(page.locator(f"#row-details-{row.pk} textarea").first).to_be_visible()
    page.locator(f"#mark-done-{row.pk}").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    row.refresh_from_db()
    assert row.percent_complete == 100 and row.filled_by == row.task.assignee.user
    assert console_errors == []


def test_PLN_1_rows_are_added_and_removed_on_one_page_and_saved_at_once(login, live_server, console_errors):
    from onestop.plans.models import PlanVersion

    version = (
        PlanVersion.objects.filter(state=PlanVersion.State.DRAFT, budget_lines__isnull=False)
        .select_related("plan__project_lead", "plan__engagement__agreed_proposal")
        .distinct()
        .first()
    )
    assert version is not None, "the demo has a draft plan version with a budget"
    lead = version.plan.project_lead
    budget_count = version.budget_lines.count()
    milestone_count = version.milestones.count()
    page = login(lead.username)
    page.goto(f"{live_server.url}/plan-versions/{version.pk}/edit/")
    page.locator("#add-milestones").click()
    new = page.locator("#part-milestones tr[data-row]").last
    new.locator("input[name$=-name]").fill("瀏覽器新增里程碑")
    new.locator("input[name$=-due_date]").fill(version.period_end.isoformat())
    page.locator("#part-budget tr[data-row]").first.locator("[data-remove-row]").click()
    page.locator("#add-budget").click()
    line = page.locator("#part-budget tr[data-row]").last
    line.locator("select").select_option("other")
    fee = version.plan.engagement.agreed_proposal.fee
    line.locator("input[name$=-amount]").fill(str(fee + 1))  # alone above the confirmed fee
    expect(page.locator("#budget-over")).to_be_visible()
    page.locator("#save-version").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    version.refresh_from_db()
    assert version.milestones.count() == milestone_count + 1
    assert version.budget_lines.count() == budget_count  # one removed, one added
    assert version.author == lead
    assert console_errors == []
