"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "quality.Inspection",
        ("code", "project__code", "project__name", "summary"),
        subtitle=lambda i: f"{i.project.code} {i.project.name} · {i.get_state_display()}",
        select_related=("project",),
        icon="clipboard-check",
    ),
]
