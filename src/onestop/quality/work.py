"""Quality work on "My work": inspections to run, notices to answer or verify, actions I own."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.roles import Role
from onestop.core.work import WorkItem, register
from onestop.quality.models import ImprovementAction, Inspection, RectificationNotice

LIMIT = 50


def _end_of(day):
    return timezone.make_aware(datetime.combine(day, time(18, 0)))


@register
def quality_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    is_quality = user.has_role(Role.QUALITY)
    today = timezone.localdate()
    open_inspections = Inspection.objects.exclude(state=Inspection.State.COMPLETED).select_related("project")
    mine = Q(inspector=user) | (Q(inspector__isnull=True) if is_quality else Q(pk__in=[]))
    for inspection in open_inspections.filter(mine).order_by("planned_date", "pk")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{inspection.code} {inspection.project.name}",
                url=inspection.get_absolute_url(),
                kind=_("Inspection to run"),
                due=_end_of(inspection.planned_date),
                icon="search",
                overdue=inspection.planned_date < today,
            )
        )
    departments = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    departments |= Q(department__head=user)
    answer = RectificationNotice.objects.filter(
        departments, state__in=[RectificationNotice.State.ISSUED, RectificationNotice.State.REOPENED]
    ).select_related("project")
    for notice in answer.order_by("deadline", "pk")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{notice.code} {notice.project.name}",
                url=notice.get_absolute_url(),
                kind=_("Rectification to answer"),
                since=notice.issued_at,
                due=_end_of(notice.deadline),
                icon="exclamation-triangle",
                overdue=notice.deadline < today,
            )
        )
    if is_quality:
        verify = RectificationNotice.objects.filter(state=RectificationNotice.State.RESPONDED).select_related(
            "project"
        )
        for notice in verify.order_by("responded_at", "pk")[:LIMIT]:
            items.append(
                WorkItem(
                    title=f"{notice.code} {notice.project.name}",
                    url=notice.get_absolute_url(),
                    kind=_("Rectification to verify"),
                    since=notice.responded_at,
                    icon="patch-check",
                )
            )
    actions = ImprovementAction.objects.filter(owner=user, state=ImprovementAction.State.OPEN)
    for action in actions.order_by("due_date", "pk")[:LIMIT]:
        items.append(
            WorkItem(
                title=action.title,
                url=action.get_absolute_url(),
                kind=_("Improvement action"),
                since=action.created_at,
                due=_end_of(action.due_date),
                icon="graph-up-arrow",
                overdue=action.due_date < today,
            )
        )
    return items
