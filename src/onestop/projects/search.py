"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "projects.Project",
        ("code", "name", "engagement__client__name"),
        subtitle=lambda p: f"{p.engagement.client.name} · {p.get_state_display()}",
        select_related=("engagement__client",),
        icon="kanban",
    ),
]
