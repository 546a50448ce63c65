"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "settlement.Settlement",
        ("code", "invoice_number", "contract__code", "contract__engagement__client__name"),
        subtitle=lambda s: (
            f"{s.contract.code} · {s.contract.engagement.client.name} · {s.get_state_display()}"
        ),
        select_related=("contract__engagement__client",),
        icon="cash-coin",
    ),
]
