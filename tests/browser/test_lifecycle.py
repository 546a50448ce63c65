"""X-1, X-2: the whole engagement lifecycle in the browser, every step a click by the person who
does it in the company. ``Path`` walks it; tests/browser/test_work_chain.py runs the walk (its
``Chain`` opens each step from the person's 「我的工作」) and ends with
``check_the_closed_engagement``. One walk for both: it is the longest test of the suite.

inquiry → signed confirmation → reviewed and approved plan → signed contract → project with
progress and an inspection → acceptance fails in round 1 → rectified → passes in round 2 →
settlement returned once by finance → corrected → approved → two partial payments →
engagement closed; the survey answered; the engagement page shows every stage.

The demo company provides the people and the master data (contract template, signing
authorizations, departments). Last week's progress table is made with the clock set to last
week (the page makes the table of the current period).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.signing import sign
from tests.browser.test_intake import CLIENT_USER, TECHNICIAN, open_from_my_work, stage
from tests.stages import member_who_can_log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBJECT = "三號車間能耗看板平台"
CLIENT = "client.hxzn"  # 陳建華 of 華信智能製造
LEAD = "pm.xu"  # 徐慧敏, a project lead
PANEL = ("expert.zhao", "expert.qian", "expert.feng")
SIGNER = "mgmt.wang"  # authorized representative up to CNY 1,000,000
QUALITY = "qa.gao"
FINANCE = "fin.song"
FEE = Decimal("450000")
CODES = ("rationality", "feasibility", "innovation", "risk_controllability")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STAGES = (
    "inquiry",
    "assessment",
    "confirmation",
    "plan",
    "contract",
    "implementation",
    "acceptance",
    "settlement",
    "closed",
)


def at_day(day):
    """The date on ``day`` for the live server too (the progress table is made for the current period).

    Only the date moves, not the clock (time-machine would move both, as tests/test_lifecycle.py
    does): the browser's session records its last activity by the clock, and a request stamped a
    week ago would end the session by the idle timeout as soon as the real clock came back."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    return mock.patch("django.utils.timezone.localdate", localdate)


def success(page):
    expect(page.locator(".alert-success").first).to_be_visible()


def submit_form(page):
    page.locator("form.app-form button[type=submit]").click()


class Path:
    """The steps of the path, each as the person who does it."""

    def __init__(self, page, login, live_server, dates):
        self.page, self.login, self.url, self.dates = page, login, live_server.url, dates

    def as_user(self, username):
        self.page.context.clear_cookies()
        self.page = self.login(username)
        return self.page

    def go(self, path):
        self.page.goto(f"{self.url}{path}")

    # --- INT-1..3 ----------------------------------------------------------------------------------

    def intake(self):
        from onestop.engagements.models import Engagement

        page = self.as_user("cs.lin")
        self.go("/engagements/add/")
        page.locator("#client-lookup").press_sequentially("0512", delay=40)
        page.locator("#lookup-results button", has_text=CLIENT_USER).click()
        page.locator("#id_subject").fill(SUBJECT)
        page.locator("#id_need").fill("三號車間 60 台設備的用電需即時監測並以看板呈現。")
        page.locator("#id_technician").select_option(label=TECHNICIAN)
        submit_form(page)
        expect(stage(page)).to_have_attribute("data-stage", "assessment")
        engagement = Engagement.objects.get(title=SUBJECT)

        page = self.as_user("tech.zhang")
        open_from_my_work(page, SUBJECT)
        page.locator("#assessment-form input[name=decision][value=in_scope]").check()
        page.locator("#id_service_goals").fill("即時監測 60 台設備能耗並以看板呈現。")
        page.locator("#id_technical_requirements").fill("Modbus 電錶採集；每分鐘刷新。")
        page.locator("#id_requested_deadline").fill(self.dates["end"].isoformat())
        page.locator("#assessment-form button[type=submit]").click()
        expect(stage(page)).to_have_attribute("data-stage", "confirmation")
        page.locator("#id_service_content").fill("能耗採集網關、能耗看板、節能分析報告")
        page.locator("#id_period_start").fill(self.dates["start"].isoformat())
        page.locator("#id_period_end").fill(self.dates["end"].isoformat())
        page.locator("#id_fee").fill("480000")
        page.locator("#id_currency").fill("CNY")
        page.locator("#proposal-form button[type=submit]").click()
        expect(page.locator("#round-1")).to_have_attribute("data-status", "open")

        page = self.as_user(CLIENT)
        open_from_my_work(page, SUBJECT)
        page.locator("#id_fee").fill(str(FEE))
        page.locator("#id_note").fill("預算 45 萬，其餘條款同意。")
        page.locator("#proposal-form button[type=submit]").click()
        expect(page.locator("#round-2")).to_have_attribute("data-status", "open")

        page = self.as_user("tech.zhang")
        self.go(engagement.get_absolute_url())
        page.locator("#accept-round").click()
        expect(page.locator("#round-2")).to_have_attribute("data-status", "accepted")
        sign(page, page.locator(".app-signatures[data-document=confirmation] a[data-sign=technician]"))
        success(page)

        page = self.as_user(CLIENT)
        self.go(engagement.get_absolute_url())
        sign(page, page.locator(".app-signatures[data-document=confirmation] a[data-sign=client]"))
        expect(stage(page)).to_have_attribute("data-stage", "confirmed")
        return engagement

    # --- PLN-1..3 ----------------------------------------------------------------------------------

    def start_plan(self, engagement):
        """Management opens the plan form from the engagement page."""
        page = self.as_user("mgmt.chen")
        self.go(engagement.get_absolute_url())
        page.locator("#service-plan a", has_text="建立服務方案").click()
        return page

    def plan(self, engagement):
        from onestop.accounts.models import User
        from onestop.plans.models import Plan

        lead = User.objects.get(username=LEAD)
        page = self.start_plan(engagement)
        page.locator("#id_project_lead").select_option(str(lead.pk))
        submit_form(page)
        expect(page.locator("#version-1")).to_have_attribute("data-state", "draft")
        plan = Plan.objects.get(engagement=engagement)

        page = self.as_user(LEAD)
        self.go(plan.get_absolute_url())
        page.locator("#edit-version").click()
        page.locator("#id_technical_route").fill("Modbus 網關採集，時序數據庫，Web 看板。")
        page.locator("#id_implementation_steps").fill("調研 → 設計 → 開發 → 上線")
        page.locator("#id_quality_measures").fill("代碼評審；上線前壓力測試。")
        for row, (name, due, deliverables) in enumerate(
            (("方案設計", self.dates["first_due"], "設計說明書"), ("上線驗收", self.dates["end"], "驗收報告"))
        ):
            page.locator("#add-milestones").click()  # the editor starts with no empty row
            page.locator(f"#id_milestones-{row}-name").fill(name)
            page.locator(f"#id_milestones-{row}-due_date").fill(due.isoformat())
            page.locator(f"#id_milestones-{row}-deliverables").fill(deliverables)
        page.locator("#add-staffing").click()
        page.locator("#id_staffing-0-user").select_option(str(lead.pk))
        page.locator("#id_staffing-0-role").fill("項目負責人")
        page.locator("#id_staffing-0-allocation").fill("60")
        for row, (category, description, amount) in enumerate(
            (("personnel", "工程師人工", "300000"), ("equipment", "採集網關", "100000"))
        ):
            page.locator("#add-budget").click()
            page.locator(f"#id_budget-{row}-category").select_option(category)
            page.locator(f"#id_budget-{row}-description").fill(description)
            page.locator(f"#id_budget-{row}-amount").fill(amount)
        submit_form(page)
        success(page)
        form = page.locator("#submit-form")
        for name in ("趙明遠", "錢文博", "馮淑芬"):
            form.get_by_label(name, exact=True).check()
        form.locator("button[type=submit]").click()
        expect(page.locator("#version-1")).to_have_attribute("data-state", "in_review")

        for username in PANEL:
            page = self.as_user(username)
            self.go(plan.get_absolute_url())
            form = page.locator("#review-form-1")
            for code in CODES:
                form.locator(f"[name=score_{code}]").fill("4")
            form.locator("[name=recommendation]").select_option("pass")
            form.locator("[name=comments]").fill("方案可行。")
            form.locator("button[type=submit]").click()
            success(page)

        page = self.as_user("mgmt.chen")
        self.go(plan.get_absolute_url())
        expect(page.locator("#outcome-1")).to_have_attribute("data-outcome", "pass")
        page.locator("#decision-comment-1").fill("同意，按此方案執行。")
        page.locator("#approve-1").click()
        expect(page.locator("#version-1")).to_have_attribute("data-state", "approved")

    # --- CON-1..3 ----------------------------------------------------------------------------------

    def contract(self, engagement):
        from onestop.contracts.models import Contract

        page = self.as_user("legal.zheng")
        self.go("/contracts/add/")
        page.locator("#id_engagement").select_option(str(engagement.pk))
        page.locator("#id_template").select_option(index=1)
        submit_form(page)
        page.wait_for_url(re.compile(r"/contracts/\d+/$"))
        contract = Contract.objects.get(engagement=engagement)
        expect(page.locator("#consistency tr.table-danger")).to_have_count(0)
        page.locator("#contract-actions button[type=submit]").click()
        success(page)
        legal = page.locator("form[action$='legal-review/']")
        for box in legal.locator("input[name=checked]").all():
            box.check()
        legal.locator("button[value=pass]").click()
        success(page)

        page = self.as_user(SIGNER)
        self.go(contract.get_absolute_url())
        page.locator("form[action$='business-review/'] button[value=pass]").click()
        success(page)
        sign(page, page.locator("a[data-sign=company]"))
        success(page)

        page = self.as_user(CLIENT)
        self.go(contract.get_absolute_url())
        sign(page, page.locator("a[data-sign=client]"))
        expect(page.locator(".app-signatures[data-document=contract] .badge.text-bg-success")).to_have_text(
            "已全部簽署"
        )
        contract.refresh_from_db()
        assert contract.state == Contract.State.SIGNED
        return contract

    # --- PRJ-1/2 -----------------------------------------------------------------------------------

    def progress_table(self, project, values, *, day=None):
        """The lead fills the table of the period (rows: percent, actual end), submits and reviews it."""
        page = self.page
        if day is None:
            self.go(project.get_absolute_url())
            page.locator("#start-report").click()
            page.wait_for_url(re.compile(r"/progress/\d+/$"))
        else:
            with at_day(day):
                self.go(project.get_absolute_url())
                page.locator("#start-report").click()
                page.wait_for_url(re.compile(r"/progress/\d+/$"))
        for row, (percent, actual_end, work) in enumerate(values):
            page.locator("input[name$='-percent_complete']").nth(row).fill(str(percent))
            # The row's dates and texts sit under its 「詳情」 toggle.
            page.locator("[aria-controls^=row-details-]").nth(row).click()
            if actual_end:
                page.locator("input[name$='-actual_end']").nth(row).fill(actual_end.isoformat())
            page.locator("textarea[name$='-work_done']").nth(row).fill(work)
        page.locator("#save-progress").click()
        success(page)
        page.locator("#submit-report").click()
        expect(page.locator("[data-state=submitted]")).to_be_visible()
        page.locator("#review-comment").fill("已審核。")
        page.locator("#review-report").click()
        expect(page.locator("[data-state=reviewed]")).to_be_visible()

    def project(self, contract):
        from onestop.projects.models import Project

        page = self.as_user(LEAD)
        self.go("/projects/add/")
        page.locator("#id_contract").select_option(str(contract.pk))
        submit_form(page)
        page.wait_for_url(re.compile(r"/projects/\d+/$"))
        project = Project.objects.get(contract=contract)
        expect(page.locator("#milestones")).to_contain_text("方案設計")
        page.locator("#record-kickoff").click()
        page.locator("#id_held_on").fill(self.dates["kickoff"].isoformat())
        page.locator("#id_location").fill("華信 1 號會議室")
        page.locator("#id_goals").fill("兩個月內上線能耗看板。")
        page.locator("#id_tasks_communicated").fill("調研、設計、開發、上線。")
        page.locator("#kickoff-submit").click()
        page.wait_for_url(re.compile(r"/projects/\d+/#kickoff$"))
        # Last week the design was half done; this week both milestones are done.
        self.progress_table(
            project, [(50, None, "完成現場訪談"), (0, None, "未開始")], day=self.dates["last_week"]
        )
        self.progress_table(
            project,
            [(100, self.dates["first_done"], "設計定稿"), (100, self.dates["today"], "看板上線")],
        )
        return project

    def complete(self, project):
        page = self.as_user(LEAD)
        self.go(project.get_absolute_url())
        page.locator("#complete-form input[name=comment]").fill("實施完成")
        page.locator("#complete-form button[type=submit]").click()
        success(page)
        project.refresh_from_db()
        assert project.state == "completed"

    # --- QA-2 --------------------------------------------------------------------------------------

    def inspection(self, project):
        from onestop.accounts.models import Department, User
        from onestop.quality.models import Inspection, RectificationNotice

        quality = User.objects.get(username=QUALITY)
        department = Department.objects.get(code="rnd-software")
        page = self.as_user(QUALITY)
        self.go(reverse("quality:inspection_add"))
        page.locator("#id_project").select_option(str(project.pk))
        page.locator("#id_kind").select_option("spot")
        page.locator("#id_planned_date").fill(self.dates["today"].isoformat())
        page.locator("#id_inspector").select_option(str(quality.pk))
        submit_form(page)
        page.wait_for_url(re.compile(r"/inspections/\d+/$"))
        inspection = Inspection.objects.get(project=project)
        if page.locator("button[data-action=start]").count():
            page.locator("button[data-action=start]").click()
            success(page)
        rows = page.locator(".app-item-row")
        count = rows.count()
        assert count >= 4
        first = rows.nth(0)
        first.locator("select[name$='-result']").select_option("fail")
        first.locator("textarea[name$='-evidence']").fill("抽查設計文檔")
        first.locator("select[name$='-category']").select_option("documentation")
        first.locator("select[name$='-cause']").select_option("method")
        first.locator("textarea[name$='-note']").fill("設計文檔未隨需求變更更新")
        for index in range(1, count):
            rows.nth(index).locator("select[name$='-result']").select_option("pass")
        page.locator("button[data-action=save-checklist]").click()
        success(page)
        page.locator("button[data-action=complete]").click()
        success(page)
        page.locator("a[data-action=raise-notice]").first.click()
        page.locator("#id_department").select_option(str(department.pk))
        page.locator("#id_deadline").fill((self.dates["today"] + timedelta(days=7)).isoformat())
        page.locator("#id_requirement").fill("更新設計文檔並提交複核記錄")
        page.locator("form button[type=submit]").last.click()
        expect(page.locator(".app-notice-actions .app-state")).to_have_attribute("data-state", "issued")
        notice = RectificationNotice.objects.get(inspection=inspection)

        responder = member_who_can_log_in(department)
        page = self.as_user(responder.username)
        self.go(notice.get_absolute_url())
        page.locator("textarea[name=response]").fill("已更新設計文檔，組內完成複核。")
        page.locator("button[data-action=respond]").click()
        expect(page.locator(".app-notice-actions .app-state")).to_have_attribute("data-state", "responded")

        page = self.as_user(QUALITY)
        self.go(notice.get_absolute_url())
        page.locator("select[name=decision]").select_option("close")
        page.locator("textarea[name=note]").fill("抽查新版文檔，問題已關閉。")
        page.locator("button[data-action=verify]").click()
        expect(page.locator(".app-notice-actions .app-state")).to_have_attribute("data-state", "closed")

    # --- ACC-1..3 ----------------------------------------------------------------------------------

    def record_results(self, *, fail_first):
        page = self.page
        selects = page.locator("#results select[name$='-system_test']")
        count = selects.count()
        assert count >= 1
        for index in range(count):
            selects.nth(index).select_option("fail" if fail_first and index == 0 else "pass")
        page.locator("#results button[data-action=save-results]").click()
        success(page)

    def acceptance(self, project):
        from onestop.accounts.models import User

        client_user = User.objects.get(username=CLIENT)
        page = self.as_user(LEAD)
        self.go(reverse("acceptance:acceptanceround_add"))
        page.locator("#id_project").select_option(str(project.pk))
        page.locator("#id_self_assessment").fill("各里程碑均已完成，自評合格。")
        page.locator("#id_deliverables").fill("設計說明書：V1.0\n用戶操作手冊")
        submit_form(page)
        page.wait_for_url(re.compile(r"/acceptancerounds/\d+/$"))
        first = project.acceptance_rounds.get(number=1)

        # Round 1: the client's team prepares, accepts and fails it with a problem.
        page = self.as_user(CLIENT)
        self.go(first.get_absolute_url())
        page.locator("#team-user").select_option(str(client_user.pk))
        page.locator("#team-role").fill("驗收組長")
        page.locator("#team button[data-action=add-member]").click()
        expect(page.locator("#team .list-group-item")).to_have_count(1)
        tick = page.locator("#checklist button[data-tick].btn-outline-success")
        for _ in range(tick.count()):
            tick.first.click()
            page.wait_for_load_state()
        expect(page.locator("#checklist .bi-square")).to_have_count(0)
        page.locator("#next-step button[data-action=start]").click()
        success(page)
        self.record_results(fail_first=True)
        page.locator("#problems textarea[name=description]").fill("報表查詢過慢")
        page.locator("#problems textarea[name=requirement]").fill("報表 2 秒內生成")
        page.locator("#problems button[type=submit]").click()
        success(page)
        page.locator("#conclusion-fail").check()
        page.locator("#report-summary").fill("報表性能不達標，本輪不合格。")
        page.locator("#report button[data-action=fill-report]").click()
        success(page)
        first.refresh_from_db()
        assert first.state == "failed"

        # The lead rectifies the problem and applies for round 2.
        problem = first.problems.get()
        page = self.as_user(LEAD)
        self.go(problem.get_absolute_url())
        page.locator("#fix").fill("查詢已優化至 1.2 秒，附性能測試報告。")
        page.locator("button[data-action=resolve]").click()
        success(page)
        self.go(first.get_absolute_url())
        page.locator("#next-step button[data-action=next-round]").click()
        page.wait_for_url(re.compile(r"/acceptancerounds/\d+/$"))
        second = project.acceptance_rounds.get(number=2)

        # Round 2: the same team skips the checklist with a reason, passes it and signs.
        page = self.as_user(CLIENT)
        self.go(second.get_absolute_url())
        expect(page.locator("#team .list-group-item")).to_have_count(1)
        if page.locator("#checklist .bi-square").count():
            page.locator("#checklist input[name=reason]").fill("已於第一輪完成準備")
            page.locator("#checklist form[action$='/checklist/skip/'] button[type=submit]").click()
            success(page)
        page.locator("#next-step button[data-action=start]").click()
        success(page)
        self.record_results(fail_first=False)
        page.locator("#conclusion-pass").check()
        page.locator("#report-summary").fill("整改後複驗，各項標準均符合合同約定，驗收合格。")
        page.locator("#report button[data-action=fill-report]").click()
        success(page)
        sign(page, page.locator(".app-signatures[data-document=acceptance_report] a[data-sign=client]"))
        success(page)
        expect(page.locator("#next-step .text-success")).to_be_visible()
        second.refresh_from_db()
        assert second.state == "passed"

    # --- FEE-1..3 ----------------------------------------------------------------------------------

    def invoice(self, number, amount):
        page = self.page
        page.locator("#invoice-number").fill(number)
        page.locator("#invoice-date").fill(self.dates["today"].isoformat())
        page.locator("#invoice-amount").fill(amount)
        page.locator("#invoice-file").set_input_files(
            files=[{"name": f"{number}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.locator("#invoice-form button[type=submit]").click()
        success(page)

    def settlement(self, contract):
        from onestop.settlement.models import Settlement

        page = self.as_user(LEAD)
        self.go(reverse("settlement:settlement_add"))
        page.locator("#id_contract").select_option(str(contract.pk))
        page.locator("#id_description").fill("已完成全部服務內容，驗收合格。")
        submit_form(page)
        page.wait_for_url(re.compile(r"/settlements/\d+/$"))
        settlement = Settlement.objects.get(contract=contract)
        self.invoice("FP-2026-1101", "440000")  # mistyped
        page.locator("#submit-settlement").click()
        success(page)

        page = self.as_user(FINANCE)
        self.go(settlement.get_absolute_url())
        expect(page.locator("#calculation tr.table-danger")).to_have_count(1)
        page.locator("#return-comment").fill("發票金額與結算金額不符，請重開發票。")
        page.locator("#return-settlement").click()
        success(page)

        page = self.as_user(LEAD)
        self.go(settlement.get_absolute_url())
        expect(page.locator("#settlement-actions .alert-warning")).to_contain_text("請重開發票")
        self.invoice("FP-2026-1102", str(FEE))
        page.locator("#submit-settlement").click()
        success(page)

        page = self.as_user(FINANCE)
        self.go(settlement.get_absolute_url())
        expect(page.locator("#calculation tr.table-danger")).to_have_count(0)
        sign(page, page.locator("#approve-settlement"))
        success(page)
        settlement.refresh_from_db()
        assert settlement.state == Settlement.State.APPROVED
        for amount, reference in (("200000", "BANK-1101"), ("250000", "BANK-1102")):
            self.go(reverse("settlement:payment_add"))
            page.locator("#id_contract").select_option(str(contract.pk))
            page.locator("#id_settlement").select_option(str(settlement.pk))
            page.locator("#id_direction").select_option("received")
            page.locator("#id_paid_on").fill(self.dates["today"].isoformat())
            page.locator("#id_amount").fill(amount)
            page.locator("#id_method").select_option("bank_transfer")
            page.locator("#id_reference").fill(reference)
            submit_form(page)
            page.wait_for_url(re.compile(r"/payments/\d+/$"))
        return settlement

    # --- EXT-2 -------------------------------------------------------------------------------------

    def survey(self, engagement):
        from onestop.feedback.aspects import ASPECTS
        from onestop.feedback.models import Survey

        survey = Survey.objects.get(engagement=engagement)
        page = self.as_user(CLIENT)
        page.locator(f"a[href='/surveys/{survey.pk}/answer/']").first.click()
        for aspect in ASPECTS:
            page.locator(f"input[name={aspect.field}][value='5']").check()
        page.locator("input[name=would_recommend][value='9']").check()
        page.locator("textarea[name=comment]").fill("服務專業，交付及時。")
        page.locator("button[type=submit]").last.click()
        expect(page.locator(".bi-heart")).to_be_visible()
        return survey


def check_the_closed_engagement(path, engagement, contract, project, survey, screenshot, console_errors):
    """X-1, X-2 at the end of the whole path walked in the browser (tests/browser/test_work_chain.py):
    the engagement is closed and settled, the acceptance failed once and then passed, the survey is
    answered; its page shows every stage with its start and the events of each stage."""
    from onestop.engagements.models import Engagement
    from onestop.settlement import selectors

    engagement = Engagement.objects.get(pk=engagement.pk)
    assert engagement.stage == "closed"
    assert selectors.is_settled(engagement) and selectors.balance(contract).balance == 0
    assert list(project.acceptance_rounds.order_by("number").values_list("state", flat=True)) == [
        "failed",
        "passed",
    ]
    survey.refresh_from_db()
    assert survey.answered_at is not None and survey.would_recommend == 9

    # The engagement page: every stage with its start, the badge says closed, the events of each stage.
    page = path.as_user("mgmt.chen")
    page.goto(f"{path.url}{engagement.get_absolute_url()}")  # closed: no longer on anyone's 我的工作
    expect(stage(page)).to_have_attribute("data-stage", "closed")
    expect(page.locator("[data-upcoming]")).to_have_count(0)
    for name in STAGES:
        span = page.locator(f"[data-span={name}]")
        expect(span).to_have_count(1)
        expect(span.locator(".text-secondary").first).not_to_be_empty()  # the start
    expect(page.locator(".app-stage.current")).to_have_count(0)
    timeline = page.locator("#timeline")
    for kind in (
        "inquiry",
        "signature",
        "plan_approval",
        "contract",
        "project",
        "progress",
        "inspection",
        "rectification_closed",
        "acceptance",
        "settlement",
        "payment",
        "feedback",
    ):
        expect(timeline.locator(f"[data-kind={kind}]").first).to_be_visible()
    expect(timeline.locator("[data-kind=payment]")).to_have_count(2)
    # The stage strip scrolls sideways on a 1280 px screen: show its end (settlement, closed).
    page.locator(".app-stages").evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    expect(page.locator("[data-span=closed]")).to_be_in_viewport()
    screenshot(page, "lifecycle-closed-engagement", docs=True)
    # Refusals answered 400 on purpose would show here; this path has none.
    assert not [e for e in console_errors if "Applying inline style violates" not in e], console_errors
