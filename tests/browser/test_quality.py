"""QA-2, QA-3 in the browser: quality fails a checklist item, raises a rectification notice, the
department answers it, quality verifies and closes it; the analysis page draws its charts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.waiting import wait_until
from tests.stages import member_who_can_log_in


@pytest.fixture
def personas(personas, make_user):
    from tests.stages import stage_personas

    return stage_personas(personas, make_user)


def _inspection(personas):
    """A project with an active QC plan and a planned inspection assigned to qa.gao."""
    from onestop.accounts.models import Department, User
    from onestop.quality import services
    from onestop.quality.models import Inspection, QCPlan, QCTemplate, QCTemplateCheckpoint
    from tests.stages import make_project

    quality = User.objects.get(username="qa.gao")
    inspection = Inspection.objects.filter(
        inspector=quality, state="planned", checkpoint__isnull=False
    ).first()
    if inspection is not None:
        return inspection
    project = make_project(personas, 700)
    template = services.active_template()
    if template is None:
        template = services.save_template(
            QCTemplate(code="standard", name="標準質量監控計劃", is_active=True), actor=quality
        )
        QCTemplateCheckpoint.objects.create(
            template=template,
            phase="rnd",
            name="設計評審",
            indicators="設計文檔與方案一致\n評審問題已關閉",
            acceptance_threshold="問題關閉率 ≥ 95%",
            frequency_days=14,
            responsible_department=Department.objects.get(code="rnd-software"),
        )
    plan = QCPlan.objects.filter(project=project).first() or services.create_qc_plan(
        project, actor=quality, template=template
    )
    services.activate_plan(plan, actor=quality)
    return services.plan_inspection(
        project=project,
        checkpoint=plan.checkpoints.first(),
        planned_date=timezone.localdate(),
        inspector=quality,
        actor=quality,
    )


def test_QA_2_a_failed_item_becomes_a_notice_that_is_answered_verified_and_closed(
    login, live_server, screenshot, console_errors, personas
):
    from onestop.accounts.models import Department
    from onestop.quality.models import RectificationNotice

    inspection = _inspection(personas)
    department = Department.objects.get(code="rnd-software")
    responder = member_who_can_log_in(department)
    url = f"{live_server.url}{inspection.get_absolute_url()}"

    # Quality answers the checklist: the first item fails (category and cause), the rest pass.
    page = login("qa.gao")
    page.goto(url)
    # The whole checklist is one form: every item answered, then one save.
    rows = page.locator(".app-item-row")
    count = rows.count()
    assert count >= 5
    first = rows.nth(0)
    first.locator("select[name$='-result']").select_option("fail")
    first.locator("textarea[name$='-evidence']").fill("抽查設計文檔 v1.2")
    for index in range(1, count):
        rows.nth(index).locator("select[name$='-result']").select_option("pass")
    page.locator("button[data-action=save-checklist]").click()
    expect(page.locator(".alert-danger").first).to_be_visible()
    console_errors.clear()  # the refusal above answered 400 on purpose
    # Nothing was recorded, and nothing typed was lost: only the finding is missing.
    first = page.locator(".app-item-row").nth(0)
    expect(first.locator("textarea[name$='-evidence']")).to_have_value("抽查設計文檔 v1.2")
    expect(page.locator(".app-item-row").nth(count - 1).locator("select[name$='-result']")).to_have_value(
        "pass"
    )
    first.locator("select[name$='-category']").select_option("documentation")
    first.locator("select[name$='-cause']").select_option("method")
    first.locator("textarea[name$='-note']").fill("設計文檔未隨需求變更更新")
    page.locator("button[data-action=save-checklist]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    screenshot(page, "quality-inspection-checklist", docs=True)
    page.locator("button[data-action=complete]").click()
    expect(page.locator(".alert-success").first).to_be_visible()

    # From the failed item: a rectification notice to the R&D software team.
    page.locator("a[data-action=raise-notice]").first.click()
    page.locator("#id_department").select_option(str(department.pk))
    page.locator("#id_deadline").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.locator("#id_requirement").fill("更新設計文檔並提交複核記錄")
    page.locator("form button[type=submit]").last.click()
    notice = RectificationNotice.objects.get(inspection=inspection)
    expect(page.locator(".app-notice-actions .app-state")).to_have_attribute("data-state", "issued")
    screenshot(page, "quality-rectification-notice", docs=True)
    page.context.clear_cookies()

    # The department states the corrective action.
    page = login(responder.username)
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    page.locator("textarea[name=response]").fill("已更新設計文檔 v1.3，組內完成複核。")
    page.locator("button[data-action=respond]").click()
    notice.refresh_from_db()
    assert notice.state == "responded"
    page.context.clear_cookies()

    # Quality verifies and closes it.
    page = login("qa.gao")
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    page.locator("select[name=decision]").select_option("close")
    page.locator("textarea[name=note]").fill("抽查 v1.3 文檔，問題已關閉。")
    page.locator("button[data-action=verify]").click()
    notice.refresh_from_db()
    assert notice.state == "closed"
    expect(page.locator(".app-notice-actions .app-state")).to_have_attribute("data-state", "closed")
    screenshot(page, "quality-rectification-notice-closed")
    assert not console_errors, console_errors


def test_QA_3_the_analysis_page_draws_its_charts(login, live_server, screenshot, console_errors, personas):
    from onestop.accounts.models import User
    from onestop.quality import services

    inspection = _inspection(personas)
    quality = User.objects.get(username="qa.gao")
    for index, item in enumerate(inspection.items.all()):
        if index == 0:
            services.record_item(item, actor=quality, result="fail", category="testing", cause="staff")
        else:
            services.record_item(item, actor=quality, result="pass")
    services.complete_inspection(inspection, actor=quality)
    page = login("qa.gao")
    page.goto(f"{live_server.url}/quality/")
    for chart in ("trend", "phase", "category", "cause"):
        expect(page.locator(f"canvas#chart-{chart}")).to_be_visible()
    wait_until(page, "document.getElementById('chart-trend').chart !== undefined")
    screenshot(page, "quality-analysis", docs=True)
    assert not console_errors, console_errors
