"""Cost events for the engagement's timeline (X-1): budget thresholds crossed, people released
to the project — two queries, each through ``visible_to``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.costs.models import BudgetAlert, ReallocationRequest


def events(engagement, user) -> list[dict]:
    result = []
    for alert in (
        BudgetAlert.objects.visible_to(user).filter(project__engagement=engagement).order_by("crossed_at")
    ):
        scope = alert.get_category_display() if alert.category else _("total budget")
        result.append(
            {
                "at": alert.crossed_at,
                "kind": "costs",
                "title": _("Budget alert: %(scope)s %(percent)s%% spent — %(level)s")
                % {"scope": scope, "percent": alert.percent, "level": alert.get_level_display()},
                "icon": "exclamation-triangle",
            }
        )
    released = (
        ReallocationRequest.objects.visible_to(user)
        .filter(project__engagement=engagement, state=ReallocationRequest.State.APPROVED)
        .select_related("user", "decided_by", "from_department")
    )
    for request in released:
        result.append(
            {
                "at": request.decided_at,
                "kind": "costs",
                "title": _("%(person)s released by %(department)s to the project (%(percent)s%%)")
                % {
                    "person": request.user.display_name,
                    "department": request.from_department.name,
                    "percent": request.percent,
                },
                "who": request.decided_by,
                "icon": "arrow-left-right",
            }
        )
    return result
