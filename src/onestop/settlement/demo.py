"""Demo data of fee settlement (FEE-1..3), written through the real services: for the first demo
project whose acceptance passed, a settlement returned once for a wrong invoice amount, corrected
and approved with finance's signature, and a first partial payment; for ageing, a payment on a
further signed contract. Without an accepted project nothing is added."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onestop.acceptance.selectors import passed_round
from onestop.accounts.demo import DEMO_PASSWORD  # signing asks the signer's password (core.reauth)
from onestop.accounts.models import User
from onestop.contracts.models import Contract
from onestop.core.roles import Role
from onestop.projects.models import Project
from onestop.settlement import services
from onestop.settlement.models import Payment, PaymentMethod, Settlement
from onestop.settlement.states import CONTRACTS_IN_FORCE

INVOICE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _invoice(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, INVOICE_PDF, content_type="application/pdf")


def _finance() -> User | None:
    return User.objects.filter(username="fin.song").first() or User.objects.with_role(Role.FINANCE).first()


def load(actor=None) -> None:
    finance = _finance()
    if finance is None:
        return
    today = timezone.localdate()
    project = next(
        (
            p
            for p in Project.objects.select_related("contract", "project_lead").order_by("code")
            if passed_round(p) is not None and not Settlement.objects.filter(contract=p.contract).exists()
        ),
        None,
    )
    if project is not None:
        lead = project.project_lead
        settlement = services.apply(
            project.contract,
            actor=lead,
            payment_method=PaymentMethod.BANK_TRANSFER,
            description="已按合同完成全部服務內容，驗收報告經客戶簽字確認。",
        )
        amount = settlement.amount
        # The first invoice was typed with a wrong amount; finance returns the application.
        services.attach_invoice(
            settlement,
            actor=lead,
            number="FP-2026-0318",
            issued_on=today - timedelta(days=6),
            amount=amount - Decimal("1000.00"),
            upload=_invoice("發票-FP-2026-0318.pdf"),
        )
        services.submit(settlement, actor=lead, comment="請財務部審核。")
        services.return_to_lead(
            settlement, actor=finance, comment="發票金額與結算金額不符，請重開發票並更新附件。"
        )
        services.attach_invoice(
            settlement,
            actor=lead,
            number="FP-2026-0325",
            issued_on=today - timedelta(days=4),
            amount=amount,
            upload=_invoice("發票-FP-2026-0325.pdf"),
        )
        services.submit(settlement, actor=lead, comment="已重開發票。")
        services.approve(settlement, actor=finance, password=DEMO_PASSWORD)
        first = (amount * Decimal("0.4")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        services.record_payment(
            project.contract,
            actor=finance,
            direction=Payment.Direction.RECEIVED,
            paid_on=today - timedelta(days=1),
            amount=first,
            method=PaymentMethod.BANK_TRANSFER,
            reference="招商銀行 回單 20260318-0042",
            note="客戶分期付款，首期 40%。",
            settlement=settlement,
        )
    # Ageing: a first payment on another signed contract, the rest still outstanding.
    other = (
        Contract.objects.filter(state__in=CONTRACTS_IN_FORCE, payments__isnull=True)
        .exclude(settlements__isnull=False)
        .order_by("code")
        .first()
    )
    if other is not None:
        services.record_payment(
            other,
            actor=finance,
            direction=Payment.Direction.RECEIVED,
            paid_on=today - timedelta(days=40),
            amount=(other.total_fee * Decimal("0.3")).quantize(Decimal("0.01")),
            method=PaymentMethod.BANK_TRANSFER,
            reference="工商銀行 回單 0417",
            note="預付款 30%。",
        )
