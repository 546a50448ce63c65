"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "plans.Plan",
        ("code", "title", "engagement__client__name"),
        subtitle=lambda p: p.engagement.client.name,
        select_related=("engagement__client",),
        icon="journal-text",
    ),
]
