"""Project work waiting for the user on "My work": kickoffs to acknowledge, progress tables
to fill or submit, tables to review (PRJ-1, PRJ-2). A fixed number of queries."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.projects.models import KickoffAttendee, ProgressReport
from onestop.projects.services import report_due_at
from onestop.projects.states import ProjectState


@register
def project_work(user):
    if user.client_organization_id is not None:
        return []
    items = []
    pending = (
        KickoffAttendee.objects.filter(user=user, acknowledged_at__isnull=True)
        .select_related("meeting__project")
        .order_by("meeting__held_on")[:50]
    )
    for row in pending:
        project = row.meeting.project
        items.append(
            WorkItem(
                title=f"{project.code} {project.name}",
                url=row.meeting.get_absolute_url(),
                kind=_("Kickoff to acknowledge"),
                since=row.created_at,
                icon="flag",
            )
        )
    drafts = (
        ProgressReport.objects.filter(state=ProgressReport.State.DRAFT)
        .filter(Q(project__members__user=user) | Q(project__project_lead=user))
        .filter(project__state=ProjectState.IN_PROGRESS)
        .select_related("project")
        .distinct()
        .order_by("period_end")[:50]
    )

    for report in drafts:
        due = report_due_at(report)

        items.append(
            WorkItem(
                title=str(report),
                url=report.get_absolute_url(),
                kind=_("Progress table to fill in")
                if report.project.project_lead_id != user.pk
                else _("Progress table to fill in and submit"),
                since=report.created_at,
                due=due,
                icon="table",
                overdue=due < timezone.now(),
            )
        )
    to_review = (
        ProgressReport.objects.filter(state=ProgressReport.State.SUBMITTED, project__project_lead=user)
        .select_related("project")
        .order_by("submitted_at")[:50]
    )
    for report in to_review:
        items.append(
            WorkItem(
                title=str(report),
                url=report.get_absolute_url(),
                kind=_("Progress table to review"),
                since=report.submitted_at,
                icon="clipboard-check",
            )
        )
    return items
