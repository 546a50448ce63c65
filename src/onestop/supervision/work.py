"""What supervision asks of each user on "My work" (a fixed number of queries): the assignee's
findings to handle, the supervisors' resolved findings to verify, management's rewards and
penalties to decide."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.supervision import rules as r
from onestop.supervision.models import Finding, Sanction
from onestop.supervision.states import FINDING_WITH_ASSIGNEE, FindingState, SanctionState

LIMIT = 50


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59))) if day else None


@register
def supervision_waiting(user):
    if user.client_organization_id is not None:
        return []
    today = timezone.localdate()
    items = [
        WorkItem(
            title=f"{finding}（{finding.engagement.code}）",
            url=finding.get_absolute_url(),
            kind=_("Compliance finding to handle"),
            since=finding.raised_at,
            due=_at(finding.due_date),
            icon="shield-exclamation",
            overdue=finding.due_date < today,
        )
        for finding in Finding.objects.filter(assignee=user, state__in=FINDING_WITH_ASSIGNEE)
        .select_related("engagement")
        .order_by("due_date", "pk")[:LIMIT]
    ]
    if r.supervises(user):
        items += [
            WorkItem(
                title=f"{finding}（{finding.engagement.code}）",
                url=finding.get_absolute_url(),
                kind=_("Resolved finding to verify"),
                since=finding.resolved_at,
                icon="patch-check",
            )
            for finding in Finding.objects.filter(state=FindingState.RESOLVED)
            .exclude(resolved_by=user)
            .select_related("engagement")
            .order_by("resolved_at", "pk")[:LIMIT]
        ]
    if r.is_management(user) or r.is_system_admin(user):
        items += [
            WorkItem(
                title=str(sanction),
                url=sanction.get_absolute_url(),
                kind=_("Reward or penalty to approve"),
                since=sanction.created_at,
                icon="award",
            )
            for sanction in Sanction.objects.filter(state=SanctionState.PROPOSED)
            .exclude(proposed_by=user)
            .select_related("person", "department")
            .order_by("created_at", "pk")[:LIMIT]
        ]
    return items
