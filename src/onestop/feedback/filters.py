import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.feedback.models import Complaint, Survey


class SurveyFilterSet(SearchFilterSet):
    search_fields = ("engagement__code", "engagement__title", "client__name", "comment")
    answered = django_filters.ChoiceFilter(
        choices=[("yes", _("Answered")), ("no", _("Awaiting the answer"))],
        method="filter_answered",
        empty_label=_("All"),
        label=_("Answer"),
    )
    invited_from = django_filters.DateFilter(
        field_name="invited_at", lookup_expr="date__gte", label=_("Invited from")
    )
    invited_to = django_filters.DateFilter(
        field_name="invited_at", lookup_expr="date__lte", label=_("Invited to")
    )

    class Meta:
        model = Survey
        fields = ["q", "answered", "invited_from", "invited_to"]

    def filter_answered(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(answered_at__isnull=value == "no")
        return queryset


class ComplaintFilterSet(SearchFilterSet):
    search_fields = ("code", "subject", "description", "client__name", "engagement__code")
    state = django_filters.ChoiceFilter(choices=Complaint.State.choices, label=_("State"))
    channel = django_filters.ChoiceFilter(choices=Complaint.Channel.choices, label=_("Received through"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Complaint
        fields = ["q", "state", "channel", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"state__in": Complaint.OPEN_STATES, "due_at__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)
