"""PDF of a form (SPEC X-5): the signed (or current) content, the signatures and the hash,
inside the company's letterhead (core.Letterhead).

WeasyPrint typesets the HTML with the Noto CJK fonts (Debian ``fonts-noto-cjk``), so
Traditional and Simplified Chinese print correctly. No resource is fetched from outside:
only ``data:`` URLs are allowed, so content cannot make the server request other hosts.

Typesetting a form takes WeasyPrint about 0.6 s (2 s for the first one of a process, which
loads the fonts), so a rendered PDF is kept on disk under a key made of everything that it
shows: the SHA-256 of the form's content (the hash a signature carries), the form and version,
the signatures on it, the letterhead, the page template and the company's language and time
zone. The same key is the same PDF; any change makes a new key, so nothing is ever stale and
nothing needs invalidating. The newest ``CACHE_KEEP`` files are kept (``PDF_CACHE_DIR``,
default ``<data dir>/pdf-cache``); a cached download takes a few milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from onestop.core import signatures as sig
from onestop.core.models import Letterhead

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "core/pdf/document.html"
CACHE_KEEP = 500  # PDFs kept on disk (about 0.5 MB each)


def _page_context(document: sig.FormDocument, obj, version: int | None):
    """What the printed page shows, or None when ``version`` has nothing to print."""
    current = document.version(obj)
    version = current if version is None else version
    rows = list(sig.signatures_for(obj, document, version))
    if rows:
        content = rows[0].content  # exactly what was signed, whatever the record says now
    elif version == current:
        content = document.render(obj)
    else:
        return None
    return {
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
        "letterhead": Letterhead.current(),
    }


def _render_page(context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        return render_to_string(PAGE_TEMPLATE, {**context, "printed_at": timezone.now()})


def document_html(document: sig.FormDocument, obj, version: int | None = None) -> str:
    """The printable page: the letterhead, the content signed for ``version`` (or the current
    content when it is not signed yet), then the signature and seal block with the SHA-256 of
    that content."""
    context = _page_context(document, obj, version)
    return "" if context is None else _render_page(context)


def _template_fingerprint() -> str:
    template = get_template(PAGE_TEMPLATE)
    source = getattr(getattr(template, "template", None), "source", "")
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def cache_key(context: dict) -> str:
    """Everything the PDF shows, hashed: the same key is the same PDF."""
    parts = {
        "form": context["document"].code,
        "title": str(context["document"].title),
        "version": context["version"],
        "content": context["sha256"],
        "signatures": [
            [
                s.pk,
                s.role,
                s.signer_id,
                s.signer.display_name,
                s.signed_at.isoformat(),
                s.ip_address,
                s.sha256,
            ]
            for s in context["signatures"]
        ],
        "roles": [[code, str(label)] for code, label, _ in context["roles"]],
        "letterhead": context["letterhead"].fingerprint,
        "page": _template_fingerprint(),
        "language": settings.LANGUAGE_CODE,
        "time_zone": settings.TIME_ZONE,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def cache_dir() -> Path:
    return Path(getattr(settings, "PDF_CACHE_DIR", None) or Path(settings.DATA_DIR) / "pdf-cache")


def _cached(key: str) -> bytes | None:
    try:
        return (cache_dir() / f"{key}.pdf").read_bytes()
    except OSError:
        return None


def _store(key: str, data: bytes) -> None:
    """Write atomically (a reader sees the whole file or none), then keep the newest files."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / f"{key}.pdf")
        files = sorted(folder.glob("*.pdf"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in files[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # a full or read-only disk costs speed, never the download
        logger.warning("pdf cache: could not store %s", key, exc_info=True)


def _typeset(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 — heavy library (WeasyPrint, ~0.7 s to import) loaded only when a PDF is rendered
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 — heavy library (WeasyPrint, ~0.7 s to import) loaded only when a PDF is rendered

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def render_pdf(document: sig.FormDocument, obj, version: int | None = None) -> bytes:
    context = _page_context(document, obj, version)
    if context is None:
        return b""
    key = cache_key(context)
    data = _cached(key)
    if data is None:
        data = _typeset(_render_page(context))
        _store(key, data)
    return data
