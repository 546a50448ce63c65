"""REST API of staff allocation, team building and costs (RES-4..7). ``ROUTES`` lists
(prefix, viewset[, basename]) for the root router.

Every action runs the same service as the pages: 400 refused (with field errors — a timesheet on
a project the person is not allocated to is refused on ``project``), 403 not allowed, 404 outside
the user's reach, 409 when someone else acted first. Transitions (reallocation decisions, expense
submission and approval) are ``POST …/{id}/<transition>/``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from onestop.accounts.models import User
from onestop.core.api import ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.core.schema import ErrorResponseSerializer
from onestop.costs import filters, rollup, services, views
from onestop.costs.figures import project_figures
from onestop.costs.forms import allocatable_projects
from onestop.costs.models import (
    Allocation,
    BudgetAlert,
    CostRate,
    CostRollup,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.projects.models import Project


def _limit(serializer, name, queryset):
    field = serializer.fields.get(name)
    if field is not None and not field.read_only:
        field.queryset = queryset


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- RES-4 ---------------------------------------------------------------------------------------


class AllocationSerializer(ModelSerializer):
    class Meta:
        model = Allocation
        fields = [
            "id",
            "project",
            "user",
            "role",
            "percent",
            "start",
            "end",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            _limit(self, "project", allocatable_projects(user))
            _limit(self, "user", User.objects.staff())


class HeatmapSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    weeks = serializers.ListField(child=serializers.DateField())
    people = serializers.ListField(child=serializers.DictField())
    departments = serializers.ListField(child=serializers.DictField())
    flags = serializers.DictField()


def heatmap_payload(data) -> dict:
    return {
        "weeks": data["weeks"],
        "people": [
            {
                "id": person.pk,
                "name": person.display_name,
                "department": person.department.name if person.department_id else None,
                "percent": [cell.percent for cell in person.cells],
                "hours": [cell.hours for cell in person.cells],
                "over_allocated": person.over,
            }
            for person in data["people"]
        ],
        "departments": [
            {
                "id": row["department_id"],
                "name": row["name"],
                "headcount": row["headcount"],
                "percent": [c.percent for c in row["cells"]],
            }
            for row in data["departments"]
        ],
        "flags": {
            "over_allocated": [
                {"id": p.pk, "name": p.display_name, "peak": p.peak} for p in data["flags"]["over"]
            ],
            "bench": [{"id": p.pk, "name": p.display_name} for p in data["flags"]["bench"]],
            "unstaffed_roles": [
                {
                    "project": row.project.pk if row.project else None,
                    "user": row.user_id,
                    "role": row.role,
                    "allocation": row.allocation,
                }
                for row in data["flags"]["unstaffed"]
            ],
        },
    }


class AllocationViewSet(ObjectViewSet):
    """RES-4 staff allocations; ``GET …/heatmap/`` is the capacity heat map (person × week,
    department × week, flags), paginated over people like the page."""

    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_class = filters.AllocationFilterSet
    select_related = ("project", "user")
    ordering_fields = ["start", "end", "percent"]

    save_service = staticmethod(services.save_allocation)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=False),
            OpenApiParameter("weeks", OpenApiTypes.INT, required=False),
            OpenApiParameter("department", OpenApiTypes.INT, required=False),
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
        ],
        responses={200: HeatmapSerializer, 404: ErrorResponseSerializer},  # 404: a page past the last
    )
    @action(detail=False, methods=["get"], required_action="view", filter_backends=(), pagination_class=None)
    def heatmap(self, request):
        _form, data = views._heatmap_data(request, paginate=True)
        return Response(HeatmapSerializer(heatmap_payload(data)).data)


class ReallocationRequestSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ReallocationRequest
        fields = [
            "id",
            "project",
            "user",
            "from_department",
            "role",
            "percent",
            "start",
            "end",
            "reason",
            "state",
            "state_label",
            "requested_by",
            "decided_by",
            "decided_at",
            "allocation",
            "created_at",
        ]
        read_only_fields = [
            "from_department",
            "state",
            "requested_by",
            "decided_by",
            "decided_at",
            "allocation",
            "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            _limit(self, "project", Project.objects.visible_to(user))
            _limit(self, "user", User.objects.staff())
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True
            self.fields["user"].read_only = True

    def validate(self, attrs):
        user = attrs.get("user")
        if user is not None and user.department_id is None:
            raise serializers.ValidationError(
                {"user": ["This person belongs to no department; allocate them directly."]}
            )
        return super().validate(attrs)


class ReallocationRequestViewSet(TransitionActionsMixin, ObjectViewSet):
    """RES-4 reallocation requests: the releasing department's head approves (creating the
    allocation) or rejects; the requester may withdraw."""

    queryset = ReallocationRequest.objects.all()
    serializer_class = ReallocationRequestSerializer
    filterset_class = filters.ReallocationRequestFilterSet
    select_related = ("project", "user", "from_department")
    ordering_fields = ["created_at", "start"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.request_reallocation(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        services.edit_reallocation(instance, actor=self.request.user)


# --- RES-5 ---------------------------------------------------------------------------------------


class TeamActivitySerializer(ModelSerializer):
    class Meta:
        model = TeamActivity
        fields = [
            "id",
            "kind",
            "title",
            "department",
            "held_on",
            "location",
            "cost",
            "description",
            "organizer",
            "created_at",
        ]
        read_only_fields = ["organizer", "created_at"]


class TeamActivityViewSet(ObjectViewSet):
    """RES-5 team activities and trainings (their participants: ``/api/costs/team-participants/``)."""

    queryset = TeamActivity.objects.all()
    serializer_class = TeamActivitySerializer
    filterset_class = filters.TeamActivityFilterSet
    select_related = ("department",)
    ordering_fields = ["held_on", "cost"]

    save_service = staticmethod(services.save_activity)


class TeamParticipantSerializer(ModelSerializer):
    class Meta:
        model = TeamParticipant
        fields = ["id", "activity", "user", "attended", "rating", "feedback", "created_at"]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self, "user", User.objects.staff())
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["activity"].read_only = True
            self.fields["user"].read_only = True


class TeamParticipantViewSet(ObjectViewSet):
    queryset = TeamParticipant.objects.all()
    serializer_class = TeamParticipantSerializer
    filterset_class = filters.TeamParticipantFilterSet
    select_related = ("activity", "user")
    ordering_fields = ["created_at", "rating"]

    save_service = staticmethod(services.save_participant)


# --- RES-6 ---------------------------------------------------------------------------------------


class CostRateSerializer(ModelSerializer):
    class Meta:
        model = CostRate
        fields = ["id", "position", "hourly_rate", "effective_from", "note"]


class CostRateViewSet(ObjectViewSet):
    queryset = CostRate.objects.all()
    serializer_class = CostRateSerializer
    filterset_class = filters.CostRateFilterSet
    select_related = ("position",)
    ordering_fields = ["effective_from"]

    save_service = staticmethod(services.save_rate)


class TimesheetSerializer(ModelSerializer):
    class Meta:
        model = Timesheet
        fields = [
            "id",
            "user",
            "project",
            "task",
            "day",
            "hours",
            "description",
            "rate",
            "cost",
            "created_at",
        ]
        read_only_fields = ["user", "rate", "cost", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            _limit(self, "project", Project.objects.visible_to(user))


class TimesheetViewSet(ObjectViewSet):
    """RES-6 timesheets: your own hours (person × project × day). Refused (400, field
    ``project``) on a project you are not allocated to on that day."""

    queryset = Timesheet.objects.all()
    serializer_class = TimesheetSerializer
    filterset_class = filters.TimesheetFilterSet
    select_related = ("user", "project", "task")
    ordering_fields = ["day", "hours"]

    def perform_create(self, serializer):
        serializer.instance = services.log_time(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        services.edit_time(instance, actor=self.request.user)


class ExpenseSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Expense
        fields = [
            "id",
            "project",
            "category",
            "description",
            "amount",
            "spent_on",
            "claimant",
            "state",
            "state_label",
            "submitted_at",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["claimant", "state", "submitted_at", "decided_by", "decided_at", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            _limit(self, "project", Project.objects.visible_to(user))


class ExpenseViewSet(TransitionActionsMixin, ObjectViewSet):
    """RES-6 expenses: claimed as a draft, the receipt attached (``POST /api/attachments/``),
    submitted, approved or rejected by the project lead (by management once the project is past
    the approval threshold)."""

    queryset = Expense.objects.all()
    serializer_class = ExpenseSerializer
    filterset_class = filters.ExpenseFilterSet
    select_related = ("project", "claimant")
    ordering_fields = ["spent_on", "amount"]

    def perform_create(self, serializer):
        serializer.instance = services.claim_expense(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        services.edit_expense(instance, actor=self.request.user)


class PurchaseSerializer(ModelSerializer):
    class Meta:
        model = Purchase
        fields = [
            "id",
            "project",
            "category",
            "item",
            "supplier",
            "amount",
            "purchased_on",
            "recorded_by",
            "note",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            _limit(self, "project", Project.objects.visible_to(user))


class PurchaseViewSet(ObjectViewSet):
    queryset = Purchase.objects.all()
    serializer_class = PurchaseSerializer
    filterset_class = filters.PurchaseFilterSet
    select_related = ("project",)
    ordering_fields = ["purchased_on", "amount"]

    save_service = staticmethod(services.record_purchase)


class BudgetAlertSerializer(ModelSerializer):
    class Meta:
        model = BudgetAlert
        fields = [
            "id",
            "project",
            "category",
            "level",
            "threshold",
            "budget",
            "actual",
            "crossed_at",
            "cleared_at",
        ]
        read_only_fields = fields


class BudgetAlertViewSet(ObjectViewSet):
    """RES-6 budget alerts (read-only): one per crossing of a threshold."""

    queryset = BudgetAlert.objects.all()
    serializer_class = BudgetAlertSerializer
    select_related = ("project",)
    ordering_fields = ["crossed_at"]
    http_method_names = ["get", "head", "options"]


# --- the cost page and the roll-up ----------------------------------------------------------------


class ProjectCostsSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    project = serializers.IntegerField()
    as_of = serializers.DateField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    variance = serializers.DecimalField(max_digits=14, decimal_places=2)
    planned_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    earned_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    cpi = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    spi = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast_variance = serializers.DecimalField(max_digits=14, decimal_places=2)
    categories = serializers.ListField(child=serializers.DictField())
    months = serializers.ListField(child=serializers.DictField())


def costs_payload(figures) -> dict:
    return {
        "project": figures.project.pk,
        "as_of": figures.as_of,
        "budget": figures.budget,
        "actual": figures.actual,
        "committed": figures.committed,
        "variance": figures.variance,
        "planned_value": figures.planned_value,
        "earned_value": figures.earned_value,
        "cpi": figures.cpi,
        "spi": figures.spi,
        "forecast": figures.forecast,
        "forecast_variance": figures.forecast_variance,
        "categories": [
            {
                "category": row.category,
                "label": row.label,
                "budget": row.budget,
                "actual": row.actual,
                "variance": row.variance,
            }
            for row in figures.rows
        ],
        "months": [
            {
                "month": month["month"],
                "total": month["total"],
                "cumulative": month["cumulative"],
                "planned_value": month["planned_value"],
                "by_category": month["by_category"],
            }
            for month in figures.months
        ],
    }


@extend_schema(
    parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The project.")]
)
class ProjectCostsViewSet(viewsets.ViewSet):
    """RES-6/RES-7 a project's budget vs actual, earned value, CPI and SPI, by month
    (``GET …/{project id}/``); ``POST …/{project id}/allocate-team/`` allocates its team."""

    def retrieve(self, request, pk=None):
        project = views.cost_project(request, pk)
        return Response(ProjectCostsSerializer(costs_payload(project_figures(project))).data)

    retrieve = extend_schema(responses=ProjectCostsSerializer)(retrieve)

    @extend_schema(request=None, responses=AllocationSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="allocate-team")
    def allocate_team(self, request, pk=None):
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
        created = services.allocate_team(project, actor=request.user)
        return Response(AllocationSerializer(created, many=True, context={"request": request}).data)


class CostRollupSerializer(ModelSerializer):
    class Meta:
        model = CostRollup
        fields = [
            "id",
            "project",
            "department",
            "period",
            *rollup.CATEGORY_FIELDS,
            "total",
            "cumulative",
            "budget_total",
            "weak_points",
            "rolled_up_at",
        ]
        read_only_fields = fields


class RollupRunSerializer(serializers.Serializer):
    month = serializers.DateField(
        required=False, help_text="Any day of the month to roll up (default: this month)."
    )


class CostRollupViewSet(ObjectViewSet):
    """RES-7 the periodic cost roll-up per project and month (``?period=YYYY-MM-01``);
    ``POST …/run/`` rolls a month up now (finance, management)."""

    queryset = CostRollup.objects.all()
    serializer_class = CostRollupSerializer
    select_related = ("project", "department")
    ordering_fields = ["period", "total"]
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["period", "project", "department"]

    def create(self, request, *args, **kwargs):
        raise PermissionDenied

    @extend_schema(request=RollupRunSerializer, responses=CostRollupSerializer(many=True))
    @action(detail=False, methods=["post"], required_action="view", filter_backends=(), pagination_class=None)
    def run(self, request):
        data = RollupRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = rollup.roll_up(data.validated_data.get("month"))
        return Response(CostRollupSerializer(rows, many=True).data)


ROUTES = [
    ("costs/allocations", AllocationViewSet, "allocation"),
    ("costs/reallocation-requests", ReallocationRequestViewSet, "reallocationrequest"),
    ("costs/team-activities", TeamActivityViewSet, "teamactivity"),
    ("costs/team-participants", TeamParticipantViewSet, "teamparticipant"),
    ("costs/rates", CostRateViewSet, "costrate"),
    ("costs/timesheets", TimesheetViewSet, "timesheet"),
    ("costs/expenses", ExpenseViewSet, "expense"),
    ("costs/purchases", PurchaseViewSet, "purchase"),
    ("costs/budget-alerts", BudgetAlertViewSet, "budgetalert"),
    ("costs/projects", ProjectCostsViewSet, "project-costs"),
    ("costs/rollups", CostRollupViewSet, "costrollup"),
]
