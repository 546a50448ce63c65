"""The engagement API (X-8): the same services as the pages, one action per use case."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.accounts.models import ClientContact, ClientOrganization
from onestop.core import services as core_services
from onestop.core.actions import calls, service_action, visible_record
from onestop.core.api import (
    ROWS_OF_RECORD,
    ModelSerializer,
    SignerConfirmationSerializer,
    paginated,
    signer_confirmation,
)
from onestop.core.fields import TEXT_COMMENT, TEXT_LONG, TEXT_NOTE
from onestop.engagements import chat, mail, services, timeline
from onestop.engagements.ball import balls_for
from onestop.engagements.filters import EngagementFilterSet
from onestop.engagements.models import Channel, Engagement, IncomingMail, Inquiry, Proposal


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposal
        fields = [
            "id",
            "round",
            "party",
            "author",
            "service_content",
            "technical_requirements",
            "period_start",
            "period_end",
            "fee",
            "currency",
            "note",
            "status",
            "created_at",
            "answered_at",
        ]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer):
    class Meta:
        model = Inquiry
        fields = [
            "id",
            "engagement",
            "channel",
            "received_at",
            "contact_name",
            "contact_phone",
            "contact_email",
            "subject",
            "need",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class StageSpanSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    stage = serializers.CharField()
    label = serializers.CharField()
    started = serializers.DateTimeField(allow_null=True, help_text="Null: a stage not reached yet.")
    ended = serializers.DateTimeField(allow_null=True, help_text="Null while the stage is under way.")
    duration_seconds = serializers.SerializerMethodField(
        help_text="From the start to the end (to now for the current stage); null when not reached."
    )
    is_current = serializers.BooleanField()

    def get_duration_seconds(self, span) -> int | None:
        return None if span.duration is None else int(span.duration.total_seconds())


class PathEventSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    # The page names who acted, never their account: the API says the same.
    who_name = serializers.SerializerMethodField()
    detail = serializers.CharField(allow_blank=True)

    def get_who_name(self, event) -> str:
        return getattr(event.who, "display_name", "") if event.who is not None else ""


class EngagementPathSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    stages = StageSpanSerializer(many=True)
    events = PathEventSerializer(many=True)


class EngagementSerializer(ModelSerializer):
    holder_label = serializers.CharField(
        read_only=True, help_text="Who holds the ball now: a person, a role's queue or the client."
    )
    waiting_step = serializers.CharField(
        read_only=True, help_text="The step that waits (engagements/ball.py)."
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "code",
            "title",
            "client",
            "contact",
            "channel",
            "stage",
            "stage_since",
            "holder",
            "holder_label",
            "waiting_step",
            "holder_since",
            "technician",
            "received_at",
            "forwarded_at",
            "service_goals",
            "technical_requirements",
            "requested_deadline",
            "out_of_scope_reason",
            "suggestions",
            "agreed_proposal",
            "confirmed_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in ("title", "contact")]


class NewInquirySerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=ClientOrganization.objects.all())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=ClientContact.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(max_length=200)
    need = serializers.CharField(
        max_length=TEXT_LONG,
    )
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    technician = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )

    def validate_client(self, client):
        if (
            not ClientOrganization.objects.visible_to(self.context["request"].user)
            .filter(pk=client.pk)
            .exists()
        ):
            raise serializers.ValidationError("Invalid pk - object does not exist.")
        return client


class ForwardSerializer(serializers.Serializer):
    technician = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    comment = serializers.CharField(max_length=TEXT_COMMENT, required=False, allow_blank=True)


class AssessSerializer(serializers.Serializer):
    in_scope = serializers.BooleanField()
    service_goals = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True)
    technical_requirements = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True)
    requested_deadline = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True)
    suggestions = serializers.CharField(max_length=TEXT_NOTE, required=False, allow_blank=True)


class ProposeSerializer(ModelSerializer):
    full_clean_exclude = ("engagement", "round", "party", "author")

    class Meta:
        model = Proposal
        fields = [
            "service_content",
            "technical_requirements",
            "period_start",
            "period_end",
            "fee",
            "currency",
            "note",
        ]
        extra_kwargs = {"currency": {"required": False}}


class AcceptSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1)


class SignSerializer(SignerConfirmationSerializer):
    role = serializers.ChoiceField(choices=[("client", "client"), ("technician", "technician")])


class WithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=TEXT_COMMENT,
    )


def _accept_round(engagement, request, data):
    proposal = engagement.proposals.filter(round=data["round"]).first()
    if proposal is None:
        raise serializers.ValidationError({"round": ["No such round."]})
    return services.accept_proposal(proposal, actor=request.user)


class EngagementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Engagements (服務案件). Create one by posting its first inquiry; act with the actions below."""

    queryset = Engagement.objects.all()
    serializer_class = EngagementSerializer
    filterset_class = EngagementFilterSet
    ordering_fields = ["received_at", "code", "stage_since"]
    required_action = None

    def get_queryset(self):
        return Engagement.objects.visible_to(self.request.user).select_related("client", "holder")

    def paginate_queryset(self, queryset):
        """Who holds the ball, for the whole page at once (a fixed number of queries)."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            balls = balls_for(page)
            for engagement in page:
                engagement.ball = balls[engagement.pk]
        return page

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        core_services.edit(instance, actor=self.request.user)

    @extend_schema(request=NewInquirySerializer, responses={201: EngagementSerializer})
    def create(self, request):
        """INT-1: record an inquiry; it opens a new engagement."""
        data = NewInquirySerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        inquiry = services.record_inquiry(actor=request.user, **data.validated_data)
        return Response(EngagementSerializer(inquiry.engagement).data, status=status.HTTP_201_CREATED)

    forward = service_action(
        calls(services.forward),
        serializer=ForwardSerializer,
        url_path="forward",
        summary="INT-1: assign the technician and forward.",
    )
    assess = service_action(
        calls(services.assess),
        serializer=AssessSerializer,
        url_path="assess",
        summary="INT-2: in scope (goals, requirements, deadline) or out of scope (reason, suggestions).",
    )
    propose = service_action(
        calls(services.propose),
        serializer=ProposeSerializer,
        url_path="propose",
        response=ProposalSerializer,
        status=status.HTTP_201_CREATED,
        summary="INT-3: propose terms, or counter-propose the other party's round.",
    )
    accept = service_action(
        _accept_round,
        serializer=AcceptSerializer,
        url_path="accept",
        summary="INT-3: agree to the other party's latest round.",
    )
    sign = service_action(
        lambda engagement, request, data: services.sign_confirmation(
            engagement, actor=request.user, role=data["role"], **signer_confirmation(request, data)
        ),
        serializer=SignSerializer,
        url_path="sign",
        summary="INT-3: sign the agreed confirmation form as client or technician, with the signer's password (or one-time code).",
    )
    withdraw = service_action(calls(services.withdraw), serializer=WithdrawSerializer, url_path="withdraw")

    @extend_schema(responses=EngagementPathSerializer)
    @action(detail=True, methods=["get"], required_action="view")
    def path(self, request, pk=None):
        """X-1: the stages with their durations and every event, newest first — what the
        engagement's page shows, built by the same ``timeline.build`` for the asking user."""
        engagement = self.get_object()
        spans, events = timeline.build(engagement, request.user)
        return Response(EngagementPathSerializer({"stages": spans, "events": events}).data)

    @extend_schema(responses=ProposalSerializer(many=True))
    @action(detail=True, methods=["get"], required_action="view", **ROWS_OF_RECORD)
    def proposals(self, request, pk=None):
        """The negotiation rounds, first round first (paginated: the rounds go on until agreed)."""
        engagement = self.get_object()
        return paginated(self, engagement.proposals.order_by("round", "pk"), ProposalSerializer)

    @extend_schema(responses=InquirySerializer(many=True))
    @action(detail=True, methods=["get"], required_action="view", **ROWS_OF_RECORD)
    def inquiries(self, request, pk=None):
        """The inquiries recorded on the engagement, newest first (paginated)."""
        engagement = self.get_object()
        return paginated(self, engagement.inquiries.order_by("-received_at", "-pk"), InquirySerializer)


# --- INT-1: the chat with the client and unmatched e-mail (engagements/chat.py, mail.py) ---------


class ChatMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    body = serializers.CharField(max_length=10000)
    channel = serializers.CharField(read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class StartChatSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=10000)


@extend_schema(
    parameters=[
        OpenApiParameter("engagement_pk", int, OpenApiParameter.PATH, description="The engagement's id.")
    ]
)
class EngagementChatViewSet(viewsets.ViewSet):
    """The chat of one engagement (INT-1): the shared messages, oldest first; post one."""

    model = None  # RulesPermission: the engagement's own view rule is checked below
    serializer_class = ChatMessageSerializer

    @staticmethod
    def _engagement(request, engagement_pk):
        return visible_record(
            request,
            Engagement,
            engagement_pk,
            Engagement.objects.visible_to(request.user).select_related("client", "holder", "technician"),
        )

    @extend_schema(responses=ChatMessageSerializer(many=True))
    def list(self, request, engagement_pk=None):
        engagement = self._engagement(request, engagement_pk)
        return Response(ChatMessageSerializer(chat.messages_for(engagement, request.user), many=True).data)

    @extend_schema(request=ChatMessageSerializer, responses={201: ChatMessageSerializer})
    def create(self, request, engagement_pk=None):
        engagement = self._engagement(request, engagement_pk)
        data = ChatMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = chat.post_message(engagement, actor=request.user, body=data.validated_data["body"])
        return Response(ChatMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class StartChatViewSet(viewsets.ViewSet):
    """A client user starts a chat (INT-1): the first message opens a new engagement."""

    model = None
    serializer_class = StartChatSerializer

    @extend_schema(request=StartChatSerializer, responses={201: EngagementSerializer})
    def create(self, request):
        if not request.user.has_perm("engagements.start_chat_engagement"):
            raise PermissionDenied
        data = StartChatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        engagement = chat.start_chat(actor=request.user, **data.validated_data)
        return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)


class IncomingMailSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomingMail
        fields = [
            "id",
            "message_id",
            "from_address",
            "from_name",
            "subject",
            "body",
            "received_at",
            "status",
            "inquiry",
            "handled_by",
            "handled_at",
        ]
        read_only_fields = fields


class AssignMailSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=ClientOrganization.objects.filter(is_active=True))
    contact = serializers.PrimaryKeyRelatedField(
        queryset=ClientContact.objects.all(), required=False, allow_null=True
    )


class IncomingMailViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """E-mail from unknown senders (INT-1), waiting for customer service to assign or ignore it."""

    queryset = IncomingMail.objects.all()
    serializer_class = IncomingMailSerializer
    filterset_fields = ["status"]
    required_action = None

    def get_queryset(self):
        return IncomingMail.objects.visible_to(self.request.user).select_related("handled_by")

    assign = service_action(
        calls(mail.assign_mail),
        serializer=AssignMailSerializer,
        url_path="assign",
        response=InquirySerializer,
        status=status.HTTP_201_CREATED,
    )
    ignore = service_action(calls(mail.ignore_mail), url_path="ignore")
