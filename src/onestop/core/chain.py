"""The audit chain: tamper evidence for the audit trail and the signatures (SPEC X-4).

Every audit entry (each historical record django-simple-history writes, which includes every
signature, since signatures keep a history too) gets a link in one chain::

    digest(n) = HMAC-SHA256(key, digest(n-1) + canonical(entry n))

The key is not in the database (``settings.ONESTOP_AUDIT_KEY``, see ``onestop.env.audit_key``):
whoever can edit the database can change an entry, and can even recompute a plain SHA-256
stored beside it, but cannot produce the digests that follow. ``verify()`` walks the chain and
reports the first link that does not hold: an entry changed or deleted, a link removed, or a
digest rewritten. ``onestop verify`` runs it from the command line, the audit page for system
administrators in the browser, and a signature's verify page checks its own links.

Appending takes a lock on the one ``AuditHead`` row, so two writers never build on the same
predecessor (PostgreSQL: ``select_for_update``; SQLite serialises writers by itself). The
entry is read back from the database before hashing, so the digest covers exactly what
``verify`` will read later (a ``Decimal("5")`` saved is ``Decimal("5.00")`` read back).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onestop.core.models import AuditHead, AuditLink

GENESIS = "0" * 64


def _key() -> bytes:
    return settings.ONESTOP_AUDIT_KEY


def canonical(label: str, row: dict) -> str:
    """One entry as stable text: its model and its stored values, keys sorted."""
    return json.dumps({"model": label, "row": row}, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)


def link_digest(previous: str, text: str) -> str:
    return hmac.new(_key(), (previous + text).encode("utf-8"), hashlib.sha256).hexdigest()


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def stored_row(model, pk) -> dict | None:
    """The entry as the database holds it now (``None`` when it was deleted)."""
    rows = list(model._default_manager.filter(pk=pk).values(*_columns(model)))
    return rows[0] if rows else None


def append(entry) -> None:
    """Add ``entry`` (a saved audit row) to the chain, in the current transaction."""
    model = type(entry)
    label = model._meta.label_lower
    row = stored_row(model, entry.pk)
    if row is None:  # written and removed in one go; there is nothing to vouch for
        return
    # No savepoint of its own (two statements per audit entry): the entry and its link stand
    # or fall together with the write that made them.
    with transaction.atomic(savepoint=False):
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "digest": GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        digest = link_digest(head.digest, canonical(label, row))
        seq = head.seq + 1
        AuditLink.objects.create(
            seq=seq,
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_pk=str(entry.pk),
            digest=digest,
        )
        AuditHead.objects.filter(pk=1).update(seq=seq, digest=digest)


@dataclass
class Break:
    seq: int
    reason: str
    model: str = ""
    object_pk: str = ""

    @property
    def message(self) -> str:
        return str(REASONS[self.reason])


REASONS = {
    "changed": _("The entry was changed after it was written."),
    "deleted": _("The entry was deleted."),
    "missing_link": _("A link of the chain is missing."),
    "digest": _("The link's digest does not follow from the chain (rewritten, or a different key)."),
    "head": _("The chain ends earlier than its head says (links were removed at the end)."),
}


@dataclass
class ChainReport:
    checked: int
    broken: Break | None
    head_seq: int
    head_digest: str

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(batch: int = 500) -> ChainReport:
    """Walk the whole chain in order; stop at the first link that does not hold."""
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_digest = (head.seq, head.digest) if head else (0, GENESIS)
    previous, expected_seq, checked = GENESIS, 1, 0
    links = AuditLink.objects.select_related("content_type").order_by("seq")
    last_seq = 0
    while True:
        chunk = list(links.filter(seq__gt=last_seq)[:batch])
        if not chunk:
            break
        rows = _rows_of(chunk)
        for link in chunk:
            model_label = f"{link.content_type.app_label}.{link.content_type.model}"
            found = Break(link.seq, "", model_label, link.object_pk)
            if link.seq != expected_seq:
                found.seq, found.reason = expected_seq, "missing_link"
                return ChainReport(checked, found, head_seq, head_digest)
            row = rows.get((link.content_type_id, link.object_pk))
            if row is None:
                found.reason = "deleted"
                return ChainReport(checked, found, head_seq, head_digest)
            if link_digest(previous, canonical(model_label, row)) != link.digest:
                found.reason = _which(previous, model_label, link, rows)
                return ChainReport(checked, found, head_seq, head_digest)
            previous, expected_seq, checked = link.digest, expected_seq + 1, checked + 1
            last_seq = link.seq
    if checked != head_seq or (checked and previous != head_digest):
        return ChainReport(checked, Break(checked + 1, "head"), head_seq, head_digest)
    return ChainReport(checked, None, head_seq, head_digest)


def _which(previous, label, link, rows) -> str:
    """Tell an edited entry from a rewritten digest: does the NEXT link still follow from it?"""
    following = AuditLink.objects.select_related("content_type").filter(seq=link.seq + 1).first()
    if following is None:  # the last link: the head keeps the digest that was written
        head = AuditHead.objects.filter(pk=1).first()
        return "changed" if head is not None and head.digest == link.digest else "digest"
    next_label = f"{following.content_type.app_label}.{following.content_type.model}"
    next_row = rows.get((following.content_type_id, following.object_pk)) or stored_row(
        following.content_type.model_class(), following.object_pk
    )
    if next_row is not None and link_digest(link.digest, canonical(next_label, next_row)) == following.digest:
        return "changed"  # the stored digest is the one that was written: the entry changed
    return "digest"


def _rows_of(links) -> dict:
    """The stored rows behind a batch of links: one query per model, not per link."""
    by_model: dict = {}
    for link in links:
        by_model.setdefault(link.content_type_id, (link.content_type, []))[1].append(link.object_pk)
    rows = {}
    for content_type_id, (content_type, pks) in by_model.items():
        model = content_type.model_class()
        if model is None:
            continue
        pk_name = model._meta.pk.attname
        for row in model._default_manager.filter(pk__in=pks).values(*_columns(model)):
            rows[(content_type_id, str(row[pk_name]))] = row
    return rows


def links_of(entry) -> list:
    content_type = ContentType.objects.get_for_model(type(entry), for_concrete_model=False)
    return list(AuditLink.objects.filter(content_type=content_type, object_pk=str(entry.pk)).order_by("seq"))


def entry_holds(entry) -> bool | None:
    """Does ``entry``'s own link still hold (its stored values and the digest before it)?

    ``None`` when the entry has no link (written before the chain began)."""
    links = links_of(entry)
    if not links:
        return None
    link = links[-1]
    model = type(entry)
    row = stored_row(model, entry.pk)
    if row is None:
        return False
    before = AuditLink.objects.filter(seq=link.seq - 1).values_list("digest", flat=True).first()
    previous = before if before is not None else (GENESIS if link.seq == 1 else None)
    if previous is None:
        return False
    return link_digest(previous, canonical(model._meta.label_lower, row)) == link.digest


def history_models() -> list:
    """Every historical model of the project (the entries the chain covers)."""
    return [model for model in apps.get_models() if model.__name__.startswith("Historical")]
