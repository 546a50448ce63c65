"""E-mail intake (INT-1): an RFC 822 message becomes an inquiry, threaded by Message-ID.

``parse_message`` reads the bytes with the standard library (``email``, ``policy.default``)
into a ``ParsedMail``; ``record_mail_inquiry`` files it:

- the sender's address is looked up (case-insensitive) among the client contacts, then
  among the client users; that gives the client organisation;
- a reply — ``In-Reply-To``/``References`` naming the Message-ID of an inquiry of that same
  client, or a subject carrying one of its engagement codes (``OS-2026-00012``) — is added
  to that engagement; anything else opens a new engagement;
- mail from an unknown (or ambiguous) sender waits as an ``IncomingMail`` until customer
  service assigns it to a client (``assign_mail``) or ignores it (``ignore_mail``);
- a Message-ID already recorded is skipped, so fetching the same message twice is harmless.

Who acts: the mailbox is a service account, ``onestop-mailbox`` (``get_mailbox_user()``), created
on demand with the customer-service role and an unusable password, so it can never log in.
It passes through the same permission checks as a person and appears as the author in the
history and on the timeline, so the record says honestly that the mail job wrote it. The
ball then goes to a real person: the client's account manager, else customer service.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import ClientContact
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.fields import TEXT_LONG
from onestop.core.roles import Role
from onestop.engagements import services
from onestop.engagements.models import Channel, Engagement, IncomingMail, Inquiry
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification

logger = logging.getLogger(__name__)

MAILBOX_USERNAME = "onestop-mailbox"
ENGAGEMENT_CODE = re.compile(r"\b(OS-\d{4}-\d{3,})\b", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# Labels mail programs put on Chinese text, read by the codec that covers what they really send:
# "gb2312" mail is usually GBK, "big5" mail often carries HKSCS characters.
_CODECS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
}


def _text(data: bytes, charset: str | None) -> str:
    name = (charset or "utf-8").strip().lower()
    try:
        return data.decode(_CODECS.get(name, name), "replace")
    except LookupError:  # an unknown label: UTF-8 is the best guess today
        return data.decode("utf-8", "replace")


def decode_header_value(raw: str) -> str:
    """An RFC 2047 header as text, tolerant of mislabelled Chinese charsets."""
    parts = []
    for chunk, charset in email.header.decode_header(raw or ""):
        parts.append(_text(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


class _HTMLText(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self.skip = max(self.skip - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    body: str
    references: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    date: datetime | None = None
    raw_headers: str = ""

    @property
    def engagement_codes(self) -> list[str]:
        return [code.upper() for code in ENGAGEMENT_CODE.findall(self.subject)]


def _raw(message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    data = part.get_payload(decode=True) or b""
    text = _text(data, part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip()


def _within_limit(body: str) -> str:
    """The body as an inquiry's need can hold it (``TEXT_LONG``).

    Mail from outside cannot be refused like a form: it would be fetched again and again. A
    longer body keeps its beginning and says, in the text itself, how much was left out, so
    whoever reads it knows to ask the client for the rest; nothing is cut silently.
    """
    if len(body) <= TEXT_LONG:
        return body
    notice = "\n\n" + _(
        "[%(count)d more characters of this e-mail were not kept: it is longer than an inquiry can hold.]"
    )
    kept = TEXT_LONG - len(notice % {"count": len(body)})
    return body[:kept] + notice % {"count": len(body) - kept}


def parse_message(raw: bytes) -> ParsedMail:
    """Read one RFC 822 message into what an inquiry needs."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = email.utils.parseaddr(decode_header_value(_raw(message, "from")))
    if not address or "@" not in address:
        name, address = "", ""
    message_id = (MESSAGE_ID.findall(_raw(message, "message-id")) or [""])[0]
    if not message_id:
        # No Message-ID: one made from the content keeps fetching idempotent.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@onestop.invalid>"
    references = []
    for header in ("in-reply-to", "references"):
        for value in MESSAGE_ID.findall(_raw(message, header)):
            if value not in references:
                references.append(value)
    date = None
    try:
        date = email.utils.parsedate_to_datetime(_raw(message, "date"))
    except (TypeError, ValueError, IndexError):
        date = None
    if date is not None and timezone.is_naive(date):
        date = timezone.make_aware(date, timezone.get_default_timezone())
    headers = "".join(f"{key}: {value}\n" for key, value in message.raw_items())
    return ParsedMail(
        message_id=message_id[:300],
        from_address=address.strip().lower()[:254],
        from_name=name.strip()[:200],
        subject=decode_header_value(_raw(message, "subject")),
        body=_within_limit(_body(message)),
        references=references,
        date=date,
        raw_headers=headers[:20000],
    )


# --- who sent it --------------------------------------------------------------------------------


@dataclass
class Sender:
    client: object
    contact: ClientContact | None = None
    name: str = ""


def match_sender(address: str) -> Sender | None:
    """The client organisation behind an address, or None when unknown or ambiguous."""
    if not address:
        return None
    contacts = list(
        ClientContact.objects.filter(email__iexact=address, organization__is_active=True).select_related(
            "organization"
        )[:5]
    )
    if len({c.organization_id for c in contacts}) == 1:
        contact = contacts[0]
        return Sender(client=contact.organization, contact=contact, name=contact.name)
    if contacts:
        return None  # one address, several clients: customer service decides
    users = list(
        get_user_model()
        .objects.filter(email__iexact=address, client_organization__isnull=False, is_active=True)
        .select_related("client_organization")[:5]
    )
    if len({u.client_organization_id for u in users}) == 1:
        return Sender(client=users[0].client_organization, name=users[0].display_name)
    return None


def find_thread(parsed: ParsedMail, client) -> Engagement | None:
    """The engagement of this client the message answers, if any."""
    if parsed.references:
        inquiry = (
            Inquiry.objects.filter(message_id__in=parsed.references, engagement__client=client)
            .select_related("engagement")
            .order_by("-received_at")
            .first()
        )
        if inquiry is not None:
            return inquiry.engagement
    codes = parsed.engagement_codes
    if codes:
        return Engagement.objects.filter(code__in=codes, client=client).first()
    return None


def already_recorded(message_id: str) -> bool:
    return (
        Inquiry.objects.filter(message_id=message_id).exists()
        or IncomingMail.objects.filter(message_id=message_id).exists()
    )


# --- the mailbox account ----------------------------------------------------------------------


def get_mailbox_user():
    """The service account the mail job acts as: customer service, never able to log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=MAILBOX_USERNAME,
        defaults={"full_name": _("Mailbox (automatic intake)"), "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user._history_user = None
        user.save()
        group, _unused = Group.objects.get_or_create(name=Role.CUSTOMER_SERVICE)
        user.groups.add(group)
    return user


def _people_for(engagement, mailbox) -> list:
    """Who answers mail for this client: its account manager, else customer service (not the mailbox)."""
    manager = engagement.client.account_manager
    if manager is not None and manager.is_active and manager.pk != mailbox.pk:
        return [manager]
    return list(
        get_user_model().objects.with_role(Role.CUSTOMER_SERVICE).exclude(pk=mailbox.pk).order_by("pk")
    )


def _received_at(parsed: ParsedMail):
    now = timezone.now()
    if parsed.date is None or parsed.date > now or parsed.date < now - timedelta(days=30):
        return now
    return parsed.date


def _need(parsed: ParsedMail) -> str:
    return parsed.body or parsed.subject or _("(empty message)")


def _subject(parsed: ParsedMail) -> str:
    return (parsed.subject or _("(no subject)"))[:200]


def _file(parsed: ParsedMail, *, actor, sender: Sender, mailbox) -> Inquiry:
    engagement = find_thread(parsed, sender.client)
    inquiry = services.record_inquiry(
        actor=actor,
        client=sender.client,
        channel=Channel.EMAIL,
        subject=_subject(parsed),
        need=_need(parsed),
        contact=sender.contact,
        contact_name=parsed.from_name or sender.name,
        contact_email=parsed.from_address,
        received_at=_received_at(parsed),
        engagement=engagement,
        message_id=parsed.message_id,
    )
    if engagement is not None:
        return inquiry  # a reply: record_inquiry told whoever holds the ball
    engagement = inquiry.engagement
    # A new engagement: the ball goes from the mailbox account to a person, who is told.
    if engagement.holder_id == mailbox.pk:
        people = _people_for(engagement, mailbox)
        engagement.hand_to(people[0] if people else None)
        engagement._history_user = actor
        engagement._change_reason = _("Inquiry received by e-mail")
        engagement.save(update_fields=["holder", "holder_since", "updated_at"])
        if people:
            notifications.set_deadline(
                engagement,
                title=_("Forward %(code)s to a technician") % {"code": engagement.code},
                due_at=engagement.received_at + services.FORWARD_WITHIN,
                responsible=people[0],
                actor=actor,
            )
        notifications.notify(
            people,
            title=_("New inquiry by e-mail: %(code)s %(title)s")
            % {"code": engagement.code, "title": engagement.title},
            body=inquiry.need[:500],
            url=engagement.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=engagement,
        )
    return inquiry


@transaction.atomic
def record_mail_inquiry(message: bytes | ParsedMail, *, mailbox_user=None) -> Inquiry | IncomingMail | None:
    """File one e-mail: an inquiry of a known client, or an unmatched mail; None if seen before."""
    parsed = message if isinstance(message, ParsedMail) else parse_message(message)
    mailbox = mailbox_user or get_mailbox_user()
    if already_recorded(parsed.message_id):
        logger.info("mail %s already recorded; skipped", parsed.message_id)
        return None
    sender = match_sender(parsed.from_address)
    if sender is None:
        incoming = IncomingMail(
            message_id=parsed.message_id,
            from_address=parsed.from_address,
            from_name=parsed.from_name,
            subject=parsed.subject[:200],
            body=parsed.body,
            raw_headers=parsed.raw_headers,
            in_reply_to=" ".join(parsed.references)[:5000],
            received_at=_received_at(parsed),
        )
        incoming._history_user = mailbox
        incoming.save()
        people = _people_for_unmatched(mailbox)
        notifications.notify(
            people,
            title=_("E-mail from an unknown sender: %(sender)s") % {"sender": parsed.from_address or "?"},
            body=f"{parsed.subject}\n\n{parsed.body[:400]}",
            url=incoming.get_absolute_url(),
            target=None,
            email=False,
        )
        return incoming
    return _file(parsed, actor=mailbox, sender=sender, mailbox=mailbox)


def _people_for_unmatched(mailbox) -> list:
    return list(get_user_model().objects.with_role(Role.CUSTOMER_SERVICE).exclude(pk=mailbox.pk))


def _require_triage(actor, incoming: IncomingMail) -> None:
    if not actor.has_perm("engagements.change_incomingmail", incoming):
        raise PermissionDenied


@transaction.atomic
def assign_mail(incoming: IncomingMail, *, actor, client, contact=None) -> Inquiry:
    """Customer service says which client sent an unmatched mail; it becomes that client's inquiry."""
    _require_triage(actor, incoming)
    locked = IncomingMail.objects.select_for_update().get(pk=incoming.pk)
    if locked.status != IncomingMail.Status.PENDING:
        raise DomainError(
            _("This e-mail has already been handled. Reload the page."), code=ErrorCode.ALREADY_DONE
        )
    if contact is not None and contact.organization_id != client.pk:
        raise DomainError(
            _("The contact belongs to another client organisation."), field="contact", code=ErrorCode.INVALID
        )
    parsed = ParsedMail(
        message_id=incoming.message_id,
        from_address=incoming.from_address,
        from_name=incoming.from_name,
        subject=incoming.subject,
        body=incoming.body,
        references=incoming.in_reply_to.split(),
        date=incoming.received_at,
    )
    # Not the same Message-ID twice: the inquiry takes it over from the unmatched mail.
    engagement = find_thread(parsed, client)
    inquiry = services.record_inquiry(
        actor=actor,
        client=client,
        channel=Channel.EMAIL,
        subject=_subject(parsed),
        need=_need(parsed),
        contact=contact,
        contact_name=incoming.from_name or (contact.name if contact else ""),
        contact_email=incoming.from_address,
        received_at=min(incoming.received_at, timezone.now()),
        engagement=engagement,
        message_id=incoming.message_id,
    )
    locked.status = IncomingMail.Status.ASSIGNED
    locked.inquiry = inquiry
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked._history_user = actor
    locked._change_reason = _("Assigned to %(client)s") % {"client": client}
    locked.save()
    return inquiry


@transaction.atomic
def ignore_mail(incoming: IncomingMail, *, actor) -> IncomingMail:
    """Spam, a newsletter, an out-of-office reply: kept, marked as ignored."""
    _require_triage(actor, incoming)
    updated = IncomingMail.objects.filter(pk=incoming.pk, status=IncomingMail.Status.PENDING).update(
        status=IncomingMail.Status.IGNORED, handled_by=actor, handled_at=timezone.now()
    )
    if not updated:
        raise DomainError(
            _("This e-mail has already been handled. Reload the page."), code=ErrorCode.ALREADY_DONE
        )
    incoming.refresh_from_db()
    incoming._history_user = actor
    incoming._change_reason = _("Ignored")
    incoming.save(update_fields=["updated_at"])
    return incoming
