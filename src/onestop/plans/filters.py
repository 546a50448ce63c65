import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.plans.models import Plan


class PlanFilterSet(SearchFilterSet):
    search_fields = ("code", "title", "engagement__code", "engagement__client__name")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Led by me"))

    class Meta:
        model = Plan
        fields = ["q", "mine"]

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        user = self.request.user
        return queryset.filter(project_lead=user) if value else queryset.exclude(project_lead=user)
