"""Project events for the engagement's timeline (X-1): the project opened, the kickoff, each
state change, milestones completed, progress tables submitted and reviewed. Clients see the
project's milestones and state changes, not the team's internal progress tables."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.workflow import transition_log
from onestop.engagements.records import records_of
from onestop.projects.models import KickoffMeeting, ProgressReport, Project

ICONS = {"kick_off": "flag", "complete": "check2-all", "record_acceptance": "patch-check"}


def _moment(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)), timezone.get_default_timezone())


def events(engagement, user) -> list[dict]:
    project = (
        Project.objects.visible_to(user).filter(engagement=engagement).select_related("opened_by").first()
    )
    if project is None or not user.has_perm("projects.view_project", project):
        return []
    result = [
        {
            "at": project.created_at,
            "kind": "project",
            "title": _("Project %(code)s opened") % {"code": project.code},
            "who": project.opened_by,
            "icon": "kanban",
        }
    ]
    for row in transition_log(project):
        result.append(
            {
                "at": row.timestamp,
                "kind": "project",
                "title": _("Project %(code)s: %(state)s")
                % {"code": project.code, "state": project.state_label(row.state)},
                "who": row.by,
                "detail": row.description or "",
                "icon": ICONS.get(row.transition, "dot"),
            }
        )
    for milestone in project.milestones.filter(completed_on__isnull=False):
        result.append(
            {
                "at": _moment(milestone.completed_on),
                "kind": "milestone",
                "title": _("Milestone “%(name)s” completed") % {"name": milestone.name},
                "icon": "flag-fill",
            }
        )
    if user.client_organization_id is not None:
        return result
    meeting = KickoffMeeting.objects.filter(project=project).select_related("recorded_by").first()
    if meeting is not None:
        result.append(
            {
                "at": _moment(meeting.held_on),
                "kind": "project",
                "title": _("Kickoff meeting of %(code)s held at %(location)s")
                % {"code": project.code, "location": meeting.location},
                "who": meeting.recorded_by,
                "icon": "people",
            }
        )
    reports = ProgressReport.objects.filter(project=project).select_related(
        "project", "submitted_by", "reviewed_by"
    )
    for report in reports:
        if report.submitted_at:
            result.append(
                {
                    "at": report.submitted_at,
                    "kind": "progress",
                    "title": _("Progress table %(report)s submitted") % {"report": report},
                    "who": report.submitted_by,
                    "icon": "table",
                }
            )
        if report.reviewed_at:
            result.append(
                {
                    "at": report.reviewed_at,
                    "kind": "progress",
                    "title": _("Progress table %(report)s reviewed") % {"report": report},
                    "who": report.reviewed_by,
                    "detail": report.review_comment,
                    "icon": "clipboard-check",
                }
            )
    return result


def records(engagement, user) -> list:
    """The project on the engagement's records panel (engagements/records.py); one query."""
    return records_of(Project, user, engagement=engagement, icon="kanban")
