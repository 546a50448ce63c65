"""RSK-1..4 in the browser: a project lead identifies a risk on the project's risk page, assesses
it, chooses the response against the suggestion with a reason, reviews it and closes it; the heat
map drills down to the register. Screenshots of the heat map and the risk page."""

from __future__ import annotations

from playwright.sync_api import expect


def test_RSK_1_to_RSK_4_from_identification_to_a_closed_review_in_the_browser(
    login, live_server, screenshot, console_errors
):
    from onestop.projects.models import Project
    from onestop.risks.models import Risk

    project = Project.objects.filter(risks__isnull=False).select_related("project_lead").first()
    assert project is not None, "the demo has project risks"
    lead = project.project_lead
    page = login(lead.username)

    page.goto(f"{live_server.url}/risks/projects/{project.pk}/")
    expect(page.locator(".risk-matrix")).to_be_visible()
    screenshot(page, "risks-project-page", docs=True)
    page.locator(f"a[href='/risks/risks/add/?engagement={project.engagement_id}']").click()
    page.locator("#id_title").fill("外包供應商交付延誤")
    page.locator("#id_category").select_option(label="管理風險")
    page.locator("#id_cause").fill("供應商人手不足")
    page.locator("#id_event").fill("外包模組晚兩週交付")
    page.locator("#id_consequence").fill("整體里程碑順延")
    page.locator("form.app-form button[type=submit]").click()
    risk = Risk.objects.get(title="外包供應商交付延誤")
    assert risk.project == project

    page.goto(f"{live_server.url}{risk.get_absolute_url()}")
    page.locator("#id_assess_likelihood").select_option("4")
    page.locator("#id_assess_impact").select_option("2")
    page.locator("#id_assess_probability").fill("40")
    page.locator("#id_assess_cost_impact").fill("150000")
    page.locator("button[data-action=assess]").click()
    expect(page.locator("#exposure")).to_contain_text("60000")
    page.locator("#id_respond_strategy").select_option("transfer")
    page.locator("#id_respond_action_title").fill("與供應商簽訂延誤賠償條款")
    page.locator("#id_respond_action_due").fill("2030-01-31")
    page.locator("button[data-action=respond]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # another strategy: a reason
    console_errors.clear()  # the refusal above answered 400 on purpose
    page.locator("#id_respond_reason").fill("加人手不經濟，改以合同條款轉移。")
    page.locator("button[data-action=respond]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    risk.refresh_from_db()
    assert (risk.state, risk.strategy) == ("monitored", "transfer")
    screenshot(page, "risks-risk-page", docs=True)

    page.locator("#id_review_likelihood").select_option("2")
    page.locator("#id_review_impact").select_option("2")
    page.locator("#id_review_note").fill("條款已簽，風險下降。")
    page.locator("button[data-action=review]").click()
    expect(page.locator("#reviews tbody tr")).to_have_count(2)
    page.locator("#action-close summary").click()
    page.locator("#id_close_outcome").select_option("not_realised")
    page.locator("#id_close_note").fill("供應商按期交付。")
    page.locator("button[data-action=close]").click()
    risk.refresh_from_db()
    assert risk.state == "closed"

    page.goto(f"{live_server.url}/risks/heat-map/")
    expect(page.locator(".risk-matrix")).to_be_visible()
    screenshot(page, "risks-heat-map", docs=True)
    page.locator(".risk-cell-link").first.click()
    expect(page.locator("table").first).to_be_visible()
    assert not console_errors, console_errors
