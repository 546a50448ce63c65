"""The plan API (X-8): the same services as the pages, one action per use case."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.core.actions import calls, service_action
from onestop.core.api import PLAIN_LIST, CommentRequestSerializer, ModelSerializer
from onestop.core.fields import TEXT_COMMENT, TEXT_NOTE
from onestop.engagements.models import Engagement
from onestop.plans import services
from onestop.plans.diff import since_reviewed_by
from onestop.plans.filters import PlanFilterSet
from onestop.plans.models import (
    BudgetLine,
    Milestone,
    Plan,
    PlanApproval,
    PlanReview,
    PlanVersion,
    ReviewCriteriaSet,
    StaffAssignment,
)


class PlanMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "deliverables"]


class PlanStaffSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.staff())

    class Meta:
        model = StaffAssignment
        fields = ["user", "role", "allocation"]


class PlanBudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


class PlanReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanReview
        fields = ["id", "reviewer", "scores", "comments", "recommendation", "submitted_at"]
        read_only_fields = fields


class PlanApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanApproval
        fields = ["level", "approver", "comment", "approved_at"]
        read_only_fields = fields


class ReviewCriterionSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    code = serializers.CharField(help_text="The key of this criterion in a review's scores.")
    label = serializers.CharField()
    weight = serializers.DecimalField(max_digits=9, decimal_places=4)


class ReviewCriteriaSetSerializer(serializers.ModelSerializer):
    """PLN-2: what a review scores (the codes are the keys of ``scores``), on what scale, and
    the rule that decides pass or revise."""

    criteria = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCriteriaSet
        fields = [
            "id",
            "name",
            "version",
            "is_active",
            "criteria",
            "scale_min",
            "scale_max",
            "pass_mean",
            "min_criterion_mean",
            "reject_forces_revise",
        ]
        read_only_fields = fields

    @extend_schema_field(ReviewCriterionSerializer(many=True))
    def get_criteria(self, obj):
        # The labels as the review form shows them (the standard ones translated).
        return ReviewCriterionSerializer(obj.criterion_list(), many=True).data


class PlanVersionSerializer(serializers.ModelSerializer):
    milestones = PlanMilestoneSerializer(many=True, read_only=True)
    staffing = PlanStaffSerializer(many=True, read_only=True)
    budget_lines = PlanBudgetLineSerializer(many=True, read_only=True)
    budget_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    reviews = PlanReviewSerializer(many=True, read_only=True)
    approvals = PlanApprovalSerializer(many=True, read_only=True)
    criteria_set_url = serializers.HyperlinkedRelatedField(
        source="criteria_set",
        view_name="api:reviewcriteriaset-detail",
        read_only=True,
        allow_null=True,
        help_text="The review criteria set the version is scored by (set when it is submitted; null before).",
    )

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "number",
            "state",
            *PlanVersion.CONTENT,
            "change_note",
            "author",
            "reviewers",
            "criteria_set",
            "criteria_set_url",
            "submitted_at",
            "review_due",
            "decided_at",
            "weighted_mean",
            "decision_reasons",
            "approved_at",
            "approval_comment",
            "milestones",
            "staffing",
            "budget_lines",
            "budget_total",
            "reviews",
            "approvals",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanSerializer(ModelSerializer):
    full_clean_exclude = ("code",)
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.all())
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "engagement",
            "title",
            "project_lead",
            "effective_version",
            "latest_version",
            "created_at",
        ]
        read_only_fields = ["id", "code", "effective_version", "latest_version", "created_at"]

    def get_latest_version(self, plan) -> int | None:
        numbers = [version.number for version in plan.versions.all()]  # prefetched for lists
        return max(numbers) if numbers else None

    def validate(self, attrs):
        if self.instance is not None:
            attrs.pop("engagement", None)
        return attrs  # the service checks the gate and the lead (400 with a field error)


class PlanVersionUpdateSerializer(ModelSerializer):
    full_clean_exclude = ("plan", "number", "author")
    milestones = PlanMilestoneSerializer(many=True, required=False)
    staffing = PlanStaffSerializer(many=True, required=False)
    budget_lines = PlanBudgetLineSerializer(many=True, required=False)

    class Meta:
        model = PlanVersion
        fields = [*PlanVersion.CONTENT, "change_note", "milestones", "staffing", "budget_lines"]
        extra_kwargs = {name: {"required": False} for name in [*PlanVersion.CONTENT, "change_note"]}

    def validate(self, attrs):
        parts = {k: attrs.pop(k) for k in ("milestones", "staffing", "budget_lines") if k in attrs}
        attrs = super().validate(attrs)
        attrs.update(parts)
        return attrs


class PlanSubmitSerializer(serializers.Serializer):
    reviewers = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), many=True)
    comment = serializers.CharField(max_length=TEXT_COMMENT, required=False, allow_blank=True, default="")


class PlanReviewRequestSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField())
    recommendation = serializers.ChoiceField(choices=PlanReview.Recommendation.choices)
    comments = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True, default="")


class SuggestedReviewerSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ReviewerGroupSerializer(serializers.Serializer):
    """PLN-2: reviewers to form a panel from, by department (the plan's staffing departments first)."""

    department = serializers.SerializerMethodField()
    relevant = serializers.BooleanField()
    reviewers = SuggestedReviewerSerializer(many=True)

    def get_department(self, group) -> dict | None:
        department = group["department"]
        return None if department is None else {"id": department.pk, "name": department.name}


class ChangedTermSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    name = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    value = serializers.CharField()


class ChangesSinceReviewSerializer(serializers.Serializer):
    """PLN-2: what changed since the version the asking reviewer last reviewed (null: none)."""

    since_version = serializers.IntegerField(allow_null=True)
    changes = ChangedTermSerializer(many=True)


class PlanNewVersionSerializer(serializers.Serializer):
    change_note = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True, default="")


class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Service plans (服務方案). Management creates one for a confirmed engagement (PLN-1)."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    ordering_fields = ["created_at", "code"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def get_queryset(self):
        return (
            Plan.objects.visible_to(self.request.user)
            .select_related("engagement", "project_lead")
            .prefetch_related(
                Prefetch("versions", queryset=PlanVersion.objects.only("id", "plan_id", "number", "state"))
            )
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_plan(
            data["engagement"],
            actor=self.request.user,
            project_lead=data["project_lead"],
            title=data.get("title", ""),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        plan = serializer.instance
        serializer.instance = services.assign_lead(
            plan,
            actor=self.request.user,
            project_lead=data.get("project_lead", plan.project_lead),
            title=data.get("title"),
        )

    new_version = service_action(
        calls(services.new_version),
        serializer=PlanNewVersionSerializer,
        url_path="new-version",
        name="new_version",
        response=PlanVersionSerializer,
        status=status.HTTP_201_CREATED,
        summary="Start the next version as a copy of the latest one.",
    )


class PlanVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plan versions: edit a draft, submit it, review it, approve or reject it (PLN-1..3)."""

    queryset = PlanVersion.objects.all()
    serializer_class = PlanVersionSerializer
    filterset_fields = ["plan", "state"]
    required_action = "view"  # each action's own rule is asked by its service

    def get_queryset(self):
        return (
            PlanVersion.objects.visible_to(self.request.user)
            .select_related("plan")
            .prefetch_related("milestones", "staffing", "budget_lines", "reviews", "approvals", "reviewers")
            .order_by("plan", "number")
        )

    def _answer(self, version, code=status.HTTP_200_OK):
        version = self.get_queryset().get(pk=version.pk)
        return Response(self.get_serializer(version).data, status=code)

    @extend_schema(request=PlanVersionUpdateSerializer, responses=PlanVersionSerializer)
    def partial_update(self, request, pk=None):
        """Edit a draft version; lists given (milestones, staffing, budget_lines) replace the old ones."""
        version = self.get_object()
        body = PlanVersionUpdateSerializer(instance=version, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        parts = {
            k: [dict(row) for row in data.pop(k)]
            for k in ("milestones", "staffing", "budget_lines")
            if k in data
        }
        services.update_version(version, actor=request.user, **parts, **data)
        return self._answer(version)

    submit = service_action(
        calls(services.submit_version),
        serializer=PlanSubmitSerializer,
        url_path="submit",
        summary="PLN-2: the project lead submits the draft to a review panel.",
    )

    @extend_schema(responses=ReviewerGroupSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="reviewer-suggestions", **PLAIN_LIST)
    def reviewer_suggestions(self, request, pk=None):
        """PLN-2: the reviewers to choose the panel from, grouped by department (one group per
        department, so a plain array)."""
        version = self.get_object()
        return Response(ReviewerGroupSerializer(services.reviewer_suggestions(version), many=True).data)

    @extend_schema(responses=ChangesSinceReviewSerializer)
    @action(detail=True, methods=["get"], url_path="changes-since-my-review")
    def changes_since_my_review(self, request, pk=None):
        """PLN-2: the differences since the version the asking reviewer last reviewed."""
        since = since_reviewed_by(self.get_object(), request.user)
        answer = {
            "since_version": since["version"].number if since else None,
            "changes": since["terms"] if since else [],
        }
        return Response(ChangesSinceReviewSerializer(answer).data)

    review = service_action(
        calls(services.submit_review),
        serializer=PlanReviewRequestSerializer,
        url_path="review",
        summary="PLN-2: a panel member scores the version; the last review decides pass or revise.",
    )
    approve = service_action(
        calls(services.approve_version),
        serializer=CommentRequestSerializer,
        url_path="approve",
        summary="PLN-3: management approves (a second approver above the configured budget).",
    )
    reject = service_action(
        calls(services.reject_version),
        serializer=CommentRequestSerializer,
        url_path="reject",
        summary="PLN-3: management rejects, with a reason.",
    )


class ReviewCriteriaSetViewSet(viewsets.ReadOnlyModelViewSet):
    """PLN-2: the review criteria sets (edited in the admin site; staff read them here)."""

    queryset = ReviewCriteriaSet.objects.all()
    serializer_class = ReviewCriteriaSetSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return ReviewCriteriaSet.objects.visible_to(self.request.user).order_by("-version")
