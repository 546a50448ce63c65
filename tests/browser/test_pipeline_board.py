"""The engagement board in the browser (X-1, issue 11 §2): customer service drags an inquiry to
"needs assessment", the forwarding form opens prefilled in a dialog, and once sent the card is in
its new column; a card past the confirmation does not move, whatever the user drags."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_intake import shoot

BOARD = "/engagements/board/"


def column(page, stage):
    return page.locator(f'.app-board-column[data-stage="{stage}"]')


def test_X_1_a_card_moves_by_drag_only_where_its_next_step_allows_it(login, live_server, console_errors):
    page = login("cs.lin")  # customer service forwards inquiries
    page.goto(f"{live_server.url}{BOARD}")
    card = column(page, "inquiry").locator('article[draggable="true"]').first
    card_id = card.get_attribute("id")
    shoot(page.locator(".app-board"), "engagement-board", docs=True)

    card.drag_to(column(page, "assessment").locator(".app-board-cards"))
    dialog = page.locator("#board-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=technician]").select_option(label="張偉")
    shoot(dialog, "engagement-board-move", docs=True)
    dialog.locator("button[type=submit]").click()
    expect(column(page, "assessment").locator(f"#{card_id}")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("張偉")

    # Past the confirmation the phases move by their own records: the card stays, no form opens.
    fixed = column(page, "plan").locator("article").first
    fixed_id = fixed.get_attribute("id")
    expect(fixed).to_have_attribute("draggable", "false")
    fixed.drag_to(column(page, "contract").locator(".app-board-cards"))
    expect(dialog).not_to_be_visible()
    expect(column(page, "plan").locator(f"#{fixed_id}")).to_be_visible()
    assert not console_errors
