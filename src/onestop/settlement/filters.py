import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.core.choices import ChoiceSourceFilter
from onestop.settlement.models import Payment, PaymentMethod, Settlement, SettlementItem, WriteOff


class SettlementFilterSet(SearchFilterSet):
    search_fields = (
        "code",
        "contract__code",
        "contract__engagement__title",
        "contract__engagement__client__name",
    )
    state = django_filters.ChoiceFilter(choices=Settlement.State.choices, label=_("State"))
    # Type-aheads over the records the user may see (?contract=<id> from a contract's page still
    # works), not boxes for raw ids.
    contract = ChoiceSourceFilter("contracts.Contract", label=_("Contract"))
    engagement = ChoiceSourceFilter(
        "engagements.Engagement", field_name="contract__engagement", label=_("Engagement")
    )

    class Meta:
        model = Settlement
        fields = ["q", "state", "contract", "engagement"]


class SettlementItemFilterSet(SearchFilterSet):
    search_fields = ("description", "settlement__code")

    class Meta:
        model = SettlementItem
        fields = ["q"]


class PaymentFilterSet(SearchFilterSet):
    search_fields = ("reference", "contract__code", "contract__engagement__client__name")
    direction = django_filters.ChoiceFilter(choices=Payment.Direction.choices, label=_("Direction"))
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices, label=_("Payment method"))
    paid_from = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_("From"))
    paid_to = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_("To"))
    contract = ChoiceSourceFilter("contracts.Contract", label=_("Contract"))
    engagement = ChoiceSourceFilter(
        "engagements.Engagement", field_name="contract__engagement", label=_("Engagement")
    )

    class Meta:
        model = Payment
        fields = ["q", "direction", "method", "paid_from", "paid_to", "contract", "engagement"]


class WriteOffFilterSet(SearchFilterSet):
    search_fields = ("contract__code", "reason")

    class Meta:
        model = WriteOff
        fields = ["q"]
