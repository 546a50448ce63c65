from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.notifications.services import process_deadlines


@db_periodic_task(crontab(minute="*/10"))
def check_deadlines() -> None:
    """Every ten minutes: reminders before deadlines, escalations after them."""
    process_deadlines()
