import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.cockpit.models import Frequency, ReportSubscription
from onestop.cockpit.tiles import DASHBOARDS


class ReportSubscriptionFilterSet(SearchFilterSet):
    search_fields = ("subscriber__username", "subscriber__full_name")
    dashboard = django_filters.ChoiceFilter(
        choices=[(key, value["label"]) for key, value in DASHBOARDS.items()], label=_("dashboard")
    )
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("frequency"))

    class Meta:
        model = ReportSubscription
        fields = ["q", "dashboard", "frequency", "is_active"]
