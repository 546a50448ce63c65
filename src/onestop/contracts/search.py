"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "contracts.Contract",
        ("code", "engagement__title", "engagement__client__name", "archive_number"),
        subtitle=lambda c: f"{c.engagement.client.name} · {c.get_state_display()}",
        select_related=("engagement__client",),
        icon="file-earmark-text",
    ),
]
