"""Request ids, request metrics and the Prometheus endpoint (issue 17).

``RequestMiddleware`` (first in settings.MIDDLEWARE) gives every request an id — the caller's
``X-Request-ID`` when it looks like one (core.logs.sane_request_id), else a new one — puts it on
every log line of the request (core.logs.request_id) and on the response's ``X-Request-ID``,
counts the request and times it, and writes one access line (logger ``onestop.access``) when
settings.ONESTOP_ACCESS_LOG is on.

``/metrics`` answers in Prometheus' text format, only to a bearer token equal to
settings.ONESTOP_METRICS_TOKEN or to a logged-in system administrator; to anybody else it is
"not found" (404), whatever the method. It reports:

- ``onestop_http_requests_total{method,route,status}`` — status as its class (2xx … 5xx), route
  as the URL's name (``core:attachment_download``; ``static`` for static files, ``unmatched``
  for an address no route knows), method as one of the HTTP methods or ``other``;
- ``onestop_http_request_duration_seconds{method,route}`` — a histogram;
- ``onestop_http_errors_total{method,route}`` — answers of 500 and above (a crash included);
- ``onestop_jobs_pending`` / ``onestop_jobs_scheduled`` — jobs waiting in the queue / waiting for
  their time (delayed jobs, retries); ``onestop_jobs_queue_up`` 1 or 0;
- ``onestop_job_failures_total{task}`` — failed job runs, counted in the queue (core.jobqueue),
  so the same on every app server.

Under gunicorn each worker process counts for itself: with ``PROMETHEUS_MULTIPROC_DIR`` set (an
empty folder per app server, see docs/deployment.md and onestop/gunicorn_conf.py) every answer
adds up all the processes of that server.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.functional import empty
from django.views.decorators.csrf import csrf_exempt
from huey.contrib import djhuey
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from onestop.core import logs
from onestop.core.predicates import is_system_admin

access_logger = logging.getLogger("onestop.access")
logger = logging.getLogger("onestop.metrics")

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "onestop_http_requests",
    "HTTP requests answered, by method, route and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "onestop_http_request_duration_seconds",
    "Time from the request reaching OneStop to its answer, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ERRORS = Counter(
    "onestop_http_errors",
    "Answers with a status of 500 or above (server errors), by method and route.",
    ["method", "route"],
)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "unnamed"
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.sane_request_id(request.headers.get("X-Request-ID")) or logs.new_request_id()
        request.request_id = request_id
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            self.record(request, response, elapsed)
        finally:
            logs.request_id.reset(token)
        return response

    @staticmethod
    def record(request, response, elapsed: float) -> None:
        method = request.method if request.method in METHODS else "other"
        route = route_of(request)
        status = response.status_code
        try:
            REQUESTS.labels(method, route, f"{status // 100}xx").inc()
            LATENCY.labels(method, route).observe(elapsed)
            if status >= 500:
                ERRORS.labels(method, route).inc()
        except Exception:  # counting must never cost the answer (e.g. a full metrics folder)
            logger.exception("request not counted")
        if getattr(settings, "ONESTOP_ACCESS_LOG", False):
            access_logger.info(
                "%s %s %s %.0f ms",
                request.method,
                request.path,
                status,
                elapsed * 1000,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "user_id": user_id(request),
                },
            )


def user_id(request) -> int | None:
    """The logged-in user's id if the request has looked the user up: the log line makes no
    query of its own (a database that is away raises nothing here)."""
    user = getattr(request, "user", None)
    if user is None or user.__dict__.get("_wrapped", user) is empty:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except Exception:
        return None


# --- the job queue, read at each scrape -------------------------------------------------------------


class JobsCollector:
    """The queue's length and failure counts, read from the queue itself (core.jobqueue)."""

    def describe(self):
        return []

    def collect(self):
        up = GaugeMetricFamily("onestop_jobs_queue_up", "1 when the job queue answered this scrape, else 0.")
        try:
            queue = djhuey.HUEY  # read at each scrape: the queue may be swapped (tests do)
            pending = queue.pending_count()
            scheduled = queue.scheduled_count()
            failures = queue.failures() if hasattr(queue, "failures") else {}
        except Exception as error:
            logger.warning("metrics: job queue unavailable: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("onestop_jobs_pending", "Jobs waiting in the queue to be run.", value=pending)
        yield GaugeMetricFamily(
            "onestop_jobs_scheduled", "Jobs waiting for their time (delayed jobs, retries).", value=scheduled
        )
        failed = CounterMetricFamily(
            "onestop_job_failures", "Failed job runs (an exception or a time-out), by task.", labels=["task"]
        )
        for task, count in failures.items():
            failed.add_metric([task], count)
        yield failed


JOBS_REGISTRY = CollectorRegistry(auto_describe=False)
JOBS_REGISTRY.register(JobsCollector())


def app_registry():
    """This process's metrics, or every process's of this app server in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def may_scrape(request) -> bool:
    token = getattr(settings, "ONESTOP_METRICS_TOKEN", "")
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and is_system_admin(user))


@csrf_exempt  # it changes nothing; a refused POST must look like any other refusal (404), not 403
def metrics(request):
    """Prometheus' scrape target (see the module's docstring): 404 unless allowed."""
    if request.method not in {"GET", "HEAD"} or not may_scrape(request):
        raise Http404
    body = generate_latest(app_registry()) + generate_latest(JOBS_REGISTRY)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
