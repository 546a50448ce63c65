from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def email_notifications(ids: list[int]) -> int:
    """E-mail each notification once, in its recipient's language; returns how many were sent."""
    from onestop.notifications.models import Notification

    sent = 0
    pending = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("recipient")
    for notification in pending:
        user = notification.recipient
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{urljoin(settings.ONESTOP_BASE_URL, notification.url)}".strip()
            send_mail(f"[OneStop] {notification.title}", body, None, [user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@db_periodic_task(crontab(minute="*/10"))
def check_deadlines() -> None:
    """Every ten minutes: reminders before deadlines, escalations after them."""
    from onestop.notifications.services import process_deadlines

    process_deadlines()
