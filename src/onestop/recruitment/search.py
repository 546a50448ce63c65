"""What of this app the header's search finds (core/search.py): openings and candidates, each
only for whom may see it (the models' ``visible_to``)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "recruitment.HiringNeed",
        ("code", "position__name", "department__name"),
        subtitle=lambda n: f"{n.department.name} · {n.get_state_display()}",
        select_related=("position", "department"),
        icon="person-plus",
    ),
    SearchKind(
        "recruitment.Candidate",
        ("code", "full_name", "phone", "email"),
        subtitle=lambda c: f"{c.need.position.name} · {c.get_stage_display()}",
        select_related=("need__position",),
        icon="person-vcard",
    ),
]
