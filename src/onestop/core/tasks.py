"""Background jobs shared by every app (run by `onestop worker`)."""

from __future__ import annotations

from django.core import management
from django.core.mail import EmailMultiAlternatives
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def send_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one e-mail; retried when the mail server is briefly unavailable."""
    message = EmailMultiAlternatives(subject, body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions() -> None:
    """Nightly: remove expired login sessions so the session table stays small."""
    management.call_command("clearsessions")
