"""Read-only questions other apps ask about coordination records."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from onestop.coordination.models import ChangeRequest


def approved_change_amount(contract) -> Decimal:
    """The sum of the fee changes of the approved (or implemented) change requests of the
    contract's project; ``Decimal("0")`` when there are none. Used by the fee settlement."""
    total = ChangeRequest.objects.filter(
        project__contract=contract, state__in=ChangeRequest.APPROVED_STATES
    ).aggregate(total=Sum("fee_change"))["total"]
    return total if total is not None else Decimal("0")


def approved_change_amounts(contract_ids) -> dict[int, Decimal]:
    """``approved_change_amount`` for many contracts in one query: {contract id: amount}."""
    rows = (
        ChangeRequest.objects.filter(
            project__contract_id__in=list(contract_ids), state__in=ChangeRequest.APPROVED_STATES
        )
        .values("project__contract_id")
        .annotate(total=Sum("fee_change"))
        .order_by()
    )
    return {row["project__contract_id"]: row["total"] or Decimal("0") for row in rows}
