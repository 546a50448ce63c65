"""Periodic job of the cockpit (Huey): the scheduled reports."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.cockpit.reports import send_due


@db_periodic_task(crontab(minute="30", hour="6"))
def send_scheduled_reports() -> None:
    """Every morning at 6:30: the weekly reports on Mondays, the monthly ones on the 1st."""
    send_due()
