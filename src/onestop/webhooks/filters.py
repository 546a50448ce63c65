import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.webhooks.models import Delivery, Endpoint


class EndpointFilterSet(SearchFilterSet):
    search_fields = ("name", "url", "description")
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Endpoint
        fields = ["q", "active"]


class DeliveryFilterSet(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(field_name="endpoint_id", label=_("Endpoint"))
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices, label=_("Status"))
    event_type = django_filters.CharFilter(max_length=50, label=_("Event"))
    event_id = django_filters.UUIDFilter(label=_("Event id"))

    class Meta:
        model = Delivery
        fields = ["endpoint", "status", "event_type", "event_id"]
