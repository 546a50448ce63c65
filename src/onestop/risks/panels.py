"""The risk panels of other pages (core/panels.py asks every company app's ``panels.py``): the
project's risks and warnings, and the risks a contract's clauses transfer (RSK-1)."""

from onestop.risks.heatmap import panel
from onestop.risks.models import Risk


def project(project, user) -> list[dict]:
    found = panel(project, user)
    return [found] if found else []


def contract(contract, user) -> list[dict]:
    """The risks this contract's clauses transfer, for whoever may see them (one query)."""
    if user.client_organization_id is not None or not user.has_perm("risks.view_risk"):
        return []
    risks = list(
        Risk.objects.visible_to(user)
        .filter(transfer_contract=contract)
        .select_related("owner")
        .order_by("code")[:50]
    )
    if not risks:
        return []
    return [{"template": "risks/_contract_panel.html", "risks": risks}]
