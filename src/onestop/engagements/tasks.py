"""Background jobs of intake (run by `onestop worker`): reading the intake mailbox (INT-1)."""

from __future__ import annotations

import imaplib
import logging

from django.conf import settings
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.engagements import mail

logger = logging.getLogger(__name__)


def connect(imap_class=None):
    """Log in to the intake mailbox named by the ONESTOP_IMAP_* settings and select its folder."""
    if imap_class is None:
        imap_class = imaplib.IMAP4_SSL if settings.ONESTOP_IMAP_SSL else imaplib.IMAP4
    connection = imap_class(settings.ONESTOP_IMAP_HOST, settings.ONESTOP_IMAP_PORT)
    connection.login(settings.ONESTOP_IMAP_USER, settings.ONESTOP_IMAP_PASSWORD)
    status, _data = connection.select(settings.ONESTOP_IMAP_FOLDER)
    if status != "OK":
        connection.logout()
        raise imaplib.IMAP4.error(f"cannot open folder {settings.ONESTOP_IMAP_FOLDER!r}")
    return connection


def _message_bytes(data) -> bytes | None:
    for item in data or []:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch_mail(imap_class=None) -> dict:
    """Record each unread message of the mailbox; mark it read only once it is committed.

    Each message is recorded in its own transaction: one that fails is logged, stays unread
    (it is tried again next time) and does not stop the others. Returns the counts.
    """
    counts = {"recorded": 0, "skipped": 0, "failed": 0}
    if not settings.ONESTOP_IMAP_HOST:
        return counts
    connection = connect(imap_class)
    try:
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        mailbox = mail.get_mailbox_user()
        for uid in uids:
            try:
                # BODY.PEEK leaves the message unread until it is safely recorded.
                status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = _message_bytes(data) if status == "OK" else None
                if raw is None:
                    raise imaplib.IMAP4.error(f"no message body for UID {uid!r}")
                with transaction.atomic():
                    result = mail.record_mail_inquiry(raw, mailbox_user=mailbox)
                # Outside the transaction: committed, so it may be marked read now.
                connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                counts["recorded" if result is not None else "skipped"] += 1
            except Exception:
                counts["failed"] += 1
                logger.exception("mail intake: message UID %s could not be recorded", uid)
    finally:
        try:
            connection.logout()
        except Exception:  # the connection is gone anyway
            logger.warning("mail intake: logout failed", exc_info=True)
    if any(counts.values()):
        logger.info("mail intake: %(recorded)d recorded, %(skipped)d skipped, %(failed)d failed", counts)
    return counts


@db_periodic_task(crontab(minute="*/5"))
def fetch_mail_periodically() -> None:
    """Every 5 minutes: read the intake mailbox (when ONESTOP_IMAP_HOST is set)."""
    fetch_mail()
