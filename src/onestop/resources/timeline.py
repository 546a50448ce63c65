"""Resources on the engagement's timeline and records panel (X-1): its technical documents,
their approved and delivered versions, and the case studies written from it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.engagements.records import records_of
from onestop.resources.models import Article, DocumentVersion, TechnicalDocument
from onestop.resources.states import VersionState


def events(engagement, user) -> list[dict]:
    result = []
    versions = (
        DocumentVersion.objects.visible_to(user)
        .filter(document__engagement=engagement, state=VersionState.APPROVED)
        .select_related("document", "approver")
    )
    for version in versions:
        result.append(
            {
                "at": version.approved_at,
                "kind": "document",
                "title": _("%(version)s approved") % {"version": version},
                "who": version.approver,
                "detail": version.change_note,
                "icon": "file-earmark-check",
            }
        )
    delivered = (
        TechnicalDocument.objects.visible_to(user)
        .filter(engagement=engagement, delivered_at__isnull=False)
        .select_related("delivered_version", "delivered_by")
    )
    for document in delivered:
        result.append(
            {
                "at": document.delivered_at,
                "kind": "document",
                "title": _("%(version)s delivered to %(to)s")
                % {"version": document.delivered_version, "to": document.delivered_to},
                "who": document.delivered_by,
                "icon": "send-check",
            }
        )
    return result


def records(engagement, user) -> list:
    """The engagement's documents and case studies on its records panel; two queries."""
    return [
        *records_of(TechnicalDocument, user, engagement=engagement, icon="file-earmark-text"),
        *records_of(Article, user, engagement=engagement, icon="journal-richtext"),
    ]
