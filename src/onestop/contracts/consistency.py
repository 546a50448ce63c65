"""The automatic consistency check of CON-2: a contract's terms against the reference terms.

The reference is what was agreed before the contract: the signed confirmation form (fee,
currency, service period, service content) and the effective plan (milestones, scope,
quality standard, acceptance method). ``compare`` lists every difference; the business
review cannot pass while a difference is neither corrected nor explicitly justified.

Pure functions over plain values (no database), so they can be tested exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ERROR = "error"  # money, dates, scope: must be corrected or justified
WARNING = "warning"  # wording (quality standard, acceptance method): check and justify


@dataclass(frozen=True)
class Instalment:
    amount: Decimal
    due_date: date | None = None
    milestone: str = ""


@dataclass(frozen=True)
class Milestone:
    name: str
    due_date: date | None = None


@dataclass
class Terms:
    """The terms compared; a reference value of ``None`` (or empty) means "not stated there"."""

    total_fee: Decimal | None = None
    currency: str = ""
    payment_schedule: list[Instalment] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    scope_items: list[str] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    quality_standard: str = ""
    acceptance_method: str = ""


@dataclass(frozen=True)
class Difference:
    field: str  # a stable key, e.g. "total_fee" or "milestone:現場調研"
    label: str
    contract_value: str
    reference_value: str
    severity: str = ERROR

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "label": str(self.label),
            "contract_value": self.contract_value,
            "reference_value": self.reference_value,
            "severity": self.severity,
        }


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def schedule_total(schedule: list[Instalment]) -> Decimal:
    return sum((Decimal(item.amount) for item in schedule), Decimal("0"))


def compare(contract: Terms, reference: Terms) -> list[Difference]:
    """Every difference between the contract's terms and the reference terms, in a fixed order."""
    found: list[Difference] = []

    def add(key, label, ours, theirs, severity=ERROR):
        found.append(Difference(key, label, _text(ours), _text(theirs), severity))

    # Fees: the total as agreed, the currency, and the schedule adding up to the total.
    if reference.total_fee is not None and contract.total_fee != reference.total_fee:
        add("total_fee", _("Total fee"), contract.total_fee, reference.total_fee)
    if reference.currency and contract.currency.upper() != reference.currency.upper():
        add("currency", _("Currency"), contract.currency, reference.currency)
    total = schedule_total(contract.payment_schedule)
    if contract.total_fee is None or total != contract.total_fee:
        add(
            "payment_schedule",
            _("Payment schedule sum (against the contract's total fee)"),
            total,
            contract.total_fee,
        )

    # Term.
    if reference.period_start is not None and contract.period_start != reference.period_start:
        add("period_start", _("Service period from"), contract.period_start, reference.period_start)
    if reference.period_end is not None and contract.period_end != reference.period_end:
        add("period_end", _("Service period to"), contract.period_end, reference.period_end)

    # Scope items: the same items, whatever their order.
    ours = {_norm(item) for item in contract.scope_items if _norm(item)}
    theirs = {_norm(item) for item in reference.scope_items if _norm(item)}
    if not theirs:
        ours = set()  # the reference states no scope items: nothing to compare
    for item in sorted(theirs - ours):
        add(f"scope:{item}", _("Scope item missing from the contract"), "", item)
    for item in sorted(ours - theirs):
        add(f"scope:{item}", _("Scope item not in the plan or confirmation"), item, "")

    # Milestones: by name, with their dates.
    our_milestones = {_norm(m.name): m for m in contract.milestones}
    their_milestones = {_norm(m.name): m for m in reference.milestones}
    for name, milestone in their_milestones.items():
        if name not in our_milestones:
            add(
                f"milestone:{name}",
                _("Milestone missing from the contract"),
                "",
                f"{name} {_text(milestone.due_date)}",
            )
        elif our_milestones[name].due_date != milestone.due_date:
            add(
                f"milestone:{name}",
                _("Milestone date of “%(name)s”") % {"name": name},
                our_milestones[name].due_date,
                milestone.due_date,
            )
    for name, milestone in our_milestones.items():
        if their_milestones and name not in their_milestones:
            add(
                f"milestone:{name}", _("Milestone not in the plan"), f"{name} {_text(milestone.due_date)}", ""
            )

    # Instalments tied to a milestone must name one of the contract's milestones.
    for index, instalment in enumerate(contract.payment_schedule, start=1):
        if instalment.milestone and _norm(instalment.milestone) not in our_milestones:
            add(
                f"instalment:{index}",
                _("Instalment %(number)s is tied to an unknown milestone") % {"number": index},
                instalment.milestone,
                "",
            )

    # Wording.
    if _norm(reference.quality_standard) and _norm(contract.quality_standard) != _norm(
        reference.quality_standard
    ):
        add(
            "quality_standard",
            _("Quality standard"),
            contract.quality_standard,
            reference.quality_standard,
            WARNING,
        )
    if _norm(reference.acceptance_method) and _norm(contract.acceptance_method) != _norm(
        reference.acceptance_method
    ):
        add(
            "acceptance_method",
            _("Acceptance method"),
            contract.acceptance_method,
            reference.acceptance_method,
            WARNING,
        )
    return found
