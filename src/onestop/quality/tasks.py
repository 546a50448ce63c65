from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.quality.services import generate_due_inspections


@db_periodic_task(crontab(minute="15", hour="6"))
def generate_inspections() -> None:
    """Every morning: the scheduled inspections due in the current period of each QC plan (QA-2)."""
    generate_due_inspections()
