"""Quality events for the engagement's timeline (X-1): completed inspections with their pass and
fail counts, rectification notices raised, answered and closed. Staff only; three queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from onestop.engagements.records import records_of
from onestop.quality.models import Inspection, InspectionItem, RectificationNotice


def events(engagement, user) -> list[dict]:
    if user.client_organization_id is not None or not user.has_perm("quality.view_inspection"):
        return []

    result = []
    inspections = (
        Inspection.objects.visible_to(user)
        .filter(project__engagement=engagement, state=Inspection.State.COMPLETED)
        .select_related("completed_by", "checkpoint")
        .annotate(
            passes=Count("items", filter=Q(items__result=InspectionItem.Result.PASS)),
            fails=Count("items", filter=Q(items__result=InspectionItem.Result.FAIL)),
        )
    )
    for inspection in inspections:
        result.append(
            {
                "at": inspection.completed_at,
                "kind": "inspection",
                "title": _("Inspection %(code)s completed: %(passes)s passed, %(fails)s failed")
                % {"code": inspection.code, "passes": inspection.passes, "fails": inspection.fails},
                "who": inspection.completed_by,
                "detail": str(inspection.checkpoint or inspection.get_kind_display()),
                "icon": "search",
            }
        )
    notices = (
        RectificationNotice.objects.visible_to(user)
        .filter(project__engagement=engagement)
        .select_related("issued_by", "responded_by", "verified_by", "department")
    )
    for notice in notices:
        result.append(
            {
                "at": notice.issued_at,
                "kind": "rectification",
                "title": _("Rectification notice %(code)s to %(department)s")
                % {"code": notice.code, "department": notice.department},
                "who": notice.issued_by,
                "detail": notice.requirement,
                "icon": "exclamation-triangle",
            }
        )
        if notice.responded_at:
            result.append(
                {
                    "at": notice.responded_at,
                    "kind": "rectification_response",
                    "title": _("Rectification %(code)s answered") % {"code": notice.code},
                    "who": notice.responded_by,
                    "detail": notice.response,
                    "icon": "reply",
                }
            )
        if notice.closed_at:
            result.append(
                {
                    "at": notice.closed_at,
                    "kind": "rectification_closed",
                    "title": _("Rectification %(code)s verified and closed") % {"code": notice.code},
                    "who": notice.verified_by,
                    "detail": notice.verification,
                    "icon": "patch-check",
                }
            )
    return result


def records(engagement, user) -> list:
    """The project's inspections on the engagement's records panel (engagements/records.py);
    one query."""
    return records_of(
        Inspection,
        user,
        project__engagement=engagement,
        title=lambda inspection: f"{inspection.code} · {inspection.get_kind_display()}",
        order_by=("planned_date", "pk"),
        at="planned_date",
        icon="clipboard-check",
    )
