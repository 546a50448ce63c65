"""Scheduled reports (X-7): each active subscription gets its dashboard's tables as an Excel
workbook — every Monday for the week before, on the 1st for the month before — as the
subscriber sees them (``visible_to``), in the subscriber's language.

``send_due(today)`` is run by the periodic job (cockpit/tasks.py). A subscription remembers the
last period it was sent for (``last_period_end``), so a job run twice, or by two workers, sends a
period once: the row is claimed by a conditional UPDATE before the mail goes.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from io import BytesIO

from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.cockpit.exports import EXCEL_CONTENT_TYPE, add_sheet
from onestop.cockpit.models import Frequency, ReportSubscription
from onestop.cockpit.scope import Scope
from onestop.cockpit.tiles import DASHBOARDS, tiles_for

logger = logging.getLogger(__name__)


def period_for(frequency: str, today: date) -> tuple[date, date] | None:
    """The period a report sent ``today`` covers, or None when none is due today."""
    if frequency == Frequency.WEEKLY and today.weekday() == 0:
        return today - timedelta(days=7), today - timedelta(days=1)
    if frequency == Frequency.MONTHLY and today.day == 1:
        end = today - timedelta(days=1)
        return end.replace(day=1), end
    return None


def workbook_bytes(scope: Scope, dashboard: str) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is written
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is written
    from openpyxl.styles import Font  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is written

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    figures = []
    for tile in tiles_for(dashboard):
        data = tile.data(scope)
        figures += [[data["title"], figure["label"], figure["value"]] for figure in data["kpis"]]
        for table in data["tables"]:
            add_sheet(
                book,
                table["title"],
                table["columns"],
                (row["cells"] for row in table["rows"]),
                WriteOnlyCell,
                bold,
            )
    add_sheet(book, _("Key figures"), [_("Tile"), _("Figure"), _("Value")], figures, WriteOnlyCell, bold)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def send(subscription: ReportSubscription, start: date, end: date) -> None:
    user = subscription.subscriber
    dashboard = subscription.dashboard
    with translation.override(user.language or None):
        scope = Scope(
            user=user, start=start, end=end, mine=DASHBOARDS[dashboard]["mine"], today=timezone.localdate()
        )
        content = workbook_bytes(scope, dashboard)
        title = str(DASHBOARDS[dashboard]["label"])
        subject = _("%(report)s, %(start)s to %(end)s") % {"report": title, "start": start, "end": end}
        body = _("The report of %(start)s to %(end)s is attached (Excel).") % {"start": start, "end": end}
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    message.attach(f"{dashboard}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", content, EXCEL_CONTENT_TYPE)
    message.send()


def send_due(today: date | None = None) -> int:
    """Send every report due ``today``; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for subscription in ReportSubscription.objects.filter(is_active=True).select_related("subscriber"):
        period = period_for(subscription.frequency, today)
        if period is None or not subscription.subscriber.is_active:
            continue
        start, end = period
        claimed = ReportSubscription.objects.filter(
            Q(last_period_end__isnull=True) | Q(last_period_end__lt=end), pk=subscription.pk
        ).update(last_period_end=end, last_sent_at=timezone.now())
        if not claimed:
            continue  # another run sent this period
        try:
            send(subscription, start, end)
        except Exception:
            logger.exception("report %s not sent; it is tried again by the next run", subscription.pk)
            ReportSubscription.objects.filter(pk=subscription.pk).update(
                last_period_end=subscription.last_period_end, last_sent_at=subscription.last_sent_at
            )
            continue
        sent += 1
    return sent
