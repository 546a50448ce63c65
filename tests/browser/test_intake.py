"""Intake in the browser (INT-1..3, X-1, X-5): every step is a click in the real pages.

Customer service records a phone inquiry with the client lookup and forwards it; the
technician assesses it and proposes terms; the client counter-proposes in the portal; the
technician agrees; both sign; the signed confirmation form downloads as a PDF whose text
holds the client, the fee and both signers. Also: the out-of-scope reply as the client sees
it, a three-round negotiation, and the 404 another client gets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DOC_SCREENSHOTS, SCREENSHOTS
from tests.browser.signing import sign

ENGAGEMENTS = "/engagements/"
NEW_INQUIRY = "/engagements/add/"

CLIENT = "華信智能製造股份有限公司"
CLIENT_USER = "陳建華"  # client.hxzn, also the organisation's primary contact
TECHNICIAN = "張偉"  # tech.zhang
SUBJECT = "二號車間能耗監測"


def log_out(page):
    page.locator("#user-menu").click()
    page.locator("form[action='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def stage(page):
    return page.locator("[data-stage]").first


def open_from_my_work(page, text):
    """The engagement waits on the user's "My work" list; open it from there."""
    item = page.locator("#main .list-group-item", has_text=text).first
    expect(item).to_be_visible()
    item.click()
    expect(page.locator("h1")).to_contain_text(text)


def shoot(target, name: str, *, docs: bool = False) -> Path:
    """Save a page's viewport, or one element of it (``target`` a locator), as
    artifacts/screenshots/<name>.png; with ``docs`` also copy it into docs/screenshots.

    An element is cut out of a full-page picture taken from the top, so that the sticky top
    bar does not cover it as it would in a scrolled element screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if hasattr(target, "bounding_box"):
        page = target.page
        page.evaluate("window.scrollTo(0, 0)")
        box = target.bounding_box()
        margin = 8
        clip = {
            "x": max(box["x"] - margin, 0),
            "y": max(box["y"] - margin, 0),
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        }
        page.screenshot(path=str(path), full_page=True, clip=clip)
    else:
        target.screenshot(path=str(path))
    if docs:
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SCREENSHOTS / f"{name}.png")
    return path


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def pdf_first_page_png(pdf: Path, name: str, *, docs: bool = False) -> Path | None:
    """The first page of ``pdf`` as artifacts/screenshots/<name>.png (pdftoppm, 80 dpi)."""
    if shutil.which("pdftoppm") is None:
        return None
    prefix = SCREENSHOTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
    )
    png = prefix.with_suffix(".png")
    if docs:
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, DOC_SCREENSHOTS / png.name)
    return png


def test_INT_1_INT_2_INT_3_X_1_X_5_phone_inquiry_to_a_doubly_signed_confirmation_in_the_browser(
    login, live_server, screenshot, console_errors
):
    """INT-1, INT-2, INT-3, X-1, X-5: customer service records a phone inquiry with the lookup and
    forwards it; the technician assesses it in scope and proposes terms; the client counter-proposes
    a lower fee in the portal; the technician agrees; both sign; the stage is 需求已確認 and the
    signed PDF names the client, the agreed fee and both signers. Another client gets the 404 page."""
    from onestop.engagements.models import Engagement

    # --- INT-1: customer service takes the call --------------------------------------------------
    page = login("cs.lin")
    page.locator(f'#sidebar a[href="{ENGAGEMENTS}"]').click()
    expect(page.locator("#object-table tbody tr")).to_have_count(min(Engagement.objects.count(), 25))
    screenshot(page, "engagement-list", full_page=False, docs=True)

    page.locator(f'#sidebar a[href="{NEW_INQUIRY}"]').click()
    expect(page.locator("h1")).to_have_text("新增客戶咨詢")
    page.locator("#client-lookup").press_sequentially("查無此人", delay=40)
    expect(page.locator("#lookup-results")).to_contain_text("沒有符合的客戶或聯繫人")
    expect(page.locator("#lookup-results a")).to_have_text("新增客戶單位")
    page.locator("#client-lookup").fill("")
    page.locator("#client-lookup").press_sequentially("0512", delay=40)  # part of 陳建華's mobile number
    result = page.locator("#lookup-results button", has_text=CLIENT_USER)
    expect(result).to_contain_text(CLIENT)
    shoot(page, "inquiry-lookup", docs=True)
    result.click()
    expect(page.locator("#id_client option:checked")).to_have_text(CLIENT)
    expect(page.locator("#id_contact option:checked")).to_contain_text(CLIENT_USER)
    expect(page.locator("#id_contact_name")).to_have_value(CLIENT_USER)
    expect(page.locator("#id_contact_phone")).to_have_value("138 0512 1101")
    expect(page.locator("#lookup-results")).to_have_count(0)

    expect(page.locator("#id_channel option:checked")).to_have_text("電話")
    page.locator("#id_subject").fill(SUBJECT)
    page.locator("#id_need").fill(
        "二號車間 40 台空壓機與冷卻塔的用電需即時監測，找出待機耗電，目標節能 10%。"
    )
    page.locator("#id_technician").select_option(label=TECHNICIAN)
    page.locator("form.app-form button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text(SUBJECT)
    engagement = Engagement.objects.get(title=SUBJECT)
    url = f"{live_server.url}{engagement.get_absolute_url()}"
    expect(stage(page)).to_have_attribute("data-stage", "assessment")
    expect(page.locator(".app-fields")).to_contain_text(TECHNICIAN)
    expect(page.locator("#next-step")).to_contain_text("等待技術人員評估")
    expect(page.locator("#timeline")).to_contain_text("電話咨詢")
    log_out(page)

    # --- INT-2: the technician assesses it -------------------------------------------------------
    page = login("tech.zhang")
    open_from_my_work(page, SUBJECT)
    assessment = page.locator("#assessment-form")
    expect(page.locator("#id_service_goals")).to_be_hidden()  # nothing to fill in before the decision
    assessment.locator("input[name=decision][value=in_scope]").check()
    expect(page.locator("#id_reason")).to_be_hidden()
    page.locator("#id_service_goals").fill("即時監測 40 台設備能耗，找出待機耗電並給出節能方案。")
    page.locator("#id_technical_requirements").fill("Modbus 電錶採集；每分鐘刷新；能耗報表按班次統計。")
    page.locator("#id_requested_deadline").fill("2027-06-30")
    assessment.locator("button[type=submit]").click()
    expect(stage(page)).to_have_attribute("data-stage", "confirmation")

    # --- INT-3: proposal, counter-proposal, agreement ---------------------------------------------
    proposal = page.locator("#proposal-form")
    expect(page.locator("#id_service_content")).to_have_value(re.compile("即時監測"))
    page.locator("#id_service_content").fill("能耗採集網關、能耗看板、節能分析報告")
    page.locator("#id_period_start").fill("2027-01-04")
    page.locator("#id_period_end").fill("2027-04-30")
    page.locator("#id_fee").fill("480000")
    page.locator("#id_currency").fill("CNY")
    page.locator("#id_note").fill("含三個月試運行。")
    proposal.locator("button[type=submit]").click()
    expect(page.locator("#round-1")).to_contain_text("480,000.00")
    expect(page.locator("#round-1")).to_have_attribute("data-status", "open")
    log_out(page)

    page = login("client.hxzn")
    open_from_my_work(page, SUBJECT)
    expect(page.locator("#round-1")).to_contain_text("480,000.00")
    expect(page.locator("#round-1 .badge").first).to_have_text("服務方")
    expect(page.locator("#next-step")).to_contain_text("有新的條款等待您回覆")
    expect(page.locator("#accept-round")).to_be_visible()
    page.locator("#id_fee").fill("450000")
    page.locator("#id_note").fill("預算 45 萬，其餘條款同意。")
    page.locator("#proposal-form button[type=submit]").click()
    round_2 = page.locator("#round-2")
    expect(round_2).to_have_attribute("data-status", "open")
    expect(round_2.locator("tr.table-warning")).to_have_count(1)  # only the fee changed
    expect(round_2.locator("tr.table-warning")).to_contain_text("450,000.00")
    expect(round_2.locator("tr.table-warning del")).to_have_text("480,000.00")
    expect(page.locator("#round-1")).to_have_attribute("data-status", "countered")
    expect(page.locator("#proposal-form")).to_have_count(1)  # may still change the offer while it waits
    expect(page.locator("#accept-round")).to_have_count(0)  # but not agree to its own round
    expect(page.locator("#next-step")).to_contain_text("等待技術人員回覆第 2 輪條款")
    log_out(page)

    page = login("tech.zhang")
    open_from_my_work(page, SUBJECT)
    page.locator("#accept-round").click()
    expect(page.locator("#round-2")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#proposal-form")).to_have_count(0)
    expect(page.locator("#next-step")).to_contain_text("雙方已於第 2 輪議定條款")

    # --- both sign ------------------------------------------------------------------------------
    panel = page.locator(".app-signatures[data-document=confirmation]")
    expect(panel.locator("a[data-sign=client]")).to_have_count(0)  # the client signs in the portal
    sign(page, panel.locator("a[data-sign=technician]"))
    expect(page.locator(".alert-success")).to_contain_text("技術人員")
    expect(panel).to_contain_text(TECHNICIAN)
    expect(stage(page)).to_have_attribute("data-stage", "confirmation")
    log_out(page)

    page = login("client.hxzn")
    page.goto(url)
    panel = page.locator(".app-signatures[data-document=confirmation]")
    expect(panel.locator("a[data-sign=technician]")).to_have_count(0)
    sign(page, panel.locator("a[data-sign=client]"))
    expect(stage(page)).to_have_attribute("data-stage", "confirmed")
    expect(stage(page)).to_have_text("需求已確認")
    expect(panel.locator(".badge", has_text="已全部簽署")).to_be_visible()
    expect(page.locator(".app-stage.current")).to_contain_text("需求已確認")
    timeline = page.locator("#timeline")
    expect(timeline.locator("[data-kind=signature]")).to_have_count(2)
    expect(timeline.locator("[data-kind=proposal]")).to_have_count(2)
    expect(timeline.locator("[data-kind=inquiry]")).to_have_count(1)
    expect(timeline).to_contain_text("SHA-256")
    screenshot(page, "engagement-confirmed-client")
    shoot(page, "engagement-client-portal", docs=True)

    # The signed form downloads as a PDF with the client, the agreed fee and both signers.
    pdf_link = panel.locator("a[href*='/forms/confirmation/pdf/']")
    expect(page.locator("#download-confirmation")).to_have_attribute("href", pdf_link.get_attribute("href"))
    with page.expect_download() as download:
        page.locator("#download-confirmation").click()
    pdf = SCREENSHOTS / "confirmation-signed.pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(pdf)
    assert download.value.suggested_filename.endswith(".pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (CLIENT, "450,000.00", CLIENT_USER, TECHNICIAN, engagement.code):
        assert expected in text, f"{expected!r} is not in the PDF:\n{text}"
    assert "480,000.00" not in text  # the first offer is not the agreed fee
    pdf_first_page_png(pdf, "confirmation-signed-pdf", docs=True)

    # The technician sees the same page with the whole timeline.
    log_out(page)
    page = login("tech.zhang")
    page.goto(url)
    expect(stage(page)).to_have_text("需求已確認")
    screenshot(page, "engagement-timeline")
    page.locator("#timeline").scroll_into_view_if_needed()
    shoot(page.locator("#timeline"), "engagement-timeline-card", docs=True)
    page.locator(".nav-tabs a", has=page.locator(".bi-clock-history")).click()
    expect(page.locator(".app-history li").first).to_contain_text(CLIENT_USER)
    screenshot(page, "engagement-history", full_page=False)
    log_out(page)
    assert console_errors == []

    # --- a client of another organisation gets the not-found page ------------------------------
    page = login("client.dfln")
    response = page.goto(url)
    assert response.status == 404
    expect(page.locator(".app-error")).to_contain_text("404")
    expect(page.locator("body")).not_to_contain_text(SUBJECT)
    response = page.goto(
        f"{live_server.url}/core/records/engagements.engagement/{engagement.pk}/forms/confirmation/pdf/"
    )
    assert response.status == 404
    page.goto(f"{live_server.url}{ENGAGEMENTS}")
    expect(page.locator("#object-table")).not_to_contain_text(SUBJECT)


def test_INT_2_out_of_scope_reply_reaches_the_client_in_the_portal(login, live_server, screenshot):
    """INT-2: the technician closes a request as out of scope with the reason and suggestions; the
    client then reads that reply on the engagement page of the portal."""
    from onestop.engagements.models import Engagement

    engagement = Engagement.objects.get(title="手機銀行性能壓測")  # 海灣城市商業銀行, with tech.zhang
    reason = "純壓測外包不屬於本公司一站式技術服務範疇。"
    suggestions = "建議委託具 CMA 資質的第三方測試機構；如需性能調優與架構改造，我們可提供一站式服務。"

    page = login("tech.zhang")
    open_from_my_work(page, "手機銀行性能壓測")
    assessment = page.locator("#assessment-form")
    assessment.locator("input[name=decision][value=out_of_scope]").check()
    expect(page.locator("#id_service_goals")).to_be_hidden()
    expect(page.locator("#id_reason")).to_be_visible()
    shoot(assessment, "assessment-out-of-scope-form")
    # Without the reply to the client nothing is closed.
    assessment.locator("button[type=submit]").click()
    expect(page.locator("#assessment-form .invalid-feedback")).to_have_count(2)
    expect(stage(page)).to_have_attribute("data-stage", "assessment")

    page.locator("#assessment-form input[name=decision][value=out_of_scope]").check()
    page.locator("#id_reason").fill(reason)
    page.locator("#id_suggestions").fill(suggestions)
    page.locator("#assessment-form button[type=submit]").click()
    expect(stage(page)).to_have_attribute("data-stage", "out_of_scope")
    expect(page.locator("#out-of-scope-reply")).to_contain_text(reason)
    log_out(page)

    page = login("client.hwyh")
    page.locator("#sidebar a[href='/engagements/']").click()
    page.get_by_role("link", name="手機銀行性能壓測").click()
    expect(stage(page)).to_have_text("已結案：不屬服務範疇")
    expect(page.locator("#withdraw")).to_have_count(0)
    reply = page.locator("#out-of-scope-reply")
    expect(reply).to_contain_text(reason)
    expect(reply).to_contain_text(suggestions)
    expect(page.locator("#assessment-form")).to_have_count(0)
    screenshot(page, "engagement-out-of-scope-client")
    # The reply also waits in the client's inbox.
    page.locator("#inbox-link").click()
    expect(page.locator("#main")).to_contain_text(engagement.code)


def test_INT_3_three_negotiation_rounds_show_what_changed_and_the_client_signs_last(
    login, live_server, screenshot
):
    """INT-3, X-5: the demo's 東方綠能 engagement went through three rounds; each round shows what changed
    from the round before; the technician has signed, and the client's signature confirms it."""
    from onestop.engagements.models import Engagement

    engagement = Engagement.objects.get(code="OS-2026-00002")
    page = login("client.dfln")
    page.goto(f"{live_server.url}{engagement.get_absolute_url()}")
    negotiation = page.locator("#negotiation")
    expect(negotiation.locator("[data-round]")).to_have_count(3)
    expect(negotiation.locator("[data-round]").first).to_have_attribute("data-round", "3")  # newest first
    expect(negotiation.locator("#round-3")).to_have_attribute("data-status", "accepted")
    expect(negotiation.locator("#round-2")).to_have_attribute("data-status", "countered")
    # Round 2 (the client) cut the fee, the operation years and the period; round 3 only the fee.
    expect(negotiation.locator("#round-2 tr.table-warning")).to_have_count(3)
    expect(negotiation.locator("#round-3 tr.table-warning")).to_have_count(1)
    expect(negotiation.locator("#round-3 tr.table-warning")).to_contain_text("1,050,000.00")
    expect(negotiation.locator("#round-3 tr.table-warning del")).to_have_text("980,000.00")
    screenshot(page, "negotiation-three-rounds")
    shoot(negotiation, "negotiation-three-rounds", docs=True)

    panel = page.locator(".app-signatures[data-document=confirmation]")
    expect(panel).to_contain_text("李娜")  # the technician signed already
    sign(page, panel.locator("a[data-sign=client]"))
    expect(stage(page)).to_have_text("需求已確認")
    expect(panel.locator("a[data-sign]")).to_have_count(0)


def test_X_1_the_engagement_list_filters_by_stage_and_searches(login, live_server, screenshot):
    """X-1, G-1: the engagement list narrows by stage and by a search word, and sorts by a column."""
    from onestop.engagements.models import Engagement

    in_confirmation = Engagement.objects.filter(stage=Engagement.Stage.CONFIRMATION)
    page = login("cs.lin")  # customer service sees every engagement
    page.goto(f"{live_server.url}{ENGAGEMENTS}")
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(min(Engagement.objects.count(), 25))
    page.locator("select[name=stage]").select_option("confirmation")
    expect(rows).to_have_count(in_confirmation.count())
    expect(page.locator("#object-table")).to_contain_text("光伏電站遠程監控平台升級")
    expect(page.locator("#object-table")).not_to_contain_text("需求已確認")
    page.locator("main input[type=search][name=q]").press_sequentially("光伏", delay=40)
    expect(rows).to_have_count(in_confirmation.filter(title__contains="光伏").count())
    expect(rows.first).to_contain_text("OS-2026-00002")
    screenshot(page, "engagement-list-filtered", full_page=False)
    page.goto(f"{live_server.url}{ENGAGEMENTS}")
    page.locator("#object-table th a", has_text="案件編號").click()
    expect(rows.first).to_contain_text("OS-2026-00001")


def test_X_3_a_technician_lists_only_the_engagements_of_their_own_teams(login, live_server):
    from onestop.accounts.models import User
    from onestop.engagements.models import Engagement

    technician = User.objects.get(username="tech.li")
    own = Engagement.objects.visible_to(technician)
    assert 0 < own.count() < Engagement.objects.count()
    page = login("tech.li")
    page.goto(f"{live_server.url}{ENGAGEMENTS}")
    expect(page.locator("#object-table tbody tr")).to_have_count(min(own.count(), 25))
