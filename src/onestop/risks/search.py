"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "risks.Risk",
        ("code", "title", "event"),
        subtitle=lambda risk: f"{risk.scope_label} · {risk.get_state_display()}",
        select_related=("engagement",),
        icon="exclamation-triangle",
    ),
    SearchKind(
        "risks.Warning",
        ("code", "subject"),
        subtitle=lambda warning: f"{warning.get_level_display()} · {warning.get_state_display()}",
        select_related=("indicator",),
        icon="bell",
    ),
]
