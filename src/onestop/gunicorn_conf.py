"""gunicorn settings for OneStop's metrics: ``gunicorn -c python:onestop.gunicorn_conf onestop.wsgi …``.

Each gunicorn worker is a process of its own, and /metrics is answered by whichever worker gets
the scrape. With ``PROMETHEUS_MULTIPROC_DIR`` set to a folder of its own for this app server
(writable, on local disk), every worker writes its counts there and /metrics adds them all up
(core.metrics). This file empties that folder when gunicorn starts (counts of an earlier run
must not be added) and tells prometheus_client when a worker has gone. Without the variable it
changes nothing. Every other setting (bind, workers, …) is given on the command line as usual.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import multiprocess


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
