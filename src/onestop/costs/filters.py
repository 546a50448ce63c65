"""Filters of the lists and the API (one definition for both)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import Department
from onestop.core.choices import ChoiceSourceFilter
from onestop.costs.models import (
    Allocation,
    Category,
    CostRate,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)


class AllocationFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "user__username", "project__code", "project__name", "role")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    user = ChoiceSourceFilter("accounts.User", label=_("Staff member"))
    department = django_filters.ModelChoiceFilter(
        field_name="user__department", queryset=Department.objects.all(), label=_("Department")
    )
    source = django_filters.ChoiceFilter(choices=Allocation.Source.choices, label=_("Source"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))

    class Meta:
        model = Allocation
        fields = ["q", "project", "user", "department", "source", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value) if value else queryset


class ReallocationRequestFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "project__code", "project__name", "role", "reason")
    state = django_filters.ChoiceFilter(choices=ReallocationRequest.State.choices, label=_("State"))
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))

    class Meta:
        model = ReallocationRequest
        fields = ["q", "state", "project"]


class TeamActivityFilterSet(SearchFilterSet):
    search_fields = ("title", "location", "description")
    kind = django_filters.ChoiceFilter(choices=TeamActivity.Kind.choices, label=_("Kind"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))

    class Meta:
        model = TeamActivity
        fields = ["q", "kind", "department"]


class TeamParticipantFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "activity__title", "feedback")
    activity = django_filters.NumberFilter(field_name="activity_id", label=_("Activity"))

    class Meta:
        model = TeamParticipant
        fields = ["q", "activity"]


class CostRateFilterSet(SearchFilterSet):
    search_fields = ("position__name", "note")

    class Meta:
        model = CostRate
        fields = ["q"]


class TimesheetFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "project__code", "project__name", "description")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    user = ChoiceSourceFilter("accounts.User", label=_("Staff member"))
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("From"))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = Timesheet
        fields = ["q", "project", "user", "day_from", "day_to"]


class ExpenseFilterSet(SearchFilterSet):
    search_fields = ("description", "project__code", "project__name", "claimant__full_name")
    state = django_filters.ChoiceFilter(choices=Expense.State.choices, label=_("State"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))

    class Meta:
        model = Expense
        fields = ["q", "state", "category", "project"]


class PurchaseFilterSet(SearchFilterSet):
    search_fields = ("item", "supplier", "project__code", "project__name")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))

    class Meta:
        model = Purchase
        fields = ["q", "category", "project"]
