"""The commendation certificate (嘉獎證書, HR-9) as a printable Chinese PDF."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.people.models import ResultAction


@signatures.register
class CommendationCertificate(signatures.FormDocument):
    code = "commendation_certificate"
    title = _("Commendation certificate")
    model = ResultAction
    template_name = "people/forms/commendation_certificate.html"
    roles = {}  # printed and handed over, not signed in the system

    def context(self, action) -> dict:
        return {"object": action, "employee": action.employee, "cycle": action.appraisal.cycle}
