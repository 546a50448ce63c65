"""REST API of the coordination stage (PRJ-3). Writes and transitions run the same services as
the pages: 400 refused, 403 not allowed, 404 outside the user's reach, 409 conflict."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.coordination import filters, services
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.core.drf import django_errors_to_dict


def _project_field(serializer, *, fixed_once_saved: bool = False):
    """Offer only the projects the user sees; a saved record (``fixed_once_saved``) keeps its
    project — an issue or request never moves to another project."""
    from onestop.projects.models import Project

    request = serializer.context.get("request")
    field = serializer.fields.get("project")
    if field is None:
        return
    saved = serializer.instance is not None and not isinstance(serializer.instance, list | tuple)
    if fixed_once_saved and saved:
        field.read_only = True
    elif request is not None and not field.read_only:
        field.queryset = Project.objects.visible_to(request.user)


def _validated(call):
    try:
        return call()
    except ValidationError as exc:
        raise serializers.ValidationError(django_errors_to_dict(exc)) from None


class ChangeCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class IssueResolutionSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)


class ResourceAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)


# --- issues ---------------------------------------------------------------------------------------


class ProjectIssueSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProjectIssue
        fields = [
            "id",
            "project",
            "title",
            "description",
            "owner",
            "due_date",
            "priority",
            "state",
            "state_display",
            "is_overdue",
            "raised_by",
            "resolution",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "raised_by", "resolution", "resolved_at", "closed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _project_field(self, fixed_once_saved=True)


class ProjectIssueViewSet(ObjectViewSet):
    """The issue log: `POST` raises an issue; resolve / close / reopen are actions."""

    queryset = ProjectIssue.objects.all()
    serializer_class = ProjectIssueSerializer
    filterset_class = filters.ProjectIssueFilterSet
    select_related = ("project", "owner", "raised_by")
    ordering_fields = ["due_date", "created_at", "priority"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = _validated(
            lambda: services.raise_issue(project, actor=self.request.user, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        _validated(lambda: services.update_issue(serializer.instance, actor=self.request.user, **data))

    def _answer(self, obj):
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=IssueResolutionSerializer, responses=ProjectIssueSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def resolve(self, request, pk=None):
        issue = self.get_object()
        body = IssueResolutionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.resolve_issue(issue, actor=request.user, resolution=body.validated_data["resolution"])
        return self._answer(issue)

    @extend_schema(request=ChangeCommentSerializer, responses=ProjectIssueSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def close(self, request, pk=None):
        issue = self.get_object()
        body = ChangeCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.close_issue(issue, actor=request.user, comment=body.validated_data["comment"])
        return self._answer(issue)

    @extend_schema(request=ChangeCommentSerializer, responses=ProjectIssueSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def reopen(self, request, pk=None):
        issue = self.get_object()
        body = ChangeCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reopen_issue(issue, actor=request.user, comment=body.validated_data["comment"])
        return self._answer(issue)


# --- client reports, schedules and feedback --------------------------------------------------------


class ClientReportSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = ClientReport
        fields = [
            "id",
            "project",
            "number",
            "period_start",
            "period_end",
            "summary",
            "snapshot",
            "state",
            "state_display",
            "prepared_by",
            "sent_at",
            "sent_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "snapshot", "state", "prepared_by", "sent_at", "sent_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _project_field(self, fixed_once_saved=True)


class ClientReportViewSet(ObjectViewSet):
    """Progress reports to the client: `POST` prepares one from the project (snapshot);
    `send` notifies the client; clients see their organisation's sent reports only."""

    queryset = ClientReport.objects.all()
    serializer_class = ClientReportSerializer
    filterset_class = filters.ClientReportFilterSet
    select_related = ("project",)
    ordering_fields = ["period_end", "sent_at"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = _validated(
            lambda: services.prepare_report(project, actor=self.request.user, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        _validated(lambda: services.update_report(serializer.instance, actor=self.request.user, **data))

    @extend_schema(request=None, responses=ClientReportSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def send(self, request, pk=None):
        report = self.get_object()
        services.send_report(report, actor=request.user)
        report.refresh_from_db()
        return Response(self.get_serializer(report).data)


class ClientReportScheduleSerializer(ModelSerializer):
    class Meta:
        model = ClientReportSchedule
        fields = [
            "id",
            "project",
            "every_weeks",
            "next_due",
            "active",
            "last_report",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_report"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _project_field(self)


class ClientReportScheduleViewSet(ObjectViewSet):
    """How often each project reports to its client; the daily job sends the due reports."""

    queryset = ClientReportSchedule.objects.all()
    serializer_class = ClientReportScheduleSerializer
    filterset_class = filters.ClientReportScheduleFilterSet
    select_related = ("project",)
    ordering_fields = ["next_due"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)


class ClientFeedbackSerializer(ModelSerializer):
    class Meta:
        model = ClientFeedback
        fields = ["id", "report", "text", "rating", "author", "created_at", "updated_at"]
        read_only_fields = ["author"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        field = self.fields.get("report")
        if request is not None and field is not None:
            field.queryset = ClientReport.objects.visible_to(request.user).filter(
                state=ClientReport.State.SENT
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple) and field is not None:
            field.read_only = True


class ClientFeedbackViewSet(ObjectViewSet):
    """The client's feedback on sent progress reports (the project lead is notified)."""

    queryset = ClientFeedback.objects.all()
    serializer_class = ClientFeedbackSerializer
    filterset_class = filters.ClientFeedbackFilterSet
    select_related = ("report", "author")
    ordering_fields = ["created_at", "rating"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _validated(
            lambda: services.give_feedback(
                data["report"], actor=self.request.user, text=data["text"], rating=data.get("rating")
            )
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        data = serializer.validated_data
        _validated(
            lambda: services.update_feedback(
                instance,
                actor=self.request.user,
                text=data.get("text", instance.text),
                rating=data.get("rating", instance.rating),
            )
        )


# --- change requests -------------------------------------------------------------------------------


class ChangeRequestSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "kind",
            "description",
            "reason",
            "new_service_content",
            "new_period_end",
            "fee_change",
            "milestone_changes",
            "impact",
            "state",
            "state_display",
            "requested_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "plan_version",
            "implemented_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "state",
            "requested_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "plan_version",
            "implemented_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _project_field(self, fixed_once_saved=True)


class ChangeRequestViewSet(ObjectViewSet):
    """Change requests: `POST` drafts; submit, approve (→ new plan version) and reject are actions."""

    queryset = ChangeRequest.objects.all()
    serializer_class = ChangeRequestSerializer
    filterset_class = filters.ChangeRequestFilterSet
    select_related = ("project", "requested_by")
    ordering_fields = ["created_at", "submitted_at", "fee_change"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = _validated(
            lambda: services.request_change(project, actor=self.request.user, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        _validated(lambda: services.update_change(serializer.instance, actor=self.request.user, **data))

    def _run(self, request, call):
        change = self.get_object()
        body = ChangeCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(change, actor=request.user, comment=body.validated_data["comment"])
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)

    @extend_schema(request=ChangeCommentSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def submit(self, request, pk=None):
        return self._run(request, services.submit_change)

    @extend_schema(request=ChangeCommentSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def approve(self, request, pk=None):
        """Management approves: a new plan version is started with the change (review follows)."""
        return self._run(request, services.approve_change)

    @extend_schema(request=ChangeCommentSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def reject(self, request, pk=None):
        return self._run(request, services.reject_change)


# --- resource requests -------------------------------------------------------------------------------


class ResourceRequestSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = ResourceRequest
        fields = [
            "id",
            "project",
            "department",
            "needed",
            "quantity",
            "needed_by",
            "requested_by",
            "state",
            "state_display",
            "answer",
            "answered_by",
            "answered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["requested_by", "state", "answer", "answered_by", "answered_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _project_field(self, fixed_once_saved=True)


class ResourceRequestViewSet(ObjectViewSet):
    """Requests to other departments; the department head (or management) approves or declines."""

    queryset = ResourceRequest.objects.all()
    serializer_class = ResourceRequestSerializer
    filterset_class = filters.ResourceRequestFilterSet
    select_related = ("project", "department")
    ordering_fields = ["needed_by", "created_at"]
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = _validated(
            lambda: services.request_resources(project, actor=self.request.user, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        _validated(
            lambda: services.update_resource_request(serializer.instance, actor=self.request.user, **data)
        )

    def _answer(self, request, approved):
        resource_request = self.get_object()
        body = ResourceAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer_resource_request(
            resource_request, actor=request.user, approved=approved, answer=body.validated_data["answer"]
        )
        resource_request.refresh_from_db()
        return Response(self.get_serializer(resource_request).data)

    @extend_schema(request=ResourceAnswerSerializer, responses=ResourceRequestSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def approve(self, request, pk=None):
        return self._answer(request, True)

    @extend_schema(request=ResourceAnswerSerializer, responses=ResourceRequestSerializer)
    @action(detail=True, methods=["post"], required_action="view")
    def decline(self, request, pk=None):
        return self._answer(request, False)


ROUTES = [
    ("project-issues", ProjectIssueViewSet),
    ("client-reports", ClientReportViewSet),
    ("client-report-schedules", ClientReportScheduleViewSet),
    ("client-feedback", ClientFeedbackViewSet),
    ("change-requests", ChangeRequestViewSet),
    ("resource-requests", ResourceRequestViewSet),
]
