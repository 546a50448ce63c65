"""Periodic jobs of people and organisations (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="4", minute="23"))
def apply_retention() -> int:
    """Nightly: anonymise the people of client organisations past ONESTOP_RETENTION_DAYS (off: 0)."""
    from onestop.accounts.clientdata import apply_retention

    return len(apply_retention())
