"""Online chat (INT-1): the client and our staff write to each other on the engagement page.

A chat message is a ``core.Comment`` of the engagement, shared with the client, written by
``core.comments.add_comment`` — there is no second message model. Staff messages have the
channel "chat"; the comments service records whatever a client user writes with the channel
"client portal", so the chat shows the shared chat and portal entries. Internal notes are
never part of it. A client user with no engagement for the question yet starts a chat: the
first message records an inquiry (channel chat) that opens a new engagement, and customer
service is notified by ``record_inquiry``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from onestop.core import comments
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.models import Comment, Visibility
from onestop.core.roles import Role
from onestop.engagements import services
from onestop.engagements.models import Channel, Engagement
from onestop.notifications import services as notifications

CHAT_CHANNELS = (Comment.Channel.CHAT, Comment.Channel.PORTAL)
SHOWN = 200  # the latest messages shown in the panel


def messages_for(engagement: Engagement, user) -> list[Comment]:
    """The chat as ``user`` may see it, oldest first: one query whatever the number of messages."""
    latest = (
        comments.comments_for(engagement, user)
        .filter(channel__in=CHAT_CHANNELS, visibility=Visibility.SHARED)
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    return list(reversed(latest))


def _staff_to_tell(engagement, actor) -> list:
    if engagement.holder_id and engagement.holder_id != actor.pk:
        return [engagement.holder]
    if engagement.technician_id:
        return [engagement.technician]
    manager = engagement.client.account_manager
    if manager is not None:
        return [manager]
    return list(get_user_model().objects.with_role(Role.CUSTOMER_SERVICE))


@transaction.atomic
def post_message(engagement: Engagement, *, actor, body: str) -> Comment:
    """Write one chat message; the other side is told (in the app, not by e-mail)."""
    if engagement.stage in (Engagement.Stage.OUT_OF_SCOPE, Engagement.Stage.WITHDRAWN):
        raise DomainError(
            _("This request is closed; start a new chat for a new question."),
            field="body",
            code=ErrorCode.INVALID,
        )
    comment = comments.add_comment(
        engagement, actor=actor, body=body, channel=Comment.Channel.CHAT, visibility=Visibility.SHARED
    )
    if actor.client_organization_id is not None:
        recipients = _staff_to_tell(engagement, actor)
    else:
        recipients = services._client_users(engagement)
    notifications.notify(
        [user for user in recipients if user.pk != actor.pk],
        title=_("New chat message on %(code)s") % {"code": engagement.code},
        body=comment.body[:500],
        url=engagement.get_absolute_url() + "#chat",
        target=engagement,
        email=False,
    )
    return comment


@transaction.atomic
def start_chat(*, actor, body: str, subject: str = "") -> Engagement:
    """A client user's first chat message: it opens a new engagement and starts its chat."""
    if actor.client_organization_id is None or not actor.has_perm("engagements.start_chat_engagement"):
        raise DomainError(_("Only a client user starts a chat from the portal."), code=ErrorCode.REFUSED)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write your question first."), field="body", code=ErrorCode.INVALID)
    if len(body) > 10000:
        raise DomainError(_("Keep it under 10,000 characters."), field="body", code=ErrorCode.INVALID)
    subject = (subject or "").strip() or body.splitlines()[0]
    inquiry = services.record_inquiry(
        actor=actor,
        client=actor.client_organization,
        channel=Channel.CHAT,
        subject=subject[:200],
        need=body,
        contact_name=actor.display_name,
        contact_phone=getattr(actor, "phone", ""),
        contact_email=actor.email,
    )
    comments.add_comment(
        inquiry.engagement,
        actor=actor,
        body=body,
        channel=Comment.Channel.CHAT,
        visibility=Visibility.SHARED,
    )
    return inquiry.engagement
