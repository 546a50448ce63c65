"""ACC-2, ACC-3 in the browser: after the demo's failed round 1 is rectified, the client names its
acceptance team for round 2, ticks the preparation checklist, starts the acceptance, records the
results per criterion and method, fills a passing report and signs it in the portal."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.signing import sign


def test_ACC_2_3_the_client_prepares_records_and_signs_a_passing_report_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.acceptance import services
    from onestop.acceptance.models import AcceptanceRound

    # The demo's project that failed round 1 and has no round 2 yet.
    first = (
        AcceptanceRound.objects.select_related("project")
        .filter(number=1, state="failed")
        .exclude(project__acceptance_rounds__number=2)
        .get()
    )
    lead = first.project.project_lead
    for problem in first.problems.filter(state="open"):
        services.resolve_problem(problem, actor=lead, fix="已優化查詢並提交性能測試報告。")
    second = services.start_next_round(first, actor=lead)
    client_user = second.team.select_related("user").first().user
    for member in list(second.team.all()):  # the client names its team again in the browser
        services.remove_team_member(member, actor=client_user)
    url = f"{live_server.url}{second.get_absolute_url()}"

    page = login(client_user.username)
    page.goto(url)
    expect(page.locator("#next-step button[data-action=start]")).to_be_disabled()
    page.locator("#team-user").select_option(str(client_user.pk))
    page.locator("#team-role").fill("驗收組長")
    page.locator("#team button[data-action=add-member]").click()
    expect(page.locator("#team .list-group-item")).to_have_count(1)
    tick = page.locator("#checklist .btn-outline-success")  # each tick reloads the page
    for _ in range(tick.count()):
        tick.first.click()
        page.wait_for_load_state()
    expect(page.locator("#checklist .bi-square")).to_have_count(0)
    page.locator("#next-step button[data-action=start]").click()
    second.refresh_from_db()
    assert second.state == "in_acceptance"

    selects = page.locator("#results select[name$='-system_test']")
    for index in range(selects.count()):
        selects.nth(index).select_option("pass")
    page.locator("#results select[name$='-document_review']").first.select_option("pass")
    page.locator("#results input[name$='-document_review']").first.fill("文檔齊全")
    page.locator("#results button[data-action=save-results]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator("#results select[name$='-system_test']").first).to_have_value("pass")
    assert second.results.count() == selects.count() + 1

    page.locator("#conclusion-pass").check()
    page.locator("#report-summary").fill("整改後複驗，各項標準均符合合同約定，驗收合格。")
    page.locator("#report button[data-action=fill-report]").click()
    sign(page, page.locator(".app-signatures[data-document=acceptance_report] a[data-sign=client]"))
    expect(page.locator(".alert-success").first).to_be_visible()
    second.refresh_from_db()
    assert second.state == "passed"
    expect(page.locator("[data-document=acceptance_report] .app-hash")).to_be_visible()
    expect(page.locator("#next-step .text-success")).to_be_visible()
    screenshot(page, "acceptance-report-signed", docs=True)
    assert not console_errors
