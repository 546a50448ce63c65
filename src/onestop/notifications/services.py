"""Sending notifications and keeping deadlines. Every stage calls these; none writes rows itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import events
from onestop.core.mail import enqueue_delivery
from onestop.core.models import OutgoingMail
from onestop.core.services import save
from onestop.notifications.models import Deadline, Notification


def notify(
    recipients: Iterable,
    *,
    title: str,
    body: str = "",
    url: str = "",
    level=Notification.Level.INFO,
    target=None,
    email: bool = True,
) -> list[Notification]:
    """Put a message in each recipient's inbox; e-mail it after the transaction commits.

    Called inside the caller's transaction: if the action fails, no message is left behind,
    and no e-mail goes out for something that did not happen.
    """
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                title=title[:200],
                body=body,
                url=url,
                level=level,
                target_type=target_type,
                target_id=getattr(target, "pk", None),
            )
            for user in unique.values()
        ]
    )
    if email and notifications:
        _email(notifications)
    return notifications


def _email(notifications: list[Notification]) -> None:
    """Queue each message's e-mail in the outbox, in the same transaction (core.mail)."""
    mails = []
    for notification in notifications:
        address = notification.recipient.email
        if not address:
            continue
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{urljoin(settings.ONESTOP_BASE_URL, notification.url)}".strip()
        mail = OutgoingMail(subject=f"[OneStop] {notification.title}"[:300], body=body, recipients=[address])
        mails.append((notification, mail))
    if not mails:
        return
    OutgoingMail.objects.bulk_create([mail for _n, mail in mails])  # ids come back on both databases
    for notification, mail in mails:
        notification.mail = mail
    Notification.objects.bulk_update([notification for notification, _m in mails], ["mail"])
    ids = [mail.pk for _n, mail in mails]
    transaction.on_commit(lambda: enqueue_delivery(ids))


def mark_read(notification: Notification, *, actor) -> None:
    # Compare-and-set: marking twice (two tabs) is harmless and keeps the first time.
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_deadline(
    target,
    *,
    title: str,
    due_at: datetime,
    responsible,
    kind: str = "",
    escalate_to=None,
    url: str = "",
    remind_before=None,
    actor=None,
) -> Deadline:
    """Open (or move) a deadline on ``target``: the open one of this ``kind`` for ``responsible``
    (several people may each have one of a kind, e.g. the reviewers of a plan), or without a
    kind the one named ``title``."""
    if timezone.is_naive(due_at):
        raise ValueError("deadlines must be timezone-aware")
    target_type = ContentType.objects.get_for_model(target)
    same = Deadline.objects.filter(target_type=target_type, target_id=target.pk, closed_at__isnull=True)
    same = same.filter(kind=kind, responsible=responsible) if kind else same.filter(kind="", title=title)
    deadline = same.first()
    if deadline is None:
        deadline = Deadline(target_type=target_type, target_id=target.pk, kind=kind)
    deadline.title = title
    deadline.due_at = due_at
    deadline.responsible = responsible
    deadline.escalate_to = escalate_to
    deadline.url = url or getattr(target, "get_absolute_url", lambda: "")()
    if remind_before is not None:
        deadline.remind_before = remind_before
    # Moving a deadline re-arms its reminder and escalation.
    deadline.reminded_at = deadline.escalated_at = None
    return save(deadline, actor=actor)


@transaction.atomic
def close_deadlines(
    target, *, kind: str | None = None, title: str | None = None, responsible=None, actor=None
) -> int:
    """Close the open deadlines on ``target`` (only those of ``kind`` / ``responsible`` / named
    ``title``). Prefer ``kind`` and ``responsible`` to ``title``: titles are written in the
    language of whoever set them."""
    queryset = Deadline.objects.open().filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if title is not None:
        queryset = queryset.filter(title=title)
    if responsible is not None:
        queryset = queryset.filter(responsible=responsible)
    closed = 0
    for deadline in queryset:
        deadline.closed_at = timezone.now()
        deadline._history_user = actor
        deadline.save(update_fields=["closed_at", "updated_at"])
        closed += 1
    return closed


def process_deadlines(now: datetime | None = None) -> tuple[int, int]:
    """Send due reminders and escalations once each; returns (reminders, escalations).

    Each send first claims the row with a conditional UPDATE, so two workers running this
    at the same moment never send the same reminder twice.
    """
    now = now or timezone.now()
    reminders = escalations = 0
    candidates = (
        Deadline.objects.open().filter(reminded_at__isnull=True, due_at__gt=now).select_related("responsible")
    )
    for deadline in candidates:
        if deadline.due_at - deadline.remind_before > now:
            continue
        with transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            notify(
                [deadline.responsible],
                title=_("Reminder: %(title)s is due %(due)s")
                % {"title": deadline.title, "due": _local(deadline.due_at)},
                url=deadline.url,
                level=Notification.Level.REMINDER,
                target=deadline.target,
            )
            _warn(deadline, "reminder")
            reminders += 1
    overdue = (
        Deadline.objects.open()
        .filter(escalated_at__isnull=True, due_at__lte=now)
        .select_related("responsible", "escalate_to")
    )
    for deadline in overdue:
        with transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            title = _("Overdue: %(title)s was due %(due)s (%(who)s)") % {
                "title": deadline.title,
                "due": _local(deadline.due_at),
                "who": deadline.responsible,
            }
            notify(
                [deadline.responsible, deadline.escalate_to],
                title=title,
                url=deadline.url,
                level=Notification.Level.ESCALATION,
                target=deadline.target,
            )
            _warn(deadline, "overdue")
            escalations += 1
    return reminders, escalations


def _warn(deadline: Deadline, level: str) -> None:
    """Announce the reminder or the escalation (core.events ``warning.raised``), in its transaction."""
    if deadline.target is not None:
        events.emit(
            events.WARNING_RAISED,
            deadline.target,
            level=level,
            deadline=deadline.kind,
            due_at=deadline.due_at,
        )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
