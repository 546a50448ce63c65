"""Risk events for the engagement's timeline (X-1): risks identified, assessed and closed, and the
warnings raised for the engagement — two queries whatever their number, filtered by what the
viewer may see (clients see none: the register is internal)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.risks.models import Risk, Warning


def events(engagement, user) -> list[dict]:
    result = []
    risks = (
        Risk.objects.visible_to(user)
        .filter(engagement=engagement)
        .select_related("identified_by", "closed_by")
    )
    for risk in risks:
        values = {"code": risk.code, "title": risk.title}
        result.append(
            {
                "at": risk.identified_at,
                "kind": "risk",
                "title": _("Risk %(code)s identified: %(title)s") % values,
                "who": risk.identified_by,
                "detail": risk.event,
                "icon": "exclamation-triangle",
            }
        )
        if risk.assessed_at:
            result.append(
                {
                    "at": risk.assessed_at,
                    "kind": "risk",
                    "title": _("Risk %(code)s assessed: %(level)s")
                    % {**values, "level": risk.get_inherent_level_display()},
                    "icon": "grid-3x3",
                }
            )
        if risk.closed_at:
            result.append(
                {
                    "at": risk.closed_at,
                    "kind": "risk",
                    "title": _("Risk %(code)s closed (%(outcome)s)")
                    % {**values, "outcome": risk.get_outcome_display()},
                    "who": risk.closed_by,
                    "detail": risk.closing_note,
                    "icon": "archive",
                }
            )
    for warning in Warning.objects.visible_to(user).filter(engagement=engagement).select_related("indicator"):
        result.append(
            {
                "at": warning.raised_at,
                "kind": "warning",
                "title": _("%(level)s warning %(code)s: %(indicator)s")
                % {
                    "level": warning.get_raised_level_display(),
                    "code": warning.code,
                    "indicator": warning.indicator.name,
                },
                "detail": warning.subject,
                "icon": "bell",
            }
        )
    return result
