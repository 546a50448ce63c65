import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.contracts.models import Contract, ContractTemplate, SigningAuthorization
from onestop.core.choices import ChoiceSourceFilter


class SigningAuthorizationFilterSet(SearchFilterSet):
    search_fields = ("representative__full_name", "representative__username", "granted_by", "note")
    is_legal_representative = django_filters.BooleanFilter(label=_("Legal representative"))
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Valid on"))

    class Meta:
        model = SigningAuthorization
        fields = ["q", "is_legal_representative", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(valid_from__lte=value).exclude(valid_to__lt=value)


class ContractTemplateFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ContractTemplate
        fields = ["q", "is_active"]


class ContractFilterSet(SearchFilterSet):
    search_fields = ("code", "engagement__code", "engagement__title", "engagement__client__name")
    state = django_filters.ChoiceFilter(choices=Contract.State.choices, label=_("State"))
    # A type-ahead over the engagements the user may see (?engagement=<id> from the engagement
    # page still works), not a box for a raw id.
    engagement = ChoiceSourceFilter("engagements.Engagement", label=_("Engagement"))

    class Meta:
        model = Contract
        fields = ["q", "state", "engagement"]
