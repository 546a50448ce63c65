"""Settlements waiting for the user on "My work": finance reviews; the lead corrects a returned
application or applies for the settlement of an accepted project (fixed number of queries)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.acceptance.models import AcceptanceRound
from onestop.core.roles import Role
from onestop.core.work import WorkItem, register
from onestop.projects.models import Project
from onestop.settlement.models import Settlement
from onestop.settlement.states import EDITABLE


@register
def settlements_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    base = Settlement.objects.select_related("contract__engagement")
    if user.has_role(Role.FINANCE):
        for settlement in base.filter(state=Settlement.State.SUBMITTED).order_by("submitted_at")[:50]:
            items.append(
                WorkItem(
                    title=f"{settlement.code} {settlement.contract.engagement.title}",
                    url=settlement.get_absolute_url(),
                    kind=_("Settlement review"),
                    since=settlement.submitted_at,
                    icon="cash-coin",
                )
            )
    for settlement in base.filter(contract__project__project_lead=user, state__in=EDITABLE)[:50]:
        items.append(
            WorkItem(
                title=f"{settlement.code} {settlement.contract.engagement.title}",
                url=settlement.get_absolute_url(),
                kind=settlement.state_label(),
                since=settlement.updated_at,
                icon="arrow-return-left" if settlement.state == Settlement.State.RETURNED else "pencil",
            )
        )
    if user.has_role(Role.PROJECT_LEAD):
        passed = AcceptanceRound.objects.filter(
            project=OuterRef("pk"), state=AcceptanceRound.State.PASSED, milestone__isnull=True
        )
        settled = Settlement.objects.filter(contract=OuterRef("contract"))
        for project in (
            Project.objects.filter(project_lead=user)
            .filter(Exists(passed))
            .exclude(Exists(settled))
            .select_related("contract")[:50]
        ):
            items.append(
                WorkItem(
                    title=f"{project.code} {project.name}",
                    url=reverse("settlement:settlement_add") + f"?contract={project.contract_id}",
                    kind=_("Apply for settlement"),
                    since=project.updated_at,
                    icon="cash-coin",
                )
            )
    return items
