"""Files attached to records: size limit, type from the content, stored outside the web root.

Accepted kinds (checked from the bytes, not the name, and the name must agree): PDF, PNG,
JPEG, Word/Excel/PowerPoint (.docx/.xlsx/.pptx: a zip holding ``[Content_Types].xml``) and
plain text or CSV (valid UTF-8 without NUL bytes). Files land under MEDIA_ROOT with a random
name (or, with ONESTOP_S3_BUCKET, in a private S3-compatible bucket: the same checks, the same
view; no bucket URL is ever handed out) and are served only by ``core:attachment_download``, which asks whether the user may
see the record (``visible_to`` and its ``view`` rule) and sends them as a download with
``X-Content-Type-Options: nosniff``.

Who may attach: the record's ``attach`` rule when its model defines one, else ``change``.
Client users' files are always shared with the client side.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import uuid
import zipfile
from pathlib import PurePath, PureWindowsPath

import filetype
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from onestop.core import records
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.models import Attachment, Visibility

OFFICE = {
    "docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
BINARY = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
TEXT = {"txt": "text/plain", "csv": "text/csv"}
EXTENSIONS = {"jpeg": "jpg"}  # names that mean the same kind


DESCRIPTION_LENGTH = 300

logger = logging.getLogger("onestop.storage")


class StorageUnavailable(DomainError):
    """The file store refused the write (full, read-only, away): not the user's fault."""

    status_code = 503
    code = ErrorCode.UNAVAILABLE


# What the file store raises when it is full, read-only or away: OSError for the upload folder,
# the S3 client's errors for a bucket (settings STORAGES, ONESTOP_S3_BUCKET).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


def max_bytes() -> int:
    return int(getattr(settings, "ONESTOP_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def accepted_kinds() -> str:
    return "PDF, PNG, JPEG, DOCX, XLSX, PPTX, TXT, CSV"


def detect_type(upload) -> tuple[str, str]:
    """(extension, MIME type) judged from the content; DomainError when not accepted."""
    name_ext = PurePath(upload.name or "").suffix.lower().lstrip(".")
    name_ext = EXTENSIONS.get(name_ext, name_ext)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
    elif (guess := filetype.guess(head)) is not None:
        kind = EXTENSIONS.get(guess.extension, guess.extension)
        if kind not in BINARY:
            raise DomainError(
                _("Files of this kind (%(kind)s) are not accepted. Accepted: %(accepted)s.")
                % {"kind": guess.mime, "accepted": accepted_kinds()},
                field="file",
            )
    elif name_ext in TEXT and _is_utf8_text(upload):
        kind = name_ext
    else:
        raise DomainError(
            _("The content of this file is not of an accepted kind. Accepted: %(accepted)s.")
            % {"accepted": accepted_kinds()},
            field="file",
        )
    if name_ext != kind:
        raise DomainError(
            _("The file is named “.%(named)s” but its content is %(actual)s; rename or convert it.")
            % {"named": name_ext or "?", "actual": kind.upper()},
            field="file",
        )
    mime = BINARY.get(kind) or TEXT.get(kind) or OFFICE[kind][1]
    return kind, mime


# An office file is a zip: what it inflates to is checked before anything reads it, so a
# "zip bomb" (a few kilobytes that inflate to gigabytes) is refused, not unpacked.
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_RATIO = 200  # inflated size ÷ compressed size of the whole file


def _office_kind(upload) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        members = []
    finally:
        upload.seek(0)
    inflated = sum(member.file_size for member in members)
    if (
        len(members) > MAX_MEMBERS
        or inflated > MAX_INFLATED_BYTES
        or inflated > MAX_RATIO * max(upload.size, 1)
    ):
        raise DomainError(
            _("This file unpacks to far more than its size (%(size)s MB); it is refused as unsafe.")
            % {"size": f"{inflated / 1024 / 1024:.0f}"},
            field="file",
        )
    names = [member.filename for member in members]
    if "[Content_Types].xml" in names:
        for kind, (folder, _mime) in OFFICE.items():
            if any(name.startswith(folder) for name in names):
                return kind
    raise DomainError(
        _("Archives are not accepted; only Word, Excel and PowerPoint files (.docx, .xlsx, .pptx)."),
        field="file",
    )


def _is_utf8_text(upload) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def add_attachment(obj, upload, *, actor, description: str = "", visibility: str | None = None) -> Attachment:
    """Check and store ``upload`` (a Django UploadedFile) as an attachment of ``obj``."""
    if not getattr(obj, "allow_attachments", False):
        raise DomainError(_("Files cannot be attached to this kind of record."))
    records.require(actor, obj, "attach", "change")
    if upload is None:
        raise DomainError(_("Choose a file to upload."), field="file")
    limit = max_bytes()
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024)},
            field="file",
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field="file")
    kind, mime = detect_type(upload)
    if actor.client_organization_id is not None:
        visibility = Visibility.SHARED
    visibility = visibility or Visibility.INTERNAL
    if visibility not in Visibility.values:
        raise DomainError(_("Choose who may see the file."), field="visibility")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LENGTH:
        raise DomainError(
            _("Keep the description to %(limit)s characters.") % {"limit": DESCRIPTION_LENGTH},
            field="description",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # Only the last part of whatever path the browser sent (Windows or POSIX), for display only.
    original = PurePath(PureWindowsPath(upload.name or "").name).name[:200]
    upload.name = f"{uuid.uuid4().hex}.{kind}"  # never the user's name on disk
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        original_name=original,
        mime_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description,
        visibility=visibility,
        uploaded_by=actor,
    )
    try:
        attachment.file.save(upload.name, upload, save=False)
    except STORAGE_ERRORS as error:  # the upload folder or bucket is full, read-only or away
        logger.error("upload not stored: %s", error)
        raise StorageUnavailable(
            _(
                "The file could not be stored just now; nothing was saved. Try again later or tell the system administrator."
            )
        ) from None
    try:
        with transaction.atomic():
            attachment._history_user = actor
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def downloadable(user, pk) -> Attachment:
    """The attachment ``pk`` if ``user`` may download it; PermissionDenied otherwise."""
    attachment = Attachment.objects.visible_to(user).filter(pk=pk).first()
    if attachment is None or attachment.record is None or not records.may_view(user, attachment.record):
        raise PermissionDenied
    return attachment


def attachments_for(obj, user):
    return Attachment.objects.visible_to(user).for_object(obj).select_related("uploaded_by")
