import django_filters
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.core.choices import ChoiceSourceFilter
from onestop.projects.forms import project_leads
from onestop.projects.models import Milestone, Project, ProjectMember, Task


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "engagement__code", "contract__code", "engagement__client__name")
    state = django_filters.ChoiceFilter(choices=Project.State.choices, label=_("State"))
    project_lead = ChoiceSourceFilter("accounts.User", queryset=project_leads(), label=_("Project lead"))
    # The clients the user may see: a client user its own organisation only.
    client = ChoiceSourceFilter(
        "accounts.ClientOrganization", field_name="engagement__client", label=_("Client")
    )

    class Meta:
        model = Project
        fields = ["q", "state", "project_lead", "client"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "client_organization_id", None) is not None:
            # A client does not see the staff list.
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
