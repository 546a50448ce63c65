"""Periodic jobs of the risk app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.risks import indicators


@db_periodic_task(crontab(minute="*/30"))
def compute_warnings() -> None:
    """Every half hour: measure the indicators from live data, raise and escalate warnings."""
    indicators.run()
