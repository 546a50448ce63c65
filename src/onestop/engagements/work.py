"""Engagements whose ball is with the user appear on "My work"."""

from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.engagements.models import Engagement


@register
def engagements_held(user):
    if user.client_organization_id is not None:
        # A client acts on proposals and signatures of its own organisation.
        waiting = (
            Engagement.objects.visible_to(user)
            .filter(stage=Engagement.Stage.CONFIRMATION, holder__isnull=True)
            .select_related("client")[:50]
        )
        return [
            WorkItem(
                title=str(e),
                url=e.get_absolute_url(),
                kind=_("Awaiting your answer or signature"),
                since=e.holder_since,
                icon="pen",
            )
            for e in waiting
        ]
    held = Engagement.objects.filter(holder=user, stage__in=Engagement.OPEN_STAGES).select_related("client")[
        :50
    ]
    return [
        WorkItem(
            title=f"{e} · {e.client}",
            url=e.get_absolute_url(),
            kind=e.get_stage_display(),
            since=e.holder_since,
            icon="briefcase",
        )
        for e in held
    ]
