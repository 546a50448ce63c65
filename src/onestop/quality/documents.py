"""The rectification notice as a printable form (整改通知單, QA-2)."""

from django.utils.translation import gettext_lazy as _

from onestop.core import signatures
from onestop.quality.models import RectificationNotice


@signatures.register
class RectificationNoticeDocument(signatures.FormDocument):
    code = "rectification_notice"
    title = _("Rectification notice")
    model = RectificationNotice
    template_name = "quality/forms/rectification_notice.html"
    roles = {}  # printed and filed, not signed in the system

    def version(self, notice) -> int:
        return notice.reopen_count + 1

    def context(self, notice) -> dict:
        return {
            "object": notice,
            "item": notice.item,
            "inspection": notice.inspection,
            "project": notice.project,
        }
