"""The acceptance forms (ACC-1, ACC-3, X-5): the application (《一站式技術服務驗收申請單》, printed)
and the acceptance report (《一站式技術服務驗收報告》), signed by the client — optionally also by
the project lead — whose client signature on a “pass” report passes the round."""

from django.utils.translation import gettext_lazy as _

from onestop.acceptance.models import AcceptanceRound, Conclusion, Method
from onestop.acceptance.rules import team_user_ids
from onestop.acceptance.services import after_report_signed
from onestop.core import signatures


@signatures.register
class AcceptanceApplicationDocument(signatures.FormDocument):
    code = "acceptance_application"
    title = _("One-stop technical service acceptance application")
    model = AcceptanceRound
    template_name = "acceptance/forms/application.html"
    roles = {"project_lead": _("Project lead")}

    def version(self, acceptance_round) -> int:
        return 1

    def context(self, acceptance_round) -> dict:
        return {
            "object": acceptance_round,
            "project": acceptance_round.project,
            "deliverables": list(acceptance_round.deliverables.all()),
        }

    def may_sign(self, user, acceptance_round, role: str) -> bool:
        """The project lead signs the application submitted to the client; it is then frozen."""
        return user.client_organization_id is None and user.pk == acceptance_round.project.project_lead_id


@signatures.register
class AcceptanceReportDocument(signatures.FormDocument):
    code = "acceptance_report"
    title = _("One-stop technical service acceptance report")
    model = AcceptanceRound
    template_name = "acceptance/forms/report.html"
    roles = {"client": _("Client (acceptance team)"), "project_lead": _("Project lead")}

    def version(self, acceptance_round) -> int:
        return 1

    def context(self, acceptance_round) -> dict:
        criteria = list(acceptance_round.criteria.prefetch_related("results"))
        methods = [
            (value, label)
            for value, label in Method.choices
            if any(r.method == value for c in criteria for r in c.results.all())
        ]
        rows = []
        for criterion in criteria:
            by_method = {r.method: r for r in criterion.results.all()}
            rows.append((criterion, [by_method.get(value) for value, _label in methods]))
        return {
            "object": acceptance_round,
            "project": acceptance_round.project,
            "team": list(acceptance_round.team.select_related("user")),
            "methods": methods,
            "rows": rows,
            "problems": list(acceptance_round.problems.all()),
            "conclusion_label": dict(Conclusion.choices).get(acceptance_round.report_conclusion, ""),
        }

    def may_sign(self, user, acceptance_round, role: str) -> bool:
        if not user.has_perm("acceptance.sign_acceptanceround", acceptance_round):
            return False
        if acceptance_round.report_conclusion != Conclusion.PASS:
            return False
        if role == "client":
            return (
                acceptance_round.state == AcceptanceRound.State.IN_ACCEPTANCE
                and user.client_organization_id == acceptance_round.project.engagement.client_id
                and user.pk in team_user_ids(acceptance_round)
            )
        return (
            acceptance_round.state in (AcceptanceRound.State.IN_ACCEPTANCE, AcceptanceRound.State.PASSED)
            and user.client_organization_id is None
            and user.pk == acceptance_round.project.project_lead_id
        )

    def signed(self, acceptance_round, signature, *, actor) -> None:
        after_report_signed(acceptance_round, signature, actor=actor)


def application_form() -> AcceptanceApplicationDocument:
    return signatures.get_document(AcceptanceApplicationDocument.code)


def report_form() -> AcceptanceReportDocument:
    return signatures.get_document(AcceptanceReportDocument.code)
