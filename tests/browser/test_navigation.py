"""Logging in through the real form, the menu each role sees, and the 404 a client gets."""

from __future__ import annotations

import re

from playwright.sync_api import expect

DEPARTMENTS = "/accounts/departments/"
CLIENT_ORGANISATIONS = "/accounts/clientorganizations/"
POSITIONS = "/accounts/positions/"
STAFF = "/accounts/users/"
ADMINISTRATION = "/admin/"
API_DOCS = "/api/docs/"


def sidebar_link(page, href):
    return page.locator(f'#sidebar a[href="{href}"]')


def test_the_login_page_is_in_traditional_chinese_and_rejects_a_wrong_password(
    page, live_server, demo, screenshot
):
    """X-9: the first page anyone sees is in Traditional Chinese; a wrong password says so and logs nobody in."""
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("h1")).to_have_text("登入")
    screenshot(page, "login", full_page=False, docs=True)

    page.locator("#id_username").fill("cs.lin")
    page.locator("#id_password").fill("not-the-password")
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_have_text("使用者名稱或密碼不正確。兩者皆區分大小寫。")
    expect(page).to_have_url(re.compile(r"/login/"))
    screenshot(page, "login-wrong-password", full_page=False)


def test_customer_service_sees_client_organisations_but_not_administration(login, screenshot):
    """X-3, G-1: customer service (cs.lin) works on client records; the system administration is not offered."""
    page = login("cs.lin")
    expect(page.locator("h1")).to_contain_text("林雅婷")
    expect(sidebar_link(page, CLIENT_ORGANISATIONS)).to_have_text(re.compile("客戶單位"))
    expect(sidebar_link(page, ADMINISTRATION)).to_have_count(0)
    expect(page.locator("#user-menu")).to_contain_text("林雅婷")
    screenshot(page, "home-customer-service", full_page=False, docs=True)


def test_hr_sees_departments_and_staff(login, screenshot):
    """X-3, G-1: HR (hr.xu) manages the organisation: departments and staff are in the menu, administration is not."""
    page = login("hr.xu")
    expect(sidebar_link(page, DEPARTMENTS)).to_have_text(re.compile("部門"))
    expect(sidebar_link(page, STAFF)).to_be_visible()
    expect(sidebar_link(page, ADMINISTRATION)).to_have_count(0)
    screenshot(page, "home-hr")


def test_a_client_sees_only_the_portal_menu_and_its_own_organisation(login, live_server, screenshot):
    """X-3: a client user (client.hxzn) sees no internal entries — no departments, positions or administration."""
    page = login("client.hxzn")
    expect(page.locator("main")).to_contain_text("華信智能製造股份有限公司")
    expect(sidebar_link(page, DEPARTMENTS)).to_have_count(0)
    expect(sidebar_link(page, POSITIONS)).to_have_count(0)
    expect(sidebar_link(page, ADMINISTRATION)).to_have_count(0)
    expect(page.locator("#sidebar")).not_to_contain_text("部門")
    screenshot(page, "home-client")

    # The people list a client may open holds only its own organisation's portal users.
    page.goto(f"{live_server.url}{STAFF}")
    expect(page.locator("#object-table tbody tr")).to_have_count(2)
    expect(page.locator("#object-table")).not_to_contain_text("林雅婷")


def test_the_system_administrator_sees_the_administration_link(login, screenshot):
    """X-3: only the system administrator (admin) is offered the administration site."""
    page = login("admin")
    expect(sidebar_link(page, ADMINISTRATION)).to_be_visible()
    expect(sidebar_link(page, DEPARTMENTS)).to_be_visible()
    screenshot(page, "home-system-admin")


def test_a_client_opening_another_organisations_address_gets_the_not_found_page(
    login, live_server, screenshot
):
    """X-3: a record of another client answers 404, exactly like a record that does not exist."""
    from onestop.accounts.models import ClientOrganization

    own = ClientOrganization.objects.get(code="HXZN")
    other = ClientOrganization.objects.get(code="DFLN")
    page = login("client.hxzn")

    response = page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}{own.pk}/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(own.name)

    response = page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}{other.pk}/")
    assert response.status == 404
    expect(page.locator(".app-error")).to_contain_text("404")
    expect(page.locator("body")).not_to_contain_text(other.name)
    screenshot(page, "not-found-for-client")

    response = page.goto(f"{live_server.url}{CLIENT_ORGANISATIONS}{other.pk}/history/")
    assert response.status == 404


def test_switching_language_changes_the_interface_and_is_remembered(login, live_server, screenshot):
    """X-9: the language menu switches zh-Hant → zh-Hans → English at once, and the choice is saved."""
    page = login("hr.xu")
    departments = sidebar_link(page, DEPARTMENTS)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(departments).to_have_text(re.compile("部門"))

    def choose(code):
        page.locator("#language-menu").click()
        page.locator(f'button[name=language][value="{code}"]').click()
        page.wait_for_load_state()

    choose("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(departments).to_have_text(re.compile("部门"))
    screenshot(page, "home-hr-zh-hans", full_page=False)

    choose("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(departments).to_have_text(re.compile("Departments"))
    page.locator("#user-menu").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "home-hr-en", full_page=False)

    # Saved on the profile: a new page load (and a new session) keeps English.
    page.goto(f"{live_server.url}{DEPARTMENTS}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    choose("zh-hant")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page).to_have_url(re.compile(re.escape(DEPARTMENTS) + "$"))
