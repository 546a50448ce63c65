"""The negotiation view (INT-3): every round, and what changed from the round before."""

from __future__ import annotations

from onestop.core.display import field_label, format_value
from onestop.engagements.models import Proposal


def rounds_with_changes(engagement) -> list[dict]:
    rounds = list(engagement.proposals.select_related("author").order_by("round"))
    result, previous = [], None
    for proposal in rounds:
        changes = []
        for name in Proposal.TERMS:
            value = getattr(proposal, name)
            before = getattr(previous, name) if previous is not None else None
            changed = previous is not None and value != before
            changes.append(
                {
                    "name": name,
                    "label": field_label(Proposal, name),
                    "value": format_value(value),
                    "before": format_value(before) if changed else None,
                    "changed": changed,
                }
            )
        result.append(
            {"proposal": proposal, "terms": changes, "changed_count": sum(c["changed"] for c in changes)}
        )
        previous = proposal
    return list(reversed(result))
