"""The communication log of a record: calls, mails, chats, meetings and internal notes.

Each entry is internal (staff only) or shared with the client. Client users only ever see
shared entries, and only on records they can see; what they write is shared and comes
through the portal. Who may write: the record's ``comment`` rule when its model defines
one, else ``view``. The log is append-only.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from onestop.core import records
from onestop.core.exceptions import DomainError
from onestop.core.models import Comment, Visibility


def add_comment(
    obj, *, actor, body: str, channel: str = Comment.Channel.NOTE, visibility: str = Visibility.INTERNAL
) -> Comment:
    if not getattr(obj, "allow_comments", False):
        raise DomainError(_("This kind of record has no communication log."))
    records.require(actor, obj, "comment", "view")
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something first."), field="body")
    if len(body) > 10000:
        raise DomainError(_("Keep it under 10,000 characters."), field="body")
    if actor.client_organization_id is not None:
        # A client writes through the portal or its chat, and always to be read by us.
        channel = (
            channel if channel in (Comment.Channel.PORTAL, Comment.Channel.CHAT) else Comment.Channel.PORTAL
        )
        visibility = Visibility.SHARED
    if channel not in Comment.Channel.values:
        raise DomainError(_("Choose a channel."), field="channel")
    if visibility not in Visibility.values:
        raise DomainError(_("Choose who may see the entry."), field="visibility")
    if channel == Comment.Channel.NOTE and visibility == Visibility.SHARED:
        raise DomainError(_("An internal note cannot be shared with the client."), field="visibility")
    comment = Comment(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        body=body,
        channel=channel,
        visibility=visibility,
        author=actor,
    )
    with transaction.atomic():
        comment._history_user = actor
        comment.save()
    return comment


def comments_for(obj, user):
    return Comment.objects.visible_to(user).for_object(obj).select_related("author")
