"""REST API of quality monitoring (QA-1..3). ``ROUTES`` lists (prefix, viewset) for the root router.

Every action runs the same service as the page (400 refused, 403 not allowed, 409 conflict).
"""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.accounts.models import Department, User
from onestop.core import pdf, signatures
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet
from onestop.projects.models import Project
from onestop.quality import analytics, filters, services
from onestop.quality.forms import AnalysisFilterForm
from onestop.quality.models import (
    FindingCategory,
    FindingCause,
    ImprovementAction,
    Inspection,
    InspectionItem,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    QCTemplateCheckpoint,
    RectificationNotice,
    SpotCheckDraw,
)

CHECKPOINT_FIELDS = [
    "phase",
    "name",
    "indicators",
    "acceptance_threshold",
    "frequency_days",
    "responsible_department",
    "sort_order",
]
STAMPS = ["created_at", "updated_at"]


class StateSerializerMixin(serializers.Serializer):
    state_display = serializers.CharField(source="state_label", read_only=True)


class QualityReasonSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


# --- templates -------------------------------------------------------------------------------


class QCTemplateSerializer(ModelSerializer):
    class Meta:
        model = QCTemplate
        fields = ["id", "code", "version", "name", "description", "is_active", "first_used_at", *STAMPS]
        read_only_fields = ["version", "first_used_at"]


class QCTemplateViewSet(ObjectViewSet):
    """QA-1: versioned QC plan templates; saving under an existing code makes the next version."""

    queryset = QCTemplate.objects.all()
    serializer_class = QCTemplateSerializer
    filterset_class = filters.QCTemplateFilterSet
    required_action = None

    def perform_create(self, serializer):
        serializer.instance = services.save_template(
            QCTemplate(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.save_template(serializer.instance, actor=self.request.user)

    new_version = service_action(
        calls(services.new_template_version),
        url_path="new-version",
        response=QCTemplateSerializer,
        status=status.HTTP_201_CREATED,
        summary="A copy of this version (with its checkpoints) as the next, inactive version.",
    )


class QCTemplateCheckpointSerializer(ModelSerializer):
    class Meta:
        model = QCTemplateCheckpoint
        fields = ["id", "template", *CHECKPOINT_FIELDS, *STAMPS]


class QCTemplateCheckpointViewSet(ObjectViewSet):
    queryset = QCTemplateCheckpoint.objects.all()
    serializer_class = QCTemplateCheckpointSerializer
    select_related = ("template",)
    filterset_fields = ["template", "phase"]


# --- QC plans --------------------------------------------------------------------------------


class QCPlanSerializer(StateSerializerMixin, ModelSerializer):
    class Meta:
        model = QCPlan
        fields = [
            "id",
            "project",
            "template",
            "state",
            "state_display",
            "note",
            "created_by",
            "activated_at",
            *STAMPS,
        ]
        read_only_fields = ["project", "template", "state", "created_by", "activated_at"]


class QCPlanCreateSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    template = serializers.PrimaryKeyRelatedField(
        queryset=QCTemplate.objects.filter(is_active=True), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)


class QCPlanViewSet(ObjectViewSet):
    """QA-1: `POST` makes a project's QC plan from a template; `activate` / `revise` run the services."""

    queryset = QCPlan.objects.all()
    serializer_class = QCPlanSerializer
    filterset_class = filters.QCPlanFilterSet
    select_related = ("project", "template")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None

    @extend_schema(request=QCPlanCreateSerializer, responses={201: QCPlanSerializer})
    def create(self, request, *args, **kwargs):
        body = QCPlanCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        plan = services.create_qc_plan(
            body.validated_data["project"], actor=request.user, template=body.validated_data.get("template")
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    activate = service_action(
        calls(services.activate_plan), serializer=CommentRequestSerializer, url_path="activate"
    )
    revise = service_action(
        calls(services.revise_plan), serializer=QualityReasonSerializer, url_path="revise"
    )


class QCCheckpointSerializer(ModelSerializer):
    class Meta:
        model = QCCheckpoint
        fields = ["id", "plan", *CHECKPOINT_FIELDS, *STAMPS]

    def validate_plan(self, plan):
        if self.instance is not None and plan != self.instance.plan:
            raise serializers.ValidationError("A checkpoint stays in its plan.")
        return plan


class QCCheckpointViewSet(ObjectViewSet):
    queryset = QCCheckpoint.objects.all()
    serializer_class = QCCheckpointSerializer
    filterset_class = filters.QCCheckpointFilterSet
    select_related = ("plan",)


# --- inspections -----------------------------------------------------------------------------


class InspectionItemSerializer(ModelSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = InspectionItem
        fields = [
            "id",
            "inspection",
            "check_code",
            "label",
            "sort_order",
            "result",
            "result_display",
            "evidence",
            "category",
            "cause",
            "note",
            *STAMPS,
        ]
        read_only_fields = ["check_code"]


class InspectionSerializer(StateSerializerMixin, ModelSerializer):
    items = InspectionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "code",
            "project",
            "checkpoint",
            "kind",
            "planned_date",
            "inspector",
            "draw",
            "state",
            "state_display",
            "started_at",
            "completed_at",
            "completed_by",
            "passed",
            "summary",
            "items",
            *STAMPS,
        ]
        read_only_fields = ["code", "draw", "state", "started_at", "completed_at", "completed_by", "passed"]


class InspectionCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ChecklistAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The checklist item's id (one of the inspection's `items`).")
    result = serializers.ChoiceField(choices=InspectionItem.Result.choices, allow_blank=True)
    evidence = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=InspectionItem._meta.get_field("evidence").max_length,
    )
    category = serializers.ChoiceField(
        choices=FindingCategory.choices, required=False, allow_blank=True, default=""
    )
    cause = serializers.ChoiceField(
        choices=FindingCause.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=InspectionItem._meta.get_field("note").max_length,
    )


class ChecklistSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=ChecklistAnswerSerializer(),
        max_length=500,
        help_text="The whole answer of each item to record (fields left out are emptied); items "
        "whose answer is unchanged are left as they are. All are recorded, or none.",
    )


class GenerateSerializer(serializers.Serializer):
    today = serializers.DateField(required=False)


class InspectionViewSet(ObjectViewSet):
    """QA-2: inspections with their checklist. `POST` plans one by hand (with the checklist);
    `generate` makes the scheduled ones due; `start` / `complete` run the services."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = filters.InspectionFilterSet
    select_related = ("project", "checkpoint")
    prefetch_related = ("items",)
    required_action = None

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.plan_inspection(
            project=data["project"],
            checkpoint=data.get("checkpoint"),
            planned_date=data["planned_date"],
            inspector=data.get("inspector"),
            kind=data.get("kind", Inspection.Kind.SCHEDULED),
            actor=self.request.user,
        )

    start = service_action(calls(services.start_inspection), url_path="start")
    complete = service_action(
        calls(services.complete_inspection), serializer=InspectionCompleteSerializer, url_path="complete"
    )
    checklist = service_action(
        calls(services.record_checklist), serializer=ChecklistSerializer, url_path="checklist"
    )

    @extend_schema(request=GenerateSerializer, responses={201: InspectionSerializer(many=True)})
    @action(detail=False, methods=["post"], required_action="add")
    def generate(self, request):
        body = GenerateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.generate_due_inspections(body.validated_data.get("today"), actor=request.user)
        return Response(self.get_serializer(created, many=True).data, status=status.HTTP_201_CREATED)


class InspectionItemViewSet(ObjectViewSet):
    """Checklist items; `PATCH` with result/evidence/category/cause records an answer (a failure
    needs its category and cause)."""

    queryset = InspectionItem.objects.all()
    serializer_class = InspectionItemSerializer
    filterset_class = filters.InspectionItemFilterSet
    select_related = ("inspection",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_update(self, serializer):
        item = serializer.instance
        data = {
            name: serializer.validated_data.get(name, getattr(item, name))
            for name in ("result", "evidence", "category", "cause", "note")
        }
        serializer.instance = services.record_item(item, actor=self.request.user, **data)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if getattr(serializer, "instance", None) is not None and not kwargs.get("many"):
            fields = getattr(serializer, "fields", {})
            if "inspection" in fields and self.action in ("update", "partial_update"):
                fields["inspection"].read_only = True
        return serializer


class SpotCheckDrawSerializer(ModelSerializer):
    class Meta:
        model = SpotCheckDraw
        fields = [
            "id",
            "code",
            "seed",
            "sample_size",
            "population",
            "selection",
            "planned_date",
            "inspector",
            "drawn_by",
            "drawn_at",
            "note",
            *STAMPS,
        ]
        read_only_fields = [f for f in fields if f != "note"]


class SpotCheckDrawRequestSerializer(serializers.Serializer):
    sample_size = serializers.IntegerField(min_value=1, max_value=100)
    planned_date = serializers.DateField()
    inspector = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.staff(),
        required=False,
        allow_null=True,
    )
    seed = serializers.IntegerField(min_value=0, max_value=2**53, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SpotCheckDrawViewSet(ObjectViewSet):
    """QA-2: unannounced spot checks. `POST` draws (reproducible from the seed) and plans the
    spot inspections; `replay` recomputes the selection from the stored seed and population."""

    queryset = SpotCheckDraw.objects.all()
    serializer_class = SpotCheckDrawSerializer
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None

    @extend_schema(request=SpotCheckDrawRequestSerializer, responses={201: SpotCheckDrawSerializer})
    def create(self, request, *args, **kwargs):
        body = SpotCheckDrawRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draw = services.draw_spot_check(actor=request.user, **body.validated_data)
        return Response(self.get_serializer(draw).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], required_action="view")
    def replay(self, request, pk=None):
        draw = self.get_object()
        selection = services.replay_draw(draw)
        return Response({"selection": selection, "matches": selection == draw.selection})


# --- rectification notices ---------------------------------------------------------------------


class RectificationNoticeSerializer(StateSerializerMixin, ModelSerializer):
    class Meta:
        model = RectificationNotice
        fields = [
            "id",
            "code",
            "item",
            "inspection",
            "project",
            "department",
            "requirement",
            "deadline",
            "state",
            "state_display",
            "issued_by",
            "issued_at",
            "response",
            "responded_by",
            "responded_at",
            "verification",
            "verified_by",
            "closed_at",
            "reopen_count",
            *STAMPS,
        ]
        read_only_fields = [f for f in fields if f not in ("item", "department", "requirement", "deadline")]


class NoticeRaiseSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    requirement = serializers.CharField(max_length=5000)
    deadline = serializers.DateField()


class NoticeResponseSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=5000)


class NoticeVerifySerializer(serializers.Serializer):
    verification = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class NoticeReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class RectificationNoticeViewSet(ObjectViewSet):
    """QA-2: 整改通知. `POST` raises one from a failed item; `respond` (the department),
    `verify` (close) and `reopen` (quality) run the services; `pdf` prints the form."""

    queryset = RectificationNotice.objects.all()
    serializer_class = RectificationNoticeSerializer
    filterset_class = filters.RectificationNoticeFilterSet
    select_related = ("project", "department")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None

    @extend_schema(request=NoticeRaiseSerializer, responses={201: RectificationNoticeSerializer})
    def create(self, request, *args, **kwargs):
        body = NoticeRaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = InspectionItem.objects.visible_to(request.user).filter(pk=data["item"].pk).first()
        if item is None:
            raise serializers.ValidationError({"item": ["Unknown item."]})
        notice = services.raise_notice(
            item,
            department=data["department"],
            deadline=data["deadline"],
            requirement=data["requirement"],
            actor=request.user,
        )
        return Response(self.get_serializer(notice).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        notice = serializer.instance
        data = serializer.validated_data
        if "item" in data and data["item"] != notice.item:
            raise serializers.ValidationError({"item": ["A notice stays with the item it was raised from."]})
        if "department" in data and data["department"] != notice.department:
            raise serializers.ValidationError({"department": ["Raise a new notice for another department."]})
        services.update_notice(
            notice,
            actor=self.request.user,
            requirement=data.get("requirement", notice.requirement),
            deadline=data.get("deadline", notice.deadline),
        )

    respond = service_action(
        calls(services.respond_notice), serializer=NoticeResponseSerializer, url_path="respond"
    )
    verify = service_action(
        calls(services.verify_notice), serializer=NoticeVerifySerializer, url_path="verify"
    )
    reopen = service_action(
        calls(services.reopen_notice), serializer=NoticeReopenSerializer, url_path="reopen"
    )

    @extend_schema(request=None, responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], required_action="view")
    def pdf(self, request, pk=None):
        notice = self.get_object()
        data = pdf.render_pdf(signatures.get_document("rectification_notice"), notice)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{notice.code}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- improvement actions -----------------------------------------------------------------------


class ImprovementActionSerializer(StateSerializerMixin, ModelSerializer):
    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "title",
            "description",
            "source_category",
            "source_cause",
            "source_notice",
            "owner",
            "due_date",
            "state",
            "state_display",
            "done_at",
            "effectiveness_note",
            "checked_by",
            "checked_at",
            *STAMPS,
        ]
        read_only_fields = ["state", "done_at", "effectiveness_note", "checked_by", "checked_at"]


class ActionCheckSerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    note = serializers.CharField(max_length=5000)


class ImprovementActionViewSet(ObjectViewSet):
    """QA-3: improvement measures; `done` (the owner) and `check` (quality: effective or not)."""

    queryset = ImprovementAction.objects.all()
    serializer_class = ImprovementActionSerializer
    filterset_class = filters.ImprovementActionFilterSet
    select_related = ("owner",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None

    done = service_action(
        calls(services.complete_action), serializer=CommentRequestSerializer, url_path="done"
    )
    check = service_action(calls(services.check_action), serializer=ActionCheckSerializer, url_path="check")


# --- QA-3 analysis -----------------------------------------------------------------------------


class AnalysisViewSet(ObjectViewSet):
    """QA-3: the analysis numbers (GET `/api/quality-analysis/?start=&end=`); `export` as Excel."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    http_method_names = ["get", "head", "options"]
    extra_query_params = ("start", "end")  # the period, read by AnalysisFilterForm

    def _result(self, request):
        form = AnalysisFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        period = analytics.Period.default()
        period = analytics.Period(
            form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
        )
        return analytics.analyse(period)

    @extend_schema(
        operation_id="quality_analysis",
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request, *args, **kwargs):
        result = self._result(request)
        notice = lambda n: {  # noqa: E731
            "id": n.pk,
            "code": n.code,
            "project": str(n.project),
            "department": str(n.department),
            "deadline": n.deadline,
            "state": n.state,
        }
        return Response(
            {
                "period": {"start": result["period"].start, "end": result["period"].end},
                "totals": result["totals"],
                **{
                    k: result[k]
                    for k in ("trend", "by_category", "by_cause", "by_phase", "by_department", "by_project")
                },
                "overdue": [notice(n) for n in result["overdue"]],
                "open_notices": [notice(n) for n in result["open_notices"]],
            }
        )

    @extend_schema(exclude=True)  # the analysis is one resource: only the list answers
    def retrieve(self, request, *args, **kwargs):
        raise Http404

    @extend_schema(
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        response = HttpResponse(
            analytics.workbook(self._result(request)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="quality-analysis.xlsx"'
        return response


ROUTES = [
    ("qc-templates", QCTemplateViewSet),
    ("qc-template-checkpoints", QCTemplateCheckpointViewSet),
    ("qc-plans", QCPlanViewSet),
    ("qc-checkpoints", QCCheckpointViewSet),
    ("inspections", InspectionViewSet),
    ("inspection-items", InspectionItemViewSet),
    ("spot-check-draws", SpotCheckDrawViewSet),
    ("rectification-notices", RectificationNoticeViewSet),
    ("improvement-actions", ImprovementActionViewSet),
    ("quality-analysis", AnalysisViewSet, "quality-analysis"),
]

__all__ = ["ROUTES", "FindingCategory", "FindingCause"]
