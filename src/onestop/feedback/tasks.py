"""Periodic jobs of the feedback stage (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onestop.feedback.services import remind_unanswered


@db_periodic_task(crontab(minute="15", hour="9"))
def remind_unanswered_surveys() -> None:
    """Every morning: remind clients of surveys still unanswered a week after the invitation."""
    remind_unanswered()
