"""REST API of the acceptance stage (ACC-1..3). ``ROUTES`` lists (prefix, viewset) for the root
router. Every action calls the same service as the round page."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from onestop.acceptance import filters, services
from onestop.acceptance.models import (
    AcceptanceCriterion,
    AcceptanceDeliverable,
    AcceptanceProblem,
    AcceptanceResult,
    AcceptanceRound,
    AcceptanceTeamMember,
    ChecklistItem,
    Conclusion,
    Method,
)
from onestop.accounts.models import User
from onestop.core import services as core_services
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet
from onestop.core.fields import TEXT_LONG
from onestop.projects.models import Milestone, Project


class AcceptanceRoundSerializer(ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)
    report_conclusion = serializers.CharField(read_only=True)

    class Meta:
        model = AcceptanceRound
        fields = [
            "id",
            "project",
            "number",
            "milestone",
            "scope",
            "state",
            "service_content",
            "implementation_status",
            "self_assessment",
            "applied_by",
            "applied_at",
            "checklist_skip_reason",
            "started_at",
            "report_conclusion",
            "conclusion",
            "concluded_at",
            "previous_round",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "project",
            "number",
            "milestone",
            "state",
            "implementation_status",
            "applied_by",
            "applied_at",
            "checklist_skip_reason",
            "started_at",
            "conclusion",
            "concluded_at",
            "previous_round",
        ]


class AcceptanceDeliverableInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True, default="")
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)


class AcceptanceApplySerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(), required=False, allow_null=True
    )
    self_assessment = serializers.CharField(max_length=4000)
    service_content = serializers.CharField(
        max_length=TEXT_LONG, required=False, allow_blank=True, default=""
    )
    deliverables = AcceptanceDeliverableInputSerializer(many=True, required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
            self.fields["milestone"].queryset = Milestone.objects.visible_to(request.user)


class AcceptanceTeamMemberInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1)
    role = serializers.CharField(max_length=100)


class AcceptanceTextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)


class AcceptanceReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class AcceptanceResultInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1)
    method = serializers.ChoiceField(choices=Method.choices)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AcceptanceProblemInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=4000)
    requirement = serializers.CharField(max_length=4000)


class AcceptanceReportSerializer(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    summary = serializers.CharField(max_length=4000)


class AcceptanceNextRoundSerializer(serializers.Serializer):
    self_assessment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class AcceptanceRoundViewSet(ObjectViewSet):
    """ACC-1..3: acceptance rounds. ``POST`` applies (the application); each step is an action."""

    queryset = AcceptanceRound.objects.all()
    serializer_class = AcceptanceRoundSerializer
    filterset_class = filters.AcceptanceRoundFilterSet
    select_related = ("project", "milestone")
    required_action = None  # set per custom action (see core.drf.RulesPermission)
    ordering_fields = ["number", "applied_at", "concluded_at"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _answer(self, obj, code=status.HTTP_200_OK):
        obj.refresh_from_db()
        return Response(
            AcceptanceRoundSerializer(obj, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=AcceptanceApplySerializer, responses={201: AcceptanceRoundSerializer})
    def create(self, request, *args, **kwargs):
        data = self._body(AcceptanceApplySerializer)
        acceptance_round = services.apply(
            data["project"],
            actor=request.user,
            milestone=data.get("milestone"),
            self_assessment=data["self_assessment"],
            service_content=data.get("service_content") or None,
            deliverables=data.get("deliverables") or None,
        )
        return self._answer(acceptance_round, status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.edit_application(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    team = service_action(
        lambda acceptance_round, request, data: services.name_team_member(
            acceptance_round,
            actor=request.user,
            user=_client_user(acceptance_round, data["user"]),
            role=data["role"],
        ),
        serializer=AcceptanceTeamMemberInputSerializer,
        url_path="team",
        summary="ACC-2: name a client user to the acceptance team (or change their role).",
    )
    checklist_items = service_action(
        calls(services.add_checklist_item),
        serializer=AcceptanceTextSerializer,
        url_path="checklist-items",
        summary="ACC-2: add an item of the team's own to the preparation checklist.",
    )
    skip_checklist = service_action(
        calls(services.skip_checklist),
        serializer=AcceptanceReasonSerializer,
        url_path="skip-checklist",
        summary="ACC-2: skip the preparation checklist with a reason (an empty reason requires it again).",
    )
    start = service_action(
        calls(services.start),
        serializer=CommentRequestSerializer,
        url_path="start",
        summary="applied → in_acceptance: the team is named and the checklist done (or skipped).",
    )
    results = service_action(
        lambda acceptance_round, request, data: services.record_result(
            acceptance_round,
            actor=request.user,
            criterion=_criterion(acceptance_round, data.pop("criterion")),
            **data,
        ),
        serializer=AcceptanceResultInputSerializer,
        url_path="results",
        summary="ACC-3: the result of one method on one criterion (recorded again: replaced).",
    )
    problems = service_action(
        calls(services.add_problem),
        serializer=AcceptanceProblemInputSerializer,
        url_path="problems",
        summary="ACC-3: list a problem with its rectification requirement.",
    )
    report = service_action(
        calls(services.fill_report),
        serializer=AcceptanceReportSerializer,
        url_path="report",
        summary=(
            "ACC-3: fill the report; “fail” ends the round, “pass” awaits the client's signature "
            "(`POST /api/signatures/` with document `acceptance_report` and role `client`)."
        ),
    )
    withdraw_report = service_action(calls(services.withdraw_report), url_path="withdraw-report")
    next_round = service_action(
        calls(services.start_next_round),
        serializer=AcceptanceNextRoundSerializer,
        url_path="next-round",
        response=AcceptanceRoundSerializer,
        status=status.HTTP_201_CREATED,
        summary="After every problem of this failed round is rectified: the next round (number + 1).",
    )


def _client_user(acceptance_round, pk):
    user = User.objects.of_client(acceptance_round.project.engagement.client_id).filter(pk=pk).first()
    if user is None:
        raise serializers.ValidationError(
            {"user": [_("Only active users of the client organisation can be on the team.")]}
        )
    return user


def _criterion(acceptance_round, pk):
    criterion = acceptance_round.criteria.filter(pk=pk).first()
    if criterion is None:
        raise serializers.ValidationError({"criterion": [_("The criterion belongs to another round.")]})
    return criterion


def _staff_owner(pk):
    owner = User.objects.staff().filter(pk=pk).first()
    if owner is None:
        raise serializers.ValidationError({"owner": [_("A rectification is owned by a staff member.")]})
    return owner


# --- the round's rows ---------------------------------------------------------------------------


class RowViewSet(ObjectViewSet):
    """Rows of a round: the rule is asked for this row of this round, not only the kind."""

    def _check(self, instance, action_name):
        opts = instance._meta
        if not self.request.user.has_perm(f"{opts.app_label}.{action_name}_{opts.model_name}", instance):
            raise PermissionDenied

    def perform_create(self, serializer):
        instance = serializer.Meta.model(**serializer.validated_data)
        self._check(instance, "add")
        self.prepare(instance)
        serializer.instance = core_services.save(instance, actor=self.request.user)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        self._check(instance, "change")
        self.prepare(instance)
        core_services.save(instance, actor=self.request.user)

    def prepare(self, instance):
        pass


class RowSerializer(ModelSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "round" in self.fields and not self.fields["round"].read_only:
            self.fields["round"].queryset = AcceptanceRound.objects.visible_to(request.user)


class AcceptanceDeliverableSerializer(RowSerializer):
    class Meta:
        model = AcceptanceDeliverable
        fields = ["id", "round", "name", "description", "delivered_on", "created_at", "updated_at"]


class AcceptanceDeliverableViewSet(RowViewSet):
    """ACC-1: the deliverables listed with the application."""

    queryset = AcceptanceDeliverable.objects.all()
    serializer_class = AcceptanceDeliverableSerializer
    filterset_class = filters.AcceptanceDeliverableFilterSet
    select_related = ("round",)


class AcceptanceTeamMemberSerializer(RowSerializer):
    user_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = AcceptanceTeamMember
        fields = ["id", "round", "user", "user_name", "role", "created_at", "updated_at"]


class AcceptanceTeamMemberViewSet(RowViewSet):
    """ACC-2: the client's acceptance team of each round."""

    queryset = AcceptanceTeamMember.objects.all()
    serializer_class = AcceptanceTeamMemberSerializer
    filterset_class = filters.AcceptanceTeamMemberFilterSet
    select_related = ("round", "user")

    def perform_destroy(self, instance):
        # The page's "remove from the team" service: the same rule and the same audit entry.
        services.remove_team_member(instance, actor=self.request.user)


class ChecklistItemSerializer(RowSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "round", "kind", "text", "note", "done_by", "done_at", "created_at", "updated_at"]
        read_only_fields = ["done_by", "done_at"]


class AcceptanceTickSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, default=None
    )


class ChecklistItemViewSet(RowViewSet):
    """ACC-2: the preparation checklist; ``tick`` marks an item done (or not)."""

    queryset = ChecklistItem.objects.all()
    serializer_class = ChecklistItemSerializer
    filterset_class = filters.ChecklistItemFilterSet
    select_related = ("round", "done_by")
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    tick = service_action(calls(services.tick), serializer=AcceptanceTickSerializer, url_path="tick")


class AcceptanceCriterionSerializer(RowSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "round", "number", "text", "source", "created_at", "updated_at"]


class AcceptanceCriterionViewSet(RowViewSet):
    """ACC-3: acceptance criteria (from the contract; editable before the acceptance starts)."""

    queryset = AcceptanceCriterion.objects.all()
    serializer_class = AcceptanceCriterionSerializer
    filterset_class = filters.AcceptanceCriterionFilterSet
    select_related = ("round",)


class AcceptanceResultSerializer(RowSerializer):
    class Meta:
        model = AcceptanceResult
        fields = [
            "id",
            "round",
            "criterion",
            "method",
            "passed",
            "note",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_by"]


class AcceptanceResultViewSet(RowViewSet):
    """ACC-3: the result of each method used on each criterion."""

    queryset = AcceptanceResult.objects.all()
    serializer_class = AcceptanceResultSerializer
    filterset_class = filters.AcceptanceResultFilterSet
    select_related = ("round", "criterion")

    def prepare(self, instance):
        instance.recorded_by = self.request.user


class AcceptanceProblemSerializer(RowSerializer):
    class Meta:
        model = AcceptanceProblem
        fields = [
            "id",
            "round",
            "description",
            "requirement",
            "owner",
            "due_date",
            "state",
            "fix",
            "done_by",
            "done_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "fix", "done_by", "done_at"]


class AcceptanceFixSerializer(serializers.Serializer):
    fix = serializers.CharField(max_length=4000)


class AcceptanceAssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1)
    due_date = serializers.DateField()


class AcceptanceProblemViewSet(RowViewSet):
    """ACC-3: problems of failed rounds as rectification tasks; ``resolve`` reports the fix."""

    queryset = AcceptanceProblem.objects.all()
    serializer_class = AcceptanceProblemSerializer
    filterset_class = filters.AcceptanceProblemFilterSet
    select_related = ("round", "owner")
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    resolve = service_action(
        calls(services.resolve_problem), serializer=AcceptanceFixSerializer, url_path="resolve"
    )
    assign = service_action(
        lambda problem, request, data: services.assign_problem(
            problem, actor=request.user, owner=_staff_owner(data["owner"]), due_date=data["due_date"]
        ),
        serializer=AcceptanceAssignSerializer,
        url_path="assign",
    )


ROUTES = [
    ("acceptance-rounds", AcceptanceRoundViewSet),
    ("acceptance-deliverables", AcceptanceDeliverableViewSet),
    ("acceptance-team-members", AcceptanceTeamMemberViewSet),
    ("acceptance-checklist-items", ChecklistItemViewSet),
    ("acceptance-criteria", AcceptanceCriterionViewSet),
    ("acceptance-results", AcceptanceResultViewSet),
    ("acceptance-problems", AcceptanceProblemViewSet),
]
