"""E-mail through the outbox: written to the database first, sent by the worker.

``queue_mail`` writes an ``OutgoingMail`` row in the caller's transaction (a failed action
leaves no mail behind) and asks the worker to send it after the commit. ``deliver`` sends
rows it can claim; ``send_pending`` (a periodic job) sends whatever a crash or a lost job left
unsent. A row is claimed with a conditional UPDATE before it is sent, so of two workers only
one sends it; a crash between sending and marking it sent can send it twice after the claim
runs out (at least once, never lost), which is the price of not losing mail.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from onestop.core.models import OutgoingMail

logger = logging.getLogger("onestop.mail")

CLAIM_FOR = timedelta(minutes=10)
MAX_ATTEMPTS = 10


def queue_mail(subject: str, body: str, to: list[str], html: str = "") -> OutgoingMail | None:
    recipients = [address for address in to if address]
    if not recipients:
        return None
    mail = OutgoingMail.objects.create(
        subject=" ".join(str(subject).split())[:300], body=str(body), html=html or "", recipients=recipients
    )
    transaction.on_commit(lambda: enqueue_delivery([mail.pk]))
    return mail


def enqueue_delivery(ids: list[int]) -> None:
    """Ask the worker to send these rows now (after the commit that wrote them)."""
    from onestop.core.tasks import deliver_mail  # noqa: PLC0415 — cycle: core.tasks imports this module at load

    try:
        deliver_mail(ids)
    except Exception:  # the queue is away: the periodic job sends the mail later
        logger.warning("job queue unavailable; %s mail(s) wait for the periodic sender", len(ids))


def _claim(pk: int, now) -> bool:
    return bool(OutgoingMail.objects.due(now).filter(pk=pk).update(claimed_until=now + CLAIM_FOR))


def deliver(ids=None, *, now=None) -> int:
    """Send the due mail among ``ids`` (all due mail when None); returns how many went out."""
    now = now or timezone.now()
    rows = OutgoingMail.objects.due(now)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    sent = 0
    for mail in rows.order_by("created_at", "pk")[:500]:
        if not _claim(mail.pk, now):
            continue  # another worker has it
        try:
            message = EmailMultiAlternatives(mail.subject, mail.body, to=mail.recipients)
            if mail.html:
                message.attach_alternative(mail.html, "text/html")
            message.send()
        except Exception as error:  # the mail server refused or is away: try again later
            attempts = mail.attempts + 1
            OutgoingMail.objects.filter(pk=mail.pk).update(
                attempts=attempts,
                last_error=str(error)[:500],
                claimed_until=now + timedelta(minutes=min(2**attempts, 120)),
                gave_up_at=timezone.now() if attempts >= MAX_ATTEMPTS else None,
            )
            logger.warning("mail %s not sent (attempt %s): %s", mail.pk, attempts, error)
            continue
        OutgoingMail.objects.filter(pk=mail.pk).update(sent_at=timezone.now(), attempts=mail.attempts + 1)
        sent += 1
    return sent
