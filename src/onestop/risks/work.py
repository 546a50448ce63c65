"""What the risk register asks of each user on "My work" (a fixed number of queries).

Risk owners: risks to assess, responses to choose, reviews due (overdue flagged). Signers:
acceptances to sign off. Action owners: open response actions. Warned roles: open warnings.
Activators: emergency responses to close with their review.
"""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.predicates import user_roles
from onestop.core.work import WorkItem, register
from onestop.risks import rules as r
from onestop.risks.matrix import Level
from onestop.risks.models import EmergencyActivation, ResponseAction, Risk, Warning
from onestop.risks.states import RiskState

LIMIT = 50


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59))) if day else None


@register
def risks_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    today = timezone.localdate()
    soon = today + timedelta(days=7)
    owned = (
        Risk.objects.filter(owner=user)
        .filter(
            Q(state__in=[RiskState.IDENTIFIED, RiskState.ASSESSED])
            | Q(state=RiskState.MONITORED, next_review__lte=soon)
        )
        .order_by("next_review", "pk")
    )
    for risk in owned[:LIMIT]:
        if risk.state == RiskState.IDENTIFIED:
            kind, icon, due = _("Risk to assess"), "grid-3x3", None
        elif risk.state == RiskState.ASSESSED:
            kind, icon, due = _("Risk response to choose"), "signpost-split", None
        else:
            kind, icon, due = _("Risk review due"), "arrow-repeat", _at(risk.next_review)
        items.append(
            WorkItem(
                title=str(risk),
                url=risk.get_absolute_url(),
                kind=kind,
                since=risk.assessed_at or risk.identified_at,
                due=due,
                icon=icon,
                overdue=bool(due and risk.next_review < today),
            )
        )
    for risk in Risk.objects.filter(
        owner=user, state=RiskState.MONITORED, strategy="accept", acceptance_expires__lte=soon
    ).order_by("acceptance_expires")[:LIMIT]:
        items.append(
            WorkItem(
                title=str(risk),
                url=risk.get_absolute_url(),
                kind=_("Risk acceptance expiring: review it"),
                since=risk.accepted_at,
                due=_at(risk.acceptance_expires),
                icon="hourglass-split",
                overdue=risk.acceptance_expires < today,
            )
        )
    if r.keeps_register(user):
        pending = Risk.objects.filter(state=RiskState.ACCEPTANCE_PENDING)
        if not (r.is_management(user) or r.is_system_admin(user)):
            pending = pending.filter(level__in=[Level.LOW, Level.MEDIUM]).exclude(owner=user)
        for risk in pending.order_by("assessed_at")[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(risk),
                    url=risk.get_absolute_url(),
                    kind=_("Risk acceptance to sign off"),
                    since=risk.updated_at,
                    icon="pen",
                )
            )
    for action in (
        ResponseAction.objects.filter(owner=user, state=ResponseAction.State.OPEN)
        .select_related("risk")
        .order_by("due_date")[:LIMIT]
    ):
        items.append(
            WorkItem(
                title=f"{action.title}（{action.risk.code}）",
                url=action.get_absolute_url(),
                kind=_("Risk response action"),
                since=action.created_at,
                due=_at(action.due_date),
                icon="list-check",
                overdue=action.due_date < today,
            )
        )
    roles = user_roles(user)
    warned = Q(project__project_lead=user)
    for role in roles:
        warned |= Q(roles__contains=f",{role},")
    for warning in (
        Warning.objects.filter(
            state__in=[Warning.State.OPEN, Warning.State.ACKNOWLEDGED, Warning.State.HANDLED]
        )
        .filter(warned)
        .select_related("indicator")
        .order_by("-raised_at")[:LIMIT]
    ):
        items.append(
            WorkItem(
                title=str(warning),
                url=warning.get_absolute_url(),
                kind=_("Risk warning (%(level)s)") % {"level": warning.get_level_display()},
                since=warning.raised_at,
                icon="bell",
                overdue=warning.state == Warning.State.OPEN and warning.escalations > 0,
            )
        )
    for activation in EmergencyActivation.objects.filter(
        activated_by=user, state=EmergencyActivation.State.ACTIVE
    ).select_related("plan")[:LIMIT]:
        items.append(
            WorkItem(
                title=str(activation),
                url=activation.get_absolute_url(),
                kind=_("Emergency response to close with its review"),
                since=activation.activated_at,
                icon="broadcast",
            )
        )
    return items
