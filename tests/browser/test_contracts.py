"""CON-1..3 in the browser: the consistency check flags the demo contract's wrong fee; legal
corrects it, both reviews pass, the company and the client sign, the archive room files it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.signing import sign


def test_CON_1_2_3_from_a_flagged_fee_to_an_archived_contract_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.accounts.models import User
    from onestop.contracts.models import Contract

    contract = (
        Contract.objects.filter(state=Contract.State.DRAFT).order_by("pk").first()
    )  # the contracts demo's
    url = f"{live_server.url}{contract.get_absolute_url()}"

    # Legal sees the fee difference found by the consistency check and corrects the fee.
    page = login("legal.zheng")
    page.goto(url)
    consistency = page.locator("#consistency")
    expect(consistency.locator("tr.table-danger").first).to_be_visible()
    screenshot(page, "contract-consistency-check", docs=True)
    page.goto(f"{live_server.url}/contracts/{contract.pk}/edit/")
    page.locator("#id_total_fee").fill(str(contract.engagement.agreed_proposal.fee))
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#consistency tr.table-danger")).to_have_count(0)
    page.locator("#contract-actions button[type=submit]").click()
    for box in page.locator("input[name=checked]").all():
        box.check()
    page.locator("button[name=decision][value=pass]").first.click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.context.clear_cookies()

    # The business department passes; the contract is approved.
    page = login("mgmt.wang")
    page.goto(url)
    page.locator("form[action$='business-review/'] button[value=pass]").click()
    contract.refresh_from_db()
    assert contract.state == Contract.State.APPROVED
    page.context.clear_cookies()

    # The legal representative signs for the company, then the client in the portal.
    page = login("mgmt.chen")
    page.goto(url)
    sign(page, page.locator(".app-signatures[data-document=contract] a[data-sign=company]"))
    page.context.clear_cookies()
    client_user = User.objects.filter(client_organization=contract.engagement.client, is_active=True).first()
    page = login(client_user.username)
    page.goto(url)
    sign(page, page.locator(".app-signatures[data-document=contract] a[data-sign=client]"))
    contract.refresh_from_db()
    assert contract.state == Contract.State.SIGNED
    page.context.clear_cookies()

    # The archive room files the signed original.
    page = login("archive.luo")
    page.goto(url)
    page.locator("input[name=archive_number]").fill("HT-2026-0001")
    page.locator("input[name=location]").fill("檔案室 A 櫃 3 層")
    page.locator("form[action$='archive/'] button[type=submit]").click()
    expect(page.locator("#contract-actions")).to_contain_text("HT-2026-0001")
    screenshot(page, "contract-archived", docs=True)
    assert not console_errors
