"""The list filters of supervision (one FilterSet per list, shared by the pages and the API)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import Department
from onestop.core.choices import ChoiceSourceFilter
from onestop.supervision.models import AuditSample, AuditSampleItem, CheckRun, Finding, Sanction
from onestop.supervision.states import FINDING_OPEN, FINDING_WITH_ASSIGNEE, AuditResult, Trigger


class FindingFilterSet(SearchFilterSet):
    search_fields = ("code", "description", "record", "engagement__code", "engagement__title")
    state = django_filters.ChoiceFilter(choices=Finding.State.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=Finding.Kind.choices, label=_("Kind"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    assignee = ChoiceSourceFilter("accounts.User", label=_("Assigned to"))
    engagement = ChoiceSourceFilter("engagements.Engagement", label=_("Engagement"))

    class Meta:
        model = Finding
        fields = ["q", "state", "kind", "open", "overdue", "assignee", "engagement", "run"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=FINDING_OPEN) if value else queryset.exclude(state__in=FINDING_OPEN)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"state__in": FINDING_WITH_ASSIGNEE, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class CheckRunFilterSet(SearchFilterSet):
    search_fields = ("code", "note")
    trigger = django_filters.ChoiceFilter(choices=Trigger.choices, label=_("Started by"))

    class Meta:
        model = CheckRun
        fields = ["q", "trigger"]


class AuditSampleFilterSet(SearchFilterSet):
    search_fields = ("code", "note")
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))

    class Meta:
        model = AuditSample
        fields = ["q", "department"]


class AuditSampleItemFilterSet(SearchFilterSet):
    search_fields = ("sample__code", "engagement__code", "engagement__title", "note")
    result = django_filters.ChoiceFilter(choices=AuditResult.choices, label=_("Audit result"))

    class Meta:
        model = AuditSampleItem
        fields = ["q", "sample", "result", "drawn"]


class SanctionFilterSet(SearchFilterSet):
    search_fields = ("code", "reason", "person__full_name", "department__name")
    kind = django_filters.ChoiceFilter(choices=Sanction.Kind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=Sanction.State.choices, label=_("State"))
    person = ChoiceSourceFilter("accounts.User", label=_("Person"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))

    class Meta:
        model = Sanction
        fields = ["q", "kind", "state", "person", "department"]
