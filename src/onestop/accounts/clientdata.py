"""A client organisation's data as a whole (issue 17, "The operator's basics — Data").

**Export.** ``export_organization`` writes one ZIP with everything OneStop holds about one client
organisation: a JSON file per kind of record (``records/<app>.<model>.json``, Django's
serialisation), their history (``history/``), the exact text of every signed form with its
SHA-256 (``forms/``; PDFs too on request: typesetting takes about a second each), the uploaded
files (``files/``), a ``manifest.json`` with the counts and a ``README.txt``. Which kinds belong
to the organisation is not listed by hand: every model of OneStop that reaches
``ClientOrganization`` by a chain of foreign keys (not through a user account: a staff member's
other work is not the client's) is found by ``client_paths``, so a model added later is
exported without touching this file. Files, comments, signatures and transitions hang on a
record by a generic key and are taken for the records exported.

Who may export: system administrators and management — the roles that see every record of every
engagement (core/access.py) — so the ZIP shows nobody more than they may see already. A client
user, even of the same organisation, may not (the export holds our internal records). Every
export is recorded (``ClientDataRecord``, a link of the audit chain): who, when, how many rows.

**Retention.** ``apply_retention`` anonymises the people of an organisation once it is done with
us: no engagement open, and the last one closed more than ``ONESTOP_RETENTION_DAYS`` ago (0:
off). Names become "已匿名 #<pk>", phones, e-mail addresses and notes are emptied — on the client
contacts, on the organisation's *deactivated* portal users (an active one still works with us),
and on the copies of those details the records made (an inquiry's contact, the sender of a
mail). The records themselves (contracts, payments…) stay. Each organisation anonymised leaves
a ``ClientDataRecord`` with the counts per kind, never the erased values.

What stays, on purpose: the **signed forms** and the **audit trail** (history rows). A signature
seals the exact text signed (``Signature.content`` and its SHA-256) and every history row is a
link of the keyed audit chain (core/chain.py); changing either would make the signature or the
chain fail verification, and they are the legal record of what was agreed and who did what.
The retention rule applies to the live contact data people work with; the sealed record is kept
as long as the contract's own archive period (the archive room's, 檔案室) and is read only by
those who may see the record.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import slugify

from onestop.accounts.models import ClientDataRecord, ClientOrganization
from onestop.core import chain, pdf
from onestop.core import signatures as sig
from onestop.core.models import Attachment, Comment, Signature

# Never exported: secrets. The password hash of a portal user is not the client's data.
SECRET_FIELDS = {"accounts.user": {"password"}}
# How many foreign keys a record may be away from its organisation: an improvement action is four
# (its notice, the project, the engagement, the client); one more for growth.
FK_DEPTH = 5


def may_export(user, organization=None) -> bool:
    return bool(user.has_perm("accounts.export_client_data", organization))


# --- which records belong to an organisation -----------------------------------------------


def _forward_keys(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not None
    ]


def _path_to_client(model) -> str | None:
    """The shortest lookup from ``model`` to its client organisation's id, or None.

    A breadth-first walk over foreign keys; it does not go through a user account (a row that
    names a staff member is not the client's) nor through a content type."""
    if model is ClientOrganization:
        return "pk"
    user_model = get_user_model()
    queue = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, prefix, depth = queue.popleft()
        for key in _forward_keys(current):
            target = key.related_model
            if target is ClientOrganization:
                return f"{prefix}{key.name}_id" if not prefix else f"{prefix}{key.name}__pk"
            if target in seen or target is ContentType or depth + 1 >= FK_DEPTH:
                continue
            if target is user_model or not _is_onestop(target):
                continue
            seen.add(target)
            queue.append((target, f"{prefix}{key.name}__", depth + 1))
    return None


def _is_onestop(model) -> bool:
    return apps.get_app_config(model._meta.app_label).name.startswith("onestop.")


def _exported_kind(model) -> bool:
    if model.__name__.startswith("Historical") or model._meta.auto_created or not _is_onestop(model):
        return False
    return model is not ClientDataRecord  # the log of exports is the operator's, not the client's


def client_paths() -> list[tuple[type, str]]:
    """Every kind of OneStop record that belongs to a client organisation, with its lookup."""
    found = []
    for model in apps.get_models():
        if not _exported_kind(model):
            continue
        path = _path_to_client(model)
        if path is not None:
            found.append((model, path))
    return found


def _rows(model, path: str, organization):
    return model._base_manager.filter(**{path: organization.pk}).order_by("pk")


def _attached_kinds() -> list[type]:
    """Rows that hang on any record by a generic key (files, comments, signatures, transitions)."""
    return [Attachment, Comment, Signature, apps.get_model("django_fsm_log", "StateLog")]


# --- the export ------------------------------------------------------------------------------


@dataclass
class Manifest:
    organization: dict
    exported_at: str
    exported_by: str
    records: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    missing_files: list = field(default_factory=list)
    forms: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "format": "onestop-client-export/1",
            "organization": self.organization,
            "exported_at": self.exported_at,
            "exported_by": self.exported_by,
            "records": self.records,
            "history": self.history,
            "files": self.files,
            "missing_files": self.missing_files,
            "forms": self.forms,
        }


def _write_json_rows(archive: zipfile.ZipFile, name: str, queryset, label: str) -> None:
    fields = None
    secret = SECRET_FIELDS.get(label)
    if secret:
        fields = [
            f.name for f in queryset.model._meta.concrete_fields if f.name not in secret and not f.primary_key
        ]
        fields += [f.name for f in queryset.model._meta.many_to_many]
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
        serializers.serialize("json", queryset.iterator(), stream=text, indent=1, fields=fields)


def _history_rows(model, pks):
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        return None
    pk_name = model._meta.pk.attname
    return history.model._base_manager.filter(**{f"{pk_name}__in": pks}).order_by("history_id")


def export_organization(organization, *, actor=None, out, with_pdf: bool = False) -> dict:
    """Write everything about ``organization`` as a ZIP into ``out`` (a path or a binary file)
    and record that it was done. ``actor`` is the user asking on the page (None: the operator's
    command line); it must be allowed to export (PermissionDenied otherwise). Returns the
    manifest."""
    if actor is not None and not may_export(actor, organization):
        raise PermissionDenied
    now = timezone.now()
    manifest = Manifest(
        organization={"id": organization.pk, "code": organization.code, "name": organization.name},
        exported_at=now.isoformat(),
        exported_by=actor.get_username() if actor is not None else "command line",
    )
    exported: list[tuple[type, models.QuerySet]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model, path in client_paths():
            rows = _rows(model, path, organization)
            count = rows.count()
            if not count:
                continue
            label = model._meta.label_lower
            manifest.records[label] = count
            _write_json_rows(archive, f"records/{label}.json", rows, label)
            exported.append((model, rows))
            history = _history_rows(model, rows.values("pk"))
            if history is not None and (history_count := history.count()):
                manifest.history[label] = history_count
                _write_json_rows(archive, f"history/{label}.json", history, label)
        for kind in _attached_kinds():
            _export_attached(archive, manifest, kind, exported, with_pdf)
        archive.writestr(
            "manifest.json",
            json.dumps(manifest.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        )
        archive.writestr("README.txt", _readme(manifest))
    _record(
        ClientDataRecord.Kind.EXPORTED,
        organization,
        actor,
        {**manifest.records, "files": len(manifest.files)},
    )
    return manifest.as_dict()


def export_response(organization, *, actor):
    """The export as a download, for the page and the API alike (``actor`` checked as above).

    The ZIP is written to a temporary file first (never held in memory whole) and streamed from
    there. Without the PDFs it takes seconds even for a large client, so the request waits for
    it rather than going through the job queue; the command line adds the PDFs (``--pdf``)."""
    spool = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115  closed by FileResponse
    try:
        export_organization(organization, actor=actor, out=spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    name = f"onestop-{slugify(organization.code) or organization.pk}-{timezone.localdate():%Y%m%d}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


def _export_attached(archive, manifest: Manifest, kind, exported, with_pdf: bool) -> None:
    label = kind._meta.label_lower
    condition = Q(pk__in=[])
    for model, rows in exported:
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_id__in=rows.values("pk"))
    rows = kind._base_manager.filter(condition).order_by("pk")
    count = rows.count()
    if not count:
        return
    manifest.records[label] = count
    _write_json_rows(archive, f"records/{label}.json", rows, label)
    if kind is Attachment:
        for attachment in rows.iterator():
            _export_file(archive, manifest, attachment)
    if kind is Signature:
        _export_forms(archive, manifest, rows, with_pdf)


def _export_file(archive, manifest: Manifest, attachment) -> None:
    name = f"files/{attachment.pk}-{slugify(attachment.original_name.rsplit('.', 1)[0], allow_unicode=True) or 'file'}"
    extension = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else ""
    name = f"{name}.{extension}" if extension else name
    try:
        with attachment.file.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except OSError:  # the file is gone from the upload storage: say so, export the rest
        manifest.missing_files.append({"attachment": attachment.pk, "name": attachment.original_name})
        return
    manifest.files.append(
        {
            "path": name,
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "sha256": attachment.sha256,
        }
    )


def _export_forms(archive, manifest: Manifest, signatures, with_pdf: bool) -> None:
    """The exact signed text of each signed form version (what the SHA-256 vouches for), and its
    PDF when asked for."""
    done = set()
    for signature in signatures.iterator():
        key = (signature.content_type_id, signature.object_id, signature.document, signature.version)
        if key in done:
            continue
        done.add(key)
        model = ContentType.objects.get_for_id(signature.content_type_id).model_class()
        base = (
            f"forms/{model._meta.model_name}-{signature.object_id}-{signature.document}-v{signature.version}"
        )
        archive.writestr(f"{base}.html", signature.content)
        entry = {
            "path": f"{base}.html",
            "form": signature.document,
            "version": signature.version,
            "sha256": signature.sha256,
        }
        document = sig.get_document(signature.document)
        record = model._base_manager.filter(pk=signature.object_id).first()
        if with_pdf and document is not None and record is not None:
            data = pdf.render_pdf(document, record, signature.version)
            if data:
                archive.writestr(f"{base}.pdf", data)
                entry["pdf"] = f"{base}.pdf"
        manifest.forms.append(entry)


def _readme(manifest: Manifest) -> str:
    organization = manifest.organization
    lines = [
        f"OneStop export: {organization['name']} ({organization['code']}, id {organization['id']})",
        f"Exported at {manifest.exported_at} by {manifest.exported_by}.",
        "",
        "records/<app>.<model>.json  one file per kind of record (Django JSON: model, pk, fields)",
        "history/<app>.<model>.json  every saved version of those records (who changed what, when)",
        "forms/                      the exact text of each signed form version; its SHA-256 is in",
        "                            manifest.json and on the signatures (records/core.signature.json)",
        "files/                      the uploaded files, named <attachment id>-<name>",
        "manifest.json               the counts below, the files with their SHA-256, the forms",
        "",
        "Rows per kind:",
    ]
    lines += [f"  {label}: {count}" for label, count in sorted(manifest.records.items())]
    lines.append(f"  files: {len(manifest.files)}")
    if manifest.missing_files:
        lines.append(f"  files missing from the upload storage: {len(manifest.missing_files)}")
    return "\n".join(lines) + "\n"


def _record(kind, organization, actor, counts: dict) -> ClientDataRecord:
    with transaction.atomic():
        entry = ClientDataRecord.objects.create(
            kind=kind, organization=organization, actor=actor, counts=counts
        )
        chain.append(entry)
    return entry


def find_organization(key: str) -> ClientOrganization | None:
    """The organisation with this id or client code (the command line's argument)."""
    rows = ClientOrganization.objects.filter(code=key)
    if key.isdigit():
        rows = ClientOrganization.objects.filter(Q(code=key) | Q(pk=int(key)))
    return rows.order_by("pk").first()


# --- retention ---------------------------------------------------------------------------------


def placeholder(pk) -> str:
    """What a name becomes. A fixed text, not a translation: it is stored data, and the next run
    recognises what it anonymised already by it, whatever the language or the catalogue then."""
    return f"已匿名 #{pk}"


@dataclass(frozen=True)
class PersonalData:
    """Where one kind of record keeps a person's details, and what each becomes."""

    model: str
    organization: str  # lookup to the client organisation's id
    values: dict  # field -> new value; PLACEHOLDER is the name placeholder
    last_change: tuple[str, ...]  # the person's own last change: the first field that is set
    only: dict = field(default_factory=dict)  # a further filter (deactivated users only)


PLACEHOLDER = object()
PERSONAL_DATA = [
    PersonalData(
        "accounts.ClientContact",
        "organization_id",
        {"name": PLACEHOLDER, "title": "", "phone": "", "mobile": "", "email": "", "notes": ""},
        ("updated_at",),
    ),
    PersonalData(
        "accounts.User",
        "client_organization_id",
        {"full_name": PLACEHOLDER, "first_name": "", "last_name": "", "email": "", "phone": ""},
        ("last_login", "date_joined"),
        only={"is_active": False},
    ),
    PersonalData(
        "engagements.Inquiry",
        "engagement__client_id",
        {"contact_name": PLACEHOLDER, "contact_phone": "", "contact_email": ""},
        ("updated_at",),
    ),
    PersonalData(
        "engagements.IncomingMail",
        "inquiry__engagement__client_id",
        {"from_name": PLACEHOLDER, "from_address": "", "raw_headers": ""},
        ("updated_at",),
    ),
]


def retention_cutoff(days: int | None = None, now=None):
    days = settings.ONESTOP_RETENTION_DAYS if days is None else days
    if not days:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def due_organizations(cutoff):
    """Organisations done with us before ``cutoff``: no engagement open, the last one closed
    before it (an organisation that never had one: last changed before it)."""
    return (
        ClientOrganization.objects.annotate(
            open_engagements=Count("engagements", filter=Q(engagements__closed_at__isnull=True)),
            last_closed=Max("engagements__closed_at"),
        )
        .filter(open_engagements=0)
        .filter(Q(last_closed__lte=cutoff) | Q(last_closed__isnull=True, updated_at__lte=cutoff))
        .order_by("pk")
    )


def _target(values: dict, pk) -> dict:
    return {name: placeholder(pk) if value is PLACEHOLDER else value for name, value in values.items()}


def _last_change(row, names: tuple[str, ...]):
    return next((getattr(row, name) for name in names if getattr(row, name, None) is not None), None)


def _due_rows(kind: PersonalData, organization, cutoff):
    model = apps.get_model(kind.model)
    for row in model._base_manager.filter(**{kind.organization: organization.pk}, **kind.only).order_by("pk"):
        changed = _last_change(row, kind.last_change)
        if changed is not None and changed > cutoff:
            continue  # the person's own details changed within the period: not yet
        target = _target(kind.values, row.pk)
        if all(getattr(row, name) == value for name, value in target.items()):
            continue  # anonymised already
        yield row, target


def apply_retention(*, dry_run: bool = False, days: int | None = None, now=None) -> list[tuple]:
    """Anonymise the people of every organisation past the retention period (see the module
    docstring). Returns ``[(organization, {kind: rows})]`` for those with anything to do; a dry
    run changes nothing and records nothing. Running it again finds nothing more to do."""
    cutoff = retention_cutoff(days, now)
    if cutoff is None:
        return []
    done = []
    for organization in due_organizations(cutoff):
        counts: dict[str, int] = {}
        with transaction.atomic():
            for kind in PERSONAL_DATA:
                for row, target in _due_rows(kind, organization, cutoff):
                    counts[row._meta.label_lower] = counts.get(row._meta.label_lower, 0) + 1
                    if not dry_run:
                        _anonymise(row, target)
            if counts and not dry_run:
                _record(ClientDataRecord.Kind.ANONYMISED, organization, None, counts)
        if counts:
            done.append((organization, counts))
    return done


def _anonymise(row, target: dict) -> None:
    for name, value in target.items():
        setattr(row, name, value)
    if isinstance(row, get_user_model()):
        row.username = f"anonymised-{row.pk}"
        row.set_unusable_password()
    row._change_reason = "retention"  # the history row says why (simple_history)
    row.save()
