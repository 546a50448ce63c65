"""Periodic jobs of people and organisations (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.accounts import clientdata


@db_periodic_task(crontab(hour="4", minute="23"))
def apply_retention() -> int:
    """Nightly: anonymise the people of client organisations past ONESTOP_RETENTION_DAYS (off: 0)."""
    return len(clientdata.apply_retention())
