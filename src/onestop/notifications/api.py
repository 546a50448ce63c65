from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.notifications import services
from onestop.notifications.models import Holiday, Notification
from onestop.notifications.views_calendar import HolidayFilterSet


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The logged-in user's inbox. `POST …/{id}/read/` and `POST …/read-all/` mark messages read."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    required_action = None  # set per custom action (see core.drf.RulesPermission)

    def get_queryset(self):
        queryset = Notification.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.unread()
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], required_action="change")
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(notification, actor=request.user)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None, responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}}
    )
    @action(detail=False, methods=["post"], url_path="read-all", required_action="view")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(actor=request.user)})


class HolidaySerializer(ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "kind", "created_at", "updated_at"]


class HolidayViewSet(ObjectViewSet):
    queryset = Holiday.objects.all()
    serializer_class = HolidaySerializer
    filterset_class = HolidayFilterSet
    ordering_fields = ["date"]
