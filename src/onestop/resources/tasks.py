"""Periodic jobs of the resources app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.resources.services import remind_equipment, remind_expired_documents


@db_periodic_task(crontab(minute="30", hour="7"))
def remind_resource_expiries() -> None:
    """Every morning: documents whose retention ran out; calibrations, warranties, licences and
    maintenance falling due in 30 days, 7 days or today."""
    remind_expired_documents()
    remind_equipment()
