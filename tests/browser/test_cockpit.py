"""X-7 in the browser: management opens the cockpit on the demo data — its charts are drawn —
drills down from a figure to the records behind it and downloads a table."""

from __future__ import annotations

from playwright.sync_api import expect


def test_X_7_the_cockpit_draws_its_charts_drills_down_and_exports(
    login, live_server, screenshot, console_errors
):
    page = login("mgmt.chen")
    page.goto(f"{live_server.url}/cockpit/?start=2026-01-01")
    expect(page.locator("h1")).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 8
    expect(page.locator("canvas[data-drawn=true]").first).to_be_visible()
    assert page.locator("canvas[data-drawn=true]").count() == canvases.count()
    screenshot(page, "cockpit-management", docs=True)

    # A figure leads to exactly the records it counts.
    figure = page.locator("[data-kpi='pipeline.received'] a")
    count = figure.inner_text().strip()
    figure.click()
    expect(page.locator("[data-drill-table]")).to_be_visible()
    expect(page.get_by_text(f"{count} ", exact=False).first).to_be_visible()
    screenshot(page, "cockpit-drill-down")

    # The drill-down and a table download.
    with page.expect_download() as download:
        page.locator("[data-action=export-xlsx]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{live_server.url}/cockpit/?start=2026-01-01")
    with page.expect_download() as download:
        page.locator("#tile-pipeline [data-action=export-csv]").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    assert not console_errors, console_errors


def test_X_7_a_project_lead_sees_the_dashboard_of_their_projects(
    login, live_server, screenshot, console_errors
):
    page = login("pm.sun")
    page.goto(f"{live_server.url}/cockpit/lead/?start=2026-01-01")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("canvas[data-drawn=true]").first).to_be_visible()
    screenshot(page, "cockpit-lead")
    assert not console_errors, console_errors


def test_EXT_4_management_sees_a_policy_version_compared_with_the_one_before(
    login, live_server, screenshot, console_errors
):
    from onestop.cockpit.models import PolicyVersion

    version = PolicyVersion.objects.filter(approved_at__isnull=True).first()
    assert version is not None, "the demo leaves one version waiting for approval"
    page = login("mgmt.chen")
    page.goto(f"{live_server.url}{version.get_absolute_url()}")
    expect(page.locator("[data-policy-diff]")).to_be_visible()
    expect(page.locator("[data-changed='plans.review_working_days']")).to_be_visible()
    expect(page.locator("[data-action=approve]")).to_be_visible()  # mgmt.wang proposed it
    screenshot(page, "cockpit-policy-version")
    assert not console_errors, console_errors
