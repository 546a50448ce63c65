"""Contract events for the engagement's timeline (X-1): drafting, every state change and every
signature of the contract. Hook: ``events.extend(Event(**e) for e in contract_events(engagement, user))``
in engagements/timeline.py, as plans/timeline.py does."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.contracts.documents import contract_form
from onestop.contracts.models import Contract
from onestop.core import signatures
from onestop.core.workflow import transition_log
from onestop.engagements.records import records_of

ICONS = {
    "submit": "send",
    "approve": "check2-circle",
    "return_to_drafter": "arrow-return-left",
    "revise": "pencil",
    "complete_signing": "pen",
    "archive": "archive",
}


def contract_events(engagement, user) -> list[dict]:
    """Events as keyword dicts for engagements.timeline.Event, for those who see the contract."""
    contract = (
        Contract.objects.visible_to(user).filter(engagement=engagement).select_related("drafter").first()
    )
    if contract is None or not user.has_perm("contracts.view_contract", contract):
        return []
    events = [
        {
            "at": contract.created_at,
            "kind": "contract",
            "title": _("Contract %(code)s drafted") % {"code": contract.code},
            "who": contract.drafter,
            "icon": "file-earmark-text",
        }
    ]
    for row in transition_log(contract):
        events.append(
            {
                "at": row.timestamp,
                "kind": "contract",
                "title": _("Contract %(code)s: %(state)s")
                % {"code": contract.code, "state": contract.state_label(row.state)},
                "who": row.by,
                "detail": row.description or "",
                "icon": ICONS.get(row.transition, "dot"),
            }
        )

    roles = contract_form().roles
    for signature in signatures.signatures_for(contract):
        events.append(
            {
                "at": signature.signed_at,
                "kind": "signature",
                "title": _("Contract %(code)s version %(version)s signed as %(role)s")
                % {
                    "code": contract.code,
                    "version": signature.version,
                    "role": roles.get(signature.role, signature.role),
                },
                "who": signature.signer,
                "icon": "pen",
            }
        )
    return events


def records(engagement, user) -> list:
    """The contract on the engagement's records panel (engagements/records.py); one query."""
    return records_of(
        Contract, user, engagement=engagement, title=lambda c: c.code, icon="file-earmark-ruled"
    )
