import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import Department
from onestop.coordination.models import (
    ChangeRequest,
    ClientFeedback,
    ClientReport,
    ClientReportSchedule,
    ProjectIssue,
    ResourceRequest,
)
from onestop.core.choices import ChoiceSourceFilter


def _reports(request):
    user = getattr(request, "user", None)
    if user is None:
        return ClientReport.objects.none()
    return ClientReport.objects.visible_to(user).select_related("project").order_by("-pk")


class ProjectIssueFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "resolution", "project__code", "project__name")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    state = django_filters.ChoiceFilter(choices=ProjectIssue.State.choices, label=_("State"))
    priority = django_filters.ChoiceFilter(choices=ProjectIssue.Priority.choices, label=_("Priority"))
    owner = ChoiceSourceFilter("accounts.User", label=_("Owner"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ProjectIssue
        fields = ["q", "project", "state", "priority", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = queryset.filter(state=ProjectIssue.State.OPEN, due_date__lt=today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ClientReportFilterSet(SearchFilterSet):
    search_fields = ("summary", "project__code", "project__name")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    state = django_filters.ChoiceFilter(choices=ClientReport.State.choices, label=_("State"))

    class Meta:
        model = ClientReport
        fields = ["q", "project", "state"]


class ClientReportScheduleFilterSet(SearchFilterSet):
    search_fields = ("project__code", "project__name")
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ClientReportSchedule
        fields = ["q", "active"]


class ClientFeedbackFilterSet(SearchFilterSet):
    search_fields = ("text", "report__project__code", "report__project__name")
    report = django_filters.ModelChoiceFilter(queryset=_reports, label=_("Progress report"))
    rating = django_filters.NumberFilter(label=_("Rating"))

    class Meta:
        model = ClientFeedback
        fields = ["q", "report", "rating"]


class ChangeRequestFilterSet(SearchFilterSet):
    search_fields = ("description", "reason", "impact", "project__code", "project__name")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    kind = django_filters.ChoiceFilter(choices=ChangeRequest.Kind.choices, label=_("Kind of change"))
    state = django_filters.ChoiceFilter(choices=ChangeRequest.State.choices, label=_("State"))

    class Meta:
        model = ChangeRequest
        fields = ["q", "project", "kind", "state"]


class ResourceRequestFilterSet(SearchFilterSet):
    search_fields = ("needed", "quantity", "answer", "project__code", "project__name")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    state = django_filters.ChoiceFilter(choices=ResourceRequest.State.choices, label=_("State"))

    class Meta:
        model = ResourceRequest
        fields = ["q", "project", "department", "state"]
