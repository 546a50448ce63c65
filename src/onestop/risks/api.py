"""REST API of the risk register (RSK-1..5, EXT-1). ``ROUTES`` lists (prefix, viewset[, basename]).

Every action runs the same service as the pages: 400 refused (with field errors), 403 not
allowed, 404 outside the user's reach, 409 when someone else acted first.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.accounts.models import User
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.core.fields import TEXT_LONG, TEXT_NOTE
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.plans.models import PlanReview
from onestop.risks import filters, heatmap, services
from onestop.risks.matrix import Strategy
from onestop.risks.models import (
    TRANSFER_CLAUSES,
    EmergencyActivation,
    EmergencyPlan,
    IdentificationSession,
    Indicator,
    Outcome,
    QuestionnaireAnswer,
    ResponseAction,
    Risk,
    RiskCategory,
    RiskMatrix,
    RiskReview,
    Warning,
)

STAMPS = ["created_at", "updated_at"]


def _staff():
    return User.objects.filter(client_organization__isnull=True, is_active=True)


class StateDisplayMixin(serializers.Serializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)


# --- the register ------------------------------------------------------------------------------


class RiskReviewSerializer(ModelSerializer):
    class Meta:
        model = RiskReview
        fields = [
            "id",
            "kind",
            "matrix",
            "likelihood",
            "impact",
            "level",
            "probability",
            "cost_impact",
            "schedule_impact_days",
            "note",
            "responses_effective",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields


RISK_WRITABLE = {
    "title",
    "category",
    "engagement",
    "department",
    "cause",
    "event",
    "consequence",
    "owner",
    "method",
    "session",
    "source_review",
}


class RiskSerializer(StateDisplayMixin, ModelSerializer):
    exposure = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)
    reviews = RiskReviewSerializer(many=True, read_only=True)
    source_review = serializers.PrimaryKeyRelatedField(
        queryset=PlanReview.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Risk
        fields = [
            "id",
            "code",
            "title",
            "category",
            "engagement",
            "project",
            "department",
            "cause",
            "event",
            "consequence",
            "owner",
            "method",
            "session",
            "source_review",
            "identified_by",
            "identified_at",
            "state",
            "state_display",
            "matrix",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_level",
            "likelihood",
            "impact",
            "level",
            "description",
            "probability",
            "cost_impact",
            "exposure",
            "schedule_impact_days",
            "assessed_at",
            "suggested_strategy",
            "strategy",
            "strategy_reason",
            "acceptance_expires",
            "transfer_contract",
            "transfer_clause",
            "accepted_by",
            "accepted_at",
            "next_review",
            "last_reviewed_at",
            "outcome",
            "closing_note",
            "closed_at",
            "closed_by",
            "reviews",
            *STAMPS,
        ]
        read_only_fields = [
            name for name in fields if name not in RISK_WRITABLE and name not in ("reviews", "exposure")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)
            self.fields["session"].queryset = IdentificationSession.objects.visible_to(request.user)
            self.fields["source_review"].queryset = PlanReview.objects.visible_to(request.user)
        self.fields["owner"].queryset = _staff()


class RiskAssessSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField(min_value=1, max_value=20)
    impact = serializers.IntegerField(min_value=1, max_value=20)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    probability = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    cost_impact = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    schedule_impact_days = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class RiskRespondSerializer(serializers.Serializer):
    strategy = serializers.ChoiceField(choices=Strategy.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    acceptance_expires = serializers.DateField(required=False, allow_null=True)
    action_title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    action_owner = serializers.PrimaryKeyRelatedField(queryset=_staff(), required=False, allow_null=True)
    action_due = serializers.DateField(required=False, allow_null=True)
    transfer_clause = serializers.ChoiceField(
        choices=TRANSFER_CLAUSES,
        required=False,
        allow_blank=True,
        default="",
        help_text="Transfer: the clause of the engagement's contract that transfers the risk.",
    )
    decline_inquiry = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Avoid: decline the inquiry (awaiting its assessment) as out of scope and close the risk.",
    )
    client_reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    client_suggestions = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_NOTE, default=""
    )


class RiskReviewActionSerializer(RiskAssessSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    responses_effective = serializers.BooleanField(required=False, allow_null=True, default=None)
    reconsider = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]


class CloseRiskSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=TEXT_NOTE)


class ActionRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff())
    due_date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")


class ActivateSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=EmergencyPlan.objects.filter(active=True))
    situation = serializers.CharField(max_length=TEXT_NOTE)


class HeatMapCellSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    level = serializers.CharField()
    colour = serializers.CharField()
    strategy = serializers.CharField()
    count = serializers.IntegerField()


class RiskViewSet(ObjectViewSet):
    """RSK-1..4: the risk register. `POST` identifies a risk (company-level without an
    engagement); `assess`, `respond` (the strategy; `accept` goes to `sign-off`/`refuse`),
    `review`, `add-action`, `close` (with the outcome), `activate` (an emergency plan);
    `GET …/heat-map/?project=&department=` counts the open risks per cell."""

    queryset = Risk.objects.all()
    serializer_class = RiskSerializer
    filterset_class = filters.RiskFilterSet
    select_related = ("category", "engagement", "owner", "matrix")
    prefetch_related = ("reviews",)
    ordering_fields = ["identified_at", "next_review", "level"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None
    extra_query_params = ("department",)

    def perform_create(self, serializer):
        serializer.instance = services.identify(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("source_review", None)
        services.update_risk(serializer.instance, actor=self.request.user, **data)

    assess = service_action(calls(services.assess), serializer=RiskAssessSerializer, url_path="assess")
    respond = service_action(
        calls(services.choose_response), serializer=RiskRespondSerializer, url_path="respond"
    )
    sign_off = service_action(
        calls(services.sign_off_acceptance), serializer=CommentRequestSerializer, url_path="sign-off"
    )
    refuse = service_action(
        calls(services.refuse_acceptance), serializer=CommentRequestSerializer, url_path="refuse"
    )
    review = service_action(calls(services.review), serializer=RiskReviewActionSerializer, url_path="review")
    add_action = service_action(
        calls(services.add_action),
        serializer=ActionRequestSerializer,
        url_path="add-action",
        name="add_action",
    )
    close = service_action(calls(services.close_risk), serializer=CloseRiskSerializer, url_path="close")
    activate = service_action(
        lambda risk, request, data: services.activate(
            data["plan"], actor=request.user, situation=data["situation"], risk=risk
        ),
        serializer=ActivateSerializer,
        name="activate",
        url_path="activate",
    )

    @extend_schema(
        parameters=[OpenApiParameter("project", int), OpenApiParameter("department", int)],
        responses={200: HeatMapCellSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="heat-map", pagination_class=None, filter_backends=())
    def heat_map(self, request):
        scope = heatmap.Scope.from_request(request)
        context = heatmap.page_context(request.user, scope)
        cells = [
            {key: cell[key] for key in ("likelihood", "impact", "level", "colour", "strategy", "count")}
            for row in context["cells"]
            for cell in row["cells"]
        ]
        return Response(cells)


class ResponseActionSerializer(StateDisplayMixin, ModelSerializer):
    class Meta:
        model = ResponseAction
        fields = [
            "id",
            "risk",
            "title",
            "description",
            "owner",
            "due_date",
            "state",
            "state_display",
            "done_at",
            *STAMPS,
        ]
        read_only_fields = ["state", "done_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["risk"].queryset = Risk.objects.visible_to(request.user)
            if self.instance is not None and not isinstance(self.instance, list | tuple):
                self.fields["risk"].read_only = True
        self.fields["owner"].queryset = _staff()


class ResponseActionViewSet(TransitionActionsMixin, ObjectViewSet):
    """RSK-3: response actions; `complete` and `cancel` (with a comment)."""

    queryset = ResponseAction.objects.all()
    serializer_class = ResponseActionSerializer
    filterset_class = filters.ResponseActionFilterSet
    select_related = ("risk", "owner")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.add_action(
            data["risk"],
            actor=self.request.user,
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            description=data.get("description", ""),
        )


# --- identification sessions -----------------------------------------------------------------


class SessionSerializer(ModelSerializer):
    class Meta:
        model = IdentificationSession
        fields = [
            "id",
            "method",
            "title",
            "held_on",
            "engagement",
            "facilitator",
            "participants",
            "minutes",
            "questions",
            "cases",
            *STAMPS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)
            self.fields["cases"].child_relation.queryset = Engagement.objects.visible_to(request.user)
        self.fields["facilitator"].queryset = _staff()
        self.fields["participants"].child_relation.queryset = _staff()


class AnswerSerializer(ModelSerializer):
    class Meta:
        model = QuestionnaireAnswer
        fields = ["id", "session", "respondent", "question", "answer", "risk", *STAMPS]
        read_only_fields = fields


class AnswerRequestSerializer(serializers.Serializer):
    respondent = serializers.PrimaryKeyRelatedField(queryset=_staff())
    question = serializers.CharField(max_length=500)
    answer = serializers.CharField(max_length=TEXT_NOTE)


class AnswerToRiskSerializer(serializers.Serializer):
    answer = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    category = serializers.PrimaryKeyRelatedField(queryset=RiskCategory.objects.filter(active=True))
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff())


def _answer_to_risk(session, request, data):
    answer = session.answers.filter(pk=data.pop("answer")).first()
    if answer is None:
        raise serializers.ValidationError({"answer": ["Not an answer of this questionnaire."]})
    return services.answer_to_risk(answer, actor=request.user, **data)


class IdentificationSessionViewSet(ObjectViewSet):
    """RSK-1: brainstorming sessions, questionnaires (`answer`, `answer-to-risk`) and case analyses."""

    queryset = IdentificationSession.objects.all()
    serializer_class = SessionSerializer
    filterset_class = filters.SessionFilterSet
    select_related = ("engagement", "facilitator")
    prefetch_related = ("participants", "cases")

    answer = service_action(
        lambda session, request, data: services.record_answer(session, actor=request.user, **data),
        serializer=AnswerRequestSerializer,
        name="answer",
        url_path="answer",
    )
    answer_to_risk = service_action(
        _answer_to_risk, serializer=AnswerToRiskSerializer, url_path="answer-to-risk", name="answer_to_risk"
    )


# --- settings ----------------------------------------------------------------------------------


class CategorySerializer(ModelSerializer):
    class Meta:
        model = RiskCategory
        fields = ["id", "code", "name", "description", "position", "active", *STAMPS]


class RiskCategoryViewSet(ObjectViewSet):
    """RSK-1: the configurable risk categories (administrators)."""

    queryset = RiskCategory.objects.all()
    serializer_class = CategorySerializer
    filterset_class = filters.CategoryFilterSet


class RiskIndicatorSerializer(ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[v for v in Role.values if v != Role.CLIENT]), allow_empty=False
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "kind",
            "name",
            "lower_is_worse",
            "blue",
            "yellow",
            "orange",
            "red",
            "period_days",
            "roles",
            "escalate_after_hours",
            "active",
            *STAMPS,
        ]


class IndicatorViewSet(ObjectViewSet):
    """RSK-5: the early-warning indicators, their thresholds and the roles warned."""

    queryset = Indicator.objects.all()
    serializer_class = RiskIndicatorSerializer
    filterset_class = filters.IndicatorFilterSet


class MatrixSerializer(ModelSerializer):
    class Meta:
        model = RiskMatrix
        fields = [
            "id",
            "version",
            "effective_from",
            "likelihood_labels",
            "impact_labels",
            "levels",
            "strategies",
            "colours",
            "review_days",
            "note",
            "created_by",
            *STAMPS,
        ]
        read_only_fields = ["version", "created_by"]


class MatrixViewSet(ObjectViewSet):
    """RSK-2: the matrix versions; `POST` publishes a new version (administrators); a version is
    never changed: risks keep the version they were assessed under."""

    queryset = RiskMatrix.objects.all()
    serializer_class = MatrixSerializer
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.publish_matrix(
            actor=self.request.user,
            effective_from=data["effective_from"],
            levels=data["levels"],
            strategies=data["strategies"],
            likelihood_labels=data.get("likelihood_labels"),
            impact_labels=data.get("impact_labels"),
            colours=data.get("colours"),
            review_days=data.get("review_days"),
            note=data.get("note", ""),
        )


class EmergencyPlanSerializer(ModelSerializer):
    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "title",
            "category",
            "indicator_kind",
            "steps",
            "roles",
            "contacts",
            "active",
            *STAMPS,
        ]


class EmergencyPlanViewSet(ObjectViewSet):
    """EXT-1: emergency response plans per risk type."""

    queryset = EmergencyPlan.objects.all()
    serializer_class = EmergencyPlanSerializer
    filterset_class = filters.EmergencyPlanFilterSet
    select_related = ("category",)


# --- warnings and emergency response ---------------------------------------------------------


class WarningSerializer(StateDisplayMixin, ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Warning
        fields = [
            "id",
            "code",
            "indicator",
            "subject",
            "engagement",
            "project",
            "level",
            "level_display",
            "raised_level",
            "value",
            "records",
            "state",
            "state_display",
            "raised_at",
            "measured_at",
            "escalations",
            "escalated_at",
            "acknowledged_by",
            "acknowledged_at",
            "handling",
            "handled_by",
            "handled_at",
            "closed_by",
            "closed_at",
            *STAMPS,
        ]
        read_only_fields = fields


class WarningViewSet(TransitionActionsMixin, ObjectViewSet):
    """RSK-5: warnings raised by the indicators; `acknowledge`, `handle`, `close`, `activate`."""

    queryset = Warning.objects.all()
    serializer_class = WarningSerializer
    filterset_class = filters.WarningFilterSet
    select_related = ("indicator", "project")
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        return Response({"detail": "Warnings are raised by the indicators."}, status=405)

    activate = service_action(
        lambda warning, request, data: services.activate(
            data["plan"], actor=request.user, situation=data["situation"], warning=warning
        ),
        serializer=ActivateSerializer,
        name="activate",
        url_path="activate",
    )


class ActivationSerializer(StateDisplayMixin, ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyActivation
        fields = [
            "id",
            "code",
            "plan",
            "warning",
            "risk",
            "situation",
            "state",
            "state_display",
            "activated_by",
            "activated_at",
            "actions",
            "review",
            "lessons",
            "reviewed_by",
            "reviewed_at",
            *STAMPS,
        ]
        read_only_fields = fields

    def get_actions(self, activation) -> list:
        return [
            {"at": row.taken_at, "by": row.taken_by_id, "description": row.description}
            for row in activation.actions.all()
        ]


class EmergencyActionSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=TEXT_NOTE)


class CloseActivationSerializer(serializers.Serializer):
    review = serializers.CharField(max_length=TEXT_LONG)
    lessons = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")


class EmergencyActivationViewSet(ObjectViewSet):
    """EXT-1: activations of emergency plans; `record-action`, `close` (the post-incident review)."""

    queryset = EmergencyActivation.objects.all()
    serializer_class = ActivationSerializer
    filterset_class = filters.ActivationFilterSet
    select_related = ("plan",)
    prefetch_related = ("actions",)
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        return Response({"detail": "Activate a plan from a warning or a risk."}, status=405)

    record_action = service_action(
        calls(services.record_emergency_action),
        serializer=EmergencyActionSerializer,
        url_path="record-action",
        name="record_action",
    )
    close = service_action(
        calls(services.close_activation), serializer=CloseActivationSerializer, url_path="close"
    )


ROUTES = [
    ("risks", RiskViewSet),
    ("risk-actions", ResponseActionViewSet, "responseaction"),
    ("risk-sessions", IdentificationSessionViewSet, "identificationsession"),
    ("risk-categories", RiskCategoryViewSet, "riskcategory"),
    ("risk-indicators", IndicatorViewSet, "riskindicator"),
    ("risk-matrices", MatrixViewSet, "riskmatrix"),
    ("emergency-plans", EmergencyPlanViewSet, "emergencyplan"),
    ("risk-warnings", WarningViewSet, "warning"),
    ("emergency-activations", EmergencyActivationViewSet, "emergencyactivation"),
]

__all__ = ["ROUTES"]
