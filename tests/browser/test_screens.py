"""Daily screens at 1,440 px and on a 375 px phone (issue 11 §4, "Done when"): each role's
「我的工作」 on the demo, the engagement list (the pipeline) and its board, a list as cards on the
phone, a button that cannot succeed shown disabled with its reason, the survey's rating buttons
on one line. The pictures go to docs/screenshots/ (``<what>-1440.png``, ``<what>-375.png``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DOC_SCREENSHOTS

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
ROLES = (
    ("cs.lin", "customer-service"),
    ("tech.zhang", "technician"),
    ("client.hxzn", "client"),
    ("mgmt.chen", "management"),
    ("expert.zhao", "reviewer"),
    ("legal.zheng", "legal"),
    ("archive.luo", "archive"),
    ("pm.xu", "project-lead"),
    ("qa.gao", "quality"),
    ("fin.song", "finance"),
)


def both_widths(page, name: str, *, full_page: bool = False, focus: str = "") -> None:
    """docs/screenshots/<name>-1440.png and <name>-375.png of the page as it is now; with
    ``focus`` (a selector) that part of the page in the middle of the screen."""
    DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)  # the layout settles after the resize
        if focus:
            page.locator(focus).first.evaluate(
                "e => e.scrollIntoView({block: 'center', behavior: 'instant'})"
            )
        page.screenshot(path=str(DOC_SCREENSHOTS / f"{name}-{size['width']}.png"), full_page=full_page)
    page.set_viewport_size(DESKTOP)


def no_horizontal_scroll(page) -> None:
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wider


def test_each_roles_my_work_at_both_widths(page, login):
    for username, role in ROLES:
        page.context.clear_cookies()
        page = login(username)
        expect(page.locator("#work-heading")).to_be_visible()
        both_widths(page, f"my-work-{role}")
        page.set_viewport_size(PHONE)
        no_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)


def test_the_pipeline_list_and_board_and_a_list_as_cards_on_the_phone(login, live_server):
    page = login("mgmt.chen")
    page.goto(f"{live_server.url}/engagements/")
    both_widths(page, "engagement-pipeline")
    page.goto(f"{live_server.url}/engagements/board/")
    both_widths(page, "engagement-board-view")

    # On the phone each row of a list is a card: no header row, every cell under its label.
    page.goto(f"{live_server.url}/contracts/")
    page.set_viewport_size(PHONE)
    table = page.locator("table.app-cards-on-phone")
    expect(table.locator("thead")).to_be_hidden()
    first = table.locator("tbody tr").first
    second_cell = first.locator("td").nth(1)
    label = page.evaluate("cell => getComputedStyle(cell, '::before').content", second_cell.element_handle())
    assert label.strip('"') == second_cell.get_attribute("data-label") != ""
    no_horizontal_scroll(page)
    page.screenshot(path=str(DOC_SCREENSHOTS / "list-as-cards-375.png"))
    page.set_viewport_size(DESKTOP)
    expect(table.locator("thead")).to_be_visible()  # the desktop table is unchanged
    page.screenshot(path=str(DOC_SCREENSHOTS / "list-as-cards-1440.png"))


def test_a_button_that_cannot_succeed_is_disabled_with_its_reason(login, live_server):
    from onestop.contracts.models import Contract

    contract = (
        Contract.objects.filter(state__in=[Contract.State.IN_REVIEW, Contract.State.DRAFT])
        .order_by("-state")
        .first()
    )
    if contract is None:
        pytest.skip("the demo has no contract in draft or in review")
    # In review, the business review to come, and a term that differs from the plan and the
    # confirmation, neither corrected nor justified.
    Contract.objects.filter(pk=contract.pk).update(
        state=Contract.State.IN_REVIEW,
        business_passed_at=None,
        business_passed_by=None,
        quality_standard="按行業慣例",
        justifications={},
    )
    page = login("mgmt.chen")
    page.goto(f"{live_server.url}{contract.get_absolute_url()}")
    form = page.locator("form[action$='business-review/']")
    expect(form.locator("button[value=pass]")).to_be_disabled()
    expect(form.locator("button[value=return]")).to_be_enabled()
    expect(form.locator(".app-blocked")).to_be_visible()
    both_widths(page, "button-disabled-with-reason", focus="form[action$='business-review/'] .app-blocked")


def test_the_survey_rating_buttons_fit_one_line_on_a_phone(login, live_server):
    from onestop.accounts.models import User
    from onestop.feedback.models import Survey

    survey = Survey.objects.filter(answered_at__isnull=True).select_related("engagement").first()
    if survey is None:
        pytest.skip("the demo has no survey waiting for an answer")
    user = User.objects.filter(client_organization_id=survey.engagement.client_id, is_active=True).first()
    page = login(user.username)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/surveys/{survey.pk}/answer/")
    for rating in page.locator(".app-rating").all():
        tops = {
            round(box["y"]) for box in (o.bounding_box() for o in rating.locator(".app-rating-option").all())
        }
        assert len(tops) == 1, "the choices of one question wrap onto a second line"
    no_horizontal_scroll(page)
    page.locator("#aspect-would_recommend").scroll_into_view_if_needed()
    page.screenshot(path=str(DOC_SCREENSHOTS / "survey-ratings-375.png"))
    page.set_viewport_size(DESKTOP)
