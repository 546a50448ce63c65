"""Shared model building blocks: record-level scoping and URL conventions."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import rules
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin
from simple_history.models import HistoricalRecords

from onestop.core import predicates
from onestop.core.access import staff_scope
from onestop.core.fields import TEXT_GENERATED, BoundedTextField


class ScopedQuerySet(models.QuerySet):
    """The one place that answers "which rows may this user see?".

    Every list, detail page, API endpoint and export starts from
    ``Model.objects.visible_to(user)``. Subclasses say what a non-superuser sees
    in ``scope_for``; the default is nothing, so a model that forgets to say is
    closed rather than open.
    """

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.scope_for(user)

    def scope_for(self, user):
        return self.none()


class AppendOnlyQuerySet(ScopedQuerySet):
    """Rows that are written once and kept: not changed or deleted in bulk either (visible, like
    any scoped rows, as the model's ``scope_for`` says — nobody but a superuser by default)."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are never changed (append-only).")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are never deleted (append-only).")


class AppendOnly(models.Model):
    """A record written once and never changed or deleted — a security event, a list export, a
    client-data export. Each row is a link of the audit chain (core/chain.py), so a row removed
    from the database behind the application's back shows as a broken chain; the history tables
    would only repeat it."""

    history_exempt = "append-only; each row is itself a link of the audit chain"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are never changed (append-only).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows are never deleted (append-only).")


class InternalQuerySet(ScopedQuerySet):
    """Staff records, never a client's. Company records (departments, calendars, templates…)
    every member of staff sees; records of an engagement (a model with ``access_kind``) the
    staff who need to know (core/access.py)."""

    def scope_for(self, user):
        return staff_scope(self, user) if user.client_organization_id is None else self.none()


class ClientScopedQuerySet(ScopedQuerySet):
    """Records of a client organisation: a client user sees its own only; staff as
    core/access.py decides (everything, for a model without ``access_kind``).

    ``client_field`` is the lookup from the row to its client organisation's id.
    """

    client_field = "client_id"

    def scope_for(self, user):
        if user.client_organization_id is None:
            return staff_scope(self, user)
        return self.filter(**{self.client_field: user.client_organization_id})


class BusinessModel(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """Base for records users work with: permission rules, URLs, timestamps."""

    # Records that take files and a communication log say so (see core/attachments.py,
    # core/comments.py); their detail page then shows both panels.
    allow_attachments = False
    allow_comments = False
    # Fields whose plain edit (the edit page or the API's PATCH) must say why: the form
    # and the serializer ask for a ``change_reason``, kept in the record's history.
    reason_fields: tuple[str, ...] = ()

    # The acting user, set by a service before it saves; simple_history writes it into the
    # history row (a plain attribute, not a field).
    _history_user: Any
    # The one-line reason simple_history writes into the history row, set the same way.
    _change_reason: str
    # The reason a user gave for a hand edit (core/forms.py, core/api.py), for the history row.
    _edit_reason: str

    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, editable=False)

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.url_name("detail"), args=[self.pk])

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls._meta.app_label}:{cls._meta.model_name}_{action}"


# --- records attached to another record ------------------------------------------------------


class AttachedQuerySet(ScopedQuerySet):
    """Rows that hang on another record through a generic foreign key (``content_type`` +
    ``object_id``): a user sees them exactly when they see that record (its ``visible_to``).

    One extra query finds the kinds of parent present; the rows then come in one query
    whatever their number, each kind filtered by a subquery of its own ``visible_to``.
    """

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)

    def scope_for(self, user):
        condition = models.Q(pk__in=[])
        kinds = self.order_by().values_list("content_type_id", flat=True).distinct()
        for content_type_id in kinds:
            parent = ContentType.objects.get_for_id(content_type_id).model_class()
            manager = getattr(parent, "_default_manager", None)
            if parent is None or not hasattr(manager, "visible_to"):
                continue  # a parent without a scope is closed, not open
            condition |= models.Q(
                content_type_id=content_type_id, object_id__in=manager.visible_to(user).values("pk")
            )
        return self.filter(condition)


class AttachedModel(BusinessModel):
    """Base of rows attached to any record (signatures, attachments, comments)."""

    # These rows have no generic list/edit pages: they are created by their service and
    # shown on the parent record's page (see tests/test_meta.py).
    generic_views = False

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("kind of record"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return self.record.get_absolute_url() if self.record is not None else "/"


class Signature(AttachedModel):
    """A signature on one version of a form: who, in which role, when, from where, on what.

    ``content`` is the exact canonical text that was signed and ``sha256`` its hash, so the
    signature can be re-verified at any time and any later change to the form is evident.
    """

    document = models.CharField(_("form"), max_length=60)
    title = models.CharField(_("form title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    role = models.CharField(_("signed as"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    content = BoundedTextField(_("signed content"), max_length=TEXT_GENERATED)
    history = HistoricalRecords()

    objects = AttachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["content_type", "object_id", "document", "version", "signed_at"]
        indexes = [models.Index(fields=["content_type", "object_id", "document", "version"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "document", "version", "role"],
                name="one_signature_per_role_and_version",
            )
        ]
        rules_permissions = {
            "view": predicates.is_authenticated,  # which ones: visible_to (the signed record's)
            "add": rules.always_deny,  # only through core.signatures.sign
            "change": rules.always_deny,  # a signature never changes
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.title} v{self.version} · {self.role} · {self.signer}"

    def get_absolute_url(self) -> str:
        return reverse("core:signature_verify", args=[self.pk])


class NumberSequenceQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.none()  # counters are seen in the admin site only


class NumberSequence(BusinessModel):
    """The last number handed out for one prefix and year (see core/numbering.py).

    Increments are single UPDATE statements inside the caller's transaction, so they are
    not copied to the history table; the history keeps when each sequence was created.
    """

    generic_views = False  # no pages of its own: numbers appear on the records that carry them

    prefix = models.CharField(_("prefix"), max_length=20)
    year = models.PositiveIntegerField(_("year"))
    value = models.PositiveIntegerField(_("last number issued"), default=0)
    history = HistoricalRecords()

    objects = NumberSequenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["prefix", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_and_year")
        ]
        rules_permissions = {
            "view": predicates.is_system_admin,
            "add": rules.always_deny,
            "change": rules.always_deny,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.value}"


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal only")
    SHARED = "shared", _("Shared with the client")


class VisibleAttachedQuerySet(AttachedQuerySet):
    """Attached rows with a visibility: client users see only the shared ones."""

    def scope_for(self, user):
        rows = super().scope_for(user)
        return rows if user.client_organization_id is None else rows.filter(visibility=Visibility.SHARED)


class Attachment(AttachedModel):
    """A file attached to a record; stored under MEDIA_ROOT, served only by a checked view."""

    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = VisibleAttachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        rules_permissions = {
            "view": predicates.is_authenticated,  # which ones: visible_to (the record's, and visibility)
            "add": rules.always_deny,  # only through core.attachments.add_attachment
            "change": rules.always_deny,
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return self.original_name

    def get_download_url(self) -> str:
        return reverse("core:attachment_download", args=[self.pk])


class Comment(AttachedModel):
    """One entry of a record's communication log: a call, a mail, a meeting, a note…"""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")
        PORTAL = "portal", _("Client portal")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Internal note")

    body = BoundedTextField(_("text"), max_length=10000)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.NOTE)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = VisibleAttachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        rules_permissions = {
            "view": predicates.is_authenticated,  # which ones: visible_to (the record's, and visibility)
            "add": rules.always_deny,  # only through core.comments.add_comment
            "change": rules.always_deny,  # the log is append-only
            "delete": rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.author} · {self.body[:40]}"


# --- the outbox ---------------------------------------------------------------------------------


class OutgoingMailQuerySet(ScopedQuerySet):
    def due(self, now=None):
        """Unsent mail nobody is sending right now (never claimed, or the claim ran out)."""
        now = now or timezone.now()
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True).filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )


class OutgoingMail(models.Model):
    """An e-mail that must go out, written in the transaction of what it announces (core.mail).

    The worker sends it soon after the commit; a periodic job sends whatever is still unsent,
    so a worker that crashes or a job that is lost delays a mail but never loses it. Each send
    first claims the row for a while (a conditional UPDATE), so two workers never send it at
    the same time.
    """

    generic_views = False  # written only by core.mail; an operator reads it in the admin site
    history_exempt = "the row is its own record: when it was queued, claimed, sent or given up"

    subject = models.CharField(_("subject"), max_length=300)
    body = BoundedTextField(_("text"), max_length=TEXT_GENERATED)
    html = BoundedTextField(_("HTML"), max_length=TEXT_GENERATED, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outgoing_mail_pending")]

    def __str__(self) -> str:
        return self.subject


class AuditHead(models.Model):
    """The end of the audit chain (core.chain): one row, locked while a link is appended."""

    generic_views = False  # written only by core.chain; read on the audit chain page
    history_exempt = "the audit chain itself: each link seals an audit entry and the link before"

    seq = models.PositiveBigIntegerField(_("last link"), default=0)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.digest}"


class AuditLink(models.Model):
    """One link of the audit chain: which entry, and the keyed digest over it and the link before."""

    generic_views = False  # written only by core.chain; read on the audit chain page
    history_exempt = "the audit chain itself: each link seals an audit entry and the link before"

    seq = models.PositiveBigIntegerField(_("position"), unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_pk = models.CharField(_("entry"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit chain link")
        verbose_name_plural = _("audit chain links")
        ordering = ["seq"]
        indexes = [models.Index(fields=["content_type", "object_pk"])]

    def __str__(self) -> str:
        return f"#{self.seq}"


class SecurityEventQuerySet(AppendOnlyQuerySet):
    def scope_for(self, user):
        # System administrators see every event; everyone else the events of their own account.
        if predicates.is_system_admin(user):
            return self
        return self.filter(user=user)


class SecurityEvent(AppendOnly):
    """A security event: a log-in, a refused log-in, a log-out, a password changed, set or
    reset, an API token regenerated — who, when and from which address (issue 17 item 7).

    Append-only: an event is never changed or deleted (``save`` of a stored event and
    ``delete`` refuse; the admin offers neither), and each one is a link of the audit chain,
    so removing one from the database shows as a broken chain."""

    generic_views = False  # written by core.security; read on the security events page

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Log-in refused")
        LOGOUT = "logout", _("Logged out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_SET = "password_set", _("Password set by an administrator")
        PASSWORD_RESET = "password_reset", _("Password reset by e-mail link")
        TOKEN_REGENERATED = "token_regenerated", _("API token regenerated")
        SESSION_TIMEOUT = "session_timeout", _("Logged out after inactivity")
        SESSIONS_ENDED = "sessions_ended", _("Other sessions logged out")
        TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor log-in set up")
        TWO_FACTOR_FAILED = "2fa_failed", _("Two-factor code refused")
        BACKUP_CODE_USED = "2fa_backup_code_used", _("Logged in with a backup code")
        BACKUP_CODES_RENEWED = "2fa_backup_codes_renewed", _("Two-factor backup codes renewed")
        TWO_FACTOR_RESET = "2fa_reset", _("Two-factor log-in reset by an administrator")
        SSO_LOGIN = "sso_login", _("Logged in by single sign-on")
        SSO_REFUSED = "sso_refused", _("Single sign-on refused")
        SIGNING_REFUSED = "signing_refused", _("Wrong password or code when signing")

    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class Letterhead(models.Model):
    """The company's letterhead and seal area on every printed form (issue 11 §6): one row,
    edited by system administrators on the System › Letterhead page (core/letterhead.py).

    It prints around the signed content, not inside it: changing the letterhead never changes
    what was signed or its SHA-256, and the next PDF of any form shows the new letterhead."""

    generic_views = False  # one row, edited on its own System page (tests/test_print.py)

    SINGLETON_PK = 1
    LOGO_MAX_BYTES = 512 * 1024

    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    tax_id = models.CharField(
        _("tax ID"),
        max_length=30,
        blank=True,
        help_text=_("The unified social credit code (統一社會信用代碼) or taxpayer number."),
    )
    seal_caption = models.CharField(
        _("seal caption"),
        max_length=100,
        blank=True,
        help_text=_("Printed in the box left for the company seal, e.g. “Company seal”."),
    )
    footer_note = models.CharField(
        _("footer note"),
        max_length=300,
        blank=True,
        help_text=_("One line printed at the foot of every page, e.g. the bank account."),
    )
    logo = models.BinaryField(_("logo"), max_length=LOGO_MAX_BYTES, blank=True, default=b"", editable=False)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterhead")

    def __str__(self) -> str:
        return self.company_name or str(_("letterhead"))

    @classmethod
    def current(cls) -> Letterhead:
        """The letterhead (an empty, unsaved one until an administrator sets it)."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)

    @property
    def logo_data_url(self) -> str:
        if not self.logo or not self.logo_type:
            return ""

        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode('ascii')}"

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the letterhead prints changes (part of the PDF cache key)."""
        text = "\x1f".join(
            [self.company_name, self.address, self.phone, self.tax_id, self.seal_caption, self.footer_note]
        )
        digest = hashlib.sha256(text.encode("utf-8"))
        digest.update(bytes(self.logo or b""))
        return digest.hexdigest()[:16]


# --- list tools: saved filters and exports of lists (issue 11 §2) ----------------------------


class SavedFilterQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # A saved filter is its owner's bookmark: not even a superuser lists someone else's.
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)


@rules.predicate
def _owns_filter(user, saved) -> bool:
    return saved is None or saved.user_id == user.pk


class SavedFilter(BusinessModel):
    """A user's named filter of one list: its search, filters and sort as a query string,
    kept only with the parameters the list's filterset knows (core/saved_filters.py)."""

    generic_views = False  # written by core.saved_filters; shown in each list's filter bar
    history_exempt = "a personal bookmark of a list's filters, not a business record"
    LIMIT_PER_USER = 50

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    list_key = models.CharField(_("list"), max_length=100)  # the model's label, e.g. "engagements.engagement"
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)

    objects = SavedFilterQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["list_key", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="saved_filter_unique_name")
        ]
        rules_permissions = {
            "view": predicates.is_authenticated,
            "add": predicates.is_authenticated,
            "change": predicates.is_authenticated & _owns_filter,
            "delete": predicates.is_authenticated & _owns_filter,
        }

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The list, filtered as saved."""
        app_label, model_name = self.list_key.split(".", 1)
        url = reverse(f"{app_label}:{model_name}_list")
        return f"{url}?{self.query}" if self.query else url


class ListExport(AppendOnly):
    """Who downloaded which list, as what, with which filters, how many rows (never the rows).

    Append-only like a security event: never changed or deleted, and each row is a link of the
    audit chain, so removing one shows as a broken chain."""

    generic_views = False  # written by core.list_export; read in the admin site

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )
    list_key = models.CharField(_("list"), max_length=100)
    file_format = models.CharField(_("format"), max_length=10)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.list_key} ({self.rows})"


class PreparedExportQuerySet(ScopedQuerySet):
    def scope_for(self, user):
        return self.filter(list_export__user=user)  # a prepared file is its owner's alone


class PreparedExport(models.Model):
    """An Excel file of a long list, written by the job worker instead of while the browser waits
    (issue 16 §6): queued with its ``ListExport`` entry, ready with the file (the owner finds the
    link in their inbox), or failed with the reason. Files are removed after
    ``ONESTOP_EXPORT_KEEP_DAYS``; the row and its ``ListExport`` stay."""

    generic_views = False  # written by core.list_export and its job; downloaded by its owner
    history_exempt = "the row is its own record: queued, ready or failed, and when"

    class State(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Removed")

    list_export = models.OneToOneField(
        ListExport, verbose_name=_("list export"), on_delete=models.PROTECT, related_name="prepared"
    )
    path = models.CharField(_("list address"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=200, blank=True)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = PreparedExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("prepared export")
        verbose_name_plural = _("prepared exports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name or str(self.list_export)

    def get_absolute_url(self) -> str:
        return reverse("core:prepared_export", args=[self.pk])
