"""Technical resources (policy chapter 5): controlled documents (RES-1), the knowledge base
(RES-2) and tools and equipment (RES-3).

Documents belong to a project and its engagement and are seen by whoever may see the project
(``access_kind = Kind.PROJECT``). A document has versions; each version carries one file and a
change note and goes through review (the reviewer ticks the type's checklist) and approval.
Which version was delivered to the client is recorded on the document. When the retention
period of its type has run out the document is flagged, the archive room asks for its disposal,
management approves, and the document stays as the disposal record: nothing is deleted.

Knowledge articles (articles, case studies, solutions) are written in Markdown, reviewed before
they are published, versioned at each publication, rated and commented by staff, and found by a
full-text search that handles Chinese (core/fulltext.py). Clients never see them.

Equipment goes from a purchase request to scrapping; every checkout names a person and
(usually) a project and keeps the daily rate of the item at the time, so equipment cost can be
charged to projects (selectors.equipment_cost).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from onestop.core.access import Kind, register_team
from onestop.core.fields import (
    TEXT_GENERATED,
    TEXT_LONG,
    TEXT_NOTE,
    TEXT_REPORT,
    BoundedTextField,
    StateField,
    actor_field,
)
from onestop.core.models import BusinessModel, InternalQuerySet
from onestop.core.workflow import WorkflowModel, condition
from onestop.resources import rules as r
from onestop.resources import states

# --- technical documents (RES-1) -------------------------------------------------------------


class DocumentType(BusinessModel):
    """技術文檔類別: a kind of document with its writing standard and retention period."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    skeleton = BoundedTextField(
        _("template"),
        max_length=TEXT_LONG,
        blank=True,
        help_text=_("The skeleton authors download and fill in (Markdown or plain text)."),
    )
    checklist = BoundedTextField(
        _("review checklist"),
        max_length=TEXT_NOTE,
        blank=True,
        help_text=_("One item per line; the reviewer ticks each one."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Counted from the approval of the first version."),
    )
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name"]
        rules_permissions = {
            "view": r.can_view_type,
            "add": r.can_manage_types,
            "change": r.can_manage_types,
            "delete": r.can_manage_types,
        }

    def __str__(self) -> str:
        return self.name

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.checklist.splitlines() if line.strip(" -*\t")]


class DocumentQuerySet(InternalQuerySet):
    def scope_for(self, user):
        # The archive room keeps every document's retention and disposal (RES-1); the others
        # see the documents of the projects they may see (core/access.py, Kind.PROJECT).
        if user.client_organization_id is None and r.is_archive(user):
            return self
        return super().scope_for(user)


class VersionQuerySet(InternalQuerySet):
    def scope_for(self, user):
        # Staff: the versions of the documents of the projects they may see. A client user: only
        # the delivered version of each kept document of its own organisation's projects — the
        # set shown to its acceptance team (ACC-2); every other version does not exist for it.
        if user.client_organization_id is None:
            return super().scope_for(user)
        return self.filter(
            pk=models.F("document__delivered_version_id"),
            document__project__engagement__client_id=user.client_organization_id,
        ).exclude(document__state=states.DocumentState.DISPOSED)


def _retention_expired(document) -> bool:
    return bool(document.retention_until and document.retention_until <= timezone.localdate())


retention_over = condition(_("The retention period of this document has not run out yet."))(
    _retention_expired
)


class TechnicalDocument(WorkflowModel, BusinessModel):
    """技術文檔: a controlled document of a project (RES-1)."""

    access_kind = Kind.PROJECT  # documents follow their project (core/access.py)
    engagement_lookup = "engagement"

    State = states.DocumentState
    # Kept for this many days more when management refuses a disposal.
    EXTEND_ON_REFUSAL_DAYS = 365

    code = models.CharField(_("document number"), max_length=30, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="documents"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="documents",
        editable=False,
    )
    doc_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="technical_documents",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.KEPT, protected=True)
    retention_until = models.DateField(_("kept until"), null=True, blank=True, editable=False)
    delivered_version = models.ForeignKey(
        "resources.DocumentVersion",
        verbose_name=_("version delivered to the client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, editable=False)
    delivered_by = actor_field(_("delivered by"))
    delivered_to = models.CharField(_("delivered to"), max_length=200, blank=True, editable=False)
    disposal_reminded_at = models.DateTimeField(_("disposal reminded"), null=True, blank=True, editable=False)
    disposal_requested_at = models.DateTimeField(
        _("disposal requested"), null=True, blank=True, editable=False
    )
    disposal_requested_by = actor_field(_("disposal requested by"))
    disposed_at = models.DateTimeField(_("disposed"), null=True, blank=True, editable=False)
    disposed_by = actor_field(_("disposal approved by"))
    disposal_note = BoundedTextField(_("disposal record"), max_length=TEXT_NOTE, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("technical document")
        verbose_name_plural = _("technical documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "retention_until"], name="document_state_retention")]
        rules_permissions = {
            "view": r.can_view_document,
            "add": r.can_add_document,
            "change": r.can_edit_document,
            "delete": r.rules.always_deny,
            "deliver": r.can_deliver_document,
            "request_disposal": r.can_request_disposal,
            "approve_disposal": r.can_approve_disposal,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def retention_expired(self) -> bool:
        return self.state == self.State.KEPT and _retention_expired(self)

    @property
    def is_disposed(self) -> bool:
        return self.state == self.State.DISPOSED

    # --- the retention life (transitions) -------------------------------------------------
    @transition(
        field=state,
        source=State.KEPT,
        target=State.DISPOSAL_REQUESTED,
        permission="resources.request_disposal_technicaldocument",
        conditions=[retention_over],
        custom={
            "label": _("Request disposal"),
            "icon": "trash",
            "comment_required": True,
            "style": "warning",
            "service_only": True,
        },
    )
    def request_disposal(self, actor=None, comment=""):
        self.disposal_requested_at = timezone.now()
        self.disposal_requested_by = actor

    @transition(
        field=state,
        source=State.DISPOSAL_REQUESTED,
        target=State.DISPOSED,
        permission="resources.approve_disposal_technicaldocument",
        custom={
            "label": _("Approve disposal"),
            "icon": "trash-fill",
            "style": "danger",
            "comment_required": True,
            "confirm": _("The document will be recorded as disposed. Continue?"),
            "service_only": True,
        },
    )
    def approve_disposal(self, actor=None, comment=""):
        self.disposed_at = timezone.now()
        self.disposed_by = actor
        self.disposal_note = comment

    @transition(
        field=state,
        source=State.DISPOSAL_REQUESTED,
        target=State.KEPT,
        permission="resources.approve_disposal_technicaldocument",
        custom={
            "label": _("Keep longer"),
            "icon": "archive",
            "comment_required": True,
            "style": "secondary",
            "service_only": True,
        },
    )
    def keep_longer(self):
        self.retention_until = timezone.localdate() + timedelta(days=self.EXTEND_ON_REFUSAL_DAYS)
        self.disposal_requested_at = None
        self.disposal_requested_by = None


class DocumentVersion(WorkflowModel, BusinessModel):
    """One version of a technical document: a file, a change note, its review and approval."""

    generic_views = False  # written by resources.services, shown on the document's page
    access_kind = Kind.PROJECT
    engagement_lookup = "document__engagement"
    allow_attachments = True

    State = states.VersionState
    editable_states = states.VERSION_EDITABLE

    document = models.ForeignKey(
        TechnicalDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"), editable=False)
    change_note = BoundedTextField(_("change note"), max_length=TEXT_NOTE)
    file = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True, editable=False)
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    author = actor_field(_("written by"), null=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    checklist_result = models.JSONField(_("checklist"), default=list, blank=True, editable=False)
    review_note = BoundedTextField(_("review note"), max_length=TEXT_NOTE, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_document_version")
        ]
        rules_permissions = {
            "view": r.can_view_version,
            "compare": r.can_compare_versions,
            "add": r.can_add_document,
            "change": r.can_submit_version,
            "attach": r.can_submit_version,
            "delete": r.rules.always_deny,
            "submit": r.can_submit_version,
            "review": r.can_review_version,
            "approve": r.can_approve_version,
        }

    def __str__(self) -> str:
        return _("%(document)s version %(number)s") % {"document": self.document.code, "number": self.number}

    def get_absolute_url(self) -> str:
        return self.document.get_absolute_url() + f"#version-{self.number}"

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.IN_REVIEW,
        permission="resources.submit_documentversion",
        custom={"label": _("Submit for review"), "icon": "send", "service_only": True},
    )
    def submit(self, reviewer=None, approver=None):
        self.reviewer = reviewer
        self.approver = approver
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REVIEWED,
        permission="resources.review_documentversion",
        custom={"label": _("Record the review"), "icon": "list-check", "service_only": True},
    )
    def review(self, checklist=None, note=""):
        self.checklist_result = checklist or []
        self.review_note = note
        self.reviewed_at = timezone.now()

    @transition(
        field=state,
        source=[State.IN_REVIEW, State.REVIEWED],
        target=State.RETURNED,
        permission=lambda version, user: bool(
            user.pk in (version.reviewer_id, version.approver_id) and user.client_organization_id is None
        ),
        custom={
            "label": _("Return to the author"),
            "icon": "arrow-return-left",
            "comment_required": True,
            "service_only": True,
        },
    )
    def return_to_author(self, comment=""):
        self.review_note = comment

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.APPROVED,
        permission="resources.approve_documentversion",
        custom={"label": _("Approve"), "icon": "check2-circle", "style": "success", "service_only": True},
    )
    def approve(self):
        self.approved_at = timezone.now()


# --- knowledge (RES-2) -------------------------------------------------------------------------


class DocumentCheckQuerySet(InternalQuerySet):
    def scope_for(self, user):
        # Staff see a link when they may see both ends: the inspection (quality's rule) and the
        # version (the document's project). Clients never see quality's work.
        if user.client_organization_id is not None:
            return self.none()
        from onestop.quality.models import Inspection  # noqa: PLC0415 — quality's models load after ours

        return self.filter(
            item__inspection__in=Inspection.objects.visible_to(user).values("pk"),
            version__in=DocumentVersion.objects.visible_to(user).values("pk"),
        )


class DocumentCheck(BusinessModel):
    """A document version a quality inspection checked (RES-1, QA-2): a link from the inspection's
    "technical documents are complete and accurate" item to the version the inspector read."""

    generic_views = False  # written by resources.services, shown on the inspection's and document's pages

    item = models.ForeignKey(
        "quality.InspectionItem",
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        related_name="checked_documents",
    )
    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("document version"), on_delete=models.PROTECT, related_name="checks"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = actor_field(_("linked by"), null=False)
    history = HistoricalRecords()

    objects = DocumentCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("checked document")
        verbose_name_plural = _("checked documents")
        ordering = ["item", "version__document__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="one_check_per_item_and_version")
        ]
        rules_permissions = {
            "view": r.can_view_document_check,
            "add": r.can_link_document_check,
            "change": r.rules.always_deny,
            "delete": r.can_link_document_check,
        }

    def __str__(self) -> str:
        return _("%(version)s checked by %(inspection)s") % {
            "version": self.version,
            "inspection": self.item.inspection.code,
        }

    def get_absolute_url(self) -> str:
        return self.item.inspection.get_absolute_url() + "#checked-documents"


def _has_body(article) -> bool:
    return bool((article.body or "").strip())


has_body = condition(_("Write the article before submitting it."))(_has_body)


class Article(WorkflowModel, BusinessModel):
    """知識文章: an article, case study or solution of the knowledge base (RES-2)."""

    allow_attachments = True
    allow_comments = True

    State = states.ArticleState
    editable_states = states.ARTICLE_EDITABLE

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Technical article")
        CASE_STUDY = "case_study", _("Case study")
        SOLUTION = "solution", _("Solution")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = BoundedTextField(_("text (Markdown)"), max_length=TEXT_REPORT)
    tags = models.CharField(
        _("tags"), max_length=300, blank=True, help_text=_("Separate the tags with commas.")
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text=_("The engagement a case study tells about."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="articles",
        editable=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)
    version = models.PositiveSmallIntegerField(_("published version"), default=0, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = actor_field(_("published by"))
    # The title, summary, tags and text with every run of Chinese split into overlapping pairs
    # of characters: what the full-text index reads (core/fulltext.py).
    search_text = BoundedTextField(editable=False, blank=True, default="", max_length=TEXT_GENERATED)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-published_at", "-pk"]
        rules_permissions = {
            "view": r.can_view_article,
            "add": r.can_write_article,
            "change": r.can_edit_article,
            "delete": r.rules.always_deny,
            "submit": r.can_edit_article,
            "publish": r.can_review_article,
            "archive": r.can_archive_article,
            "rate": r.can_rate_article,
            "comment": r.can_rate_article,
            "attach": r.can_edit_article,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.replace("，", ",").split(",") if tag.strip()]

    def index_text(self) -> str:
        return "\n".join([self.title, self.summary, self.tags, self.body])

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.IN_REVIEW,
        permission="resources.submit_article",
        conditions=[has_body],
        custom={"label": _("Submit for review"), "icon": "send", "service_only": True},
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.RETURNED,
        permission="resources.publish_article",
        custom={
            "label": _("Return to the author"),
            "icon": "arrow-return-left",
            "comment_required": True,
            "service_only": True,
        },
    )
    def return_article(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.PUBLISHED,
        permission="resources.publish_article",
        custom={"label": _("Publish"), "icon": "megaphone", "style": "success", "service_only": True},
    )
    def publish(self, actor=None):
        self.version += 1
        self.published_at = timezone.now()
        self.published_by = actor
        self.reviewer = actor

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.DRAFT,
        permission="resources.submit_article",
        custom={"label": _("Revise"), "icon": "pencil", "service_only": True},
    )
    def revise(self):
        pass

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.ARCHIVED,
        permission="resources.archive_article",
        custom={
            "label": _("Archive"),
            "icon": "archive",
            "comment_required": True,
            "style": "secondary",
            "service_only": True,
        },
    )
    def archive(self):
        pass


class ArticleRevision(BusinessModel):
    """What was published as version N of an article, as the reviewer approved it."""

    generic_views = False  # written by resources.services.publish_article

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = BoundedTextField(_("text (Markdown)"), max_length=TEXT_REPORT)
    published_at = models.DateTimeField(_("published"))
    published_by = actor_field(_("published by"))
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="one_article_revision_number")
        ]
        rules_permissions = {
            "view": r.can_view_article,
            "add": r.rules.always_deny,
            "change": r.rules.always_deny,
        }

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


class ArticleRating(BusinessModel):
    """One member of staff's rating of an article (1–5), changeable, one per person."""

    generic_views = False  # written by resources.services.rate_article

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("article rating")
        verbose_name_plural = _("article ratings")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_rating_per_person"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_1_to_5"),
        ]
        rules_permissions = {
            "view": r.can_view_article,
            "add": r.can_rate_article,
            "change": r.can_rate_article,
        }

    def __str__(self) -> str:
        return f"{self.article} {self.stars}"

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


# --- tools and equipment (RES-3) -------------------------------------------------------------


class Equipment(WorkflowModel, BusinessModel):
    """技術工具／設備: one item from its purchase request to its scrapping (RES-3)."""

    allow_attachments = True
    allow_comments = True

    State = states.EquipmentState
    editable_states = (*states.EQUIPMENT_PROCUREMENT, *states.EQUIPMENT_OWNED)

    class Category(models.TextChoices):
        INSTRUMENT = "instrument", _("Test and measurement instrument")
        COMPUTER = "computer", _("Computer and server")
        NETWORK = "network", _("Network equipment")
        SOFTWARE = "software", _("Software licence")
        TOOL = "tool", _("Tool")
        OTHER = "other", _("Other")

    code = models.CharField(_("asset number"), max_length=30, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.TOOL)
    model_number = models.CharField(_("make and model"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purpose = BoundedTextField(_("purpose of the purchase"), max_length=TEXT_NOTE)
    estimated_price = models.DecimalField(
        _("estimated price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    price = models.DecimalField(
        _("purchase price"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    supplier = models.CharField(_("supplier"), max_length=200, blank=True, editable=False)
    daily_rate = models.DecimalField(
        _("daily cost rate"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("What a day of use costs a project (depreciation and upkeep)."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    state = StateField(_("state"), choices=State.choices, default=State.REQUESTED, protected=True)
    requested_by = actor_field(_("requested by"), null=False)
    approved_by = actor_field(_("purchase approved by"))
    ordered_at = models.DateField(_("ordered"), null=True, blank=True, editable=False)
    received_at = models.DateField(_("arrived"), null=True, blank=True, editable=False)
    inspected_by = actor_field(_("inspected by"))
    inspection_note = BoundedTextField(
        _("acceptance inspection"), max_length=TEXT_NOTE, blank=True, editable=False
    )
    in_service_since = models.DateField(_("in service since"), null=True, blank=True, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    maintenance_interval_days = models.PositiveSmallIntegerField(
        _("maintenance every (days)"), null=True, blank=True
    )
    next_maintenance_on = models.DateField(_("next maintenance"), null=True, blank=True)
    calibration_due_on = models.DateField(_("calibration due"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    licence_until = models.DateField(_("licence valid until"), null=True, blank=True)
    scrapped_at = models.DateTimeField(_("scrapped"), null=True, blank=True, editable=False)
    scrapped_by = actor_field(_("scrapping approved by"))
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["code"]
        rules_permissions = {
            "view": r.can_view_equipment,
            "add": r.can_request_equipment,
            "change": r.can_edit_equipment,
            "delete": r.rules.always_deny,
            "approve": r.can_approve_equipment,
            "keep": r.is_keeper,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def utilization_share(self) -> str:
        """The share of the last 90 days the item was out (set for a list page by its views)."""
        return getattr(self, "_utilization", "")

    utilization_share.fget.short_description = _("utilization (90 days)")

    def clean(self):
        if self.maintenance_interval_days is not None and self.maintenance_interval_days < 1:
            raise ValidationError({"maintenance_interval_days": _("Give at least one day.")})

    # --- procurement ------------------------------------------------------------------
    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        permission="resources.approve_equipment",
        custom={
            "label": _("Approve the purchase"),
            "icon": "check2-circle",
            "style": "success",
            "service_only": True,
        },
    )
    def approve_purchase(self, actor=None):
        self.approved_by = actor

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REJECTED,
        permission="resources.approve_equipment",
        custom={
            "label": _("Reject the purchase"),
            "icon": "x-circle",
            "style": "danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def reject_purchase(self):
        pass

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.ORDERED,
        permission="resources.keep_equipment",
        custom={"label": _("Record the order"), "icon": "cart", "service_only": True},
    )
    def order(self, supplier="", price=None, ordered_at=None):
        self.supplier = supplier
        self.price = price
        self.ordered_at = ordered_at

    @transition(
        field=state,
        source=State.ORDERED,
        target=State.INSPECTION,
        permission="resources.keep_equipment",
        custom={"label": _("Arrived"), "icon": "box-seam", "service_only": True},
    )
    def arrive(self):
        self.received_at = timezone.localdate()

    @transition(
        field=state,
        source=State.INSPECTION,
        target=State.IN_STOCK,
        permission="resources.keep_equipment",
        custom={
            "label": _("Pass the acceptance inspection"),
            "icon": "clipboard-check",
            "service_only": True,
        },
    )
    def accept(self, actor=None, note=""):
        self.inspected_by = actor
        self.inspection_note = note
        self.in_service_since = timezone.localdate()

    @transition(
        field=state,
        source=State.INSPECTION,
        target=State.ORDERED,
        permission="resources.keep_equipment",
        custom={
            "label": _("Fail the inspection (back to the supplier)"),
            "icon": "arrow-return-left",
            "style": "warning",
            "comment_required": True,
            "service_only": True,
        },
    )
    def fail_inspection(self, comment=""):
        self.inspection_note = comment
        self.received_at = None

    # --- use ----------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.IN_STOCK,
        target=State.CHECKED_OUT,
        permission="resources.keep_equipment",
        custom={"label": _("Check out"), "icon": "box-arrow-right", "service_only": True},
    )
    def check_out(self, person=None):
        self.holder = person

    @transition(
        field=state,
        source=State.CHECKED_OUT,
        target=State.IN_STOCK,
        permission="resources.keep_equipment",
        custom={"label": _("Return"), "icon": "box-arrow-in-left", "service_only": True},
    )
    def return_item(self):
        self.holder = None

    @transition(
        field=state,
        source=State.IN_STOCK,
        target=State.MAINTENANCE,
        permission="resources.keep_equipment",
        custom={"label": _("Send to maintenance"), "icon": "wrench", "service_only": True},
    )
    def start_maintenance(self):
        pass

    @transition(
        field=state,
        source=State.MAINTENANCE,
        target=State.IN_STOCK,
        permission="resources.keep_equipment",
        custom={"label": _("Back from maintenance"), "icon": "wrench-adjustable", "service_only": True},
    )
    def finish_maintenance(self):
        pass

    # --- the end --------------------------------------------------------------------------
    @transition(
        field=state,
        source=[State.IN_STOCK, State.MAINTENANCE],
        target=State.SCRAP_REQUESTED,
        permission="resources.keep_equipment",
        custom={
            "label": _("Request scrapping"),
            "icon": "trash",
            "style": "warning",
            "comment_required": True,
            "service_only": True,
        },
    )
    def request_scrap(self):
        pass

    @transition(
        field=state,
        source=State.SCRAP_REQUESTED,
        target=State.SCRAPPED,
        permission="resources.approve_equipment",
        custom={
            "label": _("Approve scrapping"),
            "icon": "trash-fill",
            "style": "danger",
            "comment_required": True,
            "service_only": True,
        },
    )
    def approve_scrap(self, actor=None):
        self.scrapped_at = timezone.now()
        self.scrapped_by = actor

    @transition(
        field=state,
        source=State.SCRAP_REQUESTED,
        target=State.IN_STOCK,
        permission="resources.approve_equipment",
        custom={
            "label": _("Keep in service"),
            "icon": "arrow-counterclockwise",
            "comment_required": True,
            "service_only": True,
        },
    )
    def refuse_scrap(self):
        pass


class Checkout(BusinessModel):
    """One lending of an item: to whom, for which project, when, and at what daily rate."""

    generic_views = False  # written by resources.services.check_out / return_item

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="checkouts"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked out to"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="equipment_checkouts",
    )
    checked_out_on = models.DateField(_("checked out"))
    due_back_on = models.DateField(_("due back"))
    returned_on = models.DateField(_("returned"), null=True, blank=True)
    daily_rate = models.DecimalField(_("daily cost rate"), max_digits=10, decimal_places=2)
    checked_out_by = actor_field(_("handed out by"))
    returned_to = actor_field(_("taken back by"))
    condition_note = BoundedTextField(_("condition on return"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("equipment checkout")
        verbose_name_plural = _("equipment checkouts")
        ordering = ["-checked_out_on", "-pk"]
        indexes = [models.Index(fields=["project", "checked_out_on"], name="checkout_project_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"],
                condition=models.Q(returned_on__isnull=True),
                name="one_open_checkout_per_item",
            )
        ]
        rules_permissions = {"view": r.can_view_equipment, "add": r.is_keeper, "change": r.is_keeper}

    def __str__(self) -> str:
        return f"{self.equipment.code} → {self.person}"

    def get_absolute_url(self) -> str:
        return self.equipment.get_absolute_url()


class MaintenanceRecord(BusinessModel):
    """A maintenance, a calibration or a periodic evaluation of an item."""

    generic_views = False  # written by resources.services.record_maintenance

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        CALIBRATION = "calibration", _("Calibration")
        REPAIR = "repair", _("Repair")
        EVALUATION = "evaluation", _("Periodic evaluation")

    class Verdict(models.TextChoices):
        FIT = "fit", _("Fit for use")
        UPGRADE = "upgrade", _("Usable, plan an upgrade")
        REPLACE = "replace", _("Replace or scrap")

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="maintenance"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    performed_on = models.DateField(_("performed"))
    performed_by = actor_field(_("recorded by"))
    description = BoundedTextField(_("what was done"), max_length=TEXT_NOTE)
    cost = models.DecimalField(
        _("cost"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        ordering = ["-performed_on", "-pk"]
        rules_permissions = {"view": r.can_view_equipment, "add": r.is_keeper, "change": r.rules.always_deny}

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.get_kind_display()} {self.performed_on}"

    def get_absolute_url(self) -> str:
        return self.equipment.get_absolute_url()


# The authors of a project's documents and the reviewers and approvers of their versions are on
# the engagement's team.
register_team("resources.TechnicalDocument", engagement="engagement", users=("author",))
register_team("resources.DocumentVersion", engagement="document__engagement", users=("reviewer", "approver"))
