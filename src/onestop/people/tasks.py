"""Periodic jobs of the people chapter (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.people.services import remind_expiring_certificates


@db_periodic_task(crontab(minute="30", hour="8"))
def remind_certificates() -> None:
    """Every morning: tell holders and their superiors of certificates entering their last 60 days."""
    remind_expiring_certificates()
