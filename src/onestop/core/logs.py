"""Logging helpers: one line, not a traceback, for failures that are not bugs; the request id on
every line; the text and JSON log formats (settings ONESTOP_LOG_FORMAT)."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

import pythonjsonlogger.json
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


# --- request ids and log formats (issue 17) -------------------------------------------------------
# Every request gets an id (core.metrics.RequestMiddleware sets it here for the request's thread);
# a background job runs with the id of the request that queued it (core.jobqueue). The logging
# filter below puts it on every line, whichever logger wrote it.

request_id: ContextVar[str | None] = ContextVar("onestop_request_id", default=None)
job: ContextVar[str | None] = ContextVar("onestop_job", default=None)

# An incoming X-Request-ID (from the proxy or the caller) is kept when it looks like an id: 8 to
# 128 letters, digits and . _ : - — anything else (spaces, quotes, line breaks) could forge or
# break a log line, and a new id is made instead.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    return value if value and REQUEST_ID_PATTERN.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` and ``job`` (``-`` outside a request or a job) to every record.

    Django logs a 4xx answer ("Not Found: /x") after the middleware has finished, when the
    request's context is gone: the id is then read from the request the record carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            carried = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = request_id.get() or carried or "-"
        if getattr(record, "job", None) is None:
            record.job = job.get() or "-"
        return True


def utc_timestamp(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-12-03T19:50:00.123Z."""
    moment = datetime.fromtimestamp(created, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """One readable line: ``<UTC time> <LEVEL> <logger> [<request id>] <message>`` (with
    ``job=<task>`` inside the brackets on a background job's lines)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        context = str(getattr(record, "request_id", "-"))
        job_name = getattr(record, "job", "-")
        if job_name != "-":
            context += f" job={job_name}"
        line = f"{utc_timestamp(record.created)} {record.levelname} {record.name} [{context}] {message}"
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object a line: ``timestamp`` (UTC ISO 8601), ``level``, ``logger``, ``message``,
    ``request_id``, ``job``, ``process``, anything passed as ``extra=``, and ``exc_info`` (the
    traceback as text) when there is one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "process"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        # Django's own records carry the request object: its path is what a log reader wants.
        kwargs.setdefault("json_default", str)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        request = log_data.pop("request", None)
        if request is not None and "path" not in log_data:
            log_data["path"] = getattr(request, "path", str(request))
        for key in ("request_id", "job"):  # "-" (none) is the text format's; JSON says null
            if log_data.get(key) == "-":
                log_data[key] = None
        log_data["timestamp"] = utc_timestamp(record.created)

    def process_log_record(self, log_data):
        # The time first, for people reading the lines too.
        return {"timestamp": log_data.pop("timestamp"), **log_data}
