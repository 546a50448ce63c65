"""The 《一站式技術服務費用結算申請表》 as a signed form (FEE-1, FEE-2, X-5): the fee items, the
amount, the payment method, the acceptance report and the invoice, signed by finance."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.settlement.models import Payment, Settlement
from onestop.settlement.services import after_signed


@signatures.register
class SettlementDocument(signatures.FormDocument):
    code = "settlement"
    title = _("One-stop technical service fee settlement application form")
    model = Settlement
    template_name = "settlement/forms/settlement.html"
    roles = {"finance": _("Finance (review)")}
    signed_from_panel = False  # the settlement page's "approve" button is this signature

    def version(self, settlement) -> int:
        return settlement.version

    def context(self, settlement) -> dict:
        return {"object": settlement, "items": list(settlement.items.select_related("instalment"))}

    def may_sign(self, user, settlement, role: str) -> bool:
        return settlement.state == Settlement.State.SUBMITTED and user.has_perm(
            "settlement.review_settlement", settlement
        )

    def signed(self, settlement, signature, *, actor) -> None:
        after_signed(settlement, signature, actor=actor)


def settlement_form() -> SettlementDocument:
    return signatures.get_document(SettlementDocument.code)


@signatures.register
class PaymentReceiptDocument(signatures.FormDocument):
    """The printed record of a payment (FEE-3): a receipt (收款收據) for money received from the
    client, a payment voucher (付款憑證) for money paid out — the amount in figures and in
    capitals, under the company's letterhead with the seal box. Nobody signs it in the system:
    it is stamped with the company seal on paper."""

    code = "payment_receipt"
    title = _("Receipt / payment voucher")
    model = Payment
    template_name = "settlement/forms/payment_receipt.html"
    roles: dict = {}

    def context(self, payment) -> dict:
        return {"object": payment}

    def may_sign(self, user, payment, role: str) -> bool:
        return False
