"""Periodic job of supervision (Huey): the compliance checks over all engagements."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.supervision import services
from onestop.supervision.states import Trigger


@db_periodic_task(crontab(minute="15", hour="5"))
def run_compliance_checks() -> None:
    """Every day at 05:15: run every check and raise the new findings."""
    services.run_checks(actor=None, trigger=Trigger.PERIODIC)
