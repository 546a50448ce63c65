import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.core import fulltext
from onestop.core.choices import ChoiceSourceFilter
from onestop.core.roles import Role
from onestop.engagements.ball import in_phase
from onestop.engagements.models import Channel, Engagement
from onestop.engagements.path import downstream


def path_stages():
    """Every stage of the path in its order: intake, the stages after the confirmation, closed
    (an engagement in settlement is not just "confirmed")."""
    stages = Engagement.Stage
    return [
        *[(s.value, s.label) for s in (stages.INQUIRY, stages.ASSESSMENT, stages.CONFIRMATION)],
        (stages.CONFIRMED.value, _("Requirement confirmed (any later stage)")),
        *downstream(),
        *[(s.value, s.label) for s in (stages.CLOSED, stages.OUT_OF_SCOPE, stages.WITHDRAWN)],
    ]


class EngagementFilterSet(SearchFilterSet):
    # Searched: the number, title, client, contact and the inquiries' needs (the search text).
    stage = django_filters.ChoiceFilter(choices=path_stages, method="filter_stage", label=_("Stage"))
    client = ChoiceSourceFilter("accounts.ClientOrganization", label=_("Client"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    technician = ChoiceSourceFilter(
        "accounts.User", queryset=get_user_model().objects.none(), label=_("Technician")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Held by me"))

    class Meta:
        model = Engagement
        fields = ["q", "stage", "client", "channel", "technician", "mine"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            if user.client_organization_id is None:
                self.filters["technician"].queryset = get_user_model().objects.filter(
                    groups__name=Role.TECHNICIAN
                )
            else:
                for name in ("technician", "client", "mine"):
                    self.filters.pop(name)

    def search(self, queryset, name, value):
        # Through the full-text index of the engagement's search text (engagements/search_index.py):
        # no scan of the joined tables, no DISTINCT, and the list keeps its order.
        value = value.strip()
        return fulltext.matching(queryset, value) if value else queryset

    def filter_stage(self, queryset, name, value):
        if value in dict(downstream()):
            return in_phase(queryset, value)
        return queryset.filter(stage=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        return (
            queryset.filter(holder=self.request.user) if value else queryset.exclude(holder=self.request.user)
        )
