"""The printable service plan with its review summary (PLN-1..3, X-5), through core.signatures."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.plans import services
from onestop.plans.models import Plan


@signatures.register
class PlanDocument(signatures.FormDocument):
    code = "service_plan"
    title = _("One-stop technical service plan")
    model = Plan
    template_name = "plans/forms/plan.html"
    roles = {}  # approved by management's transition (PlanApproval), not by signing the print

    def version(self, plan) -> int:
        latest = plan.latest_version
        return latest.number if latest else 1

    def context(self, plan) -> dict:
        version = plan.latest_version
        criteria = version.criteria_set.criterion_list() if version and version.criteria_set_id else []
        reviews = list(version.reviews.select_related("reviewer")) if version else []
        return {
            "object": plan,
            "version": version,
            "criteria": criteria,
            "reviews": [(review, [review.scores.get(c.code, "—") for c in criteria]) for review in reviews],
            "decision": services.decision_for(version, reviews) if version and version.decided_at else None,
            "approvals": list(version.approvals.select_related("approver")) if version else [],
            "submitted_by": services.submitters([version]).get(version.pk) if version else None,
        }

    def may_sign(self, user, plan, role: str) -> bool:
        return False
