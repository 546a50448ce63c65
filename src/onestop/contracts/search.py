"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "contracts.Contract",
        ("code", "archive_number"),
        # Its engagement's number, title, client, contact and needs, through their index.
        through="engagement",
        subtitle=lambda c: f"{c.engagement.client.name} · {c.get_state_display()}",
        select_related=("engagement__client",),
        icon="file-earmark-text",
    ),
]
