"""What of this app the header's search finds (core/search.py)."""

from onestop.core.search import SearchKind

KINDS = [
    SearchKind(
        "accounts.ClientOrganization",
        ("name", "code", "tax_id"),
        subtitle=lambda o: " · ".join(part for part in (o.code, o.city) if part),
        icon="building",
    ),
    SearchKind(
        "accounts.ClientContact",
        ("name", "phone", "mobile", "email"),
        subtitle=lambda c: " · ".join(part for part in (c.title, c.phone or c.mobile, c.email) if part),
        select_related=("organization",),
        icon="person-vcard",
    ),
]
