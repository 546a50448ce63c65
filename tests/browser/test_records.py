"""List filters, detail and history pages, and forms with errors, as a user meets them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

CLIENT_ORGANISATIONS = "/accounts/clientorganizations/"


def rows(page):
    return page.locator("#object-table tbody tr")


def test_typing_in_the_search_box_narrows_the_list_without_reloading_the_page(login, live_server, screenshot):
    """G-1: list pages filter as you type (htmx swaps only the table) and the address keeps the filter."""
    page = login("cs.lin")
    page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}")
    expect(rows(page)).to_have_count(8)
    screenshot(page, "list-client-organisations")

    page.evaluate("window.__sameDocument = true")
    page.locator("main input[type=search][name=q]").press_sequentially("物流", delay=50)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("長江物流科技有限公司")
    expect(page).to_have_url(re.compile(r"[?&]q=%E7%89%A9%E6%B5%81"))
    assert page.evaluate("window.__sameDocument === true"), "the filter reloaded the whole page"
    screenshot(page, "list-client-organisations-filtered")

    page.locator("main input[type=search][name=q]").fill("沒有這個客戶")
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#object-table .app-empty")).to_be_visible()
    screenshot(page, "list-client-organisations-no-match")


def test_a_list_filter_by_choice_narrows_the_rows(login, live_server):
    """G-1: choosing a type in the filter bar narrows the rows at once; an unset filter reads "all"."""
    page = login("cs.lin")
    page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}")
    expect(page.locator("select[name=kind] option:checked")).to_have_text("全部")
    expect(page.locator("select[name=is_active] option:checked")).to_have_text("全部")
    page.locator("select[name=kind]").select_option("state_owned")
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#object-table")).to_contain_text("海灣城市商業銀行")


def test_editing_a_record_shows_on_its_detail_page_and_in_its_history(login, live_server, screenshot):
    """G-1, X-3: an edit is saved, shown on the detail page, and the history tab names who changed what."""
    page = login("cs.lin")
    page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}")
    page.get_by_role("link", name="華信智能製造股份有限公司").click()
    expect(page.locator("h1")).to_have_text("華信智能製造股份有限公司")
    screenshot(page, "detail-client-organisation")

    page.locator("a.btn", has=page.locator(".bi-pencil")).click()
    page.locator("#id_city").fill("無錫")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("華信智能製造股份有限公司")
    expect(page.locator(".app-fields")).to_contain_text("無錫")

    page.locator(".nav-tabs a", has=page.locator(".bi-clock-history")).click()
    history = page.locator(".app-history")
    expect(history.locator("li").first).to_contain_text("林雅婷")
    expect(history.locator(".app-diff").first).to_contain_text("蘇州")
    expect(history.locator(".app-diff").first).to_contain_text("無錫")
    screenshot(page, "history-client-organisation")


def test_a_form_with_invalid_input_shows_each_error_beside_its_field_and_saves_nothing(
    login, live_server, screenshot
):
    """G-1: bad input is refused with a message next to the field; nothing is created."""
    from onestop.accounts.models import ClientOrganization

    before = ClientOrganization.objects.count()
    page = login("cs.lin")
    page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}add/")
    page.locator("#id_code").fill("HXZN")  # already taken
    page.locator("#id_name").fill("")
    page.locator("#id_email").fill("not-an-e-mail")
    page.locator("form.app-form button[type=submit]").click()

    for field in ("code", "name", "email"):
        control = page.locator(f"#id_{field}")
        expect(control).to_have_class(re.compile(r"\bis-invalid\b"))
        feedback = page.locator(f"div.mb-3:has(> #id_{field}) > .invalid-feedback")
        expect(feedback).to_be_visible()
    expect(page.locator("div.mb-3:has(> #id_code) > .invalid-feedback")).to_have_text("此客戶代碼已被使用。")
    expect(page.locator("div.mb-3:has(> #id_city) > .invalid-feedback")).to_have_count(0)
    summary = page.locator("#form-error-summary a")
    expect(summary).to_have_count(3)
    expect(summary.first).to_have_attribute("href", "#id_code")
    assert ClientOrganization.objects.count() == before
    screenshot(page, "form-with-errors")


def test_a_department_page_lists_its_sub_departments_members_and_positions(login, live_server, screenshot):
    """G-1: HR opens a department from the list and sees who works there and which positions it has."""
    page = login("hr.xu")
    page.goto(f"{live_server.url}/accounts/departments/")
    page.locator("#object-table").get_by_role("link", name="技術研發部", exact=True).click()
    expect(page.locator("h1")).to_have_text("技術研發部")
    main = page.locator("main")
    expect(main).to_contain_text("軟件開發組")
    expect(main).to_contain_text("趙明遠")
    expect(main).to_contain_text("技術總監")
    screenshot(page, "detail-department")


def test_a_refused_log_in_shows_on_the_security_events_page_and_on_the_profile(
    page, login, live_server, screenshot
):
    """Issue 17 item 7: a wrong password is a security event the administrator and the owner see."""
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill("cs.lin")
    page.locator("#id_password").fill("not-the-password")
    page.locator("form:has(#id_username) button[type=submit]").click()
    login("admin")
    page.goto(f"{live_server.url}/core/security/events/?kind=login_failed")
    expect(page.locator("#security-events tbody tr").first).to_contain_text("cs.lin")
    expect(page.locator("h1")).to_have_text(re.compile("安全事件"))
    screenshot(page, "security-events", docs=True)
    page.goto(f"{live_server.url}/profile/")
    expect(page.locator("#recent-security-events")).to_contain_text("登入")
    screenshot(page, "profile-recent-activity")
