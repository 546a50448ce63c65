"""The ledger (FEE-3): every payment received or paid out in a period, for the accounting
system, as CSV (streamed) or Excel, through core.exports."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from onestop.core.exports import csv_response, excel_response
from onestop.settlement.models import Payment


def ledger_headers() -> list[str]:
    return [
        _("Date"),
        _("Contract"),
        _("Client"),
        _("Direction"),
        _("Amount"),
        _("Payment method"),
        _("Reference"),
        _("Settlement"),
    ]


def ledger_payments(start: date | None, end: date | None, payments=None):
    """The payments of the period (oldest first) — the ledger's rows, for the file and the API."""
    rows = (payments if payments is not None else Payment.objects.all()).select_related(
        "contract__engagement__client", "settlement"
    )
    condition = Q()
    if start:
        condition &= Q(paid_on__gte=start)
    if end:
        condition &= Q(paid_on__lte=end)
    return rows.filter(condition).order_by("paid_on", "pk")


def ledger_rows(start: date | None, end: date | None, payments=None):
    """One row per payment of the period (oldest first), read in chunks."""
    for payment in ledger_payments(start, end, payments).iterator(chunk_size=2000):
        yield [
            payment.paid_on,
            payment.contract.code,
            payment.contract.engagement.client.name,
            payment.get_direction_display(),
            payment.amount,
            payment.get_method_display(),
            payment.reference,
            payment.settlement.code if payment.settlement_id else "",
        ]


def _filename(start, end, ext) -> str:
    span = f"{start or 'start'}_{end or 'end'}"
    return f"ledger_{span}.{ext}"


def ledger_csv(start, end):
    headers = ledger_headers()  # in the request's language, before the rows stream

    def rows():
        yield headers
        for row in ledger_rows(start, end):
            yield [row[0].isoformat(), *row[1:4], f"{row[4]:.2f}", *row[5:]]

    return csv_response(rows(), _filename(start, end, "csv"))


def ledger_xlsx(start, end, payments=None):
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ledger"))
    sheet.append(ledger_headers())
    for row in ledger_rows(start, end, payments):
        sheet.append(row)
    return excel_response(book, _filename(start, end, "xlsx"))
