"""Every change to technical documents, knowledge articles and equipment (RES-1..3): one function
per use case, called by the pages, the API and the periodic jobs alike (``actor=``, atomic,
history attributed, notifications sent when the transaction commits).

Decisions:

- A document has at most one version in the works (draft, in review, reviewed or returned): a
  new version starts only when the last one is approved, so a reviewer always compares against
  the approved text.
- The reviewer ticks every item of the type's checklist; an item left unticked needs a note, and
  the approver sees the ticks. The reviewer and the approver are named when the version is
  submitted; neither may be its author (four eyes).
- Only an approved version can be recorded as delivered to the client.
- Retention runs from the approval of the first version. When it has run out the archive room
  is reminded (a periodic job), asks for the disposal with a reason, and management approves
  (or keeps the document longer). The document and its versions stay as the disposal record.
- Equipment checkouts keep the item's daily rate at the time: a later change of the rate does
  not change what a past project cost.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core.attachments import add_attachment
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.fulltext import expand
from onestop.core.models import Visibility
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import delete_instance, edit, save
from onestop.core.workflow import perform_transition
from onestop.notifications.models import Notification
from onestop.notifications.services import notify
from onestop.projects.models import Project
from onestop.resources import rules as r
from onestop.resources.models import (
    Article,
    ArticleRating,
    ArticleRevision,
    Checkout,
    DocumentCheck,
    DocumentVersion,
    Equipment,
    MaintenanceRecord,
    TechnicalDocument,
)
from onestop.resources.states import EquipmentState, VersionState

EXPIRY_WARNING_DAYS = (30, 7, 0)  # reminders this many days before a calibration, warranty or licence ends
OPEN_VERSION_STATES = (
    VersionState.DRAFT,
    VersionState.IN_REVIEW,
    VersionState.REVIEWED,
    VersionState.RETURNED,
)


def _require(actor, permission: str, obj=None) -> None:
    if actor is None or not actor.has_perm(permission, obj):
        raise PermissionDenied


def _users(*roles):
    return list(User.objects.with_role(*roles))


# --- technical documents (RES-1) ---------------------------------------------------------------


def _snapshot(document: TechnicalDocument, version: DocumentVersion) -> dict:
    """What a version is, beyond its file: compared between versions in the review."""
    file = version.file
    return {
        "title": document.title,
        "type": document.doc_type.name,
        "description": document.description,
        "file": file.original_name if file is not None else "",
        "size": file.size if file is not None else 0,
        "sha256": file.sha256 if file is not None else "",
    }


def _attach(version: DocumentVersion, upload, actor) -> None:
    if upload is None:
        return
    attachment = add_attachment(
        version, upload, actor=actor, description=_("Version %(n)s") % {"n": version.number}
    )
    version.file = attachment
    version.metadata = _snapshot(version.document, version)
    save(version, actor=actor, reason=_("File uploaded"))


@transaction.atomic
def create_document(
    *, actor, project, doc_type, title, description="", file=None, change_note=""
) -> TechnicalDocument:
    """A new document of ``project`` with its first version (a draft, with the file if given)."""
    _require(actor, "resources.add_technicaldocument")
    if not type(project).objects.visible_to(actor).filter(pk=project.pk).exists():
        raise DomainError(_("Choose a project you work on."), field="project")
    if not doc_type.active:
        raise DomainError(_("This document type is no longer in use."), field="doc_type")
    document = TechnicalDocument(
        code=next_code("DOC"),
        project=project,
        engagement_id=project.engagement_id,
        doc_type=doc_type,
        title=title,
        description=description,
        author=actor,
    )
    save(document, actor=actor, reason=_("Created"))
    version = DocumentVersion(
        document=document, number=1, change_note=change_note or _("First version"), author=actor
    )
    save(version, actor=actor, reason=_("Created"))
    _attach(version, file, actor)
    return document


def edit_document(document, *, actor, title, description="", doc_type=None) -> TechnicalDocument:
    _require(actor, "resources.change_technicaldocument", document)
    document.title = title
    document.description = description
    if doc_type is not None:
        document.doc_type = doc_type
    return edit(document, actor=actor)


@transaction.atomic
def add_version(document, *, actor, change_note, file=None) -> DocumentVersion:
    """A new version after the last approved one (the change note says what changed)."""
    document = TechnicalDocument.objects.select_for_update().get(pk=document.pk)
    _require(actor, "resources.change_technicaldocument", document)
    if document.is_disposed:
        raise DomainError(_("The document was disposed of."), code=ErrorCode.NOT_POSSIBLE_NOW)
    if not (change_note or "").strip():
        raise DomainError(_("Say what changed in this version."), field="change_note")
    open_version = document.versions.filter(state__in=OPEN_VERSION_STATES).first()
    if open_version is not None:
        raise DomainError(
            _("Version %(n)s is still in the works; finish it before starting another.")
            % {"n": open_version.number},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DocumentVersion(document=document, number=number, change_note=change_note.strip(), author=actor)
    try:
        save(version, actor=actor, reason=_("Created"))
    except IntegrityError:
        raise ConflictError(_("Someone else just started a new version of this document.")) from None
    _attach(version, file, actor)
    return version


@transaction.atomic
def upload_file(version, *, actor, file) -> DocumentVersion:
    """Put (or replace) the file of a version still being written."""
    _require(actor, "resources.change_documentversion", version)
    if file is None:
        raise DomainError(_("Choose a file to upload."), field="file")
    _attach(version, file, actor)
    return version


@transaction.atomic
def submit_version(version, *, actor, reviewer, approver, comment="") -> DocumentVersion:
    if not version.file_id:
        raise DomainError(_("Upload the file of this version before submitting it."), field="file")
    if reviewer is None:
        raise DomainError(_("Choose the reviewer."), field="reviewer")
    if approver is None:
        raise DomainError(_("Choose who approves."), field="approver")
    for field, person in (("reviewer", reviewer), ("approver", approver)):
        if person.pk == version.author_id:
            raise DomainError(_("The author cannot review or approve their own version."), field=field)
        if person.client_organization_id is not None or not person.is_active:
            raise DomainError(_("Choose an active member of staff."), field=field)
    if reviewer.pk == approver.pk:
        raise DomainError(_("The reviewer and the approver must be two different people."), field="approver")
    perform_transition(version, "submit", actor=actor, comment=comment, reviewer=reviewer, approver=approver)
    document = version.document
    notify(
        [reviewer],
        title=_("Please review %(document)s version %(n)s") % {"document": document, "n": version.number},
        body=version.change_note,
        url=version.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=document,
    )
    return version


@transaction.atomic
def review_version(version, *, actor, checklist: dict, note="") -> DocumentVersion:
    """The reviewer's ticks for every checklist item of the type (``{item: True/False}``)."""
    items = version.document.doc_type.checklist_items
    missing = [item for item in items if item not in checklist]
    if missing:
        raise DomainError(_("Tick or leave unticked every item of the checklist."), field="checklist")
    result = [{"item": item, "ok": bool(checklist[item])} for item in items]
    if any(not row["ok"] for row in result) and not (note or "").strip():
        raise DomainError(_("Explain in the note why an item is not met."), field="note")
    perform_transition(version, "review", actor=actor, comment=note, checklist=result, note=note)
    notify(
        [version.approver],
        title=_("Please approve %(document)s version %(n)s")
        % {"document": version.document, "n": version.number},
        url=version.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=version.document,
    )
    return version


@transaction.atomic
def return_version(version, *, actor, comment) -> DocumentVersion:
    perform_transition(version, "return_to_author", actor=actor, comment=comment)
    notify(
        [version.author],
        title=_("%(document)s version %(n)s was returned to you")
        % {"document": version.document, "n": version.number},
        body=comment,
        url=version.get_absolute_url(),
        target=version.document,
    )
    return version


@transaction.atomic
def approve_version(version, *, actor, comment="") -> DocumentVersion:
    perform_transition(version, "approve", actor=actor, comment=comment)
    document = TechnicalDocument.objects.select_for_update().get(pk=version.document_id)
    if document.retention_until is None:
        years = document.doc_type.retention_years
        today = timezone.localdate()
        try:
            document.retention_until = today.replace(year=today.year + years)
        except ValueError:  # 29 February
            document.retention_until = today.replace(year=today.year + years, day=28)
        save(document, actor=actor, reason=_("Retention starts with the first approved version"))
    notify(
        [version.author],
        title=_("%(document)s version %(n)s was approved") % {"document": document, "n": version.number},
        url=version.get_absolute_url(),
        target=document,
    )
    version.document = document
    return version


@transaction.atomic
def deliver(document, *, actor, version, delivered_to) -> TechnicalDocument:
    """Record which approved version was handed to the client, and to whom."""
    document = TechnicalDocument.objects.select_for_update().get(pk=document.pk)
    _require(actor, "resources.deliver_technicaldocument", document)
    if version is None or version.document_id != document.pk:
        raise DomainError(_("Choose a version of this document."), field="version")
    if version.state != VersionState.APPROVED:
        raise DomainError(_("Only an approved version can be delivered."), field="version")
    if not (delivered_to or "").strip():
        raise DomainError(_("Say to whom it was delivered."), field="delivered_to")
    document.delivered_version = version
    document.delivered_at = timezone.now()
    document.delivered_by = actor
    document.delivered_to = delivered_to.strip()
    document = save(document, actor=actor, reason=_("Version %(n)s delivered") % {"n": version.number})
    _share_with_client(version, actor)
    return document


def _share_with_client(version: DocumentVersion, actor) -> None:
    """The delivered file is shared with the client: its acceptance team downloads it through
    core's attachment download, which asks the version's rule (VersionQuerySet) as well."""
    attachment = version.file
    if attachment is not None and attachment.visibility != Visibility.SHARED:
        attachment.visibility = Visibility.SHARED
        save(attachment, actor=actor, reason=_("Delivered to the client"))


# --- documents a quality inspection checked (RES-1, QA-2) --------------------------------------

DOCUMENTS_CHECK = "documents"  # quality.models.STANDARD_CHECKS: "technical documents complete and accurate"


def documents_item(inspection):
    """The inspection's "technical documents are complete and accurate" checklist item, or None."""
    return inspection.items.filter(check_code=DOCUMENTS_CHECK).first()


@transaction.atomic
def check_document(inspection, *, actor, version, note: str = "") -> DocumentCheck:
    """Link a version of one of the inspection's project's documents to its documents item."""
    item = documents_item(inspection)
    if item is None:
        raise DomainError(_("This inspection has no item for the technical documents."))
    if not actor.has_perm("resources.add_documentcheck", DocumentCheck(item=item)):
        raise PermissionDenied
    if (
        version is None
        or version.document.project_id != inspection.project_id
        or not DocumentVersion.objects.visible_to(actor).filter(pk=version.pk).exists()
    ):
        raise DomainError(_("Choose a version of a document of this project."), field="version")
    if DocumentCheck.objects.filter(item=item, version=version).exists():
        raise ConflictError(
            _("This version is already linked to the inspection."), code=ErrorCode.ALREADY_DONE
        )
    check = DocumentCheck(item=item, version=version, note=(note or "").strip(), checked_by=actor)
    return save(check, actor=actor, reason=_("Document checked"))


@transaction.atomic
def uncheck_document(check: DocumentCheck, *, actor) -> None:
    """Remove a link made by mistake, while the inspection is still open."""
    if not actor.has_perm("resources.delete_documentcheck", check):
        raise PermissionDenied
    delete_instance(check, actor=actor, reason=_("Link to a checked document removed"))


def request_disposal(document, *, actor, comment) -> TechnicalDocument:
    perform_transition(document, "request_disposal", actor=actor, comment=comment)
    notify(
        _users(Role.MANAGEMENT),
        title=_("Approve the disposal of %(document)s") % {"document": document},
        body=comment,
        url=document.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=document,
    )
    return document


def approve_disposal(document, *, actor, comment) -> TechnicalDocument:
    perform_transition(document, "approve_disposal", actor=actor, comment=comment)
    return document


def keep_longer(document, *, actor, comment) -> TechnicalDocument:
    perform_transition(document, "keep_longer", actor=actor, comment=comment)
    return document


def remind_expired_documents(today: date | None = None) -> int:
    """The periodic job: tell the archive room (once) of documents whose retention ran out."""
    today = today or timezone.localdate()
    due = list(
        TechnicalDocument.objects.filter(
            state=TechnicalDocument.State.KEPT, retention_until__lte=today, disposal_reminded_at__isnull=True
        ).order_by("pk")[:500]
    )
    if not due:
        return 0
    keepers = _users(Role.ARCHIVE) or _users(Role.QUALITY)
    with transaction.atomic():
        for document in due:
            notify(
                keepers,
                title=_("Retention of %(document)s has run out: request its disposal or keep it")
                % {"document": document},
                url=document.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=document,
            )
        TechnicalDocument.objects.filter(pk__in=[d.pk for d in due]).update(
            disposal_reminded_at=timezone.now()
        )
    return len(due)


def _file_text(version) -> str | None:
    if not version.file_id or version.file.mime_type not in ("text/plain", "text/csv"):
        return None
    try:
        with version.file.file.open("rb") as handle:
            return handle.read(200_000).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def version_difference(version) -> dict | None:
    """What changed from the previous version: the change note, the metadata that differ, the
    checklist ticks that differ and, when both files are text, a line diff. None for version 1."""
    previous = (
        DocumentVersion.objects.filter(document_id=version.document_id, number__lt=version.number)
        .select_related("file")
        .order_by("-number")
        .first()
    )
    if previous is None:
        return None
    labels = {
        "title": _("title"),
        "type": _("document type"),
        "description": _("description"),
        "file": _("file"),
        "size": _("size (bytes)"),
        "sha256": _("SHA-256"),
    }
    metadata = [
        {
            "field": labels.get(key, key),
            "before": previous.metadata.get(key, ""),
            "after": version.metadata.get(key, ""),
        }
        for key in labels
        if previous.metadata.get(key, "") != version.metadata.get(key, "")
    ]
    before_ticks = {row["item"]: row["ok"] for row in previous.checklist_result}
    after_ticks = {row["item"]: row["ok"] for row in version.checklist_result}
    # Compared once this version has been reviewed too (before, every tick would "change").
    checklist = [
        {"item": item, "before": before_ticks.get(item), "after": after_ticks.get(item)}
        for item in dict.fromkeys([*before_ticks, *after_ticks])
        if after_ticks and before_ticks.get(item) != after_ticks.get(item)
    ]
    text_diff = None
    old, new = _file_text(previous), _file_text(version)
    if old is not None and new is not None:
        text_diff = list(
            difflib.unified_diff(
                old.splitlines(),
                new.splitlines(),
                f"v{previous.number}",
                f"v{version.number}",
                lineterm="",
                n=2,
            )
        )[:400]
    return {
        "previous": previous,
        "change_note": version.change_note,
        "metadata": metadata,
        "checklist": checklist,
        "text_diff": text_diff,
        "same_file": bool(
            previous.file_id and version.file_id and previous.file.sha256 == version.file.sha256
        ),
    }


# --- knowledge (RES-2) -------------------------------------------------------------------------


def _index(article: Article) -> None:
    article.search_text = expand(article.index_text())


@transaction.atomic
def write_article(*, actor, kind, title, body, summary="", tags="", engagement=None) -> Article:
    _require(actor, "resources.add_article")
    article = Article(
        kind=kind, title=title, body=body, summary=summary, tags=tags, engagement=engagement, author=actor
    )
    _index(article)
    return save(article, actor=actor, reason=_("Created"))


@transaction.atomic
def edit_article(article, *, actor, **fields) -> Article:
    _require(actor, "resources.change_article", article)
    for name in ("kind", "title", "body", "summary", "tags", "engagement"):
        if name in fields:
            setattr(article, name, fields[name])
    _index(article)
    return edit(article, actor=actor)


@transaction.atomic
def publish_article(article, *, actor, comment="") -> Article:
    """The reviewer publishes: a new version number and a copy of the text as published."""
    perform_transition(article, "publish", actor=actor, comment=comment)
    save(
        ArticleRevision(
            article=article,
            version=article.version,
            title=article.title,
            body=article.body,
            published_at=article.published_at,
            published_by=actor,
        ),
        actor=actor,
        reason=_("Published"),
    )
    if article.author_id != actor.pk:
        notify(
            [article.author],
            title=_("Your article “%(title)s” was published") % {"title": article.title},
            url=article.get_absolute_url(),
            target=article,
        )
    return article


@transaction.atomic
def rate_article(article, *, actor, stars) -> ArticleRating:
    _require(actor, "resources.rate_article", article)
    if article.state != Article.State.PUBLISHED:
        raise DomainError(_("Only a published article can be rated."), code=ErrorCode.NOT_POSSIBLE_NOW)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise DomainError(_("Rate from 1 to 5 stars."), field="stars")
    rating = ArticleRating.objects.filter(article=article, user=actor).first() or ArticleRating(
        article=article, user=actor, stars=stars
    )
    rating.stars = stars
    try:
        return save(rating, actor=actor, reason=_("Rated"))
    except DomainError:
        raise ConflictError(_("Your rating was just recorded from another window.")) from None


def case_study_draft(engagement) -> dict:
    """The fields of a case study written from a closed engagement, prefilled from its records."""
    project = Project.objects.filter(engagement=engagement).select_related("project_lead").first()
    lines = [
        "## " + _("Background"),
        "",
        _("Client: %(client)s. Engagement %(code)s, %(title)s.")
        % {"client": engagement.client, "code": engagement.code, "title": engagement.title},
        "",
    ]
    for text in (engagement.service_goals, engagement.technical_requirements):
        if text:
            lines += [text, ""]
    if project is not None:
        lines += [
            "## " + _("Work done"),
            "",
            _("Project %(code)s, led by %(lead)s, from %(start)s to %(end)s.")
            % {
                "code": project.code,
                "lead": project.project_lead,
                "start": project.planned_start,
                "end": project.planned_end,
            },
            "",
        ]
        milestones = list(project.milestones.order_by("planned_date").values_list("name", flat=True)[:20])
        lines += [f"- {name}" for name in milestones]
        lines.append("")
        documents = list(
            TechnicalDocument.objects.filter(project=project).select_related("doc_type").order_by("pk")[:20]
        )
        if documents:
            lines += ["## " + _("Documents"), ""]
            lines += [f"- {d.code} {d.title}（{d.doc_type.name}）" for d in documents]
            lines.append("")
    lines += ["## " + _("Lessons learned"), "", ""]
    return {
        "kind": Article.Kind.CASE_STUDY,
        "title": _("Case study: %(title)s") % {"title": engagement.title},
        "summary": "",
        "tags": "",
        "engagement": engagement.pk,
        "body": "\n".join(str(line) for line in lines),
    }


# --- tools and equipment (RES-3) -------------------------------------------------------------


@transaction.atomic
def request_equipment(*, actor, **fields) -> Equipment:
    _require(actor, "resources.add_equipment")
    item = Equipment(code=next_code("EQ"), requested_by=actor, **fields)
    save(item, actor=actor, reason=_("Purchase requested"))
    notify(
        _users(Role.MANAGEMENT),
        title=_("Purchase request: %(item)s") % {"item": item},
        body=item.purpose,
        url=item.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=item,
    )
    return item


def edit_equipment(item, *, actor, reason="", **fields) -> Equipment:
    _require(actor, "resources.change_equipment", item)
    for name, value in fields.items():
        setattr(item, name, value)
    return edit(item, actor=actor, reason=reason)


def order(item, *, actor, supplier, price, ordered_at=None, comment="") -> Equipment:
    if not (supplier or "").strip():
        raise DomainError(_("Name the supplier."), field="supplier")
    if price is None or Decimal(price) < 0:
        raise DomainError(_("Give the purchase price."), field="price")
    perform_transition(
        item,
        "order",
        actor=actor,
        comment=comment,
        supplier=supplier.strip(),
        price=Decimal(price),
        ordered_at=ordered_at or timezone.localdate(),
    )
    return item


def accept(item, *, actor, note) -> Equipment:
    if not (note or "").strip():
        raise DomainError(_("Record what the acceptance inspection checked."), field="note")
    perform_transition(item, "accept", actor=actor, comment=note, note=note.strip())
    if item.maintenance_interval_days and not item.next_maintenance_on:
        Equipment.objects.filter(pk=item.pk).update(
            next_maintenance_on=timezone.localdate() + timedelta(days=item.maintenance_interval_days)
        )
        item.refresh_from_db()
    return item


@transaction.atomic
def check_out(item, *, actor, person, due_back_on, project=None, comment="") -> Checkout:
    if person is None or person.client_organization_id is not None or not person.is_active:
        raise DomainError(_("Choose an active member of staff."), field="person")
    today = timezone.localdate()
    if due_back_on is None or due_back_on < today:
        raise DomainError(_("The return date cannot be in the past."), field="due_back_on")
    # The item goes to a project its borrower works on (the keeper may not see every project).
    if project is not None and not type(project).objects.visible_to(person).filter(pk=project.pk).exists():
        raise DomainError(_("Choose a project the borrower works on."), field="project")
    perform_transition(item, "check_out", actor=actor, comment=comment, person=person)
    checkout = Checkout(
        equipment=item,
        person=person,
        project=project,
        checked_out_on=today,
        due_back_on=due_back_on,
        daily_rate=item.daily_rate,
        checked_out_by=actor,
    )
    try:
        save(checkout, actor=actor, reason=_("Checked out"))
    except DomainError:
        raise ConflictError(_("This item was just checked out by someone else.")) from None
    notify(
        [person],
        title=_("%(item)s is checked out to you until %(date)s") % {"item": item, "date": due_back_on},
        url=item.get_absolute_url(),
        target=item,
    )
    return checkout


@transaction.atomic
def return_item(item, *, actor, condition_note="", comment="") -> Checkout:
    perform_transition(item, "return_item", actor=actor, comment=comment or condition_note)
    checkout = Checkout.objects.select_for_update().filter(equipment=item, returned_on__isnull=True).first()
    if checkout is None:  # an item checked out before the checkout records existed
        raise DomainError(_("No open checkout of this item was found."), code=ErrorCode.NOT_POSSIBLE_NOW)
    checkout.returned_on = timezone.localdate()
    checkout.returned_to = actor
    checkout.condition_note = condition_note
    return save(checkout, actor=actor, reason=_("Returned"))


@transaction.atomic
def record_maintenance(
    item, *, actor, kind, description, performed_on=None, cost=0, verdict="", expected_state=None
) -> MaintenanceRecord:
    """A maintenance, calibration, repair or periodic evaluation of an item the company owns.
    An item in maintenance comes back into stock with the record. ``expected_state`` is the state
    the keeper saw (the page and the API send it): the same record pressed twice, or by two
    keepers at once, is written once — the second finds the item moved on (409)."""
    item = Equipment.objects.select_for_update().get(pk=item.pk)
    _require(actor, "resources.keep_equipment", item)
    if expected_state and expected_state != item.state:
        raise ConflictError(
            _("The item is now “%(state)s”: someone recorded this first. Reload the page.")
            % {"state": item.get_state_display()}
        )
    if item.state not in (EquipmentState.IN_STOCK, EquipmentState.CHECKED_OUT, EquipmentState.MAINTENANCE):
        raise DomainError(
            _("Only an item in service can be maintained or evaluated."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    if kind not in MaintenanceRecord.Kind.values:
        raise DomainError(_("Choose the kind of record."), field="kind")
    if kind == MaintenanceRecord.Kind.EVALUATION and not verdict:
        raise DomainError(_("An evaluation ends with a verdict."), field="verdict")
    performed_on = performed_on or timezone.localdate()
    record = MaintenanceRecord(
        equipment=item,
        kind=kind,
        description=description,
        performed_on=performed_on,
        performed_by=actor,
        cost=cost or 0,
        verdict=verdict or "",
    )
    save(record, actor=actor, reason=_("Recorded"))
    changed = []
    if (
        kind in (MaintenanceRecord.Kind.MAINTENANCE, MaintenanceRecord.Kind.REPAIR)
        and item.maintenance_interval_days
    ):
        item.next_maintenance_on = performed_on + timedelta(days=item.maintenance_interval_days)
        changed.append("next_maintenance_on")
    if kind == MaintenanceRecord.Kind.CALIBRATION:
        item.calibration_due_on = performed_on + timedelta(days=365)
        changed.append("calibration_due_on")
    if changed:
        save(item, actor=actor, reason=str(record.get_kind_display()))
    if item.state == EquipmentState.MAINTENANCE and kind != MaintenanceRecord.Kind.EVALUATION:
        perform_transition(item, "finish_maintenance", actor=actor, comment=description)
    return record


def expiring_equipment(today: date | None = None):
    """Items in service whose calibration, warranty, licence or maintenance falls on a reminder day."""
    today = today or timezone.localdate()
    days = [today + timedelta(days=n) for n in EXPIRY_WARNING_DAYS]
    return Equipment.objects.filter(
        Q(calibration_due_on__in=days)
        | Q(warranty_until__in=days)
        | Q(licence_until__in=days)
        | Q(next_maintenance_on__in=days),
        state__in=(EquipmentState.IN_STOCK, EquipmentState.CHECKED_OUT, EquipmentState.MAINTENANCE),
    ).select_related("holder")


def remind_equipment(today: date | None = None) -> int:
    """The periodic job: 30 days, 7 days and on the day before an expiry, tell the keepers (and
    whoever has the item)."""
    today = today or timezone.localdate()
    keepers = _users(Role.ARCHIVE)
    sent = 0
    with transaction.atomic():
        for item in expiring_equipment(today)[:500]:
            dates = [
                (_("calibration"), item.calibration_due_on),
                (_("warranty"), item.warranty_until),
                (_("licence"), item.licence_until),
                (_("maintenance"), item.next_maintenance_on),
            ]
            for label, day in dates:
                if day is None or (day - today).days not in EXPIRY_WARNING_DAYS:
                    continue
                recipients = [*keepers, *([item.holder] if item.holder_id else [])]
                notify(
                    recipients,
                    title=_("%(item)s: %(what)s due on %(date)s")
                    % {"item": item, "what": label, "date": day},
                    url=item.get_absolute_url(),
                    level=Notification.Level.ACTION,
                    target=item,
                )
                sent += 1
    return sent


def is_keeper(user) -> bool:
    return bool(r.is_keeper(user))


# --- the plain steps: a transition with an optional (or required) comment ----------------------


def _step(name: str, notify_roles=(), title=None):
    def run(obj, *, actor, comment=""):
        perform_transition(obj, name, actor=actor, comment=comment)
        if notify_roles and title is not None:
            notify(
                _users(*notify_roles),
                title=title(obj),
                body=comment,
                url=obj.get_absolute_url(),
                level=Notification.Level.ACTION,
                target=obj,
            )
        return obj

    run.__name__ = name
    run.__doc__ = f"Run the transition “{name}” (core.workflow.perform_transition)."
    return run


# Knowledge articles
submit_article = _step(
    "submit", (Role.QUALITY,), lambda a: _("Please review the article “%(title)s”") % {"title": a.title}
)
return_article = _step("return_article")
revise_article = _step("revise")
archive_article = _step("archive")
# Equipment
approve_purchase = _step(
    "approve_purchase",
    (Role.ARCHIVE,),
    lambda e: _("Purchase approved, please order: %(item)s") % {"item": e},
)
reject_purchase = _step("reject_purchase")
arrive = _step("arrive")
fail_inspection = _step("fail_inspection")
start_maintenance = _step("start_maintenance")
request_scrap = _step(
    "request_scrap", (Role.MANAGEMENT,), lambda e: _("Approve the scrapping of %(item)s") % {"item": e}
)
approve_scrap = _step("approve_scrap")
refuse_scrap = _step("refuse_scrap")
