"""Every plan version with what changed from the version before (PLN-1), like engagements/negotiation."""

from __future__ import annotations

from django.utils.translation import gettext as _

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


def _compare(version, previous, parts=None, previous_parts=None) -> list[dict]:
    """Every term of ``version`` with its value in ``previous`` where it differs (None: no previous)."""
    part_labels = {"milestones": _("Milestones"), "staffing": _("Staffing"), "budget": _("Cost budget")}
    parts = parts if parts is not None else _parts(version)
    if previous is not None and previous_parts is None:
        previous_parts = _parts(previous)
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
    return changes


def changes_between(earlier, later) -> list[dict]:
    """PLN-2: the terms that differ between two versions of one plan (e.g. the version a reviewer
    reviewed and the one now before them), with the same rows as the version history."""
    return [term for term in _compare(later, earlier) if term["changed"]]


def since_reviewed_by(version, user) -> dict | None:
    """PLN-2: for someone who reviewed an earlier version of this plan, the last such version and
    what changed since then, as ``{"version": earlier, "terms": [...]}``; None otherwise."""
    earlier = (
        version.plan.versions.filter(number__lt=version.number, reviews__reviewer=user)
        .order_by("-number")
        .first()
    )
    if earlier is None:
        return None
    return {"version": earlier, "terms": changes_between(earlier, version)}


def versions_with_changes(plan) -> list[dict]:
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
    result, previous, previous_parts = [], None, None
    for version in versions:
        parts = _parts(version)
        changes = _compare(version, previous, parts, previous_parts)
        result.append(
            {"version": version, "terms": changes, "changed_count": sum(c["changed"] for c in changes)}
        )
        previous, previous_parts = version, parts
    return list(reversed(result))
