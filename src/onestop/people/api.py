"""REST API of the people chapter (HR-3..HR-8). ``ROUTES`` lists (prefix, viewset[, basename]).

Every action runs the same service as the pages: 400 refused (with field errors), 403 not
allowed, 404 outside the user's reach (HR data is private: people.access), 409 when someone
else acted first.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from onestop.accounts.models import Department, User
from onestop.core import services as core_services
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.core.fields import TEXT_COMMENT, TEXT_NOTE
from onestop.people import filters, grading, metrics, services, skills, summaries
from onestop.people.computed import BY_CODE
from onestop.people.forms import SkillSearchForm
from onestop.people.models import (
    Appraisal,
    AppraisalScore,
    CheckIn,
    Course,
    Cycle,
    Enrolment,
    ImprovementPlan,
    Indicator,
    IndicatorTemplate,
    Outcome,
    PersonSkill,
    ResultAction,
    Skill,
    TrainingSession,
)
from onestop.resources.models import Article


def _readonly(model_fields, writable):
    return [name for name in model_fields if name not in writable]


# --- HR-5 / HR-6 -------------------------------------------------------------------------------


class IndicatorTemplateSerializer(ModelSerializer):
    class Meta:
        model = IndicatorTemplate
        fields = [
            "id",
            "position",
            "version",
            "title",
            "is_active",
            "notes",
            "first_used_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "first_used_at"]


class IndicatorTemplateViewSet(ObjectViewSet):
    """HR-5 indicator templates per position; `new-version/` copies a template as the next version."""

    queryset = IndicatorTemplate.objects.all()
    serializer_class = IndicatorTemplateSerializer
    filterset_class = filters.IndicatorTemplateFilterSet
    select_related = ("position",)

    new_version = service_action(
        calls(services.new_template_version),
        url_path="new-version",
        response=IndicatorTemplateSerializer,
        status=201,
        summary="A copy of the template as the next version (the active one).",
    )


class AppraisalIndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "template",
            "category",
            "name",
            "weight",
            "target",
            "target_value",
            "source",
            "sort_order",
        ]


class IndicatorViewSet(ObjectViewSet):
    """HR-5 indicators: category, weight, quantified target, computed source."""

    queryset = Indicator.objects.all()
    serializer_class = AppraisalIndicatorSerializer
    filterset_class = filters.IndicatorFilterSet
    select_related = ("template",)


class CycleSerializer(ModelSerializer):
    rule_text = serializers.CharField(read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "kind",
            "year",
            "number",
            "starts_on",
            "ends_on",
            "self_assessment",
            "rollup_method",
            "part_weights",
            "rollup_share",
            "rule_text",
            "due_on",
            "state",
            "opened_by",
            "closed_at",
        ]
        read_only_fields = ["starts_on", "ends_on", "state", "opened_by", "closed_at"]


class CycleViewSet(ObjectViewSet):
    """HR-6 cycles. `POST` opens a cycle and its appraisals; `close/` once every appraisal is closed."""

    queryset = Cycle.objects.all()
    serializer_class = CycleSerializer
    filterset_class = filters.CycleFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.open_cycle(actor=self.request.user, **serializer.validated_data)

    close = service_action(calls(services.close_cycle), serializer=CommentRequestSerializer, url_path="close")


# --- HR-7 --------------------------------------------------------------------------------------


class ScoreSerializer(ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    category = serializers.CharField(source="indicator.category", read_only=True)
    weight = serializers.DecimalField(
        source="indicator.weight", max_digits=5, decimal_places=2, read_only=True
    )
    source = serializers.CharField(source="indicator.source", read_only=True)

    class Meta:
        model = AppraisalScore
        fields = [
            "id",
            "indicator",
            "indicator_name",
            "category",
            "weight",
            "source",
            "self_score",
            "score",
            "comment",
            "computed_value",
            "computed_count",
        ]
        read_only_fields = fields


class AppraisalSerializer(ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "cycle",
            "employee",
            "superior",
            "department",
            "template",
            "state",
            "self_comment",
            "self_assessed_at",
            "superior_comment",
            "scored_at",
            "own_score",
            "rollup_score",
            "final_score",
            "grade",
            "employee_comment",
            "read_at",
            "appeal_reason",
            "appealed_at",
            "closed_at",
            "computed_at",
            "scores",
        ]
        read_only_fields = fields


class SelfAssessSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100, allow_null=True),
        help_text="{score row id: self score 0–100 or null}",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")


class ScoreRowSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100, allow_null=True)
    comment = serializers.CharField(allow_blank=True, max_length=TEXT_COMMENT, default="")


class ScoreRequestSerializer(serializers.Serializer):
    scores = serializers.DictField(child=ScoreRowSerializer(), help_text="{score row id: {score, comment}}")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    submit = serializers.BooleanField(default=True, help_text="False: keep a draft.")


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_NOTE)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")


class FigureRecordSerializer(serializers.Serializer):
    response_only = True
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField()
    counted = serializers.IntegerField(allow_null=True, help_text="1: counted as met (shares only).")


class DistributionRowSerializer(serializers.Serializer):
    response_only = True
    department = serializers.CharField()
    grades = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class AppraisalViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-7 appraisals (opened by their cycle). The steps: `self-assess/` (employee), `score/`
    (superior), `refresh-figures/`, `acknowledge/` or `appeal/` (employee), `uphold/` or
    `rescore/` (HR, an appeal), `close/` (HR)."""

    queryset = Appraisal.objects.all()
    serializer_class = AppraisalSerializer
    filterset_class = filters.AppraisalFilterSet
    select_related = ("cycle", "employee")
    prefetch_related = ("scores__indicator",)
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        return Response(
            {"detail": "Appraisals are opened by their cycle.", "code": "not_allowed"}, status=405
        )

    self_assess = service_action(
        lambda a, request, data: services.self_assess(
            a,
            actor=request.user,
            scores={int(k): v for k, v in data["scores"].items()},
            comment=data["comment"],
        ),
        serializer=SelfAssessSerializer,
        url_path="self-assess",
        summary="The employee's self-assessment (scores may be null).",
    )
    score = service_action(
        lambda a, request, data: services.score(
            a,
            actor=request.user,
            scores={int(k): (v["score"], v.get("comment", "")) for k, v in data["scores"].items()},
            comment=data["comment"],
            submit=data["submit"],
        ),
        serializer=ScoreRequestSerializer,
        url_path="score",
        summary="The superior's scores with a comment per indicator; submit sends them to the employee.",
    )
    refresh_figures = service_action(
        calls(services.refresh_figures), url_path="refresh-figures", name="refresh_figures"
    )
    acknowledge = service_action(
        calls(services.acknowledge), serializer=AcknowledgeSerializer, url_path="acknowledge"
    )
    appeal = service_action(calls(services.appeal), serializer=AppealSerializer, url_path="appeal")
    close = service_action(
        calls(services.close_appraisal), serializer=CommentRequestSerializer, url_path="close"
    )

    @extend_schema(responses=FigureRecordSerializer(many=True))
    @action(detail=True, methods=["get"], url_path=r"figures/(?P<code>[a-z_]+)", required_action="view")
    def figures(self, request, pk=None, code=""):
        """The records a computed figure counts (each with its page), for the appraisal's period."""
        appraisal = self.get_object()
        if code not in BY_CODE:
            raise NotFound()
        cycle = appraisal.cycle
        rows = metrics.records(code, appraisal.employee, cycle.starts_on, cycle.ends_on)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            [
                {
                    "id": row.pk,
                    "label": str(row),
                    "url": row.get_absolute_url(),
                    "counted": getattr(row, "counted_good", None),
                }
                for row in page
            ]
        )

    @extend_schema(
        parameters=[OpenApiParameter("cycle", int, required=False)],
        responses=DistributionRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], required_action="distribution", pagination_class=None)
    def distribution(self, request):
        """HR-8: the grade distribution per department of a cycle (default: the latest graded)."""
        cycles = Cycle.objects.order_by("-starts_on")
        try:
            chosen = int(request.query_params.get("cycle") or 0)
        except ValueError:
            raise serializers.ValidationError({"cycle": ["A cycle id."]}) from None
        cycle = (
            cycles.filter(pk=chosen).first() if chosen else cycles.filter(appraisals__grade__gt="").first()
        )
        lines, _totals = summaries.distribution(request.user, cycle)
        codes = [code for code, _label, _low in grading.GRADES]
        return Response(
            [
                {"department": name, "grades": dict(zip(codes, counts, strict=True)), "total": total}
                for name, counts, total in lines
            ]
        )


# --- HR-8 --------------------------------------------------------------------------------------


class ResultActionSerializer(ModelSerializer):
    class Meta:
        model = ResultAction
        fields = [
            "id",
            "appraisal",
            "employee",
            "kind",
            "reason",
            "amount",
            "new_position",
            "effective_on",
            "state",
            "proposed_by",
            "decided_at",
        ]
        read_only_fields = ["employee", "state", "proposed_by", "decided_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "appraisal" in self.fields:
            self.fields["appraisal"].queryset = Appraisal.objects.visible_to(request.user)

    def validate(self, attrs):
        appraisal = attrs.get("appraisal") or getattr(self.instance, "appraisal", None)
        if appraisal is not None:
            attrs["employee"] = appraisal.employee
        return super().validate(attrs)


class ResultActionViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-8 results applied: proposed by HR or a superior, `approve/` or `reject/` by management."""

    queryset = ResultAction.objects.all()
    serializer_class = ResultActionSerializer
    filterset_class = filters.ResultActionFilterSet
    select_related = ("employee",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("employee", None)
        serializer.instance = services.propose_action(actor=self.request.user, **data)

    approve = service_action(
        calls(services.approve_action), serializer=CommentRequestSerializer, url_path="approve"
    )


class ImprovementPlanSerializer(ModelSerializer):
    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "employee",
            "superior",
            "appraisal",
            "starts_on",
            "ends_on",
            "goals",
            "support",
            "state",
            "outcome",
            "outcome_note",
            "concluded_at",
        ]
        read_only_fields = ["state", "outcome", "outcome_note", "concluded_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["employee"].queryset = User.objects.staff()
            self.fields["superior"].queryset = User.objects.staff()
            self.fields["superior"].required = False
            self.fields["appraisal"].queryset = Appraisal.objects.visible_to(request.user)


class CheckInRequestSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    progress = serializers.ChoiceField(choices=CheckIn.Progress.choices)
    notes = serializers.CharField(max_length=TEXT_NOTE)


class ConcludeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=TEXT_NOTE)


class ImprovementPlanViewSet(ObjectViewSet):
    """HR-8 performance-improvement plans: goals, `check-in/`, `conclude/` with the outcome."""

    queryset = ImprovementPlan.objects.all()
    serializer_class = ImprovementPlanSerializer
    filterset_class = filters.ImprovementPlanFilterSet
    select_related = ("employee",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.start_plan(actor=self.request.user, **serializer.validated_data)

    check_in = service_action(
        calls(services.check_in), serializer=CheckInRequestSerializer, url_path="check-in"
    )
    conclude = service_action(
        calls(services.conclude_plan), serializer=ConcludeSerializer, url_path="conclude"
    )


class CheckInSerializer(ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "plan", "held_on", "progress", "notes", "recorded_by"]
        read_only_fields = ["recorded_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["plan"].queryset = ImprovementPlan.objects.visible_to(request.user)


class CheckInViewSet(ObjectViewSet):
    queryset = CheckIn.objects.all()
    serializer_class = CheckInSerializer
    filterset_class = filters.CheckInFilterSet
    select_related = ("plan",)


# --- HR-4 --------------------------------------------------------------------------------------


class SkillSerializer(ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "name", "category", "description"]


class SkillViewSet(ObjectViewSet):
    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    filterset_class = filters.SkillFilterSet


class PersonSkillSerializer(ModelSerializer):
    class Meta:
        model = PersonSkill
        fields = ["id", "employee", "skill", "level", "source", "assessed_on", "evidence", "assessed_by"]
        read_only_fields = ["assessed_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = User.objects.staff()


class SkillSearchSerializer(serializers.Serializer):
    response_only = True
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    level = serializers.IntegerField()
    allocated = serializers.IntegerField(
        required=False, help_text="Allocated % in the month, when a month is given."
    )


class PersonSkillViewSet(ObjectViewSet):
    """HR-4 skills matrix rows; `search/?skill=&level=&month=YYYY-MM&free=` finds who knows a skill
    at a level and is free (100% − allocations on running projects overlapping the month)."""

    queryset = PersonSkill.objects.all()
    serializer_class = PersonSkillSerializer
    filterset_class = filters.PersonSkillFilterSet
    select_related = ("employee", "skill")
    extra_query_params = ("month", "free")

    def perform_create(self, serializer):
        serializer.instance = core_services.save(
            PersonSkill(**serializer.validated_data, assessed_by=self.request.user), actor=self.request.user
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("skill", int, required=True),
            OpenApiParameter("level", int, required=False),
            OpenApiParameter("month", str, required=False, description="YYYY-MM"),
            OpenApiParameter("free", int, required=False, description="Free capacity at least (%)"),
        ],
        responses=SkillSearchSerializer(many=True),
    )
    @action(detail=False, methods=["get"], required_action="search")
    def search(self, request):
        form = SkillSearchForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        data = form.cleaned_data
        rows = skills.search(
            request.user,
            skill=data["skill"],
            level=data["level"],
            month=data.get("month"),
            free_at_least=data.get("free") or 0,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            [
                {
                    "id": p.pk,
                    "full_name": p.display_name,
                    "level": p.level,
                    **({"allocated": p.allocated} if data.get("month") else {}),
                }
                for p in page
            ]
        )


# --- HR-3 --------------------------------------------------------------------------------------


class CourseSerializer(ModelSerializer):
    articles = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Article.objects.filter(state=Article.State.PUBLISHED),
        help_text="Published knowledge-base articles the course or event is built on.",
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "kind",
            "provider",
            "hours",
            "skill",
            "level_awarded",
            "certificate_months",
            "description",
            "articles",
        ]


class PlanLineSerializer(serializers.Serializer):
    response_only = True
    skill = serializers.CharField()
    holders = serializers.IntegerField(help_text="People at the working level or above.")
    below = serializers.ListField(child=serializers.CharField(), help_text="People below the working level.")
    courses = serializers.ListField(child=serializers.DictField())


class CourseViewSet(ObjectViewSet):
    """HR-3 courses; `plan/?department=&year=` is a department's yearly training plan from its
    skills gaps (the people below the working level of each skill, the courses and sessions)."""

    queryset = Course.objects.all()
    prefetch_related = ("articles",)
    serializer_class = CourseSerializer
    filterset_class = filters.CourseFilterSet
    extra_query_params = ("department", "year")

    @extend_schema(
        parameters=[
            OpenApiParameter("department", int, required=True),
            OpenApiParameter("year", int, required=False),
        ],
        responses=PlanLineSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, url_path="plan")
    def plan(self, request):
        if not request.user.has_perm("people.search_personskill"):
            raise PermissionDenied
        try:
            department = Department.objects.get(pk=int(request.query_params.get("department", "")))
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except (ValueError, Department.DoesNotExist):
            raise serializers.ValidationError({"department": ["A department id."]}) from None
        return Response(
            [
                {
                    "skill": line["skill"].name,
                    "holders": line["holders"],
                    "below": [person.display_name for person in line["below"]],
                    "courses": [
                        {
                            "id": course.pk,
                            "title": course.title,
                            "sessions": [str(s.starts_on) for s in sessions],
                        }
                        for course, sessions in line["courses"]
                    ],
                }
                for line in skills.training_plan(department, year)
            ]
        )


class TrainingSessionSerializer(ModelSerializer):
    class Meta:
        model = TrainingSession
        fields = ["id", "course", "starts_on", "ends_on", "trainer", "location", "capacity"]


class TrainingSessionViewSet(ObjectViewSet):
    queryset = TrainingSession.objects.all()
    serializer_class = TrainingSessionSerializer
    filterset_class = filters.TrainingSessionFilterSet
    select_related = ("course",)


class EnrolmentSerializer(ModelSerializer):
    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "employee",
            "state",
            "requested_by",
            "attended",
            "score",
            "passed",
            "certificate_no",
            "certificate_expires_on",
        ]
        read_only_fields = _readonly(fields, ("session", "employee"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = User.objects.staff()


class ResultRequestSerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )
    passed = serializers.BooleanField()
    certificate_no = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_COMMENT, default="")


class EnrolmentViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-3 training records: enrol (HR or the superior directly; oneself with approval),
    `approve/`, `cancel/`, `record/` the assessment and certificate, `mark_absent/`."""

    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer
    filterset_class = filters.EnrolmentFilterSet
    select_related = ("employee", "session__course")

    def perform_create(self, serializer):
        serializer.instance = services.enrol(actor=self.request.user, **serializer.validated_data)

    record = service_action(
        calls(services.record_result), serializer=ResultRequestSerializer, url_path="record"
    )


ROUTES = [
    ("people/indicator-templates", IndicatorTemplateViewSet, "indicatortemplate"),
    ("people/indicators", IndicatorViewSet, "appraisalindicator"),
    ("people/cycles", CycleViewSet, "cycle"),
    ("people/appraisals", AppraisalViewSet, "appraisal"),
    ("people/result-actions", ResultActionViewSet, "resultaction"),
    ("people/improvement-plans", ImprovementPlanViewSet, "improvementplan"),
    ("people/check-ins", CheckInViewSet, "checkin"),
    ("people/skills", SkillViewSet, "skill"),
    ("people/person-skills", PersonSkillViewSet, "personskill"),
    ("people/courses", CourseViewSet, "course"),
    ("people/training-sessions", TrainingSessionViewSet, "trainingsession"),
    ("people/enrolments", EnrolmentViewSet, "enrolment"),
]
