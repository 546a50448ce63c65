"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "engagements.Engagement",
        ("code", "title", "client__name", "contact__name"),
        subtitle=lambda e: f"{e.client.name} · {e.get_stage_display()}",
        select_related=("client",),
        icon="briefcase",
        # Number, title, client, contact and the inquiries' needs, through the full-text index.
        indexed=True,
    ),
]
