"""The links this app adds to the project page (projects.presenters.extra_links)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.costs.views import money_projects


def links(project, user) -> list[dict]:
    result = []
    if money_projects(user).filter(pk=project.pk).exists():
        result.append(
            {
                "url": reverse("costs:project_costs", args=[project.pk]),
                "label": _("Budget and cost"),
                "icon": "cash-stack",
            }
        )
    if user.has_perm("costs.view_allocation"):
        result.append(
            {
                "url": reverse("costs:allocation_list") + f"?project={project.pk}",
                "label": _("Staff allocations"),
                "icon": "person-lines-fill",
            }
        )
    return result
