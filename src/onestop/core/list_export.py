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

A list longer than ``MAX_ROWS`` is refused with a message asking to narrow it. An Excel file of
more than ``BACKGROUND_ROWS`` rows is written by the job worker instead of while the browser
waits (``PreparedExport``): the user is told so and finds the link in their inbox when it is
ready. Chunks are read by primary key from the list's ordered keys (one query for the keys, then
one per chunk), so a long export costs in proportion to its rows, not their square as offsets
would. Every download
is recorded (``ListExport``: who, which list, which filters, how many rows), as a link of the
audit chain, before the file is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponseRedirect
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop.core import chain
from onestop.core.display import plain_value
from onestop.core.exports import csv_response, excel_response
from onestop.core.listing import list_parameters, list_rows
from onestop.core.models import ListExport, PreparedExport

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
    if file_format == "xlsx" and count > settings.ONESTOP_EXPORT_BACKGROUND_ROWS:
        _prepare_later(viewset, request, count)
        messages.success(
            request,
            _(
                "The list has %(rows)s rows: its Excel file is being prepared. You will find the link "
                "in your inbox when it is ready."
            )
            % {"rows": f"{count:,}"},
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
def _prepare_later(viewset, request, count: int) -> PreparedExport:
    entry = _record(viewset, request, "xlsx", count)
    query = request.GET.copy()
    query.pop("export", None)
    prepared = PreparedExport.objects.create(
        list_export=entry, path=f"{request.path}?{query.urlencode()}"[:300], name=filename(viewset, "xlsx")
    )
    from onestop.core.tasks import prepare_export  # noqa: PLC0415 — core.tasks imports this module for the job

    transaction.on_commit(lambda: prepare_export(prepared.pk))
    return prepared


def write_prepared(prepared: PreparedExport) -> None:
    """The job's work: the list as its owner sees it now, with the filters they chose, as Excel."""
    user = prepared.list_export.user
    path, _sep, query = prepared.path.partition("?")
    request = RequestFactory().get(path, data=None, QUERY_STRING=query)
    request.user = user
    request.LANGUAGE_CODE = getattr(user, "language", "") or settings.LANGUAGE_CODE
    viewset = getattr(resolve(path).func, "view_initkwargs", {})["viewset"]  # the list page's own ObjectViews
    rows = list_rows(viewset, request)
    headers = [column.label for column in rows.columns]
    book = _workbook(viewset, headers, _records(viewset, request, rows))
    buffer = BytesIO()
    book.save(buffer)
    prepared.file.save(prepared.name, ContentFile(buffer.getvalue()), save=False)


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
    a chunk at once, as it does for a page. The list's keys are read first, in its order (at most
    ``MAX_ROWS`` integers); each chunk is then fetched by key — an index lookup — and put back in
    that order, instead of an ``OFFSET`` that re-reads every row before the chunk."""
    queryset = rows.queryset
    keys = list(queryset.values_list("pk", flat=True)[:MAX_ROWS])
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        found = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=part)}
        chunk = [found[key] for key in part if key in found]
        viewset.prepare_page(request, chunk)
        for obj in chunk:
            yield [plain_value(obj, column.name) for column in rows.columns]


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
