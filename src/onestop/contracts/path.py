"""The contract on the engagement's path (CON-1..3, X-1): from its draft to both signatures, and
who holds the ball meanwhile — legal drafting, the legal and the business review, the client's
and the company's signatories. The parts are described in plans/path.py."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.contracts.models import Contract
from onestop.contracts.states import ContractState as State
from onestop.core.models import Signature
from onestop.core.roles import Role
from onestop.engagements.ball import Ball, Done

PHASE = "contract"
LABEL = gettext_lazy("Contract")
IN_FORCE = (State.SIGNED, State.ARCHIVED)


def span(engagement):
    row = Contract.objects.filter(engagement=engagement).values_list("created_at", "signed_at").first()
    return row or (None, None)


def done():
    return Exists(Contract.objects.filter(engagement=OuterRef("pk"), state__in=IN_FORCE))


def fetch(pks) -> dict:
    """Each engagement's contract; an approved one with ``signed_roles``: the roles that have
    signed its current version."""
    contracts = {
        contract.engagement_id: contract
        for contract in Contract.objects.filter(engagement_id__in=pks).select_related("drafter")
    }
    approved = {c.pk: c for c in contracts.values() if c.state == State.APPROVED}
    for contract in approved.values():
        contract.signed_roles = set()
    if approved:
        rows = Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(Contract),
            object_id__in=list(approved),
            document="contract",
        ).values_list("object_id", "version", "role")
        for pk, version, role in rows:
            if approved[pk].version == version:
                approved[pk].signed_roles.add(role)
    return contracts


def waiting(engagement, rows, since):
    contract = rows[PHASE]
    if contract is None:
        return Ball.to_start(
            _("Draft the contract"),
            since,
            "contracts:contract_add",
            for_={"engagement": engagement.pk},
            role=Role.LEGAL,
        )
    url = contract.get_absolute_url()
    if contract.state in (State.DRAFT, State.RETURNED):
        step = (
            _("Draft the contract") if contract.state == State.DRAFT else _("Correct the returned contract")
        )
        return Ball(step, contract.updated_at, url, person=contract.drafter, role=Role.LEGAL)
    if contract.state == State.IN_REVIEW:
        if contract.legal_passed_at is None:
            return Ball(_("Legal review of the contract"), contract.submitted_at, url, role=Role.LEGAL)
        return Ball(_("Business review of the contract"), contract.legal_passed_at, url, role=Role.MANAGEMENT)
    if contract.state == State.APPROVED:
        if "client" not in contract.signed_roles:
            return Ball(_("Sign the contract"), contract.approved_at, url, client=engagement.client)
        return Ball(_("Sign the contract for the company"), contract.approved_at, url, signatory=True)
    # Signed: the project starts; archiving the original runs beside it (contracts/work.py).
    return Done(contract.updated_at)
