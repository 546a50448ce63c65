"""X-1, X-6 in the browser: on the demo, each role finds the step waiting for it on 「我的工作」 and
reaches the record in one click; the engagement list names the step and who holds the ball."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    ("username", "step", "lands_on"),
    [
        ("archive.luo", "歸檔已簽署的合同", r"/contracts/\d+/$"),  # the archive room files the original
        ("legal.zheng", "起草合同", r"/contracts/\d+/$"),  # the contract its drafter is writing
        ("pm.sun", "編寫方案並提交評審", r"/plans/\d+/#version-\d+$"),  # the lead writes the plan
    ],
)
def test_each_role_finds_its_waiting_step_on_my_work_and_reaches_it_in_one_click(
    login, screenshot, username, step, lands_on
):
    page = login(username)
    item = page.locator("#work-heading + .list-group a", has_text=step).first
    expect(item).to_be_visible()
    screenshot(page, f"my-work-{username.split('.')[0]}")
    item.click()
    expect(page).to_have_url(re.compile(lands_on))


def test_the_engagement_list_names_the_waiting_step_and_its_holder(login, live_server, screenshot):
    page = login("mgmt.chen")
    page.goto(f"{live_server.url}/engagements/")
    table = page.locator("table")
    expect(table.locator("th", has_text="待辦事項")).to_be_visible()
    expect(table.locator("th", has_text="目前經辦人")).to_be_visible()
    # A plan in review is held by its review panel; a signed contract's project by its lead.
    expect(table.locator("td", has_text="評審方案").first).to_be_visible()
    expect(table.locator("td", has_text="評審小組").first).to_be_visible()
    screenshot(page, "engagement-list-holders", docs=True)
