"""Every plan version with what changed from the version before (PLN-1), like engagements/negotiation."""

from __future__ import annotations

from onestop.core.display import field_label, format_value
from onestop.plans.models import PlanVersion


def _parts(version) -> dict[str, str]:
    return {
        "milestones": "\n".join(
            f"{m.due_date:%Y-%m-%d} {m.name}: {m.deliverables}" for m in version.milestones.all()
        ),
        "staffing": "\n".join(f"{s.user} · {s.role} · {s.allocation}%" for s in version.staffing.all()),
        "budget": "\n".join(f"{label}: {amount:,.2f}" for label, amount in version.budget_by_category())
        + (f"\n= {version.budget_total:,.2f}" if version.budget_lines.all() else ""),
    }


def versions_with_changes(plan) -> list[dict]:
    from django.utils.translation import gettext as _

    versions = list(
        plan.versions.select_related("author", "criteria_set")
        .prefetch_related(
            "milestones",
            "staffing__user",
            "budget_lines",
            "reviewers",
            "reviews__reviewer",
            "approvals__approver",
        )
        .order_by("number")
    )
    part_labels = {"milestones": _("Milestones"), "staffing": _("Staffing"), "budget": _("Cost budget")}
    result, previous, previous_parts = [], None, None
    for version in versions:
        parts = _parts(version)
        changes = []
        for name in PlanVersion.CONTENT:
            value, before = getattr(version, name), getattr(previous, name) if previous else None
            changed = previous is not None and value != before
            changes.append(
                {
                    "name": name,
                    "label": field_label(PlanVersion, name),
                    "value": format_value(value),
                    "before": format_value(before) if changed else None,
                    "changed": changed,
                }
            )
        for name, label in part_labels.items():
            value, before = parts[name], previous_parts[name] if previous_parts else None
            changed = previous_parts is not None and value != before
            changes.append(
                {
                    "name": name,
                    "label": label,
                    "value": value or "—",
                    "before": (before or "—") if changed else None,
                    "changed": changed,
                }
            )
        result.append(
            {"version": version, "terms": changes, "changed_count": sum(c["changed"] for c in changes)}
        )
        previous, previous_parts = version, parts
    return list(reversed(result))
