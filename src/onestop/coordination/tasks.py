"""Periodic job of the coordination stage: scheduled client progress reports (PRJ-3)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.coordination.services import send_due_reports


@db_periodic_task(crontab(minute="15", hour="7"))
def send_scheduled_client_reports() -> int:
    """Every morning: prepare and send the progress reports whose schedule is due (idempotent)."""
    return send_due_reports()
