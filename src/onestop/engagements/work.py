"""What "My work" lists from intake: requests whose ball the user holds; for a client, the
proposals to answer and the confirmation forms to sign."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from onestop.core.models import Signature
from onestop.core.work import WorkItem, register
from onestop.engagements.models import Engagement


def _client_items(user):
    waiting = list(
        Engagement.objects.visible_to(user)
        .filter(stage=Engagement.Stage.CONFIRMATION)
        .select_related("client", "agreed_proposal")[:50]
    )
    agreed = [e.pk for e in waiting if e.agreed_proposal_id]
    signed = set(
        Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(Engagement),
            object_id__in=agreed,
            document="confirmation",
            role="client",
        ).values_list("object_id", "version")
    )
    items = []
    for e in waiting:
        if e.agreed_proposal_id and (e.pk, e.form_version) not in signed:
            kind, icon, since = _("Sign the requirement confirmation form"), "pen", e.updated_at
        elif not e.agreed_proposal_id and e.holder_id is None:
            kind, icon, since = _("Answer our proposal"), "chat-left-quote", e.holder_since
        else:
            continue
        items.append(WorkItem(title=str(e), url=e.get_absolute_url(), kind=kind, since=since, icon=icon))
    return items


@register
def engagements_held(user):
    if user.client_organization_id is not None:
        return _client_items(user)
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
