"""Feedback events for the engagement's timeline (X-1): the survey invited and answered (with
its score), complaints filed, responded and closed — two queries whatever their number."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.engagements.records import records_of
from onestop.feedback.models import Complaint, Survey


def events(engagement, user) -> list[dict]:
    result = []
    surveys = Survey.objects.visible_to(user).filter(engagement=engagement).select_related("answered_by")
    for survey in surveys:
        result.append(
            {
                "at": survey.invited_at,
                "kind": "feedback",
                "title": _("Client invited to the satisfaction survey"),
                "icon": "emoji-smile",
            }
        )
        if survey.answered_at:
            result.append(
                {
                    "at": survey.answered_at,
                    "kind": "feedback",
                    "title": _(
                        "Satisfaction survey answered: average %(average)s of 5, would recommend %(nps)s of 10"
                    )
                    % {"average": survey.average_score, "nps": survey.would_recommend},
                    "who": survey.answered_by,
                    "detail": survey.comment,
                    "icon": "emoji-smile",
                }
            )
    complaints = (
        Complaint.objects.visible_to(user)
        .filter(engagement=engagement)
        .select_related("filed_by", "responded_by", "closed_by")
    )
    for complaint in complaints:
        values = {"code": complaint.code, "subject": complaint.subject}
        result.append(
            {
                "at": complaint.filed_at,
                "kind": "complaint",
                "title": _("Complaint %(code)s filed: %(subject)s") % values,
                "who": complaint.filed_by,
                "icon": "megaphone",
            }
        )
        if complaint.responded_at:
            result.append(
                {
                    "at": complaint.responded_at,
                    "kind": "complaint",
                    "title": _("Complaint %(code)s responded") % values,
                    "who": complaint.responded_by,
                    "detail": complaint.response,
                    "icon": "reply",
                }
            )
        if complaint.closed_at:
            result.append(
                {
                    "at": complaint.closed_at,
                    "kind": "complaint",
                    "title": _("Complaint %(code)s closed (%(closure)s)")
                    % {**values, "closure": complaint.get_closure_display()},
                    "who": complaint.closed_by,
                    "detail": complaint.closure_note,
                    "icon": "check2-circle",
                }
            )
    return result


def records(engagement, user) -> list:
    """The satisfaction survey and the complaints on the engagement's records panel
    (engagements/records.py); two queries."""
    return [
        *records_of(
            Survey,
            user,
            engagement=engagement,
            title=lambda s: _("Answered") if s.answered_at else _("Awaiting the client's answer"),
            at="invited_at",
            order_by=("pk",),
            icon="emoji-smile",
        ),
        *records_of(Complaint, user, engagement=engagement, icon="exclamation-octagon"),
    ]
