"""Pages of technical documents, the knowledge base and equipment (RES-1..3): thin views over
resources.services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onestop.core import fulltext
from onestop.core.actions import RecordAction, calls, record_action, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.engagements.models import Engagement
from onestop.quality.models import Inspection
from onestop.resources import forms, selectors, services
from onestop.resources.filters import (
    ArticleFilterSet,
    DocumentTypeFilterSet,
    EquipmentFilterSet,
    TechnicalDocumentFilterSet,
)
from onestop.resources.markup import plain as plain_text
from onestop.resources.markup import render as render_markdown
from onestop.resources.models import (
    Article,
    DocumentCheck,
    DocumentType,
    DocumentVersion,
    Equipment,
    MaintenanceRecord,
    TechnicalDocument,
)
from onestop.resources.states import VersionState

UTILIZATION_DAYS = 90  # the window of the utilization shown per item
CHECKS_SHOWN = 50  # the latest inspections that checked a document, on its page


@dataclass(frozen=True)
class Step:
    """A plain step of a record's page: a transition with a comment (required or not)."""

    name: str  # URL segment
    key: str
    url: str
    label: str
    icon: str
    style: str
    confirm: str = ""


def steps(model, *specs):
    """``(actions, steps)`` for ``specs`` of ``(name, service, transition, comment required)``:
    the label, icon and style come from the transition's declaration."""
    actions, shown = [], []
    transitions = {t.name: t for t in model.state_field().get_all_transitions(model)}
    for name, service, transition, required in specs:
        custom = transitions[transition].custom
        action = RecordAction(
            name,
            calls(service),
            form=forms.CommentForm if required else forms.OptionalCommentForm,
            transition=transition,
            success=custom["label"],
        )
        actions.append(action)
        shown.append(
            Step(
                name,
                action.key,
                f"resources:{model._meta.model_name}_{action.key}",
                custom["label"],
                custom.get("icon", "arrow-right-circle"),
                custom.get("style", "primary"),
                str(custom.get("confirm", "")),
            )
        )
    return actions, shown


DOCUMENT_STEP_ACTIONS, DOCUMENT_STEPS = steps(
    TechnicalDocument,
    ("request-disposal", services.request_disposal, "request_disposal", True),
    ("approve-disposal", services.approve_disposal, "approve_disposal", True),
    ("keep-longer", services.keep_longer, "keep_longer", True),
)
ARTICLE_STEP_ACTIONS, ARTICLE_STEPS = steps(
    Article,
    ("submit", services.submit_article, "submit", False),
    ("return", services.return_article, "return_article", True),
    ("revise", services.revise_article, "revise", False),
    ("archive", services.archive_article, "archive", True),
)
EQUIPMENT_STEP_ACTIONS, EQUIPMENT_STEPS = steps(
    Equipment,
    ("approve-purchase", services.approve_purchase, "approve_purchase", False),
    ("reject-purchase", services.reject_purchase, "reject_purchase", True),
    ("arrive", services.arrive, "arrive", False),
    ("fail-inspection", services.fail_inspection, "fail_inspection", True),
    ("start-maintenance", services.start_maintenance, "start_maintenance", False),
    ("request-scrap", services.request_scrap, "request_scrap", True),
    ("approve-scrap", services.approve_scrap, "approve_scrap", True),
    ("refuse-scrap", services.refuse_scrap, "refuse_scrap", True),
)

# --- document types ------------------------------------------------------------------------


class DocumentTypeViews(ObjectViews):
    model = DocumentType
    filterset_class = DocumentTypeFilterSet
    form_class = forms.DocumentTypeForm
    icon = "file-earmark-ruled"
    detail_template = "resources/documenttype_detail.html"
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("retention_years"),
        Column("active"),
    ]
    detail_fields = ["code", "name", "retention_years", "active"]
    default_sort = "name"


@login_required
def skeleton_download(request, pk):
    doc_type = visible_record(request, DocumentType, pk)
    response = HttpResponse(doc_type.skeleton, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{doc_type.code}-template.md"'
    return response


# --- technical documents ------------------------------------------------------------------------


def _version_of(document, number_or_pk):
    return get_object_or_404(DocumentVersion, document=document, pk=number_or_pk)


def _is_current(version, user, state, permission) -> bool:
    return version.state in state and user.has_perm(permission, version)


VERSION_ACTIONS = [
    record_action(
        DocumentVersion,
        "upload",
        calls(services.upload_file),
        form=forms.UploadForm,
        when=lambda v, user: _is_current(
            v, user, (VersionState.DRAFT, VersionState.RETURNED), "resources.change_documentversion"
        ),
        page=lambda v: v.document,
        success=gettext_lazy("The file was uploaded."),
        anchor="#versions",
    ),
    record_action(
        DocumentVersion,
        "submit",
        calls(services.submit_version),
        form=forms.SubmitVersionForm,
        form_kwargs=lambda v, user: {"user": user},
        when=lambda v, user: _is_current(
            v, user, (VersionState.DRAFT, VersionState.RETURNED), "resources.submit_documentversion"
        ),
        page=lambda v: v.document,
        success=gettext_lazy("The version was submitted; the reviewer was told."),
        anchor="#versions",
    ),
    record_action(
        DocumentVersion,
        "review",
        lambda version, request, data: services.review_version(
            version, actor=request.user, checklist=data["checklist"], note=data.get("note", "")
        ),
        form=forms.ReviewForm,
        form_kwargs=lambda v, user: {"items": v.document.doc_type.checklist_items},
        when=lambda v, user: _is_current(
            v, user, (VersionState.IN_REVIEW,), "resources.review_documentversion"
        ),
        page=lambda v: v.document,
        success=gettext_lazy("The review was recorded; the approver was told."),
        anchor="#versions",
    ),
    record_action(
        DocumentVersion,
        "return",
        calls(services.return_version),
        form=forms.ReturnVersionForm,
        when=lambda v, user: (
            v.state in (VersionState.IN_REVIEW, VersionState.REVIEWED)
            and user.pk in (v.reviewer_id, v.approver_id)
        ),
        page=lambda v: v.document,
        success=gettext_lazy("The version was returned to its author."),
        anchor="#versions",
    ),
    record_action(
        DocumentVersion,
        "approve",
        calls(services.approve_version),
        form=forms.OptionalCommentForm,
        when=lambda v, user: _is_current(
            v, user, (VersionState.REVIEWED,), "resources.approve_documentversion"
        ),
        page=lambda v: v.document,
        success=gettext_lazy("The version was approved."),
        anchor="#versions",
    ),
]
VERSION_ACTION = {action.key: action for action in VERSION_ACTIONS}

# The documents a quality inspection checked (RES-1, QA-2): linked from the inspection's page.
CHECK_DOCUMENT = record_action(
    Inspection,
    "check-document",
    lambda inspection, request, data: services.check_document(
        inspection, actor=request.user, version=data["version"], note=data.get("note", "")
    ),
    form=forms.CheckDocumentForm,
    form_kwargs=lambda inspection, user: {"inspection": inspection, "user": user},
    success=gettext_lazy("The document was linked to the inspection."),
    anchor="#checked-documents",
)
REMOVE_CHECK = record_action(
    DocumentCheck,
    "remove",
    calls(services.uncheck_document),
    page=lambda check: check.item.inspection,
    success=gettext_lazy("The link to the document was removed."),
    anchor="#checked-documents",
)


class TechnicalDocumentViews(ObjectViews):
    model = TechnicalDocument
    filterset_class = TechnicalDocumentFilterSet
    form_class = forms.DocumentForm
    add_form_class = forms.DocumentAddForm
    icon = "file-earmark-text"
    allow_delete = False
    detail_template = "resources/document_detail.html"
    list_select_related = ("project", "doc_type", "author", "delivered_version")
    detail_select_related = (
        "project",
        "engagement",
        "doc_type",
        "author",
        "delivered_version",
        "delivered_by",
        "disposal_requested_by",
        "disposed_by",
    )
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("project", sort="project__code"),
        Column("doc_type", sort="doc_type__name"),
        Column("author", sort="author__full_name"),
        Column("delivered_version", sort=False),
        Column("retention_until"),
        Column("state"),
    ]
    detail_fields = [
        "code",
        "project",
        "engagement",
        "doc_type",
        "author",
        "description",
        "state",
        "retention_until",
        "delivered_version",
        "delivered_at",
        "delivered_by",
        "delivered_to",
        "disposal_requested_by",
        "disposed_by",
        "disposal_note",
    ]
    default_sort = "-created_at"

    actions = [
        RecordAction(
            "new-version",
            calls(services.add_version),
            form=forms.NewVersionForm,
            when=lambda d, user: not d.is_disposed and user.has_perm("resources.change_technicaldocument", d),
            success=gettext_lazy("A new version was started."),
            anchor="#versions",
        ),
        RecordAction(
            "deliver",
            calls(services.deliver),
            form=forms.DeliverForm,
            form_kwargs=lambda d, user: {"document": d},
            when=lambda d, user: (
                user.has_perm("resources.deliver_technicaldocument", d)
                and d.versions.filter(state=VersionState.APPROVED).exists()
            ),
            success=gettext_lazy("The delivery to the client was recorded."),
        ),
        *DOCUMENT_STEP_ACTIONS,
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        user = request.user
        versions = list(
            obj.versions.select_related("file", "author", "reviewer", "approver").order_by("-number")
        )
        rows = []
        for version in versions:
            actions = {}
            for key, action in VERSION_ACTION.items():
                if action.available(version, user, ()):
                    form = bound_forms.get(key) if bound_forms.get(key) is not None and rows == [] else None
                    actions[key] = bootstrapify(form or action.make_form(version, user))
            rows.append(
                {
                    "version": version,
                    "actions": actions,
                    "difference": services.version_difference(version)
                    if version.state in (VersionState.IN_REVIEW, VersionState.REVIEWED)
                    or version is versions[0]
                    else None,
                }
            )
        checks = list(
            DocumentCheck.objects.visible_to(user)
            .filter(version__document=obj)
            .select_related("item__inspection", "version", "checked_by")
            .order_by("-created_at", "-pk")[:CHECKS_SHOWN]
        )
        return {
            "versions": rows,
            "checks": checks,
            "checklist": obj.doc_type.checklist_items,
            "steps": DOCUMENT_STEPS,
            "is_workflow": False,  # every step is on this page's own forms; the log is shown below
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.create_document(
                actor=actor,
                project=data["project"],
                doc_type=data["doc_type"],
                title=data["title"],
                description=data.get("description", ""),
                file=data.get("file"),
                change_note=data.get("change_note", ""),
            )
        return services.edit_document(
            obj,
            actor=actor,
            title=data["title"],
            description=data.get("description", ""),
            doc_type=data["doc_type"],
        )


# --- knowledge -----------------------------------------------------------------------------------


class ArticleViews(ObjectViews):
    model = Article
    filterset_class = ArticleFilterSet
    form_class = forms.ArticleForm
    icon = "journal-richtext"
    allow_delete = False
    detail_template = "resources/article_detail.html"
    list_select_related = ("author",)
    detail_select_related = ("author", "engagement", "published_by")
    columns = [
        Column("title", link=True),
        Column("kind"),
        Column("tags"),
        Column("author", sort="author__full_name"),
        Column("version"),
        Column("published_at"),
        Column("state"),
    ]
    detail_fields = [
        "kind",
        "summary",
        "tags",
        "engagement",
        "author",
        "state",
        "version",
        "published_at",
        "published_by",
    ]
    related_tables = [
        RelatedTable(
            "courses",
            [Column("title", link=True), Column("kind"), Column("hours")],
            title=gettext_lazy("Courses and knowledge-sharing events built on it"),
        )
    ]
    default_sort = "-published_at"

    actions = [
        RecordAction(
            "publish",
            calls(services.publish_article),
            form=forms.OptionalCommentForm,
            transition="publish",
            success=gettext_lazy("The article was published."),
        ),
        RecordAction(
            "rate",
            calls(services.rate_article),
            form=forms.RateForm,
            when=lambda a, user: a.state == Article.State.PUBLISHED,
            success=gettext_lazy("Thank you for your rating."),
            anchor="#rating",
        ),
        *ARTICLE_STEP_ACTIONS,
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        summary = obj.ratings.aggregate(average=Avg("stars"), count=Count("pk"))
        mine = obj.ratings.filter(user=request.user).values_list("stars", flat=True).first()
        return {
            "body_html": render_markdown(obj.body),
            "rating": summary,
            "my_rating": mine,
            "revisions": list(obj.revisions.select_related("published_by").order_by("-version")[:20]),
            "steps": ARTICLE_STEPS,
            "is_workflow": False,
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = {
            name: form.cleaned_data.get(name)
            for name in ("kind", "title", "summary", "tags", "engagement", "body")
        }
        data = {k: ("" if v is None and k != "engagement" else v) for k, v in data.items()}
        if obj is None:
            return services.write_article(actor=actor, **data)
        return services.edit_article(obj, actor=actor, **data)


SEARCH_PAGE_SIZE = 20


@login_required
def knowledge_search(request):
    """The knowledge base's search page: ranked, with the query's words marked."""
    if not request.user.has_perm("resources.view_article"):
        raise PermissionDenied
    query = (request.GET.get("q") or "").strip()[:200]
    page = None
    hits = []
    if query:
        rows = fulltext.search(
            Article.objects.visible_to(request.user)
            .filter(state=Article.State.PUBLISHED)
            .select_related("author"),
            query,
        )
        page = Paginator(rows, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        hits = [
            {
                "article": article,
                "title": fulltext.highlight(article.title, query),
                "snippet": fulltext.snippet(f"{article.summary} {plain_text(article.body)}", query),
            }
            for article in page.object_list
        ]
    return render(request, "resources/knowledge_search.html", {"query": query, "page": page, "hits": hits})


@login_required
def case_study(request, engagement):
    """Write a case study from a closed engagement, prefilled from its records."""
    if not request.user.has_perm("resources.add_article"):
        raise PermissionDenied
    engagement = visible_record(request, Engagement, engagement)
    if request.method == "POST":
        form = forms.ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                article = ArticleViews.save(form, actor=request.user, request=request)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return HttpResponseRedirect(article.get_absolute_url())
    else:
        form = forms.ArticleForm(initial=services.case_study_draft(engagement), user=request.user)
    return render(
        request, "resources/case_study_form.html", {"form": bootstrapify(form), "engagement": engagement}
    )


# --- equipment -------------------------------------------------------------------------------


class EquipmentViews(ObjectViews):
    model = Equipment
    filterset_class = EquipmentFilterSet
    form_class = forms.EquipmentForm
    add_form_class = forms.EquipmentRequestForm
    icon = "tools"
    allow_delete = False
    detail_template = "resources/equipment_detail.html"
    list_select_related = ("holder",)
    detail_select_related = ("holder", "requested_by", "approved_by", "inspected_by", "scrapped_by")
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("state"),
        Column("holder", sort="holder__full_name"),
        Column("daily_rate"),
        Column("utilization_share", sort=False),
        Column("next_maintenance_on"),
    ]
    detail_fields = [
        "code",
        "category",
        "model_number",
        "serial_number",
        "state",
        "holder",
        "location",
        "purpose",
        "requested_by",
        "estimated_price",
        "approved_by",
        "supplier",
        "price",
        "ordered_at",
        "received_at",
        "inspected_by",
        "inspection_note",
        "in_service_since",
        "daily_rate",
        "maintenance_interval_days",
        "next_maintenance_on",
        "calibration_due_on",
        "warranty_until",
        "licence_until",
        "scrapped_at",
        "scrapped_by",
    ]
    default_sort = "code"

    actions = [
        RecordAction(
            "order",
            calls(services.order),
            form=forms.OrderForm,
            transition="order",
            success=gettext_lazy("The order was recorded."),
        ),
        RecordAction(
            "accept",
            calls(services.accept),
            form=forms.AcceptForm,
            transition="accept",
            success=gettext_lazy("The item passed the acceptance inspection and is in stock."),
        ),
        RecordAction(
            "check-out",
            calls(services.check_out),
            form=forms.CheckoutForm,
            form_kwargs=lambda item, user: {"user": user},
            transition="check_out",
            success=gettext_lazy("The item was checked out."),
        ),
        RecordAction(
            "return",
            calls(services.return_item),
            form=forms.ReturnForm,
            transition="return_item",
            success=gettext_lazy("The item was returned."),
        ),
        RecordAction(
            "maintenance",
            calls(services.record_maintenance),
            form=forms.MaintenanceForm,
            initial=lambda item, user: {"expected_state": item.state},
            when=lambda item, user: (
                item.state in ("in_stock", "checked_out", "maintenance")
                and user.has_perm("resources.keep_equipment", item)
            ),
            success=gettext_lazy("The record was added."),
            anchor="#maintenance",
        ),
        *EQUIPMENT_STEP_ACTIONS,
    ]

    @classmethod
    def prepare_page(cls, request, objects) -> None:
        today = timezone.localdate()
        shares = selectors.utilization(objects, today - timedelta(days=UTILIZATION_DAYS - 1), today)
        for item in objects:
            item._utilization = f"{shares.get(item.pk, 0):.0%}"

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        today = timezone.localdate()
        share = selectors.utilization([obj], today - timedelta(days=UTILIZATION_DAYS - 1), today)[obj.pk]
        return {
            "checkouts": list(
                obj.checkouts.select_related("person", "project").order_by("-checked_out_on", "-pk")[:50]
            ),
            "maintenance": list(
                obj.maintenance.select_related("performed_by").order_by("-performed_on", "-pk")[:50]
            ),
            "utilization": share,
            "utilization_days": UTILIZATION_DAYS,
            "MaintenanceKind": MaintenanceRecord.Kind,
            "steps": EQUIPMENT_STEPS,
            "is_workflow": False,
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.request_equipment(actor=actor, **data)
        data.pop("change_reason", None)
        return services.edit_equipment(obj, actor=actor, **data)


def version_urls() -> list:
    return [
        *(
            path(
                f"documentversions/<int:pk>/{action.name}/", action.view, name=f"documentversion_{action.key}"
            )
            for action in VERSION_ACTIONS
        ),
        path("inspections/<int:pk>/check-document/", CHECK_DOCUMENT.view, name="inspection_check_document"),
        path("document-checks/<int:pk>/remove/", REMOVE_CHECK.view, name="documentcheck_remove"),
    ]
