"""FEE-1..2 in the browser: finance reviews a settlement whose invoice does not match, returns it
with the corrections required, the project lead corrects the invoice and resubmits, and finance
approves and signs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.signing import sign

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submitted_settlement():
    """A demo-company project accepted, its settlement applied for with a mistyped invoice amount."""
    from onestop.acceptance.models import AcceptanceRound
    from onestop.accounts.models import User
    from onestop.settlement import services
    from tests.stages import make_project

    people = {
        "legal": User.objects.get(username="legal.zheng"),
        "cs": User.objects.get(username="cs.lin"),
        "lead": User.objects.get(username="pm.zhou"),
        "client_a": User.objects.filter(client_organization__isnull=False, is_active=True)
        .order_by("pk")
        .first(),
    }
    project = make_project(people, 901, state="accepted")
    AcceptanceRound.objects.create(project=project, number=1, state=AcceptanceRound.State.PASSED)
    settlement = services.apply(project.contract, actor=people["lead"], description="已完成全部服務內容。")
    services.attach_invoice(
        settlement,
        actor=people["lead"],
        number="FP-2026-0901",
        issued_on=date(2026, 7, 1),
        amount=settlement.amount - Decimal("1000.00"),
        upload=SimpleUploadedFile("發票.pdf", PDF, content_type="application/pdf"),
    )
    return services.submit(settlement, actor=people["lead"])


def test_FEE_1_2_finance_returns_the_lead_corrects_and_finance_approves_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.core import signatures
    from onestop.settlement.models import Settlement

    settlement = _submitted_settlement()
    url = f"{live_server.url}{settlement.get_absolute_url()}"

    # Finance sees the system's calculation next to the declared amounts: the invoice differs.
    page = login("fin.song")
    page.goto(url)
    calculation = page.locator("#calculation")
    expect(calculation.locator("tr.table-danger")).to_have_count(1)
    screenshot(page, "settlement-review", docs=True)
    # Approving cannot succeed: the button is disabled, the reason beside it names both amounts.
    expect(page.locator("#approve-settlement")).to_be_disabled()
    invoiced, declared = settlement.invoice_amount, settlement.amount
    reason = page.locator("#approve-blocked")
    expect(reason).to_contain_text(f"{invoiced:,.2f}")
    expect(reason).to_contain_text(f"{declared:,.2f}")
    page.locator("#return-comment").fill("發票金額與結算金額不符，請重開發票。")
    page.locator("#return-settlement").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.RETURNED
    page.context.clear_cookies()

    # The project lead sees the corrections required, corrects the invoice amount and resubmits.
    page = login("pm.zhou")
    page.goto(url)
    expect(page.locator("#settlement-actions .alert-warning")).to_contain_text("請重開發票")
    page.locator("#invoice-number").fill("FP-2026-0902")
    page.locator("#invoice-amount").fill(str(settlement.amount))
    page.locator("#invoice-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.locator("#submit-settlement").click()
    settlement.refresh_from_db()
    assert (settlement.state, settlement.version) == (Settlement.State.SUBMITTED, 2)
    page.context.clear_cookies()

    # Finance approves: the form is signed and the calculation is consistent.
    page = login("fin.song")
    page.goto(url)
    expect(page.locator("#calculation tr.table-danger")).to_have_count(0)
    sign(page, page.locator("#approve-settlement"))
    expect(page.locator(".alert-success").first).to_be_visible()
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.APPROVED
    signature = signatures.signatures_for(settlement).get()
    assert signature.version == 2
    screenshot(page, "settlement-approved")
    # The one refusal above answers 400 on purpose; nothing else may fail.
    assert [error for error in console_errors if "400 (Bad Request)" not in error] == []
