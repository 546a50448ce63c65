"""Background jobs shared by every app (run by `onestop worker`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import management
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onestop.core import list_export
from onestop.core.mail import deliver, queue_mail
from onestop.core.models import PreparedExport


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


@db_task()
def prepare_export(pk: int) -> str:
    """Write a long list's Excel file (core.list_export) and put its link in the owner's inbox."""
    from onestop.notifications.services import notify  # noqa: PLC0415 — the inbox is the notifications app, which builds on core

    prepared = PreparedExport.objects.select_related("list_export__user").get(pk=pk)
    if prepared.state != PreparedExport.State.QUEUED:
        return prepared.state  # a job run twice does the work once
    user = prepared.list_export.user
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        try:
            list_export.write_prepared(prepared)
        except Exception as error:
            prepared.state, prepared.error = PreparedExport.State.FAILED, str(error)[:500]
            title = _("Your export “%(name)s” could not be prepared.") % {"name": prepared.name}
        else:
            prepared.state = PreparedExport.State.READY
            title = _("Your export “%(name)s” is ready to download.") % {"name": prepared.name}
        prepared.finished_at = timezone.now()
        with transaction.atomic():
            prepared.save()
            notify([user], title=title, url=prepared.get_absolute_url(), target=None, email=False)
    return prepared.state


@db_periodic_task(crontab(hour="3", minute="41"))
def remove_old_exports() -> int:
    """Nightly: delete prepared export files older than ONESTOP_EXPORT_KEEP_DAYS (rows stay)."""
    cutoff = timezone.now() - timedelta(days=settings.ONESTOP_EXPORT_KEEP_DAYS)
    removed = 0
    for prepared in PreparedExport.objects.filter(state=PreparedExport.State.READY, finished_at__lt=cutoff):
        prepared.file.delete(save=False)
        prepared.state = PreparedExport.State.EXPIRED
        prepared.save(update_fields=["file", "state"])
        removed += 1
    return removed
