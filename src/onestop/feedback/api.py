"""REST API of this app (EXT-2). ``ROUTES`` lists (prefix, viewset[, basename]) for the root router.

Every action runs the same service as the pages: 400 refused (with field errors), 403 not
allowed, 404 outside the user's reach, 409 when someone else acted first.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from onestop.accounts.models import ClientOrganization, User
from onestop.core.actions import calls, service_action
from onestop.core.api import CommentRequestSerializer, ModelSerializer, ObjectViewSet
from onestop.core.drf import CappedPageNumberPagination
from onestop.engagements.models import Engagement
from onestop.feedback import filters, results, services
from onestop.feedback.aspects import ASPECTS, RECOMMEND_MAX, RECOMMEND_MIN, SCORE_FIELDS
from onestop.feedback.models import Complaint, Survey

# --- surveys -----------------------------------------------------------------------------------


class SurveySerializer(ModelSerializer):
    average_score = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "engagement",
            "project",
            "client",
            "project_lead",
            "department",
            "invited_at",
            "invited_by",
            "respond_by",
            "reminded_at",
            "answered_at",
            "answered_by",
            "answered_via",
            *SCORE_FIELDS,
            "average_score",
            "would_recommend",
            "comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name not in ("engagement", "respond_by")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "engagement" in self.fields:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)
            if self.instance is not None and not isinstance(self.instance, list | tuple):
                self.fields["engagement"].read_only = True
        self.fields["respond_by"].required = False


class SurveyAnswerSerializer(serializers.Serializer):
    would_recommend = serializers.IntegerField(
        min_value=RECOMMEND_MIN, max_value=RECOMMEND_MAX, help_text="0 (not at all) to 10 (certainly)."
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for aspect in ASPECTS:
            self.fields[aspect.field] = serializers.IntegerField(
                min_value=1, max_value=5, help_text=f"{aspect.label}: 1 to 5."
            )


class ResultRowSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    key = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    averages = serializers.DictField(child=serializers.FloatField(allow_null=True))
    average_recommend = serializers.FloatField(allow_null=True)
    promoters = serializers.IntegerField()
    detractors = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True)


class ResultsPagination(CappedPageNumberPagination):
    """The project's pages of result rows, with the totals over every row (all pages) beside them."""

    totals: dict | None = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["totals"] = self.totals
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["totals"] = {
            **schema["items"],
            "description": "All the surveys the filters select, together (not only this page's rows).",
        }
        response["required"] = [*response.get("required", []), "totals"]
        return response


class SurveyViewSet(ObjectViewSet):
    """EXT-2 satisfaction surveys. `POST` invites a client (one survey per engagement); the client
    answers with `POST …/{id}/answer/` (once); `GET …/results/?by=engagement|lead|department`."""

    queryset = Survey.objects.all()
    serializer_class = SurveySerializer
    filterset_class = filters.SurveyFilterSet
    select_related = ("engagement",)
    ordering_fields = ["invited_at", "answered_at"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None
    extra_query_params = ("by",)  # results: the grouping

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.invite(
            data["engagement"], actor=self.request.user, respond_by=data.get("respond_by")
        )

    def perform_update(self, serializer):
        respond_by = serializer.validated_data.get("respond_by", serializer.instance.respond_by)
        services.change_answer_date(serializer.instance, actor=self.request.user, respond_by=respond_by)

    answer = service_action(
        lambda survey, request, data: services.answer(
            survey,
            scores={aspect.code: data[aspect.field] for aspect in ASPECTS},
            would_recommend=data["would_recommend"],
            comment=data.get("comment", ""),
            actor=request.user,
        ),
        serializer=SurveyAnswerSerializer,
        url_path="answer",
        summary="The client's answer (a logged-in user of the client organisation); given once.",
    )

    @extend_schema(
        parameters=[OpenApiParameter("by", enum=list(results.GROUPINGS), required=False)],
        responses=ResultRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], required_action="results", pagination_class=ResultsPagination)
    def results(self, request):
        """Averages per aspect, NPS and response rate per engagement, project lead or department:
        one row per group (paginated, as there is one per engagement), and ``totals`` over all."""
        grouping = request.query_params.get("by", results.DEFAULT_GROUPING)
        if grouping not in results.GROUPINGS:
            raise serializers.ValidationError({"by": [f"One of: {', '.join(results.GROUPINGS)}."]})
        surveys = self.filter_queryset(Survey.objects.visible_to(request.user))
        page = self.paginate_queryset(results.grouped(surveys, grouping))
        self.paginator.totals = ResultRowSerializer(results.totals(surveys)).data
        return self.get_paginated_response(ResultRowSerializer(page, many=True).data)


# --- complaints --------------------------------------------------------------------------------


class ComplaintSerializer(ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "code",
            "client",
            "engagement",
            "channel",
            "subject",
            "description",
            "state",
            "state_label",
            "filed_by",
            "filed_at",
            "handler",
            "assigned_at",
            "due_at",
            "is_overdue",
            "response",
            "responded_at",
            "reopen_count",
            "reopen_reason",
            "closed_at",
            "closure",
            "closure_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            name
            for name in fields
            if name not in ("client", "engagement", "channel", "subject", "description")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        user = request.user
        self.fields["engagement"].queryset = Engagement.objects.visible_to(user)
        self.fields["client"].queryset = ClientOrganization.objects.visible_to(user)
        self.fields["client"].required = False
        self.fields["channel"].required = False
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["client"].read_only = True
            self.fields["channel"].read_only = True

    def validate(self, attrs):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if self.instance is None and user is not None:
            if user.client_organization_id is not None:
                attrs["client"] = user.client_organization
                attrs["channel"] = Complaint.Channel.PORTAL
            elif not attrs.get("client"):
                raise serializers.ValidationError({"client": ["Choose the client who complains."]})
            attrs.setdefault("channel", Complaint.Channel.PHONE)
        return super().validate(attrs)


class AssignSerializer(serializers.Serializer):
    handler = serializers.PrimaryKeyRelatedField(queryset=User.objects.staff())
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RespondSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=10000)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class ComplaintViewSet(ObjectViewSet):
    """EXT-2 complaints: filed by a client (its own organisation) or recorded by staff; the
    actions assign, respond, confirm, reopen and close run feedback.services."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    filterset_class = filters.ComplaintFilterSet
    select_related = ("client", "engagement", "handler")
    ordering_fields = ["filed_at", "due_at", "code"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    required_action = None

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.file_complaint(
            actor=self.request.user,
            client=data.get("client"),
            engagement=data.get("engagement"),
            channel=data.get("channel"),
            subject=data["subject"],
            description=data["description"],
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        services.edit_complaint(serializer.instance, actor=self.request.user, **data)

    assign = service_action(calls(services.assign), serializer=AssignSerializer, url_path="assign")
    respond = service_action(calls(services.respond), serializer=RespondSerializer, url_path="respond")
    confirm = service_action(calls(services.confirm), serializer=CommentRequestSerializer, url_path="confirm")
    reopen = service_action(calls(services.reopen), serializer=ReopenSerializer, url_path="reopen")
    close_unconfirmed = service_action(
        calls(services.close_unconfirmed), serializer=CloseSerializer, url_path="close-unconfirmed"
    )


ROUTES = [
    ("feedback/surveys", SurveyViewSet, "survey"),
    ("feedback/complaints", ComplaintViewSet, "complaint"),
]
