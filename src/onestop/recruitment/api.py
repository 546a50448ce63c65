"""REST API of recruitment and onboarding (HR-1..HR-3). ``ROUTES`` lists (prefix, viewset, basename).

Every action runs the same service or transition as the pages: 400 refused (with field errors),
403 not allowed, 404 outside the user's reach (candidate data: HR and the opening's hiring panel
only), 409 when someone else acted first. The plain steps of a need and a candidate are the
generated transition actions (``POST …/{id}/<transition>/`` with ``comment`` and
``expected_state``); the steps that take input have their own actions.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from onestop.accounts.models import User
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.projects.models import Project
from onestop.recruitment import filters, services
from onestop.recruitment.models import (
    Candidate,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    OnboardingTask,
    Posting,
)


def _staff(serializer, *names):
    request = serializer.context.get("request")
    if request is None:
        return
    for name in names:
        if name in serializer.fields and not serializer.fields[name].read_only:
            serializer.fields[name].queryset = User.objects.visible_to(request.user).staff()


# --- hiring needs --------------------------------------------------------------------------------


class HiringNeedSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    skill_levels = serializers.ListField(child=serializers.ListField(), read_only=True)

    class Meta:
        model = HiringNeed
        fields = [
            "id",
            "code",
            "position",
            "department",
            "headcount",
            "education",
            "years_experience",
            "skills",
            "skill_levels",
            "certificates",
            "criteria",
            "reason",
            "project",
            "replaces",
            "justification",
            "target_date",
            "hiring_manager",
            "state",
            "state_label",
            "requested_by",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "state", "requested_by", "decided_by", "decided_at"]
        extra_kwargs = {"hiring_manager": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "replaces", "hiring_manager")
        request = self.context.get("request")
        if request is not None and "project" in self.fields:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("hiring_manager") and attrs.get("department") is not None:
            attrs["hiring_manager"] = attrs["department"].head or self.context["request"].user
        return super().validate(attrs)


class GapRowSerializer(serializers.Serializer):
    response_only = True
    position = serializers.IntegerField(source="position.pk")
    position_name = serializers.CharField(source="position.name")
    demand = serializers.IntegerField(help_text="Sum of the allocations (%) asked of the position's holders.")
    capacity = serializers.IntegerField(help_text="100 % per active holder of the position.")
    gap_people = serializers.IntegerField()
    where = serializers.ListField(child=serializers.CharField())


class HiringNeedViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-1 hiring needs: recorded as a draft, submitted, approved or returned by management,
    closed by HR. `GET …/staffing-gap/` is the suggestion shown when a need is written."""

    queryset = HiringNeed.objects.all()
    serializer_class = HiringNeedSerializer
    filterset_class = filters.HiringNeedFilterSet
    select_related = ("position", "department")
    ordering_fields = ["created_at", "target_date", "code"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.record_need(HiringNeed(**data), actor=self.request.user)

    @extend_schema(responses=GapRowSerializer(many=True))
    @action(
        detail=False,
        methods=["get"],
        url_path="staffing-gap",
        required_action="add",
        filter_backends=(),
        pagination_class=None,
    )
    def staffing_gap(self, request):
        """Per position: the allocations the approved plans and running projects ask of its holders
        against 100 % per holder; only positions short of people (bounded by the positions)."""
        return Response(GapRowSerializer(services.staffing_gap(), many=True).data)


class PostingSerializer(ModelSerializer):
    class Meta:
        model = Posting
        fields = [
            "id",
            "need",
            "channel",
            "title",
            "where",
            "url",
            "published_on",
            "closes_on",
            "notes",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["need"].queryset = HiringNeed.objects.visible_to(request.user)


class PostingViewSet(ObjectViewSet):
    """HR-2 postings: where and when an approved opening is advertised."""

    queryset = Posting.objects.all()
    serializer_class = PostingSerializer
    filterset_class = filters.PostingFilterSet
    ordering_fields = ["published_on"]


# --- candidates ----------------------------------------------------------------------------------


class CandidateSerializer(ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    days_in_stage = serializers.IntegerField(read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "code",
            "need",
            "full_name",
            "phone",
            "email",
            "education",
            "school",
            "years_experience",
            "current_employer",
            "source",
            "posting",
            "referrer",
            "resume",
            "applied_on",
            "stage",
            "stage_label",
            "stage_since",
            "days_in_stage",
            "test_score",
            "test_note",
            "background_note",
            "offer_salary",
            "offer_start_date",
            "offer_superior",
            "offer_note",
            "offer_approved_by",
            "outcome_reason",
            "closed_at_stage",
            "hired_user",
            "hired_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "stage",
            "stage_since",
            "test_score",
            "test_note",
            "background_note",
            "offer_salary",
            "offer_start_date",
            "offer_superior",
            "offer_note",
            "offer_approved_by",
            "outcome_reason",
            "closed_at_stage",
            "hired_user",
            "hired_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "referrer")
        request = self.context.get("request")
        if request is None:
            return
        self.fields["need"].queryset = HiringNeed.objects.visible_to(request.user)
        self.fields["posting"].queryset = Posting.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["need"].read_only = True


class RecordTestSerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal(0), max_value=Decimal(100)
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ProposeOfferSerializer(serializers.Serializer):
    background_note = serializers.CharField(max_length=5000)
    salary = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    start_date = serializers.DateField()
    superior = serializers.PrimaryKeyRelatedField(queryset=User.objects.staff())
    terms = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HireSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    employee_no = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")


class CandidateViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-2 candidates, visible to HR and the opening's hiring panel only (management from the
    offer on). Plain steps are transition actions: `pass_screening`, `pass_interviews`,
    `approve_offer`, `return_offer`, `accept_offer`, `decline_offer`, `reject` (a reason in
    `comment`); the steps with input: `record-test`, `propose-offer`, `hire`."""

    queryset = Candidate.objects.all()
    serializer_class = CandidateSerializer
    filterset_class = filters.CandidateFilterSet
    select_related = ("need",)
    ordering_fields = ["applied_on", "stage_since", "code"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.add_candidate(Candidate(**data), actor=self.request.user)

    record_test = service_action(
        calls(services.record_test), serializer=RecordTestSerializer, url_path="record-test"
    )
    propose_offer = service_action(
        calls(services.propose_offer), serializer=ProposeOfferSerializer, url_path="propose-offer"
    )
    hire = service_action(calls(services.hire), serializer=HireSerializer, url_path="hire")


class ScoreItemSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=200)
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000)


class ScoreSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True)
    recommendation = serializers.ChoiceField(choices=Interview.Recommendation.choices)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class InterviewSerializer(ModelSerializer):
    class Meta:
        model = Interview
        fields = [
            "id",
            "candidate",
            "round",
            "interviewer",
            "scheduled_at",
            "place",
            "scores",
            "average",
            "recommendation",
            "summary",
            "scored_at",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "interviewer")
        request = self.context.get("request")
        if request is not None:
            self.fields["candidate"].queryset = Candidate.objects.visible_to(request.user)
            if self.instance is not None and not isinstance(self.instance, list | tuple):
                self.fields["candidate"].read_only = True


class InterviewViewSet(ObjectViewSet):
    """HR-2 interviews: arranged by HR; the interviewer scores every criterion of the opening
    (1–5, each with a comment) once with `POST …/{id}/score/`."""

    queryset = Interview.objects.all()
    serializer_class = InterviewSerializer
    filterset_class = filters.InterviewFilterSet
    select_related = ("candidate",)
    ordering_fields = ["scheduled_at"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.schedule_interview(Interview(**data), actor=self.request.user)

    score = service_action(
        lambda interview, request, data: services.score_interview(
            interview,
            actor=request.user,
            scores=[dict(item) for item in data["scores"]],
            recommendation=data["recommendation"],
            summary=data.get("summary", ""),
        ),
        serializer=ScoreSerializer,
        url_path="score",
        summary="The interviewer's scores, one per criterion of the opening; given once.",
    )


# --- onboarding ----------------------------------------------------------------------------------


class OnboardingPartSerializer(ModelSerializer):
    class Meta:
        model = OnboardingPart
        fields = [
            "id",
            "topic",
            "title",
            "content",
            "order",
            "due_days",
            "has_test",
            "pass_score",
            "is_active",
            "created_at",
            "updated_at",
        ]


class OnboardingPartViewSet(ObjectViewSet):
    """HR-3 the onboarding template: the parts every new hire's programme copies."""

    queryset = OnboardingPart.objects.all()
    serializer_class = OnboardingPartSerializer
    filterset_class = filters.OnboardingPartFilterSet
    ordering_fields = ["order"]


class OnboardingTaskSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = OnboardingTask
        fields = [
            "id",
            "onboarding",
            "topic",
            "title",
            "content",
            "order",
            "due_date",
            "has_test",
            "pass_score",
            "state",
            "state_label",
            "completed_at",
            "completion_note",
            "test_score",
            "acknowledged_at",
            "acknowledged_by",
        ]
        read_only_fields = fields


class OnboardingSerializer(ModelSerializer):
    tasks = OnboardingTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Onboarding
        fields = [
            "id",
            "user",
            "candidate",
            "superior",
            "start_date",
            "assigned_by",
            "completed_at",
            "tasks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["candidate", "assigned_by", "completed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "user", "superior")
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["user"].read_only = True


class OnboardingViewSet(ObjectViewSet):
    """HR-3 onboarding programmes: `POST` assigns one to a member of staff (a hire does it
    itself), with one part per part of the template in use."""

    queryset = Onboarding.objects.all()
    serializer_class = OnboardingSerializer
    filterset_class = filters.OnboardingFilterSet
    select_related = ("user",)
    prefetch_related = ("tasks",)
    ordering_fields = ["start_date"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assign_onboarding(
            user=data["user"],
            superior=data["superior"],
            start_date=data["start_date"],
            actor=self.request.user,
        )


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    score = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(100),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OnboardingTaskViewSet(ObjectViewSet):
    """HR-3 the parts of the programmes: the new hire completes (`complete`, with the test score
    where the part has a test); HR or the superior acknowledges (`acknowledge`) or asks to redo."""

    queryset = OnboardingTask.objects.all()
    serializer_class = OnboardingTaskSerializer
    select_related = ("onboarding",)
    ordering_fields = ["due_date"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        """Parts are made by assigning a programme (`POST …/onboardings/`), never one by one."""
        raise MethodNotAllowed("POST")

    complete = service_action(
        calls(services.complete_task), serializer=CompleteSerializer, url_path="complete"
    )
    acknowledge = service_action(
        calls(services.acknowledge_task), serializer=CommentRequestSerializer, url_path="acknowledge"
    )
    redo = service_action(calls(services.redo_task), serializer=ReasonSerializer, url_path="redo")


ROUTES = [
    ("recruitment/needs", HiringNeedViewSet, "hiringneed"),
    ("recruitment/postings", PostingViewSet, "posting"),
    ("recruitment/candidates", CandidateViewSet, "candidate"),
    ("recruitment/interviews", InterviewViewSet, "interview"),
    ("recruitment/onboarding-parts", OnboardingPartViewSet, "onboardingpart"),
    ("recruitment/onboardings", OnboardingViewSet, "onboarding"),
    ("recruitment/onboarding-tasks", OnboardingTaskViewSet, "onboardingtask"),
]
