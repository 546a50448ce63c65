"""The 《一站式技術服務需求確認單》 (INT-3, X-5): the agreed terms, signed by client and technician."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.engagements.models import Engagement
from onestop.engagements.services import after_confirmation_signed


@signatures.register
class ConfirmationForm(signatures.FormDocument):
    code = "confirmation"
    title = _("One-stop technical service requirement confirmation form")
    model = Engagement
    template_name = "engagements/forms/confirmation.html"
    roles = {"client": _("Client"), "technician": _("Technician")}

    def version(self, engagement) -> int:
        return engagement.form_version

    def context(self, engagement) -> dict:
        return {"object": engagement, "terms": engagement.agreed_proposal}

    def may_sign(self, user, engagement, role: str) -> bool:
        if engagement.agreed_proposal_id is None or engagement.stage != Engagement.Stage.CONFIRMATION:
            return False
        if role == "client":
            return user.client_organization_id == engagement.client_id and user.has_perm(
                "engagements.sign_engagement", engagement
            )
        return user.pk == engagement.technician_id and user.has_perm(
            "engagements.sign_engagement", engagement
        )

    def signed(self, engagement, signature, *, actor) -> None:
        after_confirmation_signed(engagement, signature, actor=actor)


def confirmation_form() -> ConfirmationForm:
    return signatures.get_document(ConfirmationForm.code)
