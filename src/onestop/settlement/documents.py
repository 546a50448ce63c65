"""The 《一站式技術服務費用結算申請表》 as a signed form (FEE-1, FEE-2, X-5): the fee items, the
amount, the payment method, the acceptance report and the invoice, signed by finance."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.settlement.models import Settlement


@signatures.register
class SettlementDocument(signatures.FormDocument):
    code = "settlement"
    title = _("One-stop technical service fee settlement application form")
    model = Settlement
    template_name = "settlement/forms/settlement.html"
    roles = {"finance": _("Finance (review)")}

    def version(self, settlement) -> int:
        return settlement.version

    def context(self, settlement) -> dict:
        return {"object": settlement, "items": list(settlement.items.select_related("instalment"))}

    def may_sign(self, user, settlement, role: str) -> bool:
        return settlement.state == Settlement.State.SUBMITTED and user.has_perm(
            "settlement.review_settlement", settlement
        )

    def signed(self, settlement, signature, *, actor) -> None:
        from onestop.settlement.services import after_signed

        after_signed(settlement, signature, actor=actor)


def settlement_form() -> SettlementDocument:
    return signatures.get_document(SettlementDocument.code)
