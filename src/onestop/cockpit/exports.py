"""The cockpit's tables and drill-down lists as Excel or CSV (X-7): CSV streams, Excel is
openpyxl's write-only workbook, a text that looks like a formula stays text (as every list
export, core/list_export.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from onestop.core.exports import EXCEL_CONTENT_TYPE, csv_response, excel_response
from onestop.core.list_export import FORMULA_START

__all__ = ["EXCEL_CONTENT_TYPE", "add_sheet", "download", "drill_rows", "workbook"]

FORMATS = ("csv", "xlsx")
CHUNK = 2_000


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (int, float, Decimal, date)):
        return value
    return str(value)


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


def download(file_format: str, title: str, headers: list, rows, filename: str):
    """``rows``: an iterable of cell lists (read lazily: CSV streams them)."""
    if file_format == "csv":

        def lines():
            yield [str(h) for h in headers]
            for row in rows:
                yield [_csv_text(_cell(value)) for value in row]

        return csv_response(lines(), f"{filename}.csv")
    return excel_response(workbook(title, headers, rows), f"{filename}.xlsx")


def workbook(title: str, headers: list, rows):
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.styles import Font  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    book = Workbook(write_only=True)
    add_sheet(book, title, headers, rows, WriteOnlyCell, Font(bold=True))
    return book


def add_sheet(book, title, headers, rows, cell_class, bold):
    name = "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Sheet"
    sheet = book.create_sheet(name)
    header_cells = []
    for label in headers:
        cell = cell_class(sheet, value=str(label))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = _cell(value)
            cell = cell_class(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    return sheet


def drill_rows(queryset, columns):
    """A drill-down's cells, read in chunks (a fixed handful of queries per 2,000 rows)."""
    start = 0
    while True:
        chunk = list(queryset[start : start + CHUNK])
        for obj in chunk:
            yield [column.value(obj) for column in columns]
        if len(chunk) < CHUNK:
            return
        start += CHUNK
