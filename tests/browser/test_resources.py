"""RES-1..3 in the browser: the reviewer sees what changed in version 2 of a test report, ticks
the writing standard's checklist, the approver approves; the knowledge search finds an article by
a two-character Chinese word; the equipment list and an item's page."""

from __future__ import annotations

from playwright.sync_api import expect


def test_RES_1_document_review_shows_the_difference_and_is_approved(
    login, live_server, screenshot, console_errors
):
    from onestop.resources.models import DocumentVersion

    version = (
        DocumentVersion.objects.filter(state="in_review", number=2)
        .select_related("document", "reviewer", "approver")
        .first()
    )
    assert version is not None, "the demo leaves a version 2 in review"
    document = version.document

    page = login(version.reviewer.username)
    page.goto(f"{live_server.url}{document.get_absolute_url()}")
    expect(page.locator("#difference-2")).to_be_visible()
    expect(page.locator("#difference-2")).to_contain_text("補充壓力測試結果")
    expect(page.locator("#difference-2 .text-diff")).to_contain_text("壓力測試：500 並發")
    screenshot(page, "resources-document-review", docs=True)
    for box in page.locator("#review-version input[type=checkbox]").all():
        box.check()
    page.locator("#review-button").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.context.clear_cookies()

    page = login(version.approver.username)
    page.goto(f"{live_server.url}{document.get_absolute_url()}")
    page.locator("#approve-button").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    version.refresh_from_db()
    assert version.state == "approved"
    screenshot(page, "resources-document-approved")


def test_RES_2_and_RES_3_knowledge_search_and_equipment_pages(login, live_server, screenshot, console_errors):
    page = login("tech.li")
    page.goto(f"{live_server.url}/knowledge/search/?q=接地")
    expect(page.locator("#search-results")).to_contain_text("機房弱電施工要點")
    expect(page.locator("#search-results mark").first).to_have_text("接地")
    screenshot(page, "resources-knowledge-search", docs=True)
    page.locator("#search-results a").first.click()
    expect(page.locator("#article-body table")).to_be_visible()
    screenshot(page, "resources-article")
    page.goto(f"{live_server.url}/equipments/")
    expect(page.locator("table.app-table")).to_contain_text("光纖熔接機")
    screenshot(page, "resources-equipment-list")
    page.context.clear_cookies()
    page = login("archive.luo")
    page.goto(f"{live_server.url}/equipments/")
    page.get_by_text("網路分析儀").first.click()
    expect(page.locator("#checkouts")).to_be_visible()
    screenshot(page, "resources-equipment-detail")
