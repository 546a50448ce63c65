"""From a signed confirmation to an archived contract in the browser (PLN-1..3, CON-1..3, X-2).

Every step is a click in the real pages by the role that does it in the company; only the
starting point — an engagement carried to a signed confirmation — is made through the
engagement services, because the demo's confirmed engagements all have a plan already.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from onestop.accounts.demo import DEMO_PASSWORD
from tests.browser.signing import sign
from tests.browser.test_intake import log_out

CLIENT_CODE = "DFLN"
CLIENT_USER = "client.dfln"
SUBJECT = "倉儲機器人調度系統"
FEE = Decimal("480000")
WRONG_FEE = "520000"
LEAD = "pm.xu"  # 徐慧敏, a project lead
PANEL = ("expert.zhao", "expert.qian", "expert.feng")
SIGNER = "mgmt.wang"  # 王麗華: authorized representative up to CNY 1,000,000 (not the legal representative)
MEMBER = "pm.zhou"  # a member of the PMO, the executing department that receives a copy
ROUND_1 = {  # rationality, feasibility, innovation, risk controllability; recommendation; comment
    "expert.zhao": ((3, 3, 3, 2), "revise", "未說明機器人與現有 WMS 的接口風險，需補充回退方案。"),
    "expert.qian": ((3, 3, 3, 2), "revise", "實施步驟過粗，應分期上線。"),
    "expert.feng": ((4, 4, 3, 3), "pass", "質量措施可再細化。"),
}
ROUND_2 = dict.fromkeys(PANEL, ((4, 4, 3, 4), "pass", "已按意見修改，同意。"))
CODES = ("rationality", "feasibility", "innovation", "risk_controllability")


def _confirmed_engagement():
    """An engagement of 東方綠能 (DFLN) carried to a signed confirmation through the engagement services."""
    from django.utils import timezone

    from onestop.accounts.models import ClientOrganization, User
    from onestop.engagements import services
    from onestop.engagements.models import Channel

    client = ClientOrganization.objects.get(code=CLIENT_CODE)
    technician = User.objects.get(username="tech.huang")
    client_user = User.objects.get(username=CLIENT_USER)
    need = "為三號倉庫的 40 台搬運機器人建設統一調度與監控系統。"
    engagement = services.record_inquiry(
        actor=User.objects.get(username="cs.lin"),
        client=client,
        channel=Channel.PHONE,
        subject=SUBJECT,
        need=need,
        technician=technician,
    ).engagement
    services.assess_in_scope(engagement, actor=technician, service_goals=need, technical_requirements=need)
    start = timezone.localdate() + timedelta(days=30)
    proposal = services.propose(
        engagement,
        actor=technician,
        service_content="調度系統設計與開發\n機器人接入與聯調\n上線培訓",
        technical_requirements=need,
        period_start=start,
        period_end=start + timedelta(days=180),
        fee=FEE,
    )
    services.accept_proposal(proposal, actor=client_user)
    services.sign_confirmation(engagement, actor=technician, role="technician", password=DEMO_PASSWORD)
    services.sign_confirmation(engagement, actor=client_user, role="client", password=DEMO_PASSWORD)
    engagement.refresh_from_db()
    return engagement


def doc_shot(page, target, name, screenshot):
    """A 1280×800 picture for the user guide with ``target`` just below the sticky top bar."""
    target.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 72)")
    screenshot(page, name, full_page=False, docs=True)


def _score(page, number, scores, recommendation, comment):
    form = page.locator(f"#review-form-{number}")
    expect(form).to_be_visible()
    for code, value in zip(CODES, scores, strict=True):
        form.locator(f"[name=score_{code}]").fill(str(value))
    form.locator("[name=recommendation]").select_option(recommendation)
    form.locator("[name=comments]").fill(comment)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()


def _submit_to_panel(page, note):
    form = page.locator("#submit-form")
    for name in ("趙明遠", "錢文博", "馮淑芬"):
        form.get_by_label(name, exact=True).check()
    form.locator("[name=comment]").fill(note)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()


def test_PLN_1_2_3_CON_1_2_3_X_2_from_a_signed_confirmation_to_acknowledged_contract_copies(
    login, live_server, screenshot, console_errors
):
    """PLN-1, PLN-2, PLN-3, CON-1, CON-2, CON-3, X-2 — the whole path in the browser:
    management opens the plan of a confirmed engagement and names the project lead; the lead
    drafts milestones, staffing and budget and submits to a panel of three; their scores make the
    rule say "revise" with its reasons, and legal's attempt to draft a contract before the plan is
    approved is refused with the reason (X-2); the lead starts version 2, changes it and resubmits; the
    panel sees what changed and passes it; management approves and it becomes effective. Legal
    drafts the contract from the template and types a wrong fee; the consistency check lists the
    fee difference; legal corrects it, submits, and passes the legal checklist; the business
    department passes; an authorized representative (not the legal representative) signs for
    the company and the client signs in the portal; the archive room archives the original and
    sends a copy to the PMO, whose member acknowledges receipt. The engagement's timeline then
    lists the plan versions, review outcomes, approval and the contract's signatures."""
    from onestop.accounts.models import Department, User
    from onestop.contracts.models import Contract
    from onestop.plans.models import Plan

    engagement = _confirmed_engagement()
    engagement_url = f"{live_server.url}{engagement.get_absolute_url()}"
    lead = User.objects.get(username=LEAD)

    # --- PLN-1: management opens the plan from the engagement page and names the lead --------
    page = login("mgmt.chen")
    page.goto(engagement_url)
    page.locator("#service-plan a", has_text="建立服務方案").click()
    expect(page.locator("#id_engagement")).to_have_value(str(engagement.pk))
    page.locator("#id_project_lead").select_option(str(lead.pk))
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(SUBJECT)
    plan = Plan.objects.get(engagement=engagement)
    plan_url = f"{live_server.url}{plan.get_absolute_url()}"
    expect(page.locator("#version-1")).to_have_attribute("data-state", "draft")
    # Version 1 is prefilled from the signed confirmation.
    expect(page.locator("#version-1")).to_contain_text("機器人接入與聯調")
    log_out(page)

    # --- PLN-1: the project lead drafts version 1 and submits it to a panel of three ---------
    page = login(LEAD)
    page.goto(plan_url)
    page.locator("#edit-version").click()
    version = plan.versions.get(number=1)
    start = version.period_start
    page.locator("#id_technical_route").fill("ROS 2 調度中間件，對接現有 WMS 接口，數據入時序庫。")
    page.locator("#id_implementation_steps").fill("調研 → 設計 → 開發 → 聯調 → 上線")
    page.locator("#id_quality_measures").fill("代碼評審；聯調測試報告。")
    for row, (name, days, deliverables) in enumerate(
        (("調度系統設計", 45, "設計說明書"), ("上線驗收", 180, "驗收報告"))
    ):
        page.locator("#add-milestones").click()  # the editor starts with no empty row
        page.locator(f"#id_milestones-{row}-name").fill(name)
        page.locator(f"#id_milestones-{row}-due_date").fill((start + timedelta(days=days)).isoformat())
        page.locator(f"#id_milestones-{row}-deliverables").fill(deliverables)
    page.locator("#add-staffing").click()
    page.locator("#id_staffing-0-user").select_option(str(lead.pk))
    page.locator("#id_staffing-0-role").fill("項目負責人")
    page.locator("#id_staffing-0-allocation").fill("60")
    for row, (category, description, amount) in enumerate(
        (("personnel", "工程師人工 8 人月", "300000"), ("travel", "倉庫現場差旅", "30000"))
    ):
        page.locator("#add-budget").click()
        page.locator(f"#id_budget-{row}-category").select_option(category)
        page.locator(f"#id_budget-{row}-description").fill(description)
        page.locator(f"#id_budget-{row}-amount").fill(amount)
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator("#version-1")).to_contain_text("ROS 2 調度中間件")
    _submit_to_panel(page, "請各位專家評審。")
    expect(page.locator("#version-1")).to_have_attribute("data-state", "in_review")
    log_out(page)

    # --- PLN-2: each reviewer scores; the rule says "revise" and gives its reasons ----------
    for username in PANEL:
        page = login(username)
        page.goto(plan_url)
        _score(page, 1, *ROUND_1[username])
        log_out(page)

    # --- no contract without an approved plan: the engagement is not offered to legal yet --
    page = login("legal.zheng")
    page.locator('#sidebar a[href="/contracts/add/"]').click()
    expect(page.locator(f'#id_engagement option[value="{engagement.pk}"]')).to_have_count(0)
    assert not Contract.objects.filter(engagement=engagement).exists()
    log_out(page)

    page = login(LEAD)
    page.goto(plan_url)
    outcome = page.locator("#outcome-1")
    expect(outcome).to_have_attribute("data-outcome", "revise")
    expect(outcome).to_contain_text("結論：須修改")
    expect(outcome).to_contain_text(re.compile(r"加權平均分 3(\.0+)? 低於 3\.5"))
    expect(outcome).to_contain_text("風險可控性")
    expect(page.locator("#version-1")).to_have_attribute("data-state", "revise")
    # All comments come back to the lead.
    for _scores, _recommendation, comment in ROUND_1.values():
        expect(page.locator("#review-1")).to_contain_text(comment)
    doc_shot(page, page.locator("#review-1"), "plan-review-revise", screenshot)

    # --- PLN-1: a new version, revised and resubmitted -------------------------------------
    page.locator("#new-version-form [name=change_note]").fill(
        "按評審意見：分兩期上線，增加 WMS 接口回退方案。"
    )
    page.locator("#new-version-form button[type=submit]").click()
    expect(page.locator("#version-2")).to_have_attribute("data-state", "draft")
    page.locator("#edit-version").click()
    page.locator("#id_implementation_steps").fill(
        "一期：一號庫區試點與接口驗證；二期：全倉推廣。每期設回退方案。"
    )
    page.locator("#id_quality_measures").fill("代碼評審；接口兼容性測試清單；每期驗收前壓力測試。")
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    version_2 = page.locator("#version-2")
    expect(version_2.locator("tr.table-warning")).to_have_count(2)
    expect(version_2).to_contain_text("每期設回退方案")
    _submit_to_panel(page, "已按意見修改，請複審。")
    log_out(page)

    # --- PLN-2: the panel sees what changed since version 1 and passes version 2 ------------
    for username in PANEL:
        page = login(username)
        page.goto(plan_url)
        since = page.locator("#since-reviewed-2")
        expect(since).to_have_attribute("data-since", "1")
        expect(since.locator("tr.table-warning")).to_have_count(2)
        expect(since.locator("tr[data-term=implementation_steps] del")).to_contain_text("調研 → 設計")
        expect(since.locator("tr[data-term=implementation_steps]")).to_contain_text("每期設回退方案")
        if username == PANEL[-1]:
            doc_shot(page, since, "plan-review-changes-since", screenshot)
        _score(page, 2, *ROUND_2[username])
        log_out(page)

    # --- PLN-3: management approves; version 2 takes effect --------------------------------
    page = login("mgmt.chen")
    page.goto(plan_url)
    outcome = page.locator("#outcome-2")
    expect(outcome).to_have_attribute("data-outcome", "pass")
    expect(outcome).to_contain_text("結論：通過")
    expect(page.locator("#approval-2")).to_contain_text("需 1 級審批")
    page.locator("#decision-comment-2").fill("同意，按此方案執行。")
    page.locator("#approve-2").click()
    expect(page.locator("#effective-version")).to_contain_text("v2")
    expect(page.locator("#version-2")).to_have_attribute("data-state", "approved")
    expect(page.locator("#approval-2")).to_contain_text("陳志明")
    expect(page.locator("#approval-2")).to_contain_text("同意，按此方案執行。")
    log_out(page)

    # --- CON-1: legal drafts the contract from the template, with a wrong fee -------------
    page = login("legal.zheng")
    page.locator('#sidebar a[href="/contracts/add/"]').click()
    page.locator("#id_engagement").select_option(str(engagement.pk))
    page.locator("#id_template").select_option(index=1)
    page.locator("form.app-form button[type=submit]").click()
    contract = Contract.objects.get(engagement=engagement)
    contract_url = f"{live_server.url}{contract.get_absolute_url()}"
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    page.locator(f'a[href="/contracts/{contract.pk}/edit/"]').click()
    expect(page.locator("#id_total_fee")).to_have_value(re.compile(r"^480000(\.00)?$"))
    page.locator("#id_total_fee").fill(WRONG_FEE)
    page.locator("form.app-form button[type=submit]").click()

    # --- CON-2: the consistency check lists the fee difference; legal corrects it ---------
    # The total fee against the confirmation, and the payment schedule (still 480,000) against it.
    flagged = page.locator("#consistency tr.table-danger")
    expect(flagged).to_have_count(2)
    fee_row = flagged.filter(has_text="合同總價").first
    expect(fee_row.locator("td").nth(1)).to_have_text("520,000.00")
    expect(fee_row.locator("td").nth(2)).to_have_text("480,000.00")
    expect(page.locator("#consistency .badge.text-bg-danger")).to_contain_text("2")
    doc_shot(page, page.locator("#consistency"), "contract-consistency-fee", screenshot)
    page.locator(f'a[href="/contracts/{contract.pk}/edit/"]').click()
    page.locator("#id_total_fee").fill(str(FEE))
    page.locator("form.app-form button[type=submit]").click()
    expect(page.locator("#consistency tr.table-danger")).to_have_count(0)
    page.locator("#contract-actions button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    # Legal review: passing needs every checklist item.
    legal = page.locator("form[action$='legal-review/']")
    for box in legal.locator("input[name=checked]").all():
        box.check()
    legal.locator("button[value=pass]").click()
    expect(page.locator("#contract-actions")).to_contain_text("鄭家豪")
    log_out(page)

    # --- CON-2: the business department passes; CON-3: an authorized representative signs --
    page = login(SIGNER)
    page.goto(contract_url)
    page.locator("form[action$='business-review/'] button[value=pass]").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator("#contract-actions")).to_contain_text("等待公司授權代表及客戶簽署")
    contract.refresh_from_db()
    assert contract.state == Contract.State.APPROVED
    sign(page, page.locator("a[data-sign=company]"))
    signatures = page.locator(".app-signatures[data-document=contract]")
    expect(signatures.locator("li", has_text="公司方（授權代表）")).to_contain_text("王麗華")
    expect(signatures.locator("li", has_text="客戶")).to_contain_text("尚未簽署")
    log_out(page)

    # --- CON-3: the client signs in the portal ------------------------------------------
    page = login(CLIENT_USER)
    page.goto(contract_url)
    sign(page, page.locator("a[data-sign=client]"))
    signatures = page.locator(".app-signatures[data-document=contract]")
    expect(signatures.locator("li", has_text="客戶")).to_contain_text("周振宇")
    expect(signatures.locator("li", has_text="公司方（授權代表）")).to_contain_text("王麗華")
    expect(signatures.locator(".badge.text-bg-success")).to_have_text("已全部簽署")
    contract.refresh_from_db()
    assert contract.state == Contract.State.SIGNED
    log_out(page)

    # --- CON-3: the archive room archives the original and sends a copy to the PMO -----------
    pmo = Department.objects.get(code="pmo")
    page = login("archive.luo")
    page.goto(contract_url)
    page.locator("input[name=archive_number]").fill("HT-2026-0101")
    page.locator("input[name=location]").fill("檔案室 B 櫃 1 層")
    page.locator("form[action$='archive/'] button[type=submit]").click()
    expect(page.locator("#contract-actions")).to_contain_text("HT-2026-0101")
    expect(page.locator("#contract-actions")).to_contain_text("SHA-256")
    distribute = page.locator("form[action$='distribute/']")
    distribute.get_by_label(pmo.name, exact=True).check()
    distribute.locator("button[type=submit]").click()
    expect(page.locator("#copies")).to_contain_text(pmo.name)
    log_out(page)

    # --- CON-3: a member of the PMO acknowledges receipt --------------------------------
    page = login(MEMBER)
    page.goto(contract_url)
    copy = page.locator("#copies li", has_text=pmo.name)
    copy.locator("button[type=submit]").click()
    expect(page.locator("#copies li", has_text=pmo.name)).to_contain_text("周建國")
    doc_shot(
        page, page.locator(".app-signatures[data-document=contract]"), "contract-signed-archived", screenshot
    )
    contract.refresh_from_db()
    assert contract.state == Contract.State.ARCHIVED
    assert contract.copies.get().acknowledged_by.username == MEMBER

    # The engagement's timeline holds both plan versions, both review outcomes, the approval,
    # the contract's states and both contract signatures.
    page.goto(engagement_url)
    timeline = page.locator("#timeline")
    expect(timeline.locator("[data-kind=plan]")).to_have_count(2)
    expect(timeline.locator("[data-kind=plan_review]")).to_have_count(2)
    expect(timeline.locator("[data-kind=plan_approval]")).to_have_count(1)
    expect(timeline.locator("[data-kind=signature]", has_text=contract.code)).to_have_count(2)
    expect(timeline.locator("[data-kind=contract]").first).to_be_visible()
    assert not console_errors
