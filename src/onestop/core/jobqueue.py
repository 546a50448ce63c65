"""OneStop's job queue: Huey's Redis and SQLite queues with three additions (issue 17).

- **Periodic jobs run once per minute, however many workers run.** Huey's scheduler in every
  ``onestop worker`` (periodic jobs are on by default) enqueues each due periodic job, so two
  workers would send every reminder twice. Here each worker first claims the job's minute in
  the queue's own storage (an atomic "set if absent": Redis HSETNX, SQLite INSERT OR ABORT);
  only the worker that claims it enqueues the job.
- **A job logs with the id of the request that queued it** (core.logs.request_id), so one id
  finds a page's lines and those of the e-mails it sent; a job queued by no request (a periodic
  one) logs with its own task id. The id travels in the task's keyword arguments under
  ``REQUEST_ID_KWARG`` and is taken out again before the task function runs.
- **Failed jobs are counted** in the queue's storage (shared by every worker and app server),
  per task: ``failures()`` reads them for /metrics (core.metrics).
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import datetime

import huey
from huey import signals
from huey.api import Task

from onestop.core import logs

logger = logging.getLogger("onestop.jobs")

REQUEST_ID_KWARG = "_onestop_request_id"
FAILURES_PREFIX = "onestop:job-failures:"
CLAIM_PREFIX = "onestop:periodic:"
# Claims are removed again after this many minutes (every worker's scheduler has looked by then).
CLAIM_MINUTES_KEPT = 10


class OneStopQueue(huey.Huey):
    """The additions, mixed into Huey's queue classes below."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._claims: deque[tuple[datetime, str]] = deque()
        self.signal(signals.SIGNAL_ERROR, signals.SIGNAL_TIMEOUT)(self._count_failure)

    # --- periodic jobs once ---------------------------------------------------------------
    def read_periodic(self, timestamp):
        if timestamp is None:
            timestamp = self._get_timestamp()
        due = super().read_periodic(timestamp)
        minute = timestamp.replace(second=0, microsecond=0)
        self._forget_old_claims(minute)
        claimed = []
        for task in due:
            key = f"{CLAIM_PREFIX}{self.task_name(task)}:{minute:%Y-%m-%dT%H:%M}"
            try:
                mine = self.storage.put_if_empty(key, b"1")
            except Exception:  # the queue is away: enqueueing will fail and say so
                logger.exception("periodic job %s: could not claim %s", self.task_name(task), minute)
                mine = True
            if mine:
                self._claims.append((minute, key))
                claimed.append(task)
            else:
                logger.debug(
                    "periodic job %s for %s: already queued by another worker", self.task_name(task), minute
                )
        return claimed

    def _forget_old_claims(self, minute: datetime) -> None:
        while self._claims and (minute - self._claims[0][0]).total_seconds() > CLAIM_MINUTES_KEPT * 60:
            _when, key = self._claims.popleft()
            try:
                self.storage.pop_data(key)
            except Exception:
                logger.warning("could not remove the periodic claim %s", key)

    # --- the request id travels with the job ----------------------------------------------
    def enqueue(self, task):
        self._carry_request_id(task)
        return super().enqueue(task)

    def add_schedule(self, task):  # a delayed job, or a retry queued by the failed run
        self._carry_request_id(task)
        return super().add_schedule(task)

    @staticmethod
    def _carry_request_id(task) -> None:
        current = logs.request_id.get()
        if current and isinstance(task, Task) and isinstance(task.kwargs, dict):
            task.kwargs.setdefault(REQUEST_ID_KWARG, current)

    def execute(self, task, timestamp=None):
        origin = task.kwargs.pop(REQUEST_ID_KWARG, None) if isinstance(task.kwargs, dict) else None
        request_token = logs.request_id.set(origin or task.id)
        job_token = logs.job.set(self.task_name(task))
        try:
            return super().execute(task, timestamp)
        finally:
            logs.job.reset(job_token)
            logs.request_id.reset(request_token)

    # --- failures ---------------------------------------------------------------------------
    def _count_failure(self, signal, task, *args):
        self.storage.incr(FAILURES_PREFIX + self.task_name(task))

    def task_name(self, task) -> str:
        """The task's registered name: ``onestop.core.tasks.deliver_mail``."""
        return self._registry.task_to_string(type(task))

    def task_names(self) -> list[str]:
        return sorted(getattr(self._registry, "_registry", {}))

    def failures(self) -> dict[str, int]:
        """Failed runs (an exception or a time-out; each retry counts) per task, since the queue
        was created."""
        return {name: int(self.storage.incr(FAILURES_PREFIX + name, 0)) for name in self.task_names()}


class RedisHuey(OneStopQueue, huey.RedisHuey):
    pass


class SqliteHuey(OneStopQueue, huey.SqliteHuey):
    pass


class MemoryHuey(OneStopQueue, huey.MemoryHuey):
    pass
