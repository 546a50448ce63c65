"""REST API of the webhooks (System administrators only). ``ROUTES`` for the root router.

- ``/api/webhooks/endpoints/``: create (the answer holds the generated ``secret`` once),
  list, read, change, delete; ``POST …/{id}/send-test/``, ``POST …/{id}/rotate-secret/`` and
  ``GET …/{id}/secret/``.
- ``/api/webhooks/deliveries/``: the delivery log (``?endpoint=&status=&event_type=``);
  ``POST …/{id}/redeliver/``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.core.actions import calls, service_action
from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.webhooks import filters, services
from onestop.webhooks.models import Delivery, Endpoint, EventType


class EndpointSerializer(ModelSerializer):
    events = serializers.MultipleChoiceField(choices=EventType.choices)

    class Meta:
        model = Endpoint
        fields = ["id", "name", "url", "events", "active", "description", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_events(self, value):
        return sorted(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["events"] = sorted(data["events"])
        return data


class SecretSerializer(serializers.ModelSerializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)

    class Meta:
        model = Endpoint
        fields = ["id", "secret"]
        read_only_fields = fields


class CreatedEndpointSerializer(EndpointSerializer):
    response_only = True
    secret = serializers.CharField(read_only=True, help_text="Shown here, on creation, and at …/secret/.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_response",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "redelivery_of",
            "created_at",
            "body",
        ]
        read_only_fields = fields


class EndpointViewSet(ObjectViewSet):
    """Webhook endpoints: where OneStop POSTs its events, signed with each endpoint's secret."""

    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    filterset_class = filters.EndpointFilterSet
    ordering_fields = ["name", "updated_at"]

    @extend_schema(responses={201: CreatedEndpointSerializer})
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data["secret"] = Endpoint.objects.get(pk=response.data["id"]).secret
        return response

    send_test = service_action(
        calls(services.send_test),
        url_path="send-test",
        response=DeliverySerializer,
        status=202,
        summary="Queue a test event (webhook.test) for the endpoint.",
    )
    rotate_secret = service_action(
        calls(services.rotate_secret),
        url_path="rotate-secret",
        response=SecretSerializer,
        summary="Give the endpoint a new secret; the answer holds it.",
    )

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["get"], required_action="view")
    def secret(self, request, pk=None):
        """The endpoint's secret, to verify the ``X-OneStop-Signature`` of its deliveries."""
        return Response(SecretSerializer(self.get_object()).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: each event sent to each endpoint, its attempts and last answer."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = filters.DeliveryFilterSet
    required_action = None

    def get_queryset(self):
        return Delivery.objects.visible_to(self.request.user).order_by("-created_at", "-pk")

    redeliver = service_action(
        calls(services.redeliver),
        response=DeliverySerializer,
        status=status.HTTP_201_CREATED,
        url_path="redeliver",
        summary="Send the same event to the same endpoint again, as a new delivery.",
    )


ROUTES = [
    ("webhooks/endpoints", EndpointViewSet, "endpoint"),
    ("webhooks/deliveries", DeliveryViewSet, "delivery"),
]
