"""What "My work" lists from intake: requests whose ball the user holds; for a client, the
proposals to answer and the confirmation forms to sign."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from onestop.core.models import Signature
from onestop.core.work import WorkItem, register
from onestop.engagements.ball import balls_for
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


@register
def handoffs(user):
    """Every step of an engagement past its confirmation that waits for the user — as the one
    it is handed to, one of its role's queue, or the client — even where no stage lists it
    (engagements/ball.py). A fixed number of queries; a stage's own item for the same record
    takes precedence (core.work.drop_repeated_handoffs)."""
    if not getattr(user, "is_authenticated", False):
        return []
    confirmed = Engagement.objects.filter(stage=Engagement.Stage.CONFIRMED).select_related("client")
    if user.client_organization_id is not None:
        confirmed = confirmed.filter(client_id=user.client_organization_id)
    signatory = user.client_organization_id is None and user.signing_authorizations.exists()
    engagements = list(confirmed.order_by("confirmed_at", "pk"))
    items = []
    balls = balls_for(engagements)
    for engagement in engagements:
        ball = balls[engagement.pk]
        if ball is None or not ball.is_for(user, signatory=signatory):
            continue
        items.append(
            WorkItem(
                title=f"{engagement.code} {engagement.title}",
                url=ball.url,
                kind=ball.step,
                since=ball.since,
                icon="arrow-right-circle",
                is_handoff=True,
            )
        )
    return items[:50]
