"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "feedback.Complaint",
        ("code", "subject", "client__name"),
        subtitle=lambda c: f"{c.client.name} · {c.get_state_display()}",
        select_related=("client",),
        icon="megaphone",
    ),
]
