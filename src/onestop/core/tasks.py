"""Background jobs shared by every app (run by `onestop worker`)."""

from __future__ import annotations

from django.core import management
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onestop.core.mail import deliver, queue_mail


def send_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one e-mail through the outbox (core.mail): recorded first, then sent by the worker."""
    queue_mail(subject, body, to, html or "")


@db_task()
def deliver_mail(ids: list[int]) -> int:
    """Soon after a commit: send the mail just queued."""
    return deliver(ids)


@db_periodic_task(crontab(minute="*"))
def send_pending_mail() -> int:
    """Every minute: send what a crashed worker or a lost job left unsent."""
    return deliver()


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions() -> None:
    """Nightly: remove expired login sessions so the session table stays small."""
    management.call_command("clearsessions")
