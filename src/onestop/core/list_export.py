"""Every list page downloads as Excel or CSV (issue 11 §2): ``?export=xlsx`` or ``?export=csv``
on the list's own URL.

The file holds exactly the rows the page would show across all its pages — the same
``visible_to(user)``, filterset, search and sort (core/listing.py) — with the list's columns,
their labels and what each cell shows (choices' labels, names of records; dates and amounts as
real dates and numbers, so Excel sorts and adds them). The rows are read in chunks of
``CHUNK`` with the list's ``select_related`` / ``prefetch_related`` and ``prepare_page`` per
chunk: the queries do not grow with the rows up to ``CHUNK`` rows, and by a fixed handful per
further chunk. CSV streams (UTF-8 with a byte-order mark, which Excel needs to read Chinese);
Excel uses openpyxl's write-only workbook.

A list longer than ``MAX_ROWS`` is refused with a message asking to narrow it. Every download
is recorded (``ListExport``: who, which list, which filters, how many rows), as a link of the
audit chain, before the file is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop.core import chain
from onestop.core.display import plain_value
from onestop.core.exports import csv_response, excel_response
from onestop.core.listing import list_parameters, list_rows
from onestop.core.models import ListExport

FORMATS = ("xlsx", "csv")
MAX_ROWS = 50_000
CHUNK = 2_000


def filename(viewset, file_format: str) -> str:
    """``<list name>-<date>.<format>``, e.g. ``服務案件-2026-12-03.xlsx`` (the name in the
    user's language; core.exports quotes it for the header)."""
    name = capfirst(str(viewset.model._meta.verbose_name_plural)).replace("/", "-").replace('"', "")
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def export_response(viewset, request, file_format: str):
    rows = list_rows(viewset, request)
    if rows.filterset is not None and rows.filterset.is_bound and not rows.filterset.is_valid():
        messages.error(request, _("The filters are not valid; correct them before exporting."))
        return _back(request)
    # A bounded count: past the cap the exact number does not matter, and counting a huge
    # table whole would cost more than the answer is worth.
    count = rows.queryset.order_by()[: MAX_ROWS + 1].count()
    if count > MAX_ROWS:
        messages.error(
            request,
            _(
                "This list has more than %(limit)s rows, too many to export at once. "
                "Narrow it with the search or the filters, then export again."
            )
            % {"limit": f"{MAX_ROWS:,}"},
        )
        return _back(request)
    _record(viewset, request, file_format, count)
    headers = [column.label for column in rows.columns]
    records = _records(viewset, request, rows)
    name = filename(viewset, file_format)
    if file_format == "csv":
        return csv_response(_csv_rows(headers, records), name)
    return excel_response(_workbook(viewset, headers, records), name)


def _back(request):
    """The list again, with the user's filters (the message says why there is no file)."""
    query = request.GET.copy()
    query.pop("export", None)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


@transaction.atomic
def _record(viewset, request, file_format: str, count: int) -> ListExport:
    entry = ListExport.objects.create(
        user=request.user,
        list_key=viewset.model._meta.label_lower,
        file_format=file_format,
        query=list_parameters(viewset, request.GET, request).urlencode()[:1000],
        rows=count,
    )
    chain.append(entry)
    return entry


def _records(viewset, request, rows):
    """Each row's cells, chunk by chunk: ``prepare_page`` works out what the columns need for
    a chunk at once, as it does for a page."""
    queryset = rows.queryset
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not {"pk", "-pk", "id", "-id"} & {str(term) for term in ordering}:
        # Chunks are read by offset: the order must be total, or a row could come twice.
        queryset = queryset.order_by(*ordering, "pk")
    start = 0
    while True:
        chunk = list(queryset[start : start + CHUNK])
        if not chunk:
            return
        viewset.prepare_page(request, chunk)
        for obj in chunk:
            yield [plain_value(obj, column.name) for column in rows.columns]
        if len(chunk) < CHUNK:
            return
        start += CHUNK


# A text cell that starts like a formula would be run by Excel (CSV/formula injection: a client
# could name an inquiry "=HYPERLINK(…)"). Such text is written as text: in CSV after an
# apostrophe, as OWASP advises; in the workbook as a string cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value):
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_START) else value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _csv_rows(headers, records):
    yield headers
    for record in records:
        yield [_csv_text(value) for value in record]


def _workbook(viewset, headers, records):
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.styles import Font  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    book = Workbook(write_only=True)
    # A sheet's title is at most 31 characters and may not hold []:*?/\
    title = "".join(c for c in capfirst(str(viewset.model._meta.verbose_name_plural)) if c not in "[]:*?/\\")
    sheet = book.create_sheet(title[:31] or "Sheet")
    bold = Font(bold=True)
    header_cells = []
    for label in headers:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for record in records:
        cells = []
        for value in record:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    return book
