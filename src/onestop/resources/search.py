"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "resources.TechnicalDocument",
        ("code", "title", "project__code"),
        subtitle=lambda d: f"{d.project.code} · {d.doc_type.name} · {d.get_state_display()}",
        select_related=("project", "doc_type"),
        icon="file-earmark-text",
    ),
    SearchKind(
        "resources.Article",
        ("title", "tags", "summary"),
        subtitle=lambda a: f"{a.get_kind_display()} · {a.get_state_display()}",
        icon="journal-richtext",
    ),
    SearchKind(
        "resources.Equipment",
        ("code", "name", "serial_number"),
        subtitle=lambda e: f"{e.get_category_display()} · {e.get_state_display()}",
        icon="tools",
    ),
]
