"""REST API of fee settlement (FEE-1..3). ``ROUTES`` lists (prefix, viewset) for the root router.

Every action runs the same service as the pages: 400 refused (with the reason), 403 not
allowed, 404 outside the user's reach, 409 when someone else acted first.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.contracts.models import Contract, PaymentInstalment
from onestop.core.actions import calls, service_action, visible_record
from onestop.core.api import (
    CommentRequestSerializer,
    ModelSerializer,
    ObjectViewSet,
    SignerConfirmationSerializer,
)
from onestop.core.drf import COMMON_QUERY_PARAMS
from onestop.core.exports import EXCEL_CONTENT_TYPE
from onestop.core.fields import TEXT_LONG
from onestop.settlement import exports, filters, forms, selectors, services
from onestop.settlement.models import Payment, PaymentMethod, Settlement, SettlementItem, WriteOff


class SettlementItemSerializer(ModelSerializer):
    class Meta:
        model = SettlementItem
        fields = ["id", "settlement", "description", "amount", "instalment", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "settlement" in self.fields:
            self.fields["settlement"].queryset = Settlement.objects.visible_to(request.user)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        settlement = attrs.get("settlement") or getattr(self.instance, "settlement", None)
        request = self.context.get("request")
        if (
            settlement is not None
            and request is not None
            and not request.user.has_perm("settlement.change_settlement", settlement)
        ):
            raise PermissionDenied(_("You may not change the fee items of this settlement."))
        return attrs


class SettlementSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    items = SettlementItemSerializer(many=True, read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "code",
            "contract",
            "instalment",
            "acceptance_round",
            "acceptance_sha256",
            "state",
            "state_display",
            "version",
            "applicant",
            "payment_method",
            "description",
            "items",
            "amount",
            "invoice_number",
            "invoice_date",
            "invoice_amount",
            "invoice_file",
            "submitted_at",
            "return_comment",
            "returned_count",
            "reviewed_by",
            "approved_at",
            "approved_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "contract",
            "instalment",
            "acceptance_round",
            "acceptance_sha256",
            "state",
            "version",
            "applicant",
            "invoice_number",
            "invoice_date",
            "invoice_amount",
            "invoice_file",
            "submitted_at",
            "return_comment",
            "returned_count",
            "reviewed_by",
            "approved_at",
            "approved_amount",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "client_organization_id", None) is not None:
            for name in ("return_comment", "returned_count", "acceptance_sha256"):
                self.fields.pop(name, None)  # finance's internal review stays internal


class SettlementApplySerializer(serializers.Serializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    instalment = serializers.PrimaryKeyRelatedField(
        queryset=PaymentInstalment.objects.all(), required=False, allow_null=True, default=None
    )
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LONG, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["contract"].queryset = Contract.objects.visible_to(request.user)
            self.fields["instalment"].queryset = PaymentInstalment.objects.visible_to(request.user)


class InvoiceSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=50)
    invoice_date = serializers.DateField()
    invoice_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    file = serializers.FileField(required=False)


class CalculationSerializer(serializers.Serializer):
    contract_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    approved_changes = serializers.DecimalField(max_digits=14, decimal_places=2)
    already_settled = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected = serializers.DecimalField(max_digits=14, decimal_places=2)
    declared = serializers.DecimalField(max_digits=14, decimal_places=2)
    difference = serializers.DecimalField(max_digits=14, decimal_places=2)
    invoice_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    invoice_difference = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    instalments = serializers.SerializerMethodField()

    def get_instalments(self, obj) -> list[int]:
        return [i.number for i in obj.instalments]


class SettlementViewSet(ObjectViewSet):
    """FEE-1/2: `POST` applies for a settlement (after acceptance passed, prefilled from the
    contract); `invoice`, `submit`, `return`, `approve` (signs as finance) and `calculation`."""

    queryset = Settlement.objects.all()
    serializer_class = SettlementSerializer
    filterset_class = filters.SettlementFilterSet
    select_related = ("contract", "instalment")
    prefetch_related = ("items",)
    ordering_fields = ["code", "created_at"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    @extend_schema(request=SettlementApplySerializer, responses={201: SettlementSerializer})
    def create(self, request, *args, **kwargs):
        body = SettlementApplySerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        settlement = services.apply(
            data["contract"],
            actor=request.user,
            instalment=data.get("instalment"),
            payment_method=data["payment_method"],
            description=data["description"],
        )
        return Response(self.get_serializer(settlement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CalculationSerializer)
    @action(detail=True, methods=["get"], required_action="review")
    def calculation(self, request, pk=None):
        """FEE-2: the system's calculation next to the declared and invoiced amounts."""
        return Response(CalculationSerializer(selectors.calculation(self.get_object())).data)

    invoice = service_action(
        lambda settlement, request, data: services.attach_invoice(
            settlement,
            actor=request.user,
            number=data["invoice_number"],
            issued_on=data["invoice_date"],
            amount=data["invoice_amount"],
            upload=data.get("file"),
        ),
        serializer=InvoiceSerializer,
        url_path="invoice",
        summary="The invoice: number, date, amount and (multipart) its file.",
    )
    submit = service_action(calls(services.submit), serializer=CommentRequestSerializer, url_path="submit")
    return_to_lead = service_action(
        calls(services.return_to_lead),
        serializer=CommentRequestSerializer,
        url_path="return",
        name="return_to_lead",
    )
    approve = service_action(
        lambda settlement, request, data: services.approve(
            settlement,
            actor=request.user,
            password=data.get("password", ""),
            otp=data.get("otp", ""),
            expected_sha256=data.get("sha256", ""),
            request=request,
        ),
        serializer=SignerConfirmationSerializer,
        url_path="approve",
        summary="Finance approves by signing the settlement form, with the signer's password (or one-time code).",
    )


class SettlementItemViewSet(ObjectViewSet):
    """Fee items of settlement applications (changed while being filled in or after a return)."""

    queryset = SettlementItem.objects.all()
    serializer_class = SettlementItemSerializer
    select_related = ("settlement",)
    filterset_fields = ["settlement"]


class PaymentSerializer(ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "contract",
            "settlement",
            "direction",
            "paid_on",
            "amount",
            "method",
            "reference",
            "note",
            "over_limit_reason",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "client_organization_id", None) is not None:
            for name in ("note", "over_limit_reason", "recorded_by"):
                self.fields.pop(name, None)  # internal notes never reach the client
        if (
            self.instance is not None
            and not isinstance(self.instance, list | tuple)
            and "contract" in self.fields
        ):
            for name in (
                "contract",
                "settlement",
                "direction",
                "paid_on",
                "amount",
                "method",
                "over_limit_reason",
            ):
                if name in self.fields:
                    self.fields[name].read_only = True


class PaymentViewSet(ObjectViewSet):
    """FEE-3: payments received from the client or paid out. `POST` records one through the
    service (refused beyond the contract value plus approved changes without a reason); a
    recorded payment keeps its amount, date and direction (only reference and note change)."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_class = filters.PaymentFilterSet
    select_related = ("contract", "settlement")
    ordering_fields = ["paid_on", "amount"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.record_payment(
            data["contract"],
            actor=self.request.user,
            direction=data["direction"],
            paid_on=data["paid_on"],
            amount=data["amount"],
            method=data["method"],
            reference=data.get("reference", ""),
            note=data.get("note", ""),
            over_limit_reason=data.get("over_limit_reason", ""),
            settlement=data.get("settlement"),
        )


class WriteOffSerializer(ModelSerializer):
    class Meta:
        model = WriteOff
        fields = [
            "id",
            "contract",
            "amount",
            "reason",
            "written_off_on",
            "written_off_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["amount", "written_off_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["contract"].read_only = True


class WriteOffViewSet(ObjectViewSet):
    """FEE-3: finance writes off a contract's remaining balance, with the reason."""

    queryset = WriteOff.objects.all()
    serializer_class = WriteOffSerializer
    filterset_class = filters.WriteOffFilterSet
    select_related = ("contract",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.write_off(
            data["contract"], actor=self.request.user, reason=data["reason"], on=data["written_off_on"]
        )


# --- FEE-3: receivables ageing and the ledger (the pages' figures, for finance and management) --


class AgeingBucketsSerializer(serializers.Serializer):
    current = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Not yet due.")
    days_1_30 = serializers.DecimalField(max_digits=16, decimal_places=2, source="1_30")
    days_31_60 = serializers.DecimalField(max_digits=16, decimal_places=2, source="31_60")
    days_61_90 = serializers.DecimalField(max_digits=16, decimal_places=2, source="61_90")
    over_90 = serializers.DecimalField(max_digits=16, decimal_places=2)


class AgeingRowSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    contract = serializers.IntegerField(source="contract.pk")
    contract_code = serializers.CharField(source="contract.code")
    client = serializers.IntegerField(source="contract.engagement.client_id")
    client_name = serializers.CharField(source="contract.engagement.client.name")
    buckets = AgeingBucketsSerializer()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class AgeingSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    today = serializers.DateField()
    rows = AgeingRowSerializer(many=True)
    totals = AgeingBucketsSerializer()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class LedgerRowSerializer(serializers.ModelSerializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    contract_code = serializers.CharField(source="contract.code")
    client_name = serializers.CharField(source="contract.engagement.client.name")
    direction_display = serializers.CharField(source="get_direction_display")
    method_display = serializers.CharField(source="get_method_display")
    settlement_code = serializers.CharField(source="settlement.code", default="")

    class Meta:
        model = Payment
        fields = [
            "id",
            "paid_on",
            "contract",
            "contract_code",
            "client_name",
            "direction",
            "direction_display",
            "amount",
            "method",
            "method_display",
            "reference",
            "settlement",
            "settlement_code",
        ]
        read_only_fields = fields


PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="The first day of the period (paid on)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="The last day of the period (paid on)."),
]


class BalanceSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    contract_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    approved_changes = serializers.DecimalField(max_digits=16, decimal_places=2)
    receivable = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Contract value plus approved changes."
    )
    received = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_out = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Receivable − received + paid out."
    )
    written_off = serializers.DecimalField(max_digits=16, decimal_places=2)
    outstanding = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Still to collect after any write-off."
    )


class ReceivablesViewSet(viewsets.GenericViewSet):
    """FEE-3: ``ageing``, the receivables by days past due (what the ageing page shows), and
    ``contracts/<id>``, a contract's account (what the contract's balance page shows)."""

    queryset = Payment.objects.all()  # asks the payments' "export" rule, as the pages do
    required_action = "export"
    filter_backends = ()
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("contract_pk", int, OpenApiParameter.PATH, description="The contract's id.")
        ],
        responses=BalanceSerializer,
    )
    @action(detail=False, methods=["get"], url_path=r"contracts/(?P<contract_pk>\d+)", required_action="view")
    def balance(self, request, contract_pk=None):
        # As the page: staff who may see payments, for a contract they may see (404 otherwise).
        if request.user.client_organization_id is not None:
            raise PermissionDenied
        contract = visible_record(request, Contract, contract_pk)
        account = selectors.balance(contract)
        fields = ("contract_value", "approved_changes", "receivable", "received", "paid_out", "balance")
        answer = {name: getattr(account, name) for name in fields}
        answer.update(contract=contract.pk, written_off=account.written_off, outstanding=account.outstanding)
        return Response(BalanceSerializer(answer).data)

    @extend_schema(responses=AgeingSerializer)
    @action(detail=False, methods=["get"])
    def ageing(self, request):
        today = timezone.localdate()
        rows, totals, total = selectors.ageing(today, Contract.objects.visible_to(request.user))
        return Response(
            AgeingSerializer({"today": today, "rows": rows, "totals": totals, "total": total}).data
        )


class LedgerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """FEE-3: the ledger — every payment of a period, oldest first (``start``/``end``, both
    optional); ``xlsx`` downloads the same rows as the ledger page's Excel file."""

    queryset = Payment.objects.all()
    serializer_class = LedgerRowSerializer
    required_action = "export"
    filter_backends = ()

    def period(self):
        # The page's own form: the same checks and messages (an end before the start is refused).
        form = forms.LedgerFilterForm(self.request.query_params)
        unknown = sorted(set(self.request.query_params) - {*form.fields, *COMMON_QUERY_PARAMS})
        if unknown:
            known = ", ".join(sorted(form.fields))
            message = _("Unknown query parameter. Known: %(known)s.") % {"known": known}
            raise serializers.ValidationError({name: [message] for name in unknown})
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return form.cleaned_data.get("start"), form.cleaned_data.get("end")

    def get_queryset(self):
        return exports.ledger_payments(*self.period(), Payment.objects.visible_to(self.request.user))

    @extend_schema(parameters=PERIOD_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={(200, EXCEL_CONTENT_TYPE): bytes})
    @action(detail=False, methods=["get"])
    def xlsx(self, request):
        """The ledger of the period as an Excel file (the ledger page's download)."""
        start, end = self.period()
        return exports.ledger_xlsx(start, end, Payment.objects.visible_to(request.user))


ROUTES = [
    ("settlements", SettlementViewSet),
    ("settlement-items", SettlementItemViewSet),
    ("payments", PaymentViewSet),
    ("write-offs", WriteOffViewSet),
    ("receivables", ReceivablesViewSet, "receivables"),
    ("ledger", LedgerViewSet, "ledger"),
]
