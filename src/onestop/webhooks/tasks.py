"""Background jobs of the webhooks (run by `onestop worker`; inline in the tests)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onestop.webhooks.services import deliver


@db_task()
def deliver_webhooks(ids: list[int]) -> int:
    """Soon after a commit: send the deliveries just queued."""
    return deliver(ids)


@db_periodic_task(crontab(minute="*"))
def send_due_webhooks() -> int:
    """Every minute: the retries whose time has come, and what a lost job left unsent."""
    return deliver()
