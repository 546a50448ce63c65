"""The service contract as a signed form (CON-1, CON-3, X-5): rendered from the template's
clauses and the contract's terms, signed by the company's representative and the client."""

from django.utils.translation import gettext_lazy as _

from onestop.contracts.models import Contract
from onestop.contracts.services import after_contract_signed, check_signing_authority, render_contract_clauses
from onestop.core import signatures


@signatures.register
class ContractDocument(signatures.FormDocument):
    code = "contract"
    title = _("Technical service contract")
    model = Contract
    template_name = "contracts/forms/contract.html"
    roles = {"company": _("For the company (authorized representative)"), "client": _("Client")}

    def version(self, contract) -> int:
        return contract.version

    def context(self, contract) -> dict:
        return {
            "object": contract,
            "clauses": render_contract_clauses(contract),
            "instalments": list(contract.instalments.all()),
        }

    def may_sign(self, user, contract, role: str) -> bool:
        """The client signs through a user of its organisation; the company through a staff
        member holding a signing authorization — whether it covers this contract (amount,
        currency, date) is checked when the signature is given (``signed`` below)."""
        if contract.state != Contract.State.APPROVED or not user.has_perm(
            "contracts.sign_contract", contract
        ):
            return False
        if role == "client":
            return user.client_organization_id == contract.engagement.client_id
        return user.client_organization_id is None and user.signing_authorizations.exists()

    def signed(self, contract, signature, *, actor) -> None:
        if signature.role == "company":
            # CON-3: outside the signer's authorization the signature is refused (rolled back).
            check_signing_authority(actor, contract.total_fee, currency=contract.currency)
        after_contract_signed(contract, signature, actor=actor)


def contract_form() -> ContractDocument:
    return signatures.get_document(ContractDocument.code)
