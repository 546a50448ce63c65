"""RES-4 and RES-6 in the browser, on the demo data: the capacity heat map with its flags, and a
project's cost page (reached from the project page) with its Chart.js charts and tables."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.waiting import wait_until


def test_RES_4_the_heat_map_shows_loads_as_numbers_and_flags_over_allocation(
    login, live_server, screenshot, console_errors
):
    from onestop.accounts.models import User

    huang = User.objects.get(username="tech.huang")
    page = login("pm.zhou")  # the warehouse project's lead: sees its plan's unstaffed role
    page.goto(f"{live_server.url}/costs/heatmap/")
    expect(page.locator("#heatmap-people")).to_be_visible()
    # 黃俊傑 is on two projects at once in the coming weeks: flagged, with the number in the cell.
    expect(page.locator("#flag-over")).to_contain_text(huang.display_name)
    row = page.locator(f"#heatmap-people tr[data-person='{huang.pk}']")
    expect(row.locator("td[data-level='over']").first).to_contain_text("130% !")
    # The bench and the plan's role without a member are named too.
    expect(page.locator("#flag-bench")).to_contain_text(User.objects.get(username="tech.zeng").display_name)
    expect(page.locator("#flag-unstaffed")).to_contain_text("三維建模工程師")
    # Colours are a scale, never the only signal: the over-allocated cell is dark red with white text.
    colour = row.locator("td[data-level='over']").first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )
    assert colour == "rgb(185, 28, 28)"
    expect(page.locator("#heatmap-departments tbody tr").first).to_be_visible()
    screenshot(page, "costs-heatmap", docs=True)

    # One department only; and the Excel export of the same figures.
    page.locator("#id_department").select_option(label="軟件開發組")
    page.locator("#heatmap-filter button[type=submit]").click()
    expect(page.locator("#heatmap-people")).to_contain_text(huang.display_name)
    from onestop.costs.models import Allocation

    elsewhere = (  # someone allocated, in another department (the demo rotates tech.hu into this one)
        User.objects.filter(pk__in=Allocation.objects.values("user"))
        .exclude(department__name="軟件開發組")
        .order_by("username")
        .first()
    )
    expect(page.locator("#heatmap-people")).not_to_contain_text(elsewhere.display_name)
    with page.expect_download() as download:
        page.locator("#heatmap-filter a[data-action=export]").click()
    assert download.value.suggested_filename.startswith("utilization-")
    assert console_errors == []


def test_RES_6_the_cost_page_from_the_project_page_with_charts_and_tables(
    login, live_server, screenshot, console_errors
):
    from onestop.projects.models import Project

    project = Project.objects.get(name="設備預測性維護平台")
    page = login("pm.peng")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.locator(f"#related a[href='/costs/projects/{project.pk}/']").click()
    expect(page.locator("h1")).to_contain_text(project.name)
    for kpi in ("budget", "actual", "ev", "cpi", "spi", "eac"):
        expect(page.locator(f"[data-kpi={kpi}]")).not_to_be_empty()
    # Chart.js drew the three charts (costs.js keeps each chart on its canvas).
    for chart in ("chart-cumulative", "chart-monthly", "chart-categories"):
        wait_until(page, f"document.getElementById('{chart}').chart !== undefined")
    rows = page.locator("#budget-vs-actual tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 4
    expect(page.locator("#cost-months tbody tr").first).to_be_visible()
    expect(page.locator("[data-alert]").first).to_be_visible()  # the demo crosses the warning
    screenshot(page, "costs-project", docs=True)
    with page.expect_download() as download:
        page.locator("a[data-action=export]").click()
    assert download.value.suggested_filename.startswith(f"costs-{project.code}-")
    assert console_errors == []
