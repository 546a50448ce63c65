"""Contract work beside the engagement's main path on "My work": the archive room files every
signed contract (CON-3) while the project gets under way. The steps on the main path (draft,
review, sign) come from the engagement's ball (engagements/ball.py)."""

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
