"""Signed forms (SPEC X-4, X-5): render a form, sign exactly what was rendered, verify later.

A form is declared once per kind of record and registered::

    @signatures.register
    class ConfirmationForm(signatures.FormDocument):
        code = "confirmation"
        title = _("One-stop technical service requirement confirmation form")
        model = Engagement
        template_name = "engagements/forms/confirmation.html"
        roles = {"client": _("Client"), "technician": _("Technician")}

        def version(self, engagement):          # bump it when the agreed terms change
            return engagement.confirmation_version

Rendering gives one canonical text (the template rendered in the company's language and
time zone, line endings and blank lines normalised, Unicode NFC), so the same record always
renders to the same bytes. ``sign`` stores that text and its SHA-256 with the signer, role,
time and IP. A version, once signed by anyone, can no longer change: signing it again with
different content is refused, and edit services call ``ensure_unsigned`` before changing
what a form shows — a change makes a new version, which must be signed again.

Signing means intent (issue 11 §5): ``sign`` asks for the signer's password or a one-time code
(``core.reauth``), and the signing page shows the exact text and the SHA-256 that will be signed.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import FSMField

from onestop.core import chain, events, reauth
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode, NotPermittedError
from onestop.core.limits import client_ip as address
from onestop.core.models import Signature

_registry: dict[str, FormDocument] = {}


class FormDocument:
    """A named form printed from one kind of record. Subclasses set the attributes."""

    code: str = ""
    title = ""
    model = None
    template_name = ""
    roles: dict[str, str] = {}  # role code → label, e.g. {"client": _("Client")}

    def context(self, obj) -> dict:
        return {"object": obj}

    def version(self, obj) -> int:
        return int(getattr(obj, "form_version", 1) or 1)

    # False when the record's page has its own button for this step (the settlement's "approve"),
    # so that the signature panel does not offer a second button for the same signature.
    signed_from_panel = True

    def sign_label(self, role: str) -> str:
        """The words of the signing button: what is signed, in which role."""
        return _("Sign %(title)s (%(role)s)") % {"title": self.title, "role": self.roles[role]}

    def may_sign(self, user, obj, role: str) -> bool:
        """Default: the record's ``sign`` rule (``<app>.sign_<model>``) for this record."""
        opts = obj._meta
        return user.has_perm(f"{opts.app_label}.sign_{opts.model_name}", obj)

    def signed(self, obj, signature, *, actor) -> None:
        """Called inside the signing transaction after each signature; override to react."""

    def render(self, obj) -> str:
        """The canonical text of the form for ``obj`` as it is now."""
        with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
            html = render_to_string(self.template_name, {"document": self, **self.context(obj)})
        return canonical(html)


def register(document_class):
    document = document_class()
    if not document.code or document.code in _registry:
        raise ValueError(f"form code {document.code!r} is missing or used twice")
    _registry[document.code] = document
    return document_class


def get_document(code: str) -> FormDocument | None:
    return _registry.get(code)


def all_documents() -> list[FormDocument]:
    """Every registered form, by code."""
    return sorted(_registry.values(), key=lambda document: document.code)


def documents_for(model) -> list[FormDocument]:
    return [doc for doc in _registry.values() if doc.model is model]


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def signatures_for(obj, document: FormDocument | None = None, version: int | None = None):
    rows = Signature.objects.for_object(obj).select_related("signer")
    if document is not None:
        rows = rows.filter(document=document.code)
    if version is not None:
        rows = rows.filter(version=version)
    return rows.order_by("version", "signed_at", "pk")


def signed_roles(document: FormDocument, obj, version: int | None = None) -> set[str]:
    version = document.version(obj) if version is None else version
    return set(signatures_for(obj, document, version).values_list("role", flat=True))


def is_fully_signed(document: FormDocument, obj) -> bool:
    """True when every role of the form has signed its current version."""
    return set(document.roles) <= signed_roles(document, obj)


def ensure_unsigned(document: FormDocument, obj) -> None:
    """Refuse a change to what the current version of the form shows once it is signed."""
    version = document.version(obj)
    if signatures_for(obj, document, version).exists():
        raise DomainError(
            _(
                "Version %(version)s of “%(title)s” has been signed and can no longer change. "
                "Make a new version; it must be signed again."
            )
            % {"version": version, "title": document.title}
        )


def sign(
    document: FormDocument,
    obj,
    *,
    actor,
    role: str,
    password: str = "",
    otp: str = "",
    consent: reauth.Consent | None = None,
    request=None,
    ip_address: str | None = None,
    expected_sha256: str = "",
) -> Signature:
    """``actor`` signs the current version of ``document`` for ``obj`` in ``role``.

    Signing means intent: the signer confirms with their ``password`` or a one-time code
    (``otp``), checked here (``core.reauth``; ``request`` lets the log-in lockout count a wrong
    one). A service that signs inside its own transaction confirms first
    (``reauth.confirm``) and passes the ``consent``, so that a wrong password is still
    recorded when its transaction rolls back. ``expected_sha256``: the hash the signer was
    shown; if the form renders differently now, the signature is refused (409)."""
    model = type(obj)
    if document.model is not None and not isinstance(obj, document.model):
        raise DomainError(_("This form does not belong to this kind of record."))
    if not model._default_manager.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied
    if role not in document.roles:
        raise DomainError(_("“%(role)s” is not a party that signs this form.") % {"role": role}, field="role")
    if role in signed_roles(document, obj):
        # Before the rule: a form already signed in this role (often completed by it, so the
        # rule now says no) is a lost race or a repeated click — a 409, not a 403.
        raise _already_signed(document, document.version(obj), role)
    if not document.may_sign(actor, obj, role):
        raise PermissionDenied(_("You may not sign this form as %(role)s.") % {"role": document.roles[role]})
    if consent is None:
        consent = reauth.confirm(actor, password=password, otp=otp, request=request)
    if consent.user_id != actor.pk:
        raise NotPermittedError(_("Only the signer can confirm their own signature."))
    if ip_address is None and request is not None:
        ip_address = client_ip(request)
    try:
        with transaction.atomic():
            # Signatures on one record take turns (a row lock on PostgreSQL; SQLite's IMMEDIATE
            # transactions already let one writer in at a time). Without it two parties signing
            # at the same moment each saw the other's signature missing, neither completed the
            # form, and the record stayed stuck before its next step for good.
            locked = model._base_manager.select_for_update().get(pk=obj.pk)
            if not document.may_sign(actor, locked, role) or (
                # The record moved on meanwhile (often by the other party's signature, e.g. the
                # client's passing an acceptance report the lead signs too): sign on only if
                # the form still reads as the signer saw it.
                _state_of(locked) != _state_of(obj) and document.render(locked) != document.render(obj)
            ):
                raise ConflictError(
                    _("“%(title)s” changed while you were signing it. Reload the page and check it again.")
                    % {"title": document.title}
                )
            content = document.render(obj)
            digest = sha256(content)
            version = document.version(obj)
            if expected_sha256 and expected_sha256 != digest:
                raise ConflictError(
                    _("“%(title)s” changed after it was shown to you. Read it again before you sign.")
                    % {"title": document.title}
                )
            existing = list(signatures_for(obj, document, version))
            if any(signature.sha256 != digest for signature in existing):
                raise DomainError(
                    _(
                        "Version %(version)s of “%(title)s” was signed with different content; a signed "
                        "form cannot change. Make a new version and have it signed again."
                    )
                    % {"version": version, "title": document.title}
                )
            if any(signature.role == role for signature in existing):
                # Someone signed in this role first (maybe a moment ago): a lost race, not bad input.
                raise _already_signed(document, version, role)
            signature = Signature(
                content_type=ContentType.objects.get_for_model(model),
                object_id=obj.pk,
                document=document.code,
                title=str(document.title),
                version=version,
                signer=actor,
                role=role,
                ip_address=ip_address or None,
                sha256=digest,
                content=content,
            )
            signature._history_user = actor
            signature.save()
            # In the same transaction: what the record does once signed (e.g. move on when
            # every party has signed); if that fails, the signature is not kept either.
            events.emit(
                events.SIGNATURE_RECORDED,
                obj,
                actor=actor,
                signature=signature.pk,
                document=document.code,
                version=version,
                role=role,
            )
            document.signed(obj, signature, actor=actor)
    except IntegrityError:
        raise ConflictError(
            _("Someone signed this form as %(role)s at the same moment. Reload the page.")
            % {"role": document.roles[role]}
        ) from None
    return signature


def _already_signed(document: FormDocument, version: int, role: str) -> ConflictError:
    return ConflictError(
        _("Version %(version)s has already been signed as %(role)s.")
        % {"version": version, "role": document.roles[role]},
        code=ErrorCode.ALREADY_DONE,
    )


def _state_of(record) -> tuple:
    """The workflow state(s) of a record: what decides whether and what may be signed."""
    return tuple(
        getattr(record, field.attname)
        for field in type(record)._meta.concrete_fields
        if isinstance(field, FSMField)
    )


@dataclass
class Verification:
    signature: Signature
    stored_hash_matches: bool  # the stored content still hashes to the stored hash
    current_hash: str | None  # the hash of the form as it renders now (None: record gone)
    is_current_version: bool
    # The signature row still equals its first audit entry, and that entry's link in the keyed
    # audit chain (core.chain) holds; None: signed before the chain began.
    chain_holds: bool | None = None
    unchanged_since_signed: bool = True

    @property
    def sealed(self) -> bool | None:
        return None if self.chain_holds is None else bool(self.chain_holds and self.unchanged_since_signed)

    @property
    def current_matches(self) -> bool:
        return self.current_hash == self.signature.sha256

    @property
    def valid(self) -> bool:
        return self.stored_hash_matches

    def as_dict(self) -> dict:
        return {
            "signature": self.signature.pk,
            "document": self.signature.document,
            "version": self.signature.version,
            "sha256": self.signature.sha256,
            "stored_content_sha256": sha256(self.signature.content),
            "stored_content_intact": self.stored_hash_matches,
            "current_sha256": self.current_hash,
            "current_content_matches": self.current_matches,
            "is_current_version": self.is_current_version,
            "audit_chain_intact": self.sealed,
        }


def verify(signature: Signature) -> Verification:
    """Recompute the hash of the stored content and of the form as it renders now."""
    stored_ok = sha256(signature.content) == signature.sha256
    document = get_document(signature.document)
    obj = signature.record
    current_hash, is_current = None, False
    if document is not None and obj is not None:
        current_hash = sha256(document.render(obj))
        is_current = document.version(obj) == signature.version
    entry = signature.history.order_by("history_id").first()
    if entry is None:
        return Verification(signature, stored_ok, current_hash, is_current)
    return Verification(
        signature,
        stored_ok,
        current_hash,
        is_current,
        chain_holds=chain.entry_holds(entry),
        unchanged_since_signed=same_as_written(signature, entry),
    )


def client_ip(request) -> str | None:
    """The address the request came from (see core.limits.client_ip for proxies)."""
    return address(request)


SIGNED_FIELDS = (
    "content_type_id",
    "object_id",
    "document",
    "version",
    "signer_id",
    "role",
    "signed_at",
    "ip_address",
    "sha256",
    "content",
)


def same_as_written(signature: Signature, entry) -> bool:
    """Is the signature row still what its first audit entry (chained, core.chain) recorded?

    An edit of the signature table alone shows here; an edit of the audit entry as well breaks
    the entry's link in the keyed chain."""
    return all(getattr(signature, name) == getattr(entry, name) for name in SIGNED_FIELDS)
