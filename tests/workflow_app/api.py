from onestop.core.api import ModelSerializer, ObjectViewSet, TransitionActionsMixin
from tests.workflow_app.models import Ticket


class TicketSerializer(ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "title", "description", "client_organization", "state", "decided_by"]
        read_only_fields = ["state", "decided_by"]


class TicketViewSet(TransitionActionsMixin, ObjectViewSet):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    select_related = ("client_organization",)
