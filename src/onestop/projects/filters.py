import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.accounts.models import ClientOrganization
from onestop.projects.forms import project_leads
from onestop.projects.models import Milestone, Project, ProjectMember, Task


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "engagement__code", "contract__code", "engagement__client__name")
    state = django_filters.ChoiceFilter(choices=Project.State.choices, label=_("State"))
    project_lead = django_filters.ModelChoiceFilter(queryset=project_leads(), label=_("Project lead"))
    client = django_filters.ModelChoiceFilter(
        field_name="engagement__client", queryset=ClientOrganization.objects.all(), label=_("Client")
    )

    class Meta:
        model = Project
        fields = ["q", "state", "project_lead", "client"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "client_organization_id", None) is not None:
            # A client sees its own organisation only, and not the staff list.
            self.filters["client"].queryset = ClientOrganization.objects.filter(
                pk=user.client_organization_id
            )
            self.filters["project_lead"].queryset = project_leads().none()


class MilestoneFilterSet(SearchFilterSet):
    search_fields = ("name", "project__code", "project__name")
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project"))

    class Meta:
        model = Milestone
        fields = ["q", "project"]


class ProjectMemberFilterSet(SearchFilterSet):
    search_fields = ("user__full_name", "role", "project__code", "project__name")
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project"))

    class Meta:
        model = ProjectMember
        fields = ["q", "project"]


class TaskFilterSet(SearchFilterSet):
    search_fields = ("name", "project__code", "project__name")
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project"))

    class Meta:
        model = Task
        fields = ["q", "project"]
