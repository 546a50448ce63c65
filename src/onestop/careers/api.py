"""REST API of incentives and careers (HR-9, HR-10). ``ROUTES`` lists (prefix, viewset, basename).

Creating and editing run the same services as the pages (``save_service``); the steps are the
generated transition actions (``POST …/{id}/<transition>/`` with ``comment`` and
``expected_state``): submit / approve / reject an incentive, approve / reject a recognition or a
position move (the approval changes the person's position), open the voting and announce a
selection, propose / agree / ask for changes / complete a development plan. 404 outside the
user's reach (the people app's rule), 403 not allowed, 409 when someone else acted first.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from onestop.accounts.models import User
from onestop.careers import filters, services
from onestop.careers.access import may_see_career
from onestop.careers.models import (
    PERIOD,
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    Nomination,
    PositionMove,
    Recognition,
    Selection,
    Vote,
)
from onestop.careers.readiness import promotion_readiness
from onestop.core.api import PLAIN_LIST, ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.core.schema import ErrorResponseSerializer
from onestop.people.models import Appraisal
from onestop.projects.models import Project


def _staff(serializer, *names):
    for name in names:
        if name in serializer.fields and not serializer.fields[name].read_only:
            serializer.fields[name].queryset = User.objects.staff().filter(is_active=True)


class RecognitionSerializer(ModelSerializer):
    class Meta:
        model = Recognition
        fields = [
            "id",
            "employee",
            "kind",
            "title",
            "reason",
            "awarded_on",
            "selection",
            "state",
            "proposed_by",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["selection", "state", "proposed_by", "decided_by", "decided_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "employee")


class RecognitionViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-9 recognitions: proposed by HR or a superior, `approve/` or `reject/` by management; an
    approved one prints as an honour certificate (`/api/documents/careers.recognition/{id}/recognition_certificate/pdf/`)."""

    queryset = Recognition.objects.all()
    serializer_class = RecognitionSerializer
    filterset_class = filters.RecognitionFilterSet
    select_related = ("employee",)
    save_service = staticmethod(services.save_recognition)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]


class IncentiveSerializer(ModelSerializer):
    class Meta:
        model = Incentive
        fields = [
            "id",
            "employee",
            "kind",
            "amount",
            "currency",
            "period",
            "reason",
            "appraisal",
            "project",
            "state",
            "proposed_by",
            "needs_second_approval",
            "first_approved_by",
            "first_approved_at",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "state",
            "proposed_by",
            "first_approved_by",
            "first_approved_at",
            "decided_by",
            "decided_at",
        ]

    needs_second_approval = serializers.BooleanField(
        read_only=True, help_text="Above the policy's amount: two different managers approve."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "employee")
        request = self.context.get("request")
        if request is not None:
            self.fields["appraisal"].queryset = Appraisal.objects.visible_to(request.user)
            self.fields["project"].queryset = Project.objects.visible_to(request.user)


class PayrollTotalSerializer(serializers.Serializer):
    response_only = True
    period = serializers.CharField()
    currency = serializers.CharField()
    kind = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class PeriodSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, validators=[PERIOD])


class IncentiveViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-9 bonuses, commissions and allowances: drafted, `submit/`, `approve/` or `reject/` by
    management; above the policy's amount `approve_first/` by one manager, then `approve/` by
    another. The payroll export is the list with `?payroll=true&period=YYYY-MM` (its Excel on
    the page); `payroll/?period=` answers the month's totals per currency and kind."""

    queryset = Incentive.objects.all()
    serializer_class = IncentiveSerializer
    filterset_class = filters.IncentiveFilterSet
    select_related = ("employee",)
    save_service = staticmethod(services.save_incentive)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("period", str, required=True, description="YYYY-MM")],
        responses=PayrollTotalSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="payroll", required_action="export", **PLAIN_LIST)
    def payroll(self, request):
        """The approved incentives of one month added up per currency and kind (one GROUP BY)."""
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.get_queryset().filter(
            state=Incentive.State.APPROVED, period=query.validated_data["period"]
        )
        return Response(PayrollTotalSerializer(services.payroll_totals(rows), many=True).data)


class SelectionSerializer(ModelSerializer):
    class Meta:
        model = Selection
        fields = [
            "id",
            "title",
            "period",
            "description",
            "nominations_open_on",
            "nominations_close_on",
            "voting_opens_on",
            "voting_closes_on",
            "winners",
            "state",
            "announced_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "announced_at"]


class SelectionViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-9 outstanding-employee selections: HR opens one, superiors and HR nominate, HR
    `open_voting/`, every member of staff votes once, management `announce/`s (the top N by
    votes, ties at the last place included; each winner gets an approved recognition)."""

    queryset = Selection.objects.all()
    serializer_class = SelectionSerializer
    filterset_class = filters.SelectionFilterSet


class NominationSerializer(ModelSerializer):
    class Meta:
        model = Nomination
        fields = [
            "id",
            "selection",
            "nominee",
            "reason",
            "nominated_by",
            "votes_received",
            "is_winner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["nominated_by", "votes_received", "is_winner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "nominee")
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("selection", "nominee"):
                if name in self.fields:
                    self.fields[name].read_only = True


class NominationViewSet(ObjectViewSet):
    """Nominations: by a superior (for the people they head) or HR while nominations are open."""

    queryset = Nomination.objects.all()
    serializer_class = NominationSerializer
    filterset_class = filters.NominationFilterSet
    select_related = ("selection", "nominee")
    save_service = staticmethod(services.save_nomination)


class VoteSerializer(ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "selection", "nomination", "voter", "created_at", "updated_at"]
        read_only_fields = ["voter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if (
            self.instance is not None
            and not isinstance(self.instance, list | tuple)
            and "selection" in self.fields
        ):
            self.fields["selection"].read_only = True


class VoteViewSet(ObjectViewSet):
    """Votes: one per member of staff and selection, never for oneself, while voting is open; the
    voter may change or withdraw it until then. Secret: HR sees every vote, a voter their own."""

    queryset = Vote.objects.all()
    serializer_class = VoteSerializer
    filterset_class = filters.VoteFilterSet
    select_related = ("selection", "nomination__nominee", "nomination__selection", "voter")
    save_service = staticmethod(services.save_vote)


class CareerPathSerializer(ModelSerializer):
    class Meta:
        model = CareerPath
        fields = ["id", "name", "description", "created_at", "updated_at"]


class CareerPathViewSet(ObjectViewSet):
    """HR-10 career paths per job family (技術序列, 管理序列…)."""

    queryset = CareerPath.objects.all()
    serializer_class = CareerPathSerializer
    filterset_class = filters.CareerPathFilterSet


class CareerLevelSerializer(ModelSerializer):
    skill_levels = serializers.ListField(child=serializers.ListField(), read_only=True)

    class Meta:
        model = CareerLevel
        fields = [
            "id",
            "path",
            "rank",
            "title",
            "position",
            "criteria",
            "min_years",
            "required_grade",
            "required_skills",
            "skill_levels",
            "created_at",
            "updated_at",
        ]


class CareerLevelViewSet(ObjectViewSet):
    """The ordered levels of a career path: a position, the promotion criteria, minimum years,
    required skills (catalogue skills with levels) and appraisal grade."""

    queryset = CareerLevel.objects.all()
    serializer_class = CareerLevelSerializer
    filterset_class = filters.CareerLevelFilterSet
    select_related = ("path", "position")


class DevelopmentPlanSerializer(ModelSerializer):
    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "employee",
            "superior",
            "starts_on",
            "ends_on",
            "target_level",
            "target_position",
            "goals",
            "courses",
            "next_review_on",
            "state",
            "superior_agreed_at",
            "employee_agreed_at",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "superior_agreed_at", "employee_agreed_at", "completed_at"]
        extra_kwargs = {"superior": {"required": False}, "courses": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "employee", "superior")


class DevelopmentPlanViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-10 personal development plans: the superior (or HR) drafts, `propose/`s (agreeing), the
    employee `agree/`s or `ask_changes/`; reviews are recorded at the review dates; `complete/`."""

    queryset = DevelopmentPlan.objects.all()
    serializer_class = DevelopmentPlanSerializer
    filterset_class = filters.DevelopmentPlanFilterSet
    select_related = ("employee", "superior")
    prefetch_related = ("courses",)
    save_service = staticmethod(services.save_plan)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]


class DevelopmentReviewSerializer(ModelSerializer):
    class Meta:
        model = DevelopmentReview
        fields = [
            "id",
            "plan",
            "held_on",
            "progress",
            "notes",
            "next_review_on",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "plan" in self.fields:
            self.fields["plan"].queryset = DevelopmentPlan.objects.visible_to(request.user)


class DevelopmentReviewViewSet(ObjectViewSet):
    """Reviews of a running development plan; the next review date becomes the plan's."""

    queryset = DevelopmentReview.objects.all()
    serializer_class = DevelopmentReviewSerializer
    filterset_class = filters.DevelopmentReviewFilterSet
    select_related = ("plan",)
    save_service = staticmethod(services.save_review)


class PositionMoveSerializer(ModelSerializer):
    class Meta:
        model = PositionMove
        fields = [
            "id",
            "employee",
            "kind",
            "from_position",
            "from_department",
            "to_position",
            "to_department",
            "target_level",
            "effective_on",
            "reason",
            "state",
            "proposed_by",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "from_position",
            "from_department",
            "state",
            "proposed_by",
            "decided_by",
            "decided_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _staff(self, "employee")


class CareerStepSerializer(serializers.Serializer):
    response_only = True
    effective_on = serializers.DateField(allow_null=True)
    kind = serializers.CharField()
    from_position = serializers.CharField()
    to_position = serializers.CharField()
    to_department = serializers.CharField()
    reason = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record that made the change.")
    source = serializers.CharField(help_text="Which kind of record made it.")


class CriterionSerializer(serializers.Serializer):
    response_only = True
    label = serializers.CharField()
    required = serializers.CharField()
    actual = serializers.CharField(help_text="The person's figure, or why it is not shown.")
    met = serializers.BooleanField(allow_null=True, help_text="null: it cannot be told by this reader.")


class PersonSerializer(serializers.Serializer):
    employee = serializers.IntegerField(min_value=1)


class PositionMoveViewSet(TransitionActionsMixin, ObjectViewSet):
    """HR-10 promotions and job rotations: proposed by HR or a superior, `approve/` by management
    changes the person's position and department (people.services.move_person, with history)."""

    queryset = PositionMove.objects.all()
    serializer_class = PositionMoveSerializer
    filterset_class = filters.PositionMoveFilterSet
    select_related = ("employee",)
    save_service = staticmethod(services.save_move)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("employee", int, required=True, description="The person's user id.")],
        responses={
            200: CareerStepSerializer(many=True),
            404: OpenApiResponse(
                ErrorResponseSerializer, description="No such person, or one the user may not see."
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="history", **PLAIN_LIST)
    def history(self, request):
        """A person's career history: every approved change of position, from position moves and
        appraisal result actions alike, newest first (the person, their superiors, HR and
        management; anyone else 404, like a missing person)."""
        query = PersonSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        person = User.objects.staff().filter(pk=query.validated_data["employee"]).first()
        if person is None or not may_see_career(request.user, person):
            raise NotFound
        return Response(CareerStepSerializer(services.career_history(person, request.user), many=True).data)

    @extend_schema(responses={200: CriterionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="readiness", **PLAIN_LIST)
    def readiness(self, request, pk=None):
        """The criteria of the career level a promotion moves into, each met or not by the
        person (empty without a target level) — what its page shows beside the proposal."""
        move = self.get_object()
        return Response(CriterionSerializer(promotion_readiness(move, request.user), many=True).data)


ROUTES = [
    ("careers/recognitions", RecognitionViewSet, "recognition"),
    ("careers/incentives", IncentiveViewSet, "incentive"),
    ("careers/selections", SelectionViewSet, "selection"),
    ("careers/nominations", NominationViewSet, "nomination"),
    ("careers/votes", VoteViewSet, "vote"),
    ("careers/paths", CareerPathViewSet, "careerpath"),
    ("careers/levels", CareerLevelViewSet, "careerlevel"),
    ("careers/development-plans", DevelopmentPlanViewSet, "developmentplan"),
    ("careers/development-reviews", DevelopmentReviewViewSet, "developmentreview"),
    ("careers/position-moves", PositionMoveViewSet, "positionmove"),
]
