"""The implementation on the engagement's path (PRJ-1..3, X-1): from the project's opening to its
completion, and who holds the ball meanwhile — management opening it, then its lead. The parts
are described in plans/path.py."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.roles import Role
from onestop.core.workflow import transition_log
from onestop.engagements.ball import Ball, Done
from onestop.projects.models import KickoffMeeting, Project
from onestop.projects.states import ProjectState as State

PHASE = "implementation"
LABEL = gettext_lazy("Implementation")
IMPLEMENTED = (State.COMPLETED, State.ACCEPTED)


def span(engagement):
    project = Project.objects.filter(engagement=engagement).first()
    if project is None:
        return None, None
    completed = next((e.timestamp for e in transition_log(project) if e.state == State.COMPLETED), None)
    return project.created_at, completed


def done():
    return Exists(Project.objects.filter(engagement=OuterRef("pk"), state__in=IMPLEMENTED))


def fetch(pks) -> dict:
    """Each engagement's project, with its lead and ``has_kickoff``."""
    projects = (
        Project.objects.filter(engagement_id__in=pks)
        .select_related("project_lead")
        .annotate(has_kickoff=Exists(KickoffMeeting.objects.filter(project=OuterRef("pk"))))
    )
    return {project.engagement_id: project for project in projects}


def waiting(engagement, rows, since):
    project = rows[PHASE]
    if project is None:
        return Ball.to_start(
            _("Open the project"),
            since,
            "projects:project_add",
            for_={"contract": rows["contract"].pk},
            role=Role.MANAGEMENT,
        )
    url = project.get_absolute_url()
    if project.state == State.OPENED:
        if not project.has_kickoff:
            return Ball(
                _("Hold and record the kickoff meeting"), project.created_at, url, person=project.project_lead
            )
        return Ball(_("Start the implementation"), project.updated_at, url, person=project.project_lead)
    if project.state == State.IN_PROGRESS:
        return Ball(_("Implement the project"), project.updated_at, url, person=project.project_lead)
    return Done(project.updated_at)
