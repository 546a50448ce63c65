"""PDF of a form (SPEC X-5): the signed (or current) content, the signatures and the hash.

WeasyPrint typesets the HTML with the Noto CJK fonts (Debian ``fonts-noto-cjk``), so
Traditional and Simplified Chinese print correctly. No resource is fetched from outside:
only ``data:`` URLs are allowed, so content cannot make the server request other hosts.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from onestop.core import signatures as sig


def document_html(document: sig.FormDocument, obj, version: int | None = None) -> str:
    """The printable page: the content signed for ``version`` (or the current content when
    it is not signed yet), then the signature block with the SHA-256 of that content."""
    current = document.version(obj)
    version = current if version is None else version
    rows = list(sig.signatures_for(obj, document, version))
    if rows:
        content = rows[0].content  # exactly what was signed, whatever the record says now
    elif version == current:
        content = document.render(obj)
    else:
        return ""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        return render_to_string(
            "core/pdf/document.html",
            {
                "document": document,
                "object": obj,
                "version": version,
                "content": mark_safe(content),  # noqa: S308  rendered by our own template, escaped there
                "sha256": sig.sha256(content),
                "signatures": rows,
                "roles": [
                    (code, label, next((s for s in rows if s.role == code), None))
                    for code, label in document.roles.items()
                ],
                "printed_at": timezone.now(),
            },
        )


def render_pdf(document: sig.FormDocument, obj, version: int | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = document_html(document, obj, version)
    if not html:
        return b""
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
