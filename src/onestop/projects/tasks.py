"""Background jobs of project implementation (run by `onestop worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.projects.services import remind_due_reports


@db_periodic_task(crontab(minute="5", hour="8"))
def remind_progress_reports() -> None:
    """Every morning: announce the progress reports due this period (PRJ-2); idempotent."""
    remind_due_reports()
