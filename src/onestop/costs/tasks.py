"""Periodic jobs of staff allocation and costs (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.costs import rollup


@db_periodic_task(crontab(minute="30", hour="2"))
def roll_up_costs() -> None:
    """Every night: the cost roll-up of this month so far and of the last month (RES-7)."""
    this_month = rollup.month_of(rollup.timezone.localdate())
    rollup.roll_up(rollup.previous_month(this_month))
    rollup.roll_up(this_month)
