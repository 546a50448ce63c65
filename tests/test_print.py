"""Forms printed as a Chinese company prints them (issue 11 §6): amounts grouped and in capitals
on the contract, settlement and receipt PDFs and pages, the administrator's letterhead and
seal box on every PDF, and rendered PDFs cached by their content hash. Through HTTP: the PDF
is downloaded and read back with pdftotext."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from onestop.core import pdf
from onestop.core.models import Letterhead
from onestop.settlement.models import Payment
from tests.stages import signed_contract, stage_personas
from tests.test_settlement import approved, pay

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing"
)

LETTERHEAD = {
    "company_name": "卓越一站式技術服務有限公司",
    "address": "上海市浦東新區張江路 88 號",
    "phone": "021-5888 6666",
    "tax_id": "91310115MA1K4ABC2X",
    "seal_caption": "公司蓋章",
    "footer_note": "開戶行：招商銀行上海分行 賬號 1219 0888 0000 0001",
}


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture(autouse=True)
def pdf_cache(settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    return settings.PDF_CACHE_DIR


def png_logo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (180, 20, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()


def set_letterhead(client, admin, **changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    data = {**LETTERHEAD, **changes}
    if "logo_file" not in data:
        data["logo_file"] = SimpleUploadedFile("logo.png", png_logo(), content_type="image/png")
    return client.post(reverse("core:letterhead"), data)


def contract_pdf_url(contract) -> str:
    return reverse("core:document_pdf", args=["contracts.contract", contract.pk, "contract"])


def test_the_contract_pdf_prints_the_fee_grouped_and_in_capitals_under_the_letterhead(client, personas):
    assert set_letterhead(client, personas["admin"]).status_code == 302
    contract = signed_contract(personas, 1, fee=Decimal("800000.00"))
    client.force_login(personas["legal"])
    text = text_of(client.get(contract_pdf_url(contract)))
    assert "人民幣捌拾萬元整" in text
    assert "800,000.00" in text
    for value in (
        "卓越一站式技術服務有限公司",
        "張江路 88 號",
        "021-5888 6666",
        "91310115MA1K4ABC2X",
        "公司蓋章",
    ):
        assert value in text, value
    assert "招商銀行上海分行" in text  # the footer note, on every page


def test_the_settlement_pdf_prints_the_settlement_amount_in_capitals(client, personas):
    settlement = approved(personas, 2)  # one fee item of 300,000.00
    client.force_login(personas["finance"])
    url = reverse("core:document_pdf", args=["settlement.settlement", settlement.pk, "settlement"])
    text = text_of(client.get(url))
    assert "人民幣叄拾萬元整" in text and "300,000.00" in text


def test_a_payment_prints_as_a_receipt_with_its_amount_in_capitals(client, personas):
    settlement = approved(personas, 3)
    payment = pay(settlement.contract, personas, "120000.50", settlement=settlement)
    client.force_login(personas["finance"])
    page = client.get(payment.get_absolute_url())
    assert "人民幣壹拾貳萬元伍角整" in page.content.decode()
    url = reverse("core:document_pdf", args=["settlement.payment", payment.pk, "payment_receipt"])
    assert url in page.content.decode()  # the page links its PDF
    text = text_of(client.get(url))
    assert "人民幣壹拾貳萬元伍角整" in text and "120,000.50" in text
    assert settlement.contract.engagement.client.name in text


def test_the_client_downloads_the_receipt_of_money_it_paid_but_not_of_other_clients(client, personas):
    settlement = approved(personas, 4)
    payment = pay(settlement.contract, personas, "1000.10", settlement=settlement)
    url = reverse("core:document_pdf", args=["settlement.payment", payment.pk, "payment_receipt"])
    client.force_login(personas["client_a"])
    assert "人民幣壹仟元壹角整" in text_of(client.get(url))
    client.force_login(personas["client_b"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("language", "capitals"),
    [("zh-hant", "人民幣捌拾萬元整"), ("zh-hans", "人民币捌拾万元整"), ("en", "人民幣捌拾萬元整")],
)
def test_pages_write_the_capitals_in_the_readers_script_and_chinese_on_english_pages(
    client, personas, language, capitals
):
    contract = signed_contract(personas, 5, fee=Decimal("800000.00"))
    reader = personas["legal"]
    type(reader).objects.filter(pk=reader.pk).update(language=language)
    client.force_login(reader)
    body = client.get(contract.get_absolute_url()).content.decode()
    assert capitals in body and "800,000.00" in body


def test_the_pdf_is_chinese_whatever_the_readers_language(client, personas):
    contract = signed_contract(personas, 6, fee=Decimal("800000.00"))
    reader = personas["legal"]
    type(reader).objects.filter(pk=reader.pk).update(language="zh-hans")
    client.force_login(reader)
    assert "人民幣捌拾萬元整" in text_of(client.get(contract_pdf_url(contract)))


def test_only_a_system_administrator_may_change_the_letterhead(client, personas):
    url = reverse("core:letterhead")
    for name in ("legal", "finance", "client_a"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 403
        assert client.post(url, LETTERHEAD).status_code == 403
    assert not Letterhead.objects.exists()
    client.force_login(personas["admin"])
    page = client.get(reverse("home")).content.decode()
    assert url in page  # the System menu offers it


def test_a_logo_that_is_not_a_png_or_jpeg_is_refused_and_nothing_changes(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert set_letterhead(client, personas["admin"]).status_code == 302
    before = Letterhead.current()
    bad = SimpleUploadedFile(
        "logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png"
    )
    response = set_letterhead(client, personas["admin"], company_name="別的公司", logo_file=bad)
    assert response.status_code == 400
    assert "PNG or JPEG" in response.content.decode() or "PNG" in response.content.decode()
    after = Letterhead.current()
    assert after.company_name == before.company_name and bytes(after.logo) == bytes(before.logo)


def test_the_letterhead_keeps_its_history_and_can_drop_the_logo(client, personas):
    set_letterhead(client, personas["admin"])
    assert Letterhead.current().logo_type == "image/png"
    assert set_letterhead(client, personas["admin"], logo_file="", remove_logo="on").status_code == 302
    letterhead = Letterhead.current()
    assert letterhead.logo_type == "" and not bytes(letterhead.logo)
    assert letterhead.history.count() == 2
    assert letterhead.history.first().history_user == personas["admin"]


def test_a_pdf_is_typeset_once_and_served_from_the_cache_until_what_it_shows_changes(
    client, personas, monkeypatch, pdf_cache
):
    contract = signed_contract(personas, 7, fee=Decimal("800000.00"))
    typeset = []
    original = pdf._typeset
    monkeypatch.setattr(pdf, "_typeset", lambda html: typeset.append(1) or original(html))
    client.force_login(personas["legal"])
    first = client.get(contract_pdf_url(contract)).content
    second = client.get(contract_pdf_url(contract)).content
    assert first == second and len(typeset) == 1
    assert len(list(pdf_cache.glob("*.pdf"))) == 1
    # A new letterhead is a new PDF (the content and its hash are the same).
    set_letterhead(client, personas["admin"], company_name="新公司名稱有限公司")
    client.force_login(personas["legal"])
    third = client.get(contract_pdf_url(contract))
    assert len(typeset) == 2 and "新公司名稱有限公司" in text_of(third)
    # So is a change of the contract's terms.
    type(contract).objects.filter(pk=contract.pk).update(total_fee=Decimal("12345678.90"))
    assert "人民幣壹仟貳佰叄拾肆萬伍仟陸佰柒拾捌元玖角整" in text_of(client.get(contract_pdf_url(contract)))
    assert len(typeset) == 3


def test_a_broken_cache_folder_costs_speed_not_the_download(client, personas, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.PDF_CACHE_DIR = blocker / "pdf-cache"
    contract = signed_contract(personas, 8, fee=Decimal("800000.00"))
    client.force_login(personas["legal"])
    assert "人民幣捌拾萬元整" in text_of(client.get(contract_pdf_url(contract)))


def test_money_paid_out_prints_as_a_payment_voucher(client, personas, english):
    settlement = approved(personas, 9)
    pay(settlement.contract, personas, "300000.00", settlement=settlement)
    refund = pay(
        settlement.contract, personas, "10.05", direction=Payment.Direction.REFUND, paid_on=date(2026, 8, 1)
    )
    client.force_login(personas["finance"])
    url = reverse("core:document_pdf", args=["settlement.payment", refund.pk, "payment_receipt"])
    text = text_of(client.get(url))
    assert "人民幣壹拾元零伍分" in text and "10.05" in text


def test_acceptance_results_read_the_same_on_the_page_and_on_the_pdf(client, personas):
    from django.utils import translation

    from onestop.acceptance import services as acceptance
    from tests.test_acceptance import in_acceptance, record_all

    acceptance_round = in_acceptance(personas, 10)
    record_all(acceptance_round, personas["client_a"], passed=False)
    acceptance.add_problem(
        acceptance_round, actor=personas["client_a"], description="報表過慢", requirement="2 秒內"
    )
    acceptance.fill_report(
        acceptance_round, actor=personas["client_a"], conclusion="fail", summary="本輪驗收未通過"
    )
    with translation.override("zh-hant"):
        failed = translation.pgettext("inspection result", "Fail")  # 不合格
    client.force_login(personas["client_a"])  # reads the company's language, Traditional Chinese
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    url = reverse(
        "core:document_pdf", args=["acceptance.acceptanceround", acceptance_round.pk, "acceptance_report"]
    )
    text = text_of(client.get(url))
    assert failed in page and failed in text
    assert text.count(failed) >= 2  # each criterion's result and the conclusion


def test_the_demo_data_set_prints_its_forms_under_the_demo_company_letterhead(client, personas):
    from onestop.core.demo import load_letterhead

    load_letterhead()
    contract = signed_contract(personas, 11, fee=Decimal("800000.00"))
    client.force_login(personas["legal"])
    text = text_of(client.get(contract_pdf_url(contract)))
    assert "卓越一站式技術服務有限公司" in text and "人民幣捌拾萬元整" in text
