import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.plans.models import Plan


class PlanFilterSet(SearchFilterSet):
    search_fields = ("code", "title", "engagement__code", "engagement__client__name")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Led by me"))
    # By id, as the project's rows are: a choice list of every engagement would be long and
    # would name records the user may not see; the queryset is already scoped.
    engagement = django_filters.NumberFilter(field_name="engagement_id", label=_("Engagement"))

    class Meta:
        model = Plan
        fields = ["q", "mine", "engagement"]

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        user = self.request.user
        return queryset.filter(project_lead=user) if value else queryset.exclude(project_lead=user)
