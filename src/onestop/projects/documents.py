"""The printable progress table 《一站式技術服務項目進度表》 (PRJ-2, X-5), through core.signatures."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.projects import services
from onestop.projects.models import ProgressReport

# The form's official name in the policy; printed on the PDF and the Excel sheet in any language.
FORM_NAME = "一站式技術服務項目進度表"


@signatures.register
class ProgressReportDocument(signatures.FormDocument):
    code = "progress_report"
    title = _("One-stop technical service project progress table")
    model = ProgressReport
    template_name = "projects/forms/progress_report.html"
    roles = {}  # submitted and reviewed by the lead's transitions; names and dates are printed

    def version(self, report) -> int:
        return 1

    def context(self, report) -> dict:
        rows = list(report.rows.select_related("filled_by").order_by("position", "pk"))
        return {
            "object": report,
            "project": report.project,
            "rows": rows,
            "summary": services.project_variance(rows),
            "form_name": FORM_NAME,
        }

    def may_sign(self, user, report, role: str) -> bool:
        return False
