"""The honour certificate (榮譽證書, HR-9) of an approved recognition, as a printable Chinese PDF."""

from django.utils.translation import gettext_lazy as _

from onestop.careers.models import Recognition
from onestop.core import signatures


@signatures.register
class RecognitionCertificate(signatures.FormDocument):
    code = "recognition_certificate"
    title = _("Honour certificate")
    model = Recognition
    template_name = "careers/forms/recognition_certificate.html"
    roles = {}  # printed and handed over, not signed in the system

    def context(self, recognition) -> dict:
        return {"object": recognition, "employee": recognition.employee}
