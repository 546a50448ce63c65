"""Coordination events for the engagement's timeline (X-1): issues raised and resolved, client
reports sent and answered, change requests submitted and decided, resource requests.

Six queries whatever the number of records; clients see only the reports sent to them and their
feedback."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ProjectIssue,
    ResourceRequest,
)


def events(engagement, user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    result: list[dict] = []
    reports = (
        ClientReport.objects.visible_to(user)
        .filter(project__engagement=engagement, state=ClientReport.State.SENT)
        .select_related("sent_by", "project")
    )
    for report in reports:
        result.append(
            {
                "at": report.sent_at,
                "kind": "client_report",
                "title": _("Progress report %(number)s sent to the client") % {"number": report.number},
                "who": report.sent_by,
                "detail": report.summary,
                "icon": "send",
            }
        )
    feedback = (
        ClientFeedback.objects.visible_to(user)
        .filter(report__project__engagement=engagement)
        .select_related("author", "report")
    )
    for row in feedback:
        result.append(
            {
                "at": row.created_at,
                "kind": "client_feedback",
                "title": _("Client feedback on progress report %(number)s") % {"number": row.report.number}
                + (f" ({row.rating}/5)" if row.rating else ""),
                "who": row.author,
                "detail": row.text,
                "icon": "chat-quote",
            }
        )
    if user.client_organization_id is not None:
        return result
    for issue in (
        ProjectIssue.objects.visible_to(user)
        .filter(project__engagement=engagement)
        .select_related("raised_by", "owner")
    ):
        result.append(
            {
                "at": issue.created_at,
                "kind": "issue",
                "title": _("Issue raised: %(title)s") % {"title": issue.title},
                "who": issue.raised_by,
                "detail": _("Owner: %(owner)s") % {"owner": issue.owner.display_name},
                "icon": "bug",
            }
        )
        if issue.resolved_at:
            result.append(
                {
                    "at": issue.resolved_at,
                    "kind": "issue",
                    "title": _("Issue resolved: %(title)s") % {"title": issue.title},
                    "who": issue.owner,
                    "detail": issue.resolution,
                    "icon": "check2-circle",
                }
            )
    changes = (
        ChangeRequest.objects.visible_to(user)
        .filter(project__engagement=engagement)
        .select_related("requested_by", "decided_by", "project")
    )
    for change in changes:
        if change.submitted_at:
            result.append(
                {
                    "at": change.submitted_at,
                    "kind": "change_request",
                    "title": _("Change request submitted: %(change)s") % {"change": change},
                    "who": change.requested_by,
                    "detail": change.description,
                    "icon": "arrow-left-right",
                }
            )
        if change.decided_at:
            result.append(
                {
                    "at": change.decided_at,
                    "kind": "change_request",
                    "title": _("Change request %(change)s: %(state)s")
                    % {"change": change, "state": change.state_label()},
                    "who": change.decided_by,
                    "detail": change.decision_comment,
                    "icon": "patch-check" if change.state in ChangeRequest.APPROVED_STATES else "x-circle",
                }
            )
    requests = (
        ResourceRequest.objects.visible_to(user)
        .filter(project__engagement=engagement)
        .select_related("requested_by", "answered_by", "department")
    )
    for request in requests:
        result.append(
            {
                "at": request.created_at,
                "kind": "resource_request",
                "title": _("Resources requested from %(department)s")
                % {"department": request.department.name},
                "who": request.requested_by,
                "detail": request.needed,
                "icon": "people",
            }
        )
        if request.answered_at:
            result.append(
                {
                    "at": request.answered_at,
                    "kind": "resource_request",
                    "title": _("%(department)s answered: %(state)s")
                    % {"department": request.department.name, "state": request.state_label()},
                    "who": request.answered_by,
                    "detail": request.answer,
                    "icon": "reply",
                }
            )
    return result
