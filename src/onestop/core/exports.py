"""Downloads of tables: Excel (openpyxl) and CSV, the same way for every app.

``csv_response`` streams: rows are written as they come from the iterator (a queryset's
``.iterator()``), so a long ledger or list never sits in memory whole. Excel opens UTF-8 CSV
correctly only with a byte-order mark, which it gets. ``excel_response`` answers a workbook.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

EXCEL_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> str:
    # A name in Chinese (a list's name) goes as RFC 6266 ``filename*``; plain ASCII as before.
    return content_disposition_header(True, filename)


def excel_response(workbook, filename: str) -> HttpResponse:
    """``workbook`` (openpyxl, write-only or not) as an ``.xlsx`` download named ``filename``."""
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=EXCEL_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_response(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """``rows`` (an iterable of sequences; None becomes empty) streamed as a CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(["" if value is None else value for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response
