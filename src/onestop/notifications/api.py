from rest_framework import mixins, serializers, viewsets

from onestop.core.actions import calls, service_action
from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.notifications import services
from onestop.notifications.models import Holiday, Notification
from onestop.notifications.views_calendar import HolidayFilterSet


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many messages were marked read.")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The logged-in user's inbox. `POST …/{id}/read/` and `POST …/read-all/` mark messages read."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    extra_query_params = ("unread",)
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def get_queryset(self):
        queryset = Notification.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.unread()
        return queryset

    # An inbox is its owner's alone (``visible_to``): another user's message answers 404.
    read = service_action(calls(services.mark_read), url_path="read", summary="Mark the message read.")
    read_all = service_action(
        lambda _none, request, data: {"marked": services.mark_all_read(actor=request.user)},
        url_path="read-all",
        detail=False,
        response=MarkedSerializer,
        summary="Mark every unread message of the inbox read.",
    )


class HolidaySerializer(ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "kind", "created_at", "updated_at"]


class HolidayViewSet(ObjectViewSet):
    queryset = Holiday.objects.all()
    serializer_class = HolidaySerializer
    filterset_class = HolidayFilterSet
    ordering_fields = ["date"]
