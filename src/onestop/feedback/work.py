"""What the feedback stage asks of each user on "My work" (a fixed number of queries).

Clients: surveys to answer, complaint responses to confirm. Handlers: complaints to handle
(overdue flagged). Customer service and management: complaints waiting for a handler.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.feedback import rules as r
from onestop.feedback.models import Complaint, Survey

LIMIT = 50


@register
def feedback_waiting(user):
    items = []
    now = timezone.now()
    if user.client_organization_id is not None:
        for survey in Survey.objects.filter(
            client_id=user.client_organization_id, answered_at__isnull=True
        ).select_related("engagement")[:LIMIT]:
            items.append(
                WorkItem(
                    title=_("Rate our service: %(engagement)s %(title)s")
                    % {"engagement": survey.engagement.code, "title": survey.engagement.title},
                    url=reverse("feedback:survey_answer", args=[survey.pk]),
                    kind=_("Satisfaction survey"),
                    since=survey.invited_at,
                    icon="emoji-smile",
                )
            )
        for complaint in Complaint.objects.filter(
            client_id=user.client_organization_id, state=Complaint.State.RESPONDED
        )[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(complaint),
                    url=complaint.get_absolute_url(),
                    kind=_("Complaint response to confirm"),
                    since=complaint.responded_at,
                    icon="megaphone",
                )
            )
        return items
    handling = Complaint.objects.filter(
        handler=user, state__in=[Complaint.State.IN_HANDLING, Complaint.State.REOPENED]
    ).select_related("client")
    for complaint in handling.order_by("due_at")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{complaint} ({complaint.client})",
                url=complaint.get_absolute_url(),
                kind=_("Complaint to handle"),
                since=complaint.assigned_at,
                due=complaint.due_at,
                icon="megaphone",
                overdue=bool(complaint.due_at and complaint.due_at < now),
            )
        )
    if r.can_assign_complaint(user):
        for complaint in Complaint.objects.filter(state=Complaint.State.FILED).select_related("client")[
            :LIMIT
        ]:
            items.append(
                WorkItem(
                    title=f"{complaint} ({complaint.client})",
                    url=complaint.get_absolute_url(),
                    kind=_("Complaint to assign"),
                    since=complaint.filed_at,
                    icon="person-check",
                )
            )
    return items
