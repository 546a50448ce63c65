"""Filter choices that scale in the browser (issue 16 §1): the engagement list's client filter is
a type-ahead that asks the choices endpoint as the user types; picking a client filters the list."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from onestop.accounts.models import ClientOrganization
from tests.browser.test_intake import shoot


def test_a_client_filter_finds_a_client_by_part_of_its_name_and_filters_the_list(
    login, live_server, console_errors
):
    chosen = ClientOrganization.objects.filter(engagements__isnull=False).order_by("name").first()
    words = chosen.name[1:3]  # a Chinese substring from the middle of the name
    page = login("cs.lin")
    page.goto(f"{live_server.url}/engagements/")
    control = page.locator("select[name=client] + .ts-wrapper")
    expect(control).to_be_visible()
    control.locator(".ts-control").click()
    control.locator("input").fill(words)
    option = control.locator(".ts-dropdown .option", has_text=chosen.name)
    expect(option).to_be_visible()
    assert control.locator(".ts-dropdown .option").count() <= 20
    shoot(page, "typeahead-filter-open")
    option.click()
    expect(page).to_have_url(re.compile(rf"client={chosen.pk}"))
    expect(page.locator("#object-table")).to_contain_text(chosen.name)
    assert not console_errors
