"""REST API of project implementation (PRJ-1, PRJ-2). ``ROUTES`` lists (prefix, viewset) for the
root router. Actions run the same services as the pages: 400 refused, 403 not allowed, 409 conflict."""

from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.contracts.models import Contract
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.exports import excel_response
from onestop.core.fields import TEXT_LONG, TEXT_NOTE, TEXT_REPORT
from onestop.projects import exports, filters, services
from onestop.projects.forms import project_leads
from onestop.projects.models import (
    KickoffAttendee,
    KickoffMeeting,
    Milestone,
    ProgressReport,
    ProgressRow,
    Project,
    ProjectMember,
    Task,
)


def _scoped(serializer, field, queryset):
    request = serializer.context.get("request")
    if request is not None and field in serializer.fields and not serializer.fields[field].read_only:
        serializer.fields[field].queryset = queryset.visible_to(request.user)


class ProjectSerializer(ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)
    client = serializers.IntegerField(source="engagement.client_id", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "engagement",
            "client",
            "contract",
            "plan_version",
            "name",
            "project_lead",
            "state",
            "state_display",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "progress_period_days",
            "opened_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "engagement",
            "contract",
            "plan_version",
            "state",
            "actual_start",
            "actual_end",
            "opened_by",
        ]


class OpenProjectSerializer(serializers.Serializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.none())
    project_lead = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["contract"].queryset = Contract.objects.visible_to(request.user if request else None)
        self.fields["project_lead"].queryset = project_leads()


class KickoffRequestSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    location = serializers.CharField(max_length=200)
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)
    goals = serializers.CharField(
        max_length=TEXT_LONG,
    )
    tasks_communicated = serializers.CharField(
        max_length=TEXT_LONG,
    )
    requirements = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=TEXT_REPORT, required=False, allow_blank=True, default="")
    responsibilities = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=TEXT_NOTE), required=False, default=dict
    )


class ProgressRowSerializer(serializers.ModelSerializer):
    variance = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgressRow
        fields = [
            "id",
            "position",
            "milestone",
            "task",
            "item",
            "planned_start",
            "planned_end",
            "planned_percent",
            "percent_complete",
            "variance",
            "actual_start",
            "actual_end",
            "work_done",
            "next_steps",
            "problems",
            "filled_by",
            "filled_at",
        ]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="state_label", read_only=True)
    rows = ProgressRowSerializer(many=True, read_only=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "period_start",
            "period_end",
            "state",
            "state_display",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "summary",
            "rows",
        ]
        read_only_fields = fields

    def get_summary(self, report) -> dict:
        return services.project_variance(list(report.rows.all()))


def _record_kickoff(project, request, data):
    """Record the kickoff meeting (→ in progress); attendees are active users by id."""
    ids = data.pop("attendees")
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise serializers.ValidationError({"attendees": ["Unknown or inactive user."]})
    return services.record_kickoff(project, actor=request.user, attendees=users, **data)


def _meeting(project) -> KickoffMeeting:
    meeting = KickoffMeeting.objects.filter(project=project).first()
    if meeting is None:
        raise DomainError("No kickoff meeting has been recorded yet.", code=ErrorCode.NOT_POSSIBLE_NOW)
    return meeting


INTERNAL_ACTIONS = {"kickoff", "acknowledge_kickoff", "complete", "start_report", "budget"}


class ProjectViewSet(ObjectViewSet):
    """PRJ-1: projects. `POST` opens one from a signed contract; `kickoff` records the kickoff
    meeting (→ in progress); `complete` when every milestone is complete; `start-report` makes
    the progress table of the current period."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = filters.ProjectFilterSet
    select_related = ("engagement",)
    ordering_fields = ["code", "created_at", "planned_start"]
    required_action = None

    @extend_schema(request=OpenProjectSerializer, responses={201: ProjectSerializer})
    def create(self, request, *args, **kwargs):
        body = OpenProjectSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        project = services.open_project(
            body.validated_data["contract"],
            actor=request.user,
            project_lead=body.validated_data.get("project_lead"),
        )
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    def get_object(self):
        project = super().get_object()
        if self.action in INTERNAL_ACTIONS and self.request.user.client_organization_id is not None:
            raise Http404  # the team's internal work is not shown to clients
        return project

    kickoff = service_action(_record_kickoff, serializer=KickoffRequestSerializer, url_path="kickoff")
    acknowledge_kickoff = service_action(
        lambda project, request, data: services.acknowledge_kickoff(_meeting(project), actor=request.user),
        url_path="acknowledge-kickoff",
        summary="An attendee acknowledges the kickoff meeting (the time is recorded once).",
    )
    complete = service_action(
        calls(services.complete_project), serializer=CommentRequestSerializer, url_path="complete"
    )
    start_report = service_action(
        calls(services.start_report),
        url_path="start-report",
        response=ProgressReportSerializer,
        status=status.HTTP_201_CREATED,
        summary="The progress table of the current period, made when missing.",
    )

    @extend_schema(request=None, responses=None)
    @action(detail=True, methods=["get"], required_action="view")
    def budget(self, request, pk=None):
        """The budget of the plan version the project follows, by category (staff only)."""
        project = self.get_object()
        budget = services.budget_of(project)
        return Response(
            {
                "currency": budget["currency"],
                "total": str(budget["total"]),
                "by_category": [
                    {"category": label, "amount": str(amount)} for label, amount in budget["by_category"]
                ],
            }
        )


class MilestoneSerializer(ModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "source",
            "name",
            "planned_date",
            "deliverables",
            "percent_complete",
            "completed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped(self, "project", Project.objects)


class MilestoneViewSet(ObjectViewSet):
    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_class = filters.MilestoneFilterSet
    select_related = ("project",)


class ProjectMemberSerializer(ModelSerializer):
    user_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = ProjectMember
        fields = [
            "id",
            "project",
            "user",
            "user_name",
            "role",
            "allocation",
            "responsibilities",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped(self, "project", Project.objects)


class ProjectMemberViewSet(ObjectViewSet):
    queryset = ProjectMember.objects.all()
    serializer_class = ProjectMemberSerializer
    filterset_class = filters.ProjectMemberFilterSet
    select_related = ("user",)


class TaskSerializer(ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "milestone",
            "name",
            "assignee",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "percent_complete",
            "resource_needs",
            "depends_on",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"depends_on": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped(self, "project", Project.objects)


class TaskViewSet(ObjectViewSet):
    """The implementation plan's tasks; dependencies on other projects' tasks or cycles are refused."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = filters.TaskFilterSet
    select_related = ("project",)
    prefetch_related = ("depends_on",)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        depends_on = data.pop("depends_on", [])
        serializer.instance = services.save_task(Task(**data), actor=self.request.user, depends_on=depends_on)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        depends_on = data.pop("depends_on", None)
        task = serializer.instance
        for name, value in data.items():
            setattr(task, name, value)
        services.save_task(task, actor=self.request.user, depends_on=depends_on)


class KickoffAttendeeSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = KickoffAttendee
        fields = ["id", "user", "user_name", "acknowledged_at"]
        read_only_fields = fields


class KickoffMeetingSerializer(serializers.ModelSerializer):
    attendance = KickoffAttendeeSerializer(many=True, read_only=True)

    class Meta:
        model = KickoffMeeting
        fields = [
            "id",
            "project",
            "held_on",
            "location",
            "goals",
            "tasks_communicated",
            "requirements",
            "minutes",
            "recorded_by",
            "attendance",
            "created_at",
        ]
        read_only_fields = fields


class KickoffMeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Kickoff meetings (recorded by `POST /projects/{id}/kickoff/`); `acknowledge` as an attendee."""

    queryset = KickoffMeeting.objects.all()
    serializer_class = KickoffMeetingSerializer
    filterset_fields = ["project"]
    required_action = None

    def get_queryset(self):
        return (
            KickoffMeeting.objects.visible_to(self.request.user)
            .prefetch_related("attendance__user")
            .order_by("pk")
        )

    acknowledge = service_action(calls(services.acknowledge_kickoff), url_path="acknowledge")


class RowInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    percent_complete = serializers.IntegerField(min_value=0, max_value=100, required=False)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_end = serializers.DateField(required=False, allow_null=True)
    work_done = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True)
    problems = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True)


class FillRequestSerializer(serializers.Serializer):
    rows = RowInputSerializer(many=True, allow_empty=False)


class MarkDoneRequestSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        min_value=1, help_text="The id of a row of this table whose task is yours."
    )
    done_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")


class ReviewRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ProgressReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """PRJ-2: progress tables. `fill` writes rows (team members, while being filled in);
    `mark-done` marks a row of the caller's own task done; `submit`, `review` and `return` are the lead's; `pdf` and `xlsx` download the table."""

    queryset = ProgressReport.objects.all()
    serializer_class = ProgressReportSerializer
    filterset_fields = ["project", "state"]
    required_action = None

    def get_queryset(self):
        return (
            ProgressReport.objects.visible_to(self.request.user)
            .select_related("project")
            .prefetch_related("rows")
            .order_by("-period_start", "pk")
        )

    fill = service_action(
        lambda report, request, data: services.fill_rows(
            report, actor=request.user, rows={row.pop("id"): row for row in map(dict, data["rows"])}
        ),
        serializer=FillRequestSerializer,
        url_path="fill",
        summary="Team members write rows of a table being filled in.",
    )
    mark_done = service_action(
        lambda report, request, data: services.mark_row_done(
            report, actor=request.user, row=data["row"], done_on=data.get("done_on")
        ),
        serializer=MarkDoneRequestSerializer,
        url_path="mark-done",
        name="mark_done",
        summary="A team member marks a row of their own task done (100 %, finished today or on done_on).",
    )
    submit = service_action(
        calls(services.submit_report), serializer=ReviewRequestSerializer, url_path="submit"
    )
    review = service_action(
        calls(services.review_report), serializer=ReviewRequestSerializer, url_path="review"
    )
    return_for_correction = service_action(
        calls(services.return_report),
        serializer=ReviewRequestSerializer,
        url_path="return",
        name="return_for_correction",
    )

    @extend_schema(request=None, responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], required_action="view")
    def pdf(self, request, pk=None):
        report = self.get_object()
        response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{exports.filename(report)}.pdf"'
        return response

    @extend_schema(
        request=None,
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
    )
    @action(detail=True, methods=["get"], required_action="view")
    def xlsx(self, request, pk=None):
        report = self.get_object()
        return excel_response(exports.report_workbook(report), f"{exports.filename(report)}.xlsx")


ROUTES = [
    ("projects", ProjectViewSet),
    ("project-milestones", MilestoneViewSet),
    ("project-members", ProjectMemberViewSet),
    ("project-tasks", TaskViewSet),
    ("kickoff-meetings", KickoffMeetingViewSet),
    ("progress-reports", ProgressReportViewSet),
]
