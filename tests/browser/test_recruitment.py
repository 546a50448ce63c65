"""HR-1, HR-2, HR-3 in the browser: management approves a hiring need; HR posts it, records a
candidate and moves them on the board; an interviewer scores; the written test, background check
and offer follow, management approves the offer, HR hires — the staff account exists and the
onboarding programme is assigned — and the new colleague completes it, acknowledged by HR."""

from __future__ import annotations

import re

from playwright.sync_api import expect

PICK = """([selector, value, label]) => {
  const select = document.querySelector(selector);
  if (select.tomselect) {
    select.tomselect.addOption({value: value, label: label});
    select.tomselect.setValue(value);
  } else {
    select.add(new Option(label, value, true, true));
  }
}"""


def pick(page, selector, user):
    """Choose a person in a type-ahead (the options come from the server as one types)."""
    page.evaluate(PICK, [selector, str(user.pk), user.display_name])


def transition(page, name, comment=""):
    if comment:
        page.locator(".app-transitions textarea[name=comment]").fill(comment)
    page.locator(f"button[data-transition={name}]").click()
    expect(page.locator(".alert-success").first).to_be_visible()


def test_HR_1_HR_2_HR_3_need_posting_candidate_through_every_stage_hired_and_onboarded(
    login, live_server, screenshot, console_errors, demo
):
    from onestop.accounts.models import User
    from onestop.recruitment.models import Candidate, HiringNeed, Onboarding

    need = HiringNeed.objects.get(state="submitted")  # the demo's need awaiting management
    interviewer = User.objects.get(username="tech.zhang")
    url = live_server.url

    # HR-1: management approves the need from "My work".
    page = login("mgmt.chen")
    page.locator(f"a[href='{need.get_absolute_url()}']").first.click()
    transition(page, "approve", "同意增加一名項目經理。")
    page.context.clear_cookies()

    # HR-2: HR posts the opening and records a candidate who answered the posting.
    page = login("hr.xu")
    page.goto(f"{url}/postings/add/?need={need.pk}")
    page.locator("#id_need").select_option(str(need.pk))
    page.locator("#id_channel").select_option("job_board")
    page.locator("#id_title").fill("項目經理（智能製造）")
    page.locator("#id_where").fill("前程無憂")
    page.locator("#id_published_on").fill("2026-12-01")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("項目經理（智能製造）")
    page.goto(f"{url}/candidates/add/?need={need.pk}")
    page.locator("#id_need").select_option(str(need.pk))
    page.locator("#id_full_name").fill("范志成")
    page.locator("#id_email").fill("fan.zc@example.com")
    page.locator("#id_source").select_option("job_board")
    page.locator("#id_years_experience").fill("6")
    page.locator("form.app-form button[type=submit]").click()
    candidate = Candidate.objects.get(full_name="范志成")
    expect(page.locator("h1")).to_contain_text(candidate.code)

    # The board: the card moves to the interviews by its "Move to…" menu (the step's own form).
    page.goto(f"{url}/candidates/board/?need={need.pk}")
    card = page.locator(f"#card-{candidate.pk}")
    expect(card).to_have_attribute("draggable", "true")
    screenshot(page, "recruitment-board", docs=True)
    card.locator(".dropdown-toggle").click()
    card.locator(".app-board-move").click()
    page.locator("textarea[name=comment]").fill("簡歷符合要求")
    page.locator(".app-board-move-form button[type=submit]").click()
    expect(page.locator(f"section[data-stage=interview] #card-{candidate.pk}")).to_be_visible()

    # An interview with tech.zhang, who scores it from "My work".
    page.goto(f"{url}/interviews/add/?candidate={candidate.pk}")
    page.locator("#id_candidate").select_option(str(candidate.pk))
    pick(page, "#id_interviewer", interviewer)
    page.locator("#id_scheduled_at").fill("2026-12-10T10:00")
    page.locator("#id_place").fill("蘇州總部 3 樓會議室")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.context.clear_cookies()
    page = login("tech.zhang")
    page.get_by_text("范志成").first.click()
    fields = page.locator("#score select")
    for index in range(fields.count()):
        fields.nth(index).select_option("4")
    comments = page.locator("#score textarea[name^=comment_]")
    for index in range(comments.count()):
        comments.nth(index).fill("表現穩定，經驗豐富。")
    page.locator("#score input[name=recommendation][value=hire]").check()
    screenshot(page, "recruitment-interview-score")
    page.locator("#score button[type=submit]").click()
    expect(page.locator("#scores")).to_be_visible()
    page.context.clear_cookies()

    # HR: the interviews passed, the written test, the background check and the offer.
    page = login("hr.xu")
    page.goto(f"{url}{candidate.get_absolute_url()}")
    transition(page, "pass_interviews")
    page.locator("#id_record_test_score").fill("85")
    page.locator("form[action$='/record-test/'] button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.locator("#id_propose_offer_background_note").fill("前僱主與 PMP 證書已核實。")
    page.locator("#id_propose_offer_salary").fill("22000")
    page.locator("form[action$='/propose-offer/'] button[type=submit]").click()
    expect(page.locator("#offer")).to_be_visible()
    screenshot(page, "recruitment-candidate", docs=True)
    page.context.clear_cookies()
    page = login("mgmt.chen")
    page.goto(f"{url}{candidate.get_absolute_url()}")
    transition(page, "approve_offer", "同意")
    page.context.clear_cookies()
    page = login("hr.xu")
    page.goto(f"{url}{candidate.get_absolute_url()}")
    transition(page, "accept_offer", "已書面接受")
    page.locator("#id_hire_username").fill("fan.zc")
    page.locator("form[action$='/hire/'] button[type=submit]").click()
    expect(page.locator("#hired")).to_be_visible()
    user = User.objects.get(username="fan.zc")
    assert (user.department, user.position) == (need.department, need.position)
    onboarding = Onboarding.objects.get(user=user)
    assert onboarding.tasks.count() == 5
    page.context.clear_cookies()

    # HR-3: the new colleague (a password set by the administrator) completes every part.
    user.set_password(demo)
    user.save(update_fields=["password"])
    page = login("fan.zc")
    page.goto(f"{url}{onboarding.get_absolute_url()}")
    for task in onboarding.tasks.order_by("order"):
        row = page.locator(f"#task-{task.pk}")
        row.locator("textarea[name=note]").fill("已學習並理解。")
        if task.has_test:
            row.locator("input[name=score]").fill("95")
        row.locator("form[action$='/complete/'] button[type=submit]").click()
        expect(page.locator(".alert-success").first).to_be_visible()
    screenshot(page, "recruitment-onboarding", docs=True)
    page.context.clear_cookies()
    page = login("hr.xu")
    page.goto(f"{url}{onboarding.get_absolute_url()}")
    for task in onboarding.tasks.order_by("order"):
        page.locator(f"#task-{task.pk} form[action$='/acknowledge/'] button[type=submit]").click()
        expect(page.locator(".alert-success").first).to_be_visible()
    onboarding.refresh_from_db()
    assert onboarding.completed_at is not None
    expect(page.locator("#tasks .badge.text-bg-success").first).to_have_text(re.compile("5"))
    assert console_errors == []
