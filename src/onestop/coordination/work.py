"""What coordination asks of each user on "My work" (a fixed number of queries per provider)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.roles import Role
from onestop.core.work import WorkItem, register


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


@register
def coordination_work(user):
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[WorkItem] = []
    today = timezone.localdate()
    if user.client_organization_id is not None:
        # Reports sent to the client's organisation that this user has not answered yet.
        answered = ClientFeedback.objects.filter(report=OuterRef("pk"), author=user)
        reports = (
            ClientReport.objects.visible_to(user)
            .exclude(Exists(answered))
            .select_related("project")
            .order_by("-sent_at")[:20]
        )
        for report in reports:
            items.append(
                WorkItem(
                    title=f"{report.project.name} · {report}",
                    url=report.get_absolute_url() + "#feedback",
                    kind=_("Progress report to read"),
                    since=report.sent_at,
                    icon="envelope-open",
                )
            )
        return items

    for issue in ProjectIssue.objects.filter(owner=user, state=ProjectIssue.State.OPEN).select_related(
        "project"
    )[:50]:
        items.append(
            WorkItem(
                title=f"{issue.project.code} · {issue.title}",
                url=issue.get_absolute_url(),
                kind=_("Issue to solve"),
                since=issue.created_at,
                due=_moment(issue.due_date),
                overdue=issue.is_overdue,
                icon="exclamation-octagon" if issue.is_overdue else "bug",
            )
        )
    if user.has_role(Role.MANAGEMENT):
        for change in ChangeRequest.objects.filter(state=ChangeRequest.State.SUBMITTED).select_related(
            "project"
        )[:50]:
            items.append(
                WorkItem(
                    title=str(change),
                    url=change.get_absolute_url(),
                    kind=_("Change request to decide"),
                    since=change.submitted_at,
                    icon="arrow-left-right",
                )
            )
    answerable = Q(department__head=user)
    if user.has_role(Role.MANAGEMENT):
        answerable |= Q(department__head__isnull=True)
    for request in (
        ResourceRequest.objects.filter(answerable, state=ResourceRequest.State.REQUESTED)
        .select_related("project", "department")
        .order_by("needed_by")[:50]
    ):
        items.append(
            WorkItem(
                title=f"{request.project.code} · {request}",
                url=request.get_absolute_url(),
                kind=_("Resource request to answer"),
                since=request.created_at,
                due=_moment(request.needed_by),
                overdue=request.needed_by < today,
                icon="people",
            )
        )
    # The lead's projects whose scheduled report is due, or whose draft report waits to be sent.
    for schedule in ClientReportSchedule.objects.filter(
        project__project_lead=user, active=True, next_due__lte=today
    ).select_related("project")[:50]:
        items.append(
            WorkItem(
                title=f"{schedule.project.code} {schedule.project.name}",
                url=schedule.get_absolute_url(),
                kind=_("Client progress report due"),
                due=_moment(schedule.next_due),
                overdue=schedule.next_due < today,
                icon="calendar-check",
            )
        )
    for report in ClientReport.objects.filter(
        project__project_lead=user, state=ClientReport.State.DRAFT
    ).select_related("project")[:50]:
        items.append(
            WorkItem(
                title=str(report),
                url=report.get_absolute_url(),
                kind=_("Client progress report to send"),
                since=report.created_at,
                icon="send",
            )
        )
    return items
