"""REST API of the resources app (RES-1..3). ``ROUTES`` lists (prefix, viewset, basename).

Every action runs the same service as the pages: 400 refused (with field errors), 403 not
allowed, 404 outside the user's reach, 409 when someone else acted first.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.accounts.models import User
from onestop.core import fulltext
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet, paginated
from onestop.core.fields import TEXT_NOTE
from onestop.engagements.models import Engagement
from onestop.projects.models import Project
from onestop.quality.models import Inspection
from onestop.resources import filters, selectors, services
from onestop.resources.markup import plain as plain_text
from onestop.resources.markup import render as render_markdown
from onestop.resources.models import (
    Article,
    Checkout,
    DocumentCheck,
    DocumentType,
    DocumentVersion,
    Equipment,
    MaintenanceRecord,
    TechnicalDocument,
)

# --- documents ----------------------------------------------------------------------------------


class DocumentTypeSerializer(ModelSerializer):
    class Meta:
        model = DocumentType
        fields = [
            "id",
            "code",
            "name",
            "skeleton",
            "checklist",
            "retention_years",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class DocumentTypeViewSet(ObjectViewSet):
    """RES-1 document types: writing standard (template + checklist) and retention period."""

    queryset = DocumentType.objects.all()
    serializer_class = DocumentTypeSerializer
    filterset_class = filters.DocumentTypeFilterSet
    ordering_fields = ["name", "code"]


class DocumentVersionSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    file_name = serializers.CharField(source="file.original_name", read_only=True, default="")

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "document",
            "number",
            "change_note",
            "file",
            "file_name",
            "metadata",
            "state",
            "state_label",
            "author",
            "submitted_at",
            "reviewer",
            "approver",
            "checklist_result",
            "review_note",
            "reviewed_at",
            "approved_at",
        ]
        read_only_fields = fields

    # What the client's acceptance team reads of a delivered version (ACC-2): the version, its
    # note and its file — not who reviewed and approved it inside the company, nor how.
    INTERNAL_ONLY = {"reviewer": None, "approver": None, "checklist_result": [], "review_note": ""}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and request.user.client_organization_id is not None:
            data.update(self.INTERNAL_ONLY)
        return data


class TechnicalDocumentSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = TechnicalDocument
        fields = [
            "id",
            "code",
            "project",
            "engagement",
            "doc_type",
            "title",
            "description",
            "author",
            "state",
            "state_label",
            "retention_until",
            "delivered_version",
            "delivered_at",
            "delivered_by",
            "delivered_to",
            "disposal_requested_at",
            "disposal_requested_by",
            "disposed_at",
            "disposed_by",
            "disposal_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            name for name in fields if name not in ("project", "doc_type", "title", "description")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "project" in self.fields:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
            if self.instance is not None and not isinstance(self.instance, list | tuple):
                self.fields["project"].read_only = True


class NewVersionSerializer(serializers.Serializer):
    change_note = serializers.CharField(max_length=TEXT_NOTE)
    file = serializers.FileField(required=False)


class DeliverSerializer(serializers.Serializer):
    version = serializers.PrimaryKeyRelatedField(queryset=DocumentVersion.objects.all())
    delivered_to = serializers.CharField(max_length=200)


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_NOTE)


class TechnicalDocumentViewSet(ObjectViewSet):
    """RES-1 technical documents of a project. `POST` creates the document with version 1
    (a draft); versions are reviewed and approved under `/resources/document-versions/`."""

    queryset = TechnicalDocument.objects.all()
    serializer_class = TechnicalDocumentSerializer
    filterset_class = filters.TechnicalDocumentFilterSet
    select_related = ("project", "doc_type")
    ordering_fields = ["created_at", "code", "retention_until"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_document(
            actor=self.request.user,
            project=data["project"],
            doc_type=data["doc_type"],
            title=data["title"],
            description=data.get("description", ""),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        document = serializer.instance
        services.edit_document(
            document,
            actor=self.request.user,
            title=data.get("title", document.title),
            description=data.get("description", document.description),
            doc_type=data.get("doc_type"),
        )

    new_version = service_action(
        calls(services.add_version),
        serializer=NewVersionSerializer,
        url_path="new-version",
        name="new_version",
    )
    deliver = service_action(calls(services.deliver), serializer=DeliverSerializer, url_path="deliver")
    request_disposal = service_action(
        calls(services.request_disposal),
        serializer=RequiredCommentSerializer,
        url_path="request-disposal",
        name="request_disposal",
    )
    approve_disposal = service_action(
        calls(services.approve_disposal),
        serializer=RequiredCommentSerializer,
        url_path="approve-disposal",
        name="approve_disposal",
    )
    keep_longer = service_action(
        calls(services.keep_longer),
        serializer=RequiredCommentSerializer,
        url_path="keep-longer",
        name="keep_longer",
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class SubmitVersionSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(client_organization__isnull=True)
    )
    approver = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(client_organization__isnull=True)
    )
    comment = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True, default="")


class DocumentReviewSerializer(serializers.Serializer):
    checklist = serializers.DictField(
        child=serializers.BooleanField(), help_text="{item: met?} for every item."
    )
    note = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True, default="")


class DifferenceSerializer(serializers.Serializer):
    response_only = True
    previous = serializers.IntegerField(source="previous.number")
    change_note = serializers.CharField()
    metadata = serializers.ListField(child=serializers.DictField())
    checklist = serializers.ListField(child=serializers.DictField())
    text_diff = serializers.ListField(child=serializers.CharField(), allow_null=True)
    same_file = serializers.BooleanField()


class DocumentVersionViewSet(ObjectViewSet):
    """RES-1 document versions: upload, submit (naming reviewer and approver), review (the
    checklist), return, approve; `difference/` compares with the previous version."""

    queryset = DocumentVersion.objects.all()
    serializer_class = DocumentVersionSerializer
    select_related = ("document", "file")
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["number"]

    def create(self, request, *args, **kwargs):
        raise serializers.ValidationError(
            {"document": ["Start a version with POST …/documents/{id}/new-version/."]}
        )

    upload = service_action(calls(services.upload_file), serializer=UploadSerializer, url_path="upload")
    submit = service_action(
        calls(services.submit_version), serializer=SubmitVersionSerializer, url_path="submit"
    )
    review = service_action(
        calls(services.review_version), serializer=DocumentReviewSerializer, url_path="review"
    )
    return_to_author = service_action(
        calls(services.return_version),
        serializer=RequiredCommentSerializer,
        url_path="return",
        name="return_to_author",
    )
    approve = service_action(
        calls(services.approve_version), serializer=CommentRequestSerializer, url_path="approve"
    )

    @extend_schema(responses=DifferenceSerializer)
    @action(detail=True, methods=["get"], required_action="compare")
    def difference(self, request, pk=None):
        """What changed from the previous version (404 for version 1, which has none)."""
        difference = services.version_difference(self.get_object())
        if not difference:
            raise exceptions.NotFound(_("The first version has no earlier version to compare with."))
        return Response(DifferenceSerializer(difference).data)


# --- documents a quality inspection checked (RES-1, QA-2) --------------------------------------


class DocumentCheckSerializer(ModelSerializer):
    inspection = serializers.IntegerField(source="item.inspection_id", read_only=True)
    inspection_code = serializers.CharField(source="item.inspection.code", read_only=True)
    document = serializers.IntegerField(source="version.document_id", read_only=True)
    document_code = serializers.CharField(source="version.document.code", read_only=True)
    document_title = serializers.CharField(source="version.document.title", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = DocumentCheck
        fields = [
            "id",
            "inspection",
            "inspection_code",
            "item",
            "document",
            "document_code",
            "document_title",
            "version",
            "version_number",
            "note",
            "checked_by",
            "created_at",
        ]
        read_only_fields = fields


class CheckDocumentSerializer(serializers.Serializer):
    inspection = serializers.IntegerField(help_text="The inspection that checked the document.")
    version = serializers.IntegerField(
        help_text="The document version it checked (of the inspection's project)."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DocumentCheckViewSet(ObjectViewSet):
    """RES-1 / QA-2: the document versions quality inspections checked, for their "technical
    documents are complete and accurate" item. `?inspection=` or `?document=` narrows the list;
    `POST` links a version (while the inspection is open), `DELETE` removes a link."""

    queryset = DocumentCheck.objects.all()
    serializer_class = DocumentCheckSerializer
    filterset_class = filters.DocumentCheckFilterSet
    select_related = ("item__inspection", "version__document", "checked_by")
    http_method_names = ["get", "post", "delete", "head", "options"]
    ordering_fields = ["created_at"]

    @extend_schema(request=CheckDocumentSerializer, responses={201: DocumentCheckSerializer})
    def create(self, request, *args, **kwargs):
        body = CheckDocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        inspection = Inspection.objects.visible_to(request.user).filter(pk=data["inspection"]).first()
        if inspection is None or not request.user.has_perm("quality.view_inspection", inspection):
            raise exceptions.NotFound(_("No such inspection."))
        version = DocumentVersion.objects.visible_to(request.user).filter(pk=data["version"]).first()
        check = services.check_document(inspection, actor=request.user, version=version, note=data["note"])
        return Response(self.get_serializer(check).data, status=201)

    def perform_destroy(self, instance):
        services.uncheck_document(instance, actor=self.request.user)


# --- knowledge ---------------------------------------------------------------------------------


class ArticleSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    html = serializers.SerializerMethodField(help_text="The text rendered and sanitised.")

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "tags",
            "engagement",
            "body",
            "html",
            "author",
            "reviewer",
            "state",
            "state_label",
            "version",
            "published_at",
            "published_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "html",
            "author",
            "reviewer",
            "state",
            "state_label",
            "version",
            "published_at",
            "published_by",
            "created_at",
            "updated_at",
        ]

    def get_html(self, article) -> str:
        return str(render_markdown(article.body))


class KnowledgeHitSerializer(serializers.Serializer):
    response_only = True
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    rank = serializers.FloatField()
    title_html = serializers.CharField()
    snippet_html = serializers.CharField()


class CaseStudyDraftSerializer(serializers.Serializer):
    response_only = True
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    tags = serializers.CharField(allow_blank=True)
    engagement = serializers.IntegerField()
    body = serializers.CharField()


class RateSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)


class ArticleViewSet(ObjectViewSet):
    """RES-2 knowledge articles, case studies and solutions. `search/?q=` is the ranked,
    Chinese-aware full-text search over published articles."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    filterset_class = filters.ArticleFilterSet
    ordering_fields = ["published_at", "title"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    extra_query_params = ("q", "engagement")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.write_article(actor=self.request.user, **data)

    def perform_update(self, serializer):
        services.edit_article(serializer.instance, actor=self.request.user, **serializer.validated_data)

    submit = service_action(
        calls(services.submit_article), serializer=CommentRequestSerializer, url_path="submit"
    )
    publish = service_action(
        calls(services.publish_article), serializer=CommentRequestSerializer, url_path="publish"
    )
    return_article = service_action(
        calls(services.return_article),
        serializer=RequiredCommentSerializer,
        url_path="return",
        name="return_article",
    )
    revise = service_action(
        calls(services.revise_article), serializer=CommentRequestSerializer, url_path="revise"
    )
    archive = service_action(
        calls(services.archive_article), serializer=RequiredCommentSerializer, url_path="archive"
    )
    rate = service_action(calls(services.rate_article), serializer=RateSerializer, url_path="rate")

    @extend_schema(
        parameters=[OpenApiParameter("engagement", int, required=True)],
        responses=CaseStudyDraftSerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        required_action="add",
        filter_backends=(),
        pagination_class=None,
        url_path="case-study-draft",
    )
    def case_study_draft(self, request):
        """The fields of a case study prefilled from a closed engagement's records, to POST back."""
        try:
            engagement = Engagement.objects.visible_to(request.user).get(
                pk=int(request.query_params.get("engagement", ""))
            )
        except (ValueError, Engagement.DoesNotExist):
            raise serializers.ValidationError({"engagement": ["Choose an engagement you may see."]}) from None
        return Response(CaseStudyDraftSerializer(services.case_study_draft(engagement)).data)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="Words, Chinese or not.")],
        responses=KnowledgeHitSerializer(many=True),
    )
    @action(detail=False, methods=["get"], required_action="view", filter_backends=())
    def search(self, request):
        """Published articles matching every word of `q`, best first, with the words marked."""
        query = (request.query_params.get("q") or "").strip()[:200]
        rows = fulltext.search(
            Article.objects.visible_to(request.user).filter(state=Article.State.PUBLISHED), query
        )
        page = self.paginate_queryset(rows)
        hits = [
            {
                "id": article.pk,
                "title": article.title,
                "kind": article.kind,
                "rank": article.fulltext_rank,
                "title_html": str(fulltext.highlight(article.title, query)),
                "snippet_html": str(fulltext.snippet(f"{article.summary} {plain_text(article.body)}", query)),
            }
            for article in page
        ]
        return self.get_paginated_response(KnowledgeHitSerializer(hits, many=True).data)


# --- equipment ---------------------------------------------------------------------------------


class EquipmentSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Equipment
        fields = [
            "id",
            "code",
            "name",
            "category",
            "model_number",
            "serial_number",
            "purpose",
            "estimated_price",
            "price",
            "supplier",
            "daily_rate",
            "location",
            "state",
            "state_label",
            "requested_by",
            "approved_by",
            "ordered_at",
            "received_at",
            "inspected_by",
            "inspection_note",
            "in_service_since",
            "holder",
            "maintenance_interval_days",
            "next_maintenance_on",
            "calibration_due_on",
            "warranty_until",
            "licence_until",
            "scrapped_at",
            "scrapped_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "code",
            "price",
            "supplier",
            "state",
            "state_label",
            "requested_by",
            "approved_by",
            "ordered_at",
            "received_at",
            "inspected_by",
            "inspection_note",
            "in_service_since",
            "holder",
            "scrapped_at",
            "scrapped_by",
            "created_at",
            "updated_at",
        ]


class OrderSerializer(serializers.Serializer):
    supplier = serializers.CharField(max_length=200)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    ordered_at = serializers.DateField(required=False, allow_null=True, default=None)


class EquipmentAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_NOTE)


class CheckoutRequestSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(client_organization__isnull=True)
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    due_back_on = serializers.DateField()


class ReturnSerializer(serializers.Serializer):
    condition_note = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True, default="")


class MaintenanceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MaintenanceRecord.Kind.choices)
    description = serializers.CharField(max_length=TEXT_NOTE)
    performed_on = serializers.DateField(required=False, allow_null=True, default=None)
    cost = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, default=0)
    verdict = serializers.ChoiceField(
        choices=MaintenanceRecord.Verdict.choices, required=False, allow_blank=True, default=""
    )
    expected_state = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        default="",
        help_text="The item's state as the user saw it; another state answers 409 and records nothing.",
    )


class CheckoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkout
        fields = [
            "id",
            "equipment",
            "person",
            "project",
            "checked_out_on",
            "due_back_on",
            "returned_on",
            "daily_rate",
            "condition_note",
        ]
        read_only_fields = fields


class EquipmentCostSerializer(serializers.Serializer):
    response_only = True
    project = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class EquipmentViewSet(ObjectViewSet):
    """RES-3 tools and equipment, from the purchase request to scrapping. `cost/?project=&start=&end=`
    is what the equipment checked out for a project cost in a period."""

    queryset = Equipment.objects.all()
    serializer_class = EquipmentSerializer
    filterset_class = filters.EquipmentFilterSet
    select_related = ("holder",)
    ordering_fields = ["code", "name", "next_maintenance_on"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    extra_query_params = ("project", "start", "end")

    def perform_create(self, serializer):
        serializer.instance = services.request_equipment(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.edit_equipment(serializer.instance, actor=self.request.user, **serializer.validated_data)

    approve_purchase = service_action(
        calls(services.approve_purchase),
        serializer=CommentRequestSerializer,
        url_path="approve-purchase",
        name="approve_purchase",
    )
    reject_purchase = service_action(
        calls(services.reject_purchase),
        serializer=RequiredCommentSerializer,
        url_path="reject-purchase",
        name="reject_purchase",
    )
    order = service_action(calls(services.order), serializer=OrderSerializer, url_path="order")
    arrive = service_action(calls(services.arrive), serializer=CommentRequestSerializer, url_path="arrive")
    accept = service_action(calls(services.accept), serializer=EquipmentAcceptSerializer, url_path="accept")
    fail_inspection = service_action(
        calls(services.fail_inspection),
        serializer=RequiredCommentSerializer,
        url_path="fail-inspection",
        name="fail_inspection",
    )
    check_out = service_action(
        calls(services.check_out),
        serializer=CheckoutRequestSerializer,
        url_path="check-out",
        response=CheckoutSerializer,
        name="check_out",
    )
    return_item = service_action(
        calls(services.return_item),
        serializer=ReturnSerializer,
        url_path="return",
        response=CheckoutSerializer,
        name="return_item",
    )
    start_maintenance = service_action(
        calls(services.start_maintenance),
        serializer=CommentRequestSerializer,
        url_path="start-maintenance",
        name="start_maintenance",
    )
    maintenance = service_action(
        calls(services.record_maintenance), serializer=MaintenanceSerializer, url_path="maintenance"
    )
    request_scrap = service_action(
        calls(services.request_scrap),
        serializer=RequiredCommentSerializer,
        url_path="request-scrap",
        name="request_scrap",
    )
    approve_scrap = service_action(
        calls(services.approve_scrap),
        serializer=RequiredCommentSerializer,
        url_path="approve-scrap",
        name="approve_scrap",
    )
    refuse_scrap = service_action(
        calls(services.refuse_scrap),
        serializer=RequiredCommentSerializer,
        url_path="refuse-scrap",
        name="refuse_scrap",
    )

    @extend_schema(responses=CheckoutSerializer(many=True))
    @action(detail=True, methods=["get"], required_action="view", filter_backends=())
    def checkouts(self, request, pk=None):
        """The item's checkouts, latest first (paginated)."""
        item = self.get_object()
        return paginated(
            self,
            Checkout.objects.filter(equipment=item).order_by("-checked_out_on", "-pk"),
            CheckoutSerializer,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, required=True),
            OpenApiParameter("start", date, required=True),
            OpenApiParameter("end", date, required=True),
        ],
        responses=EquipmentCostSerializer,
    )
    @action(detail=False, methods=["get"], required_action="view", filter_backends=(), pagination_class=None)
    def cost(self, request):
        """Equipment cost of a project in a period (checked-out days × the daily rate at checkout)."""
        params = request.query_params
        try:
            project = Project.objects.visible_to(request.user).get(pk=int(params.get("project", "")))
        except (ValueError, Project.DoesNotExist):
            raise serializers.ValidationError({"project": ["Choose a project you may see."]}) from None
        try:
            start, end = (
                date.fromisoformat(params.get("start", "")),
                date.fromisoformat(params.get("end", "")),
            )
        except ValueError:
            raise serializers.ValidationError({"start": ["Give start and end as YYYY-MM-DD."]}) from None
        if end < start:
            raise serializers.ValidationError({"end": ["The end comes after the start."]})
        amount = selectors.equipment_cost(project, start, end)
        return Response(
            EquipmentCostSerializer(
                {"project": project.pk, "start": start, "end": end, "amount": amount}
            ).data
        )


ROUTES = [
    ("resources/document-types", DocumentTypeViewSet, "documenttype"),
    ("resources/documents", TechnicalDocumentViewSet, "technicaldocument"),
    ("resources/document-versions", DocumentVersionViewSet, "documentversion"),
    ("resources/document-checks", DocumentCheckViewSet, "documentcheck"),
    ("resources/articles", ArticleViewSet, "article"),
    ("resources/equipment", EquipmentViewSet, "equipment"),
]
