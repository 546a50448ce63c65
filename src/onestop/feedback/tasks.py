"""Periodic jobs of the feedback stage (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="15", hour="9"))
def remind_unanswered_surveys() -> None:
    """Every morning: remind clients of surveys still unanswered a week after the invitation."""
    from onestop.feedback.services import remind_unanswered

    remind_unanswered()
