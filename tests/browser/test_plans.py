"""PLN-2, PLN-3 in the browser: a reviewer scores a plan; management approves it."""

from __future__ import annotations

from playwright.sync_api import expect


def test_PLN_2_3_a_reviewer_scores_in_the_form_and_management_approves_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.plans.models import Plan, PlanVersion

    in_review = PlanVersion.objects.get(state=PlanVersion.State.IN_REVIEW)
    plan_url = f"{live_server.url}{in_review.plan.get_absolute_url()}"
    reviewers = [
        user.username for user in in_review.reviewers.all() if not in_review.reviews.filter(reviewer=user)
    ]

    # The two remaining experts score through the form on the plan page.
    for username in reviewers:
        page = login(username)
        page.goto(plan_url)
        form = page.locator(f"#review-form-{in_review.number}")
        expect(form).to_be_visible()
        for code, score in (
            ("rationality", "4"),
            ("feasibility", "4"),
            ("innovation", "3"),
            ("risk_controllability", "4"),
        ):
            form.locator(f"[name=score_{code}]").fill(score)
        form.locator("[name=recommendation]").select_option("pass")
        form.locator("[name=comments]").fill("方案可行，驗證計劃完整。")
        if username == reviewers[-1]:
            screenshot(page, "plan-review-scoring", docs=True)
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success").first).to_be_visible()
        page.context.clear_cookies()

    # The rule decides: passed, with its reasons; management approves with the button.
    page = login("mgmt.chen")
    page.goto(plan_url)
    outcome = page.locator(f"#outcome-{in_review.number}")
    expect(outcome).to_have_attribute("data-outcome", "pass")
    screenshot(page, "plan-review-outcome", docs=True)
    page.locator(f"#approve-{in_review.number}").click()
    expect(page.locator("#effective-version")).to_contain_text(f"v{in_review.number}")
    assert Plan.objects.get(pk=in_review.plan_id).effective_version_id == in_review.pk

    # The plan that needed two review rounds shows both outcomes and what changed.
    twice = (
        Plan.objects.exclude(effective_version=None)
        .filter(versions__state="revise")
        .exclude(pk=in_review.plan_id)
        .first()
    )
    page.goto(f"{live_server.url}{twice.get_absolute_url()}")
    expect(page.locator("[data-outcome=revise]")).to_have_count(1)
    expect(page.locator("[data-outcome=pass]")).to_have_count(1)
    screenshot(page, "plan-two-review-rounds", docs=True)
    assert not console_errors
