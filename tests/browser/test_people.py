"""HR-7 in the browser: the superior scores an appraisal beside the computed figures, the
employee reads it and confirms; the skills search answers who is free."""

from __future__ import annotations

from playwright.sync_api import expect


def test_HR_7_an_appraisal_scored_by_the_superior_and_read_by_the_employee(
    login, live_server, screenshot, console_errors
):
    from onestop.people.models import Appraisal

    appraisal = (
        Appraisal.objects.filter(state="scoring", superior__username="pm.zhou")
        .select_related("employee")
        .first()
    )
    assert appraisal is not None, "the demo leaves an appraisal waiting for pm.zhou's scores"

    page = login("pm.zhou")
    page.goto(f"{live_server.url}{appraisal.get_absolute_url()}")
    expect(page.locator("#appraisal-indicators .app-figure").first).to_be_visible()
    # Submitting without comments is refused, and the page keeps what was typed.
    for box in page.locator("#score-form input[name^=score_]").all():
        box.fill("88")
    page.locator("#score-form button[value='1']").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    for box in page.locator("#score-form textarea[name^=comment_]").all():
        box.fill("按期推進，溝通及時。")
    page.locator("#id_score_overall").fill("本月表現良好。")
    screenshot(page, "people-appraisal-scoring", docs=True)
    page.locator("#score-form button[value='1']").click()
    expect(page.locator("#final-score")).to_have_text("88.00")
    page.context.clear_cookies()

    page = login(appraisal.employee.username)
    page.goto(f"{live_server.url}{appraisal.get_absolute_url()}")
    expect(page.locator("#appraisal-read")).to_be_visible()
    page.locator("#appraisal-read textarea[name=comment]").fill("同意，下月提前提交進度表。")
    screenshot(page, "people-appraisal-reading", docs=True)
    page.locator("form[action$='/acknowledge/'] button[type=submit]").click()
    expect(page.locator("#appraisal-next")).to_be_visible()
    appraisal.refresh_from_db()
    assert appraisal.state == "acknowledged" and appraisal.grade == "B"
    page.context.clear_cookies()

    page = login("pm.zhou")
    page.goto(f"{live_server.url}/skills/matrix/")
    page.locator("#id_skill").select_option(label="PLC 編程")
    page.locator("#id_level").fill("3")
    page.locator("#skills-search button[type=submit]").click()
    expect(page.locator("#skills-found")).to_be_visible()
    screenshot(page, "people-skills-matrix", docs=True)
    assert not [error for error in console_errors if "400 (Bad Request)" not in error]  # the refused submit
