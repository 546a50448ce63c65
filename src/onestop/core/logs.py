"""Logging helpers: one line, not a traceback, for failures that are not bugs."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError


def database_unreachable(error: BaseException | None) -> bool:
    """Is ``error`` (or what caused it) the database being away, rather than a bug?"""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class DatabaseUnavailableFilter(logging.Filter):
    """While the database is away every request fails the same way; log one line each, without
    the 120-line traceback that would bury everything else."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and database_unreachable(record.exc_info[1]):
            error = record.exc_info[1]
            record.msg = "database unavailable: %s %s → 503 (%s)"
            record.args = (
                getattr(getattr(record, "request", None), "method", "-"),
                getattr(getattr(record, "request", None), "path", "-"),
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
            )
            record.exc_info = None
            record.exc_text = None
        return True
