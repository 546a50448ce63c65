from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def check_deadlines() -> None:
    """Every ten minutes: reminders before deadlines, escalations after them."""
    from onestop.notifications.services import process_deadlines

    process_deadlines()
