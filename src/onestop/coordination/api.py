"""REST API of the coordination stage (PRJ-3). Writes and transitions run the same services as
the pages: 400 refused, 403 not allowed, 404 outside the user's reach, 409 conflict."""

from rest_framework import serializers

from onestop.coordination import filters, services
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet
from onestop.projects.models import Project


def _project_field(serializer, *, fixed_once_saved: bool = False):
    """Offer only the projects the user sees; a saved record (``fixed_once_saved``) keeps its
    project — an issue or request never moves to another project."""
    request = serializer.context.get("request")
    field = serializer.fields.get("project")
    if field is None:
        return
    saved = serializer.instance is not None and not isinstance(serializer.instance, list | tuple)
    if fixed_once_saved and saved:
        field.read_only = True
    elif request is not None and not field.read_only:
        field.queryset = Project.objects.visible_to(request.user)


class DecisionCommentSerializer(serializers.Serializer):
    """Management's comment on a change request (required to reject)."""

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
        serializer.instance = services.raise_issue(project, actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        services.update_issue(serializer.instance, actor=self.request.user, **data)

    resolve = service_action(
        calls(services.resolve_issue), serializer=IssueResolutionSerializer, url_path="resolve"
    )
    close = service_action(calls(services.close_issue), serializer=CommentRequestSerializer, url_path="close")
    reopen = service_action(
        calls(services.reopen_issue), serializer=CommentRequestSerializer, url_path="reopen"
    )


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
        serializer.instance = services.prepare_report(project, actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        services.update_report(serializer.instance, actor=self.request.user, **data)

    send = service_action(calls(services.send_report), url_path="send")


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
        serializer.instance = services.give_feedback(
            data["report"], actor=self.request.user, text=data["text"], rating=data.get("rating")
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        data = serializer.validated_data
        services.update_feedback(
            instance,
            actor=self.request.user,
            text=data.get("text", instance.text),
            rating=data.get("rating", instance.rating),
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
        serializer.instance = services.request_change(project, actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        services.update_change(serializer.instance, actor=self.request.user, **data)

    submit = service_action(
        calls(services.submit_change), serializer=CommentRequestSerializer, url_path="submit"
    )
    approve = service_action(
        calls(services.approve_change), serializer=DecisionCommentSerializer, url_path="approve"
    )
    reject = service_action(
        calls(services.reject_change), serializer=DecisionCommentSerializer, url_path="reject"
    )


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
        serializer.instance = services.request_resources(project, actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        services.update_resource_request(serializer.instance, actor=self.request.user, **data)

    approve = service_action(
        calls(services.answer_resource_request, approved=True),
        serializer=ResourceAnswerSerializer,
        url_path="approve",
    )
    decline = service_action(
        calls(services.answer_resource_request, approved=False),
        serializer=ResourceAnswerSerializer,
        url_path="decline",
    )


ROUTES = [
    ("project-issues", ProjectIssueViewSet),
    ("client-reports", ClientReportViewSet),
    ("client-report-schedules", ClientReportScheduleViewSet),
    ("client-feedback", ClientFeedbackViewSet),
    ("change-requests", ChangeRequestViewSet),
    ("resource-requests", ResourceRequestViewSet),
]
