from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.accounts.models import Department
from onestop.contracts import filters, services
from onestop.contracts.models import (
    CLAUSES,
    LEGAL_CHECKLIST,
    Contract,
    ContractCopy,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.core.actions import calls, service_action
from onestop.core.api import (
    PLAIN_LIST,
    CommentRequestSerializer,
    ModelSerializer,
    ObjectViewSet,
    SignerConfirmationSerializer,
    signer_confirmation,
)
from onestop.engagements.models import Engagement


class SigningAuthorizationSerializer(ModelSerializer):
    class Meta:
        model = SigningAuthorization
        fields = [
            "id",
            "representative",
            "is_legal_representative",
            "amount_limit",
            "currency",
            "valid_from",
            "valid_to",
            "granted_by",
            "note",
            "created_at",
            "updated_at",
        ]


class SigningAuthorizationViewSet(ObjectViewSet):
    """CON-3: who may sign contracts for the company, up to what amount, for which period."""

    queryset = SigningAuthorization.objects.all()
    serializer_class = SigningAuthorizationSerializer
    filterset_class = filters.SigningAuthorizationFilterSet
    select_related = ("representative",)
    ordering_fields = ["valid_from", "valid_to", "amount_limit"]


class ContractTemplateSerializer(ModelSerializer):
    class Meta:
        model = ContractTemplate
        fields = [
            "id",
            "code",
            "version",
            "name",
            "is_active",
            *CLAUSES,
            "first_used_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "first_used_at"]


class ContractTemplateViewSet(ObjectViewSet):
    """CON-1: versioned contract templates; saving under an existing code makes the next version."""

    queryset = ContractTemplate.objects.all()
    serializer_class = ContractTemplateSerializer
    filterset_class = filters.ContractTemplateFilterSet
    ordering_fields = ["code", "version"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        serializer.instance = services.save_template(
            ContractTemplate(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        services.save_template(instance, actor=self.request.user)

    new_version = service_action(
        calls(services.new_version),
        url_path="new-version",
        response=ContractTemplateSerializer,
        status=status.HTTP_201_CREATED,
        summary="A copy of this version as the next, inactive version of its code.",
    )


# --- the contract ----------------------------------------------------------------------------


class PaymentInstalmentSerializer(ModelSerializer):
    class Meta:
        model = PaymentInstalment
        fields = [
            "id",
            "contract",
            "number",
            "amount",
            "due_date",
            "milestone",
            "condition",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "contract" in self.fields:
            self.fields["contract"].queryset = Contract.objects.visible_to(request.user)


class PaymentInstalmentViewSet(ObjectViewSet):
    """The payment schedule of contracts (changed only while a contract is drafted)."""

    queryset = PaymentInstalment.objects.all()
    serializer_class = PaymentInstalmentSerializer
    select_related = ("contract",)
    filterset_fields = ["contract"]


class ContractDifferenceSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    field = serializers.CharField()
    label = serializers.CharField()
    contract_value = serializers.CharField()
    reference_value = serializers.CharField()
    severity = serializers.CharField()
    justification = serializers.CharField(allow_blank=True)


class ContractCopySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ContractCopy
        fields = [
            "id",
            "department",
            "department_name",
            "sent_at",
            "sent_by",
            "acknowledged_by",
            "acknowledged_at",
        ]
        read_only_fields = fields


class ContractSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "code",
            "engagement",
            "plan_version",
            "template",
            "version",
            "state",
            "state_display",
            "drafter",
            "total_fee",
            "currency",
            "period_start",
            "period_end",
            "scope_items",
            "milestones",
            "quality_standard",
            "acceptance_method",
            "special_terms",
            "justifications",
            "legal_checklist",
            "legal_comment",
            "legal_passed_by",
            "legal_passed_at",
            "business_comment",
            "business_passed_by",
            "business_passed_at",
            "approved_at",
            "signed_at",
            "archive_number",
            "archive_location",
            "archived_sha256",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "engagement", "plan_version", "template", "version", "state", "drafter"]


class ContractDraftSerializer(serializers.Serializer):
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.all())
    template = serializers.PrimaryKeyRelatedField(queryset=ContractTemplate.objects.filter(is_active=True))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)


class ContractLegalReviewSerializer(serializers.Serializer):
    checked = serializers.ListField(
        child=serializers.ChoiceField(choices=[key for key, _label in LEGAL_CHECKLIST]),
        required=False,
        default=list,
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    passed = serializers.BooleanField()


class ContractBusinessReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    passed = serializers.BooleanField()


class ContractJustifySerializer(serializers.Serializer):
    field = serializers.CharField(max_length=300)
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ContractArchiveSerializer(serializers.Serializer):
    archive_number = serializers.CharField(max_length=50)
    location = serializers.CharField(max_length=200)


class ContractDistributeSerializer(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, allow_empty=False
    )


class ContractSignSerializer(SignerConfirmationSerializer):
    role = serializers.ChoiceField(choices=["company", "client"])


class ContractViewSet(ObjectViewSet):
    """CON-1..3: `POST` drafts a contract from a confirmed engagement with an approved plan;
    the actions run the same services as the pages (400 refused, 403 not allowed, 409 conflict)."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    filterset_class = filters.ContractFilterSet
    select_related = ("engagement",)
    ordering_fields = ["code", "created_at"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    @extend_schema(request=ContractDraftSerializer, responses={201: ContractSerializer})
    def create(self, request, *args, **kwargs):
        body = ContractDraftSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        contract = services.draft_contract(
            body.validated_data["engagement"], actor=request.user, template=body.validated_data["template"]
        )
        return Response(self.get_serializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ContractDifferenceSerializer(many=True))
    @action(detail=True, methods=["get"], required_action="view", **PLAIN_LIST)
    def consistency(self, request, pk=None):
        """The automatic consistency check (CON-2) with each difference's justification: one row
        per term that differs from the plan, so a plain (unpaginated) array."""
        return Response(ContractDifferenceSerializer(self.get_object().consistency_rows(), many=True).data)

    justify = service_action(
        calls(services.justify),
        serializer=ContractJustifySerializer,
        url_path="justify",
    )
    submit = service_action(calls(services.submit), serializer=CommentRequestSerializer, url_path="submit")
    legal_review = service_action(
        calls(services.legal_review),
        serializer=ContractLegalReviewSerializer,
        url_path="legal-review",
    )
    business_review = service_action(
        calls(services.business_review),
        serializer=ContractBusinessReviewSerializer,
        url_path="business-review",
    )
    revise = service_action(calls(services.revise), serializer=CommentRequestSerializer, url_path="revise")
    sign = service_action(
        lambda contract, request, data: services.sign_contract(
            contract, actor=request.user, role=data["role"], **signer_confirmation(request, data)
        ),
        serializer=ContractSignSerializer,
        url_path="sign",
        summary="Sign the current version as the company (authorized representative) or the client, "
        "with the signer's password (or one-time code).",
    )
    archive = service_action(
        calls(services.archive),
        serializer=ContractArchiveSerializer,
        url_path="archive",
    )
    distribute = service_action(
        calls(services.distribute),
        serializer=ContractDistributeSerializer,
        url_path="distribute",
        response=ContractCopySerializer,
        many=True,
    )

    @extend_schema(request=None, responses=ContractCopySerializer(many=True))
    @action(detail=True, methods=["get"], required_action="view", **PLAIN_LIST)
    def copies(self, request, pk=None):
        """The contract's distributed copies: at most one per department, so a plain array (the
        paginated, filterable list of all copies is ``/api/contract-copies/``)."""
        contract = self.get_object()
        return Response(ContractCopySerializer(contract.copies.select_related("department"), many=True).data)


class ContractCopyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Copies of archived contracts sent to departments; `POST …/{id}/acknowledge/` confirms receipt."""

    queryset = ContractCopy.objects.all()
    serializer_class = ContractCopySerializer
    required_action = None
    filterset_fields = ["contract", "department"]

    def get_queryset(self):
        return ContractCopy.objects.visible_to(self.request.user).select_related("department").order_by("pk")

    acknowledge = service_action(calls(services.acknowledge), url_path="acknowledge")
