"""Contract work beside the engagement's main path on "My work": the archive room files every
signed contract (CON-3) while the project gets under way; the project lead named in the plan
may open the project of a signed contract. The steps on the main path (draft, review, sign,
open the project as management's queue) come from the engagement's ball (engagements/ball.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.contracts.models import Contract
from onestop.core.roles import Role
from onestop.core.work import WorkItem, register


@register
def contracts_to_archive(user):
    if user.client_organization_id is not None or not user.has_role(Role.ARCHIVE):
        return []
    signed = Contract.objects.filter(state=Contract.State.SIGNED).select_related("engagement")
    return [
        WorkItem(
            title=f"{contract.code} {contract.engagement.title}",
            url=contract.get_absolute_url(),
            kind=_("Archive the signed contract"),
            since=contract.signed_at,
            icon="archive",
        )
        for contract in signed.order_by("signed_at", "pk")[:50]
    ]


@register
def projects_to_open(user):
    """The signed contracts without a project whose plan names ``user`` its project lead: the
    lead may open the project (projects.rules.can_open_project) and is the one who runs it, so
    the step is on their "My work" beside management's queue (issue 11 §1)."""
    if user.client_organization_id is not None or not user.has_role(Role.PROJECT_LEAD):
        return []
    signed = (
        Contract.objects.filter(
            state__in=[Contract.State.SIGNED, Contract.State.ARCHIVED],
            project__isnull=True,
            engagement__plan__project_lead=user,
        )
        .select_related("engagement")
        .order_by("signed_at", "pk")
    )
    return [
        WorkItem(
            title=f"{contract.engagement.code} {contract.engagement.title}",
            url=reverse("projects:project_add") + f"?contract={contract.pk}",
            kind=_("Open the project"),
            since=contract.signed_at,
            icon="rocket-takeoff",
        )
        for contract in signed[:50]
    ]
