"""Questions about a contract's money (FEE-2, FEE-3) and the engagement's settlement (closing).

``balance`` is the one formula: contract value + approved changes − received + paid out.
``calculation`` is the system's own figure finance compares with a settlement application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.acceptance.selectors import passed_round
from onestop.contracts.models import Contract
from onestop.coordination.selectors import approved_change_amount, approved_change_amounts
from onestop.projects.models import Milestone
from onestop.settlement.models import Payment, Settlement, SettlementItem, WriteOff
from onestop.settlement.states import CONTRACTS_IN_FORCE

ZERO = Decimal("0.00")


def approved_changes(contract) -> Decimal:
    """The approved change amount of ``contract`` (PRJ-3 change requests)."""
    return Decimal(approved_change_amount(contract) or ZERO)


@dataclass
class Balance:
    contract_value: Decimal
    approved_changes: Decimal
    received: Decimal
    paid_out: Decimal
    written_off: Decimal = ZERO

    @property
    def receivable(self) -> Decimal:
        """Contract value plus approved changes: what the client owes in all."""
        return self.contract_value + self.approved_changes

    @property
    def balance(self) -> Decimal:
        return self.contract_value + self.approved_changes - self.received + self.paid_out

    @property
    def outstanding(self) -> Decimal:
        """What is still to be collected after any write-off (never below zero)."""
        return max(self.balance - self.written_off, ZERO)

    @property
    def room(self) -> Decimal:
        """How much more may be received before the receivable is exceeded."""
        return self.receivable - self.received


def payment_totals(contract) -> tuple[Decimal, Decimal]:
    totals = Payment.objects.filter(contract=contract).aggregate(
        received=Sum("amount", filter=Q(direction=Payment.Direction.RECEIVED)),
        paid_out=Sum("amount", filter=~Q(direction=Payment.Direction.RECEIVED)),
    )
    return totals["received"] or ZERO, totals["paid_out"] or ZERO


def balance(contract) -> Balance:
    received, paid_out = payment_totals(contract)
    write_off = WriteOff.objects.filter(contract=contract).values_list("amount", flat=True).first()
    return Balance(
        contract_value=contract.total_fee,
        approved_changes=approved_changes(contract),
        received=received,
        paid_out=paid_out,
        written_off=write_off or ZERO,
    )


def settled_instalment_ids(contract, exclude=None) -> set[int]:
    """Instalments already covered by a settlement (other than ``exclude``) of the contract."""
    items = SettlementItem.objects.filter(settlement__contract=contract, instalment__isnull=False)
    own = Settlement.objects.filter(contract=contract, instalment__isnull=False)
    if exclude is not None:
        items = items.exclude(settlement=exclude)
        own = own.exclude(pk=exclude.pk)
    return set(items.values_list("instalment_id", flat=True)) | set(
        own.values_list("instalment_id", flat=True)
    )


def settled_amount(contract, exclude=None) -> Decimal:
    """The total of the contract's approved settlements (other than ``exclude``)."""
    rows = SettlementItem.objects.filter(
        settlement__contract=contract, settlement__state=Settlement.State.APPROVED
    )
    if exclude is not None:
        rows = rows.exclude(settlement=exclude)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass
class Calculation:
    """FEE-2: the system's figure for a settlement next to what the lead declared."""

    contract_value: Decimal
    approved_changes: Decimal
    already_settled: Decimal
    instalments: list = field(default_factory=list)
    expected: Decimal = ZERO
    declared: Decimal = ZERO
    invoice_amount: Decimal | None = None

    @property
    def remaining(self) -> Decimal:
        return self.contract_value + self.approved_changes - self.already_settled

    @property
    def difference(self) -> Decimal:
        return self.declared - self.expected

    @property
    def invoice_difference(self) -> Decimal | None:
        return None if self.invoice_amount is None else self.invoice_amount - self.declared

    @property
    def consistent(self) -> bool:
        return self.difference == 0 and self.invoice_difference == 0


def calculation(settlement) -> Calculation:
    contract = settlement.contract
    changes = approved_changes(contract)
    settled = settled_amount(contract, exclude=settlement)
    if settlement.instalment_id:
        instalments = [settlement.instalment]
        expected = settlement.instalment.amount
    else:
        covered = settled_instalment_ids(contract, exclude=settlement)
        instalments = [i for i in contract.instalments.all() if i.pk not in covered]
        expected = contract.total_fee + changes - settled
    return Calculation(
        contract_value=contract.total_fee,
        approved_changes=changes,
        already_settled=settled,
        instalments=instalments,
        expected=expected,
        declared=settlement.amount,
        invoice_amount=settlement.invoice_amount,
    )


def is_settled(engagement) -> bool:
    """True when the engagement's fees are settled (FEE-3): the contract has settlements, all
    approved by finance, and its balance is paid in full (≤ 0) or written off."""
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        return False
    states = set(Settlement.objects.filter(contract=contract).values_list("state", flat=True))
    if not states or states != {Settlement.State.APPROVED}:
        return False
    if WriteOff.objects.filter(contract=contract).exists():
        return True
    return balance(contract).balance <= 0


def closing_blockers(engagement) -> list[str]:
    """What still keeps ``engagement`` open (X-1, X-2), as messages; empty when it may close:
    the project's acceptance has passed and the fees are paid in full or written off."""
    project = getattr(engagement, "project", None) if engagement.pk else None
    blockers = []
    if project is None or passed_round(project) is None:
        blockers.append(_("The project's acceptance has not passed yet."))
    if not is_settled(engagement):
        blockers.append(_("The fees are not yet paid in full or written off."))
    return blockers


# --- ageing of receivables -----------------------------------------------------------------

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")


def bucket_for(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def ageing_rows(contracts, today: date, *, changes=None, received=None, paid_out=None, milestone_dates=None):
    """Outstanding amounts per contract by days past due.

    The money received (net of refunds and other money paid out) pays the instalments in the
    order of the schedule; what remains of each instalment ages from its due date (an
    instalment tied to a milestone: the milestone's planned date; none known: current).
    Approved changes are current. Contracts written off are left out.
    """
    rows = []
    for contract in contracts:
        value = dict.fromkeys(BUCKETS, ZERO)
        paid = (received or {}).get(contract.pk, ZERO) - (paid_out or {}).get(contract.pk, ZERO)
        instalments = sorted(contract.instalments.all(), key=lambda i: i.number)
        dues = []
        for instalment in instalments:
            due = instalment.due_date or (milestone_dates or {}).get((contract.pk, instalment.milestone))
            dues.append((due, instalment.amount))
        scheduled = sum((amount for _due, amount in dues), ZERO)
        extra = contract.total_fee - scheduled  # a schedule short of the contract value: current
        change = (changes or {}).get(contract.pk, ZERO)
        for due, amount in [*dues, (None, extra + change)]:
            if amount <= 0:
                paid -= amount
                continue
            covered = min(max(paid, ZERO), amount)
            paid -= covered
            left = amount - covered
            if left > 0:
                days = (today - due).days if due else 0
                value[bucket_for(days)] += left
        total = sum(value.values(), ZERO)
        if total > 0:
            rows.append({"contract": contract, "buckets": value, "total": total})
    return rows


def ageing(today: date | None = None, contracts=None):
    """The ageing table of receivables: rows per contract, totals per bucket (fixed queries)."""
    today = today or timezone.localdate()
    if contracts is None:
        contracts = Contract.objects.all()
    contracts = list(
        contracts.filter(state__in=CONTRACTS_IN_FORCE, write_off__isnull=True)
        .select_related("engagement__client")
        .prefetch_related("instalments")
        .order_by("engagement__client__name", "code")
    )
    ids = [c.pk for c in contracts]
    received, paid_out = {}, {}
    for row in (
        Payment.objects.filter(contract_id__in=ids)
        .values("contract_id", "direction")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        target = received if row["direction"] == Payment.Direction.RECEIVED else paid_out
        target[row["contract_id"]] = target.get(row["contract_id"], ZERO) + row["total"]
    milestone_dates = {
        (m["project__contract_id"], m["name"]): m["planned_date"]
        for m in Milestone.objects.filter(project__contract_id__in=ids).values(
            "project__contract_id", "name", "planned_date"
        )
    }

    found = approved_change_amounts(ids)
    changes = {pk: Decimal(found.get(pk, ZERO)) for pk in ids}
    rows = ageing_rows(
        contracts,
        today,
        changes=changes,
        received=received,
        paid_out=paid_out,
        milestone_dates=milestone_dates,
    )
    totals = {name: sum((row["buckets"][name] for row in rows), ZERO) for name in BUCKETS}
    return rows, totals, sum(totals.values(), ZERO)
