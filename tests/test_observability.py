"""Issue 17, the operator's basics: a request id on every answer and every log line (jobs too),
text or JSON logs in UTC, /metrics for Prometheus (protected), periodic jobs once however many
workers run, and the worker printing each line once."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from huey.contrib import djhuey
from prometheus_client.parser import text_string_to_metric_families

from onestop import ops_settings
from onestop.core import jobqueue, logs
from onestop.core.roles import Role
from tests import urls as suite_urls

TOKEN = "s3cret-metrics-token-0123456789"
UTC_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def crash(request):
    raise RuntimeError("a bug")


def chatty(request):
    logging.getLogger("onestop.test").warning("first line of the request")
    logging.getLogger("onestop.test").info("second line of the request")
    return HttpResponse("ok")


# The suite's routes plus two made for these tests (a crash and a view that logs): the
# `test_routes` fixture makes this module the URL configuration.
urlpatterns = [
    path("test-crash/", crash, name="test-crash"),
    path("test-chatty/", chatty, name="test-chatty"),
    *suite_urls.urlpatterns,
]
handler400, handler403, handler404, handler500 = (
    suite_urls.handler400,
    suite_urls.handler403,
    suite_urls.handler404,
    suite_urls.handler500,
)


@pytest.fixture
def test_routes(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def console():
    """The console handler the settings configure (filters and formatter as in production),
    writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    yield handler, buffer
    handler.setStream(old_stream)
    handler.setFormatter(old_formatter)


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    answer = client.get("/metrics", **headers)
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def bearer(token=TOKEN):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- request ids ---------------------------------------------------------------------------------


def test_every_answer_carries_a_new_request_id(client, db):
    first, second = client.get("/healthz"), client.get("/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, db):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a9c.01:42")
    assert kept["X-Request-ID"] == "edge-7f3a9c.01:42"
    for forged in ["short", "two words here", 'quote"injection-1234', "x" * 129, "line\nbreak-123456"]:
        answer = client.get("/healthz", HTTP_X_REQUEST_ID=forged)
        assert answer["X-Request-ID"] != forged and re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])


def test_every_log_line_of_a_request_carries_its_id_in_json(client, db, console, test_routes, settings):
    handler, buffer = console
    handler.setFormatter(logs.JsonFormatter())
    settings.ONESTOP_ACCESS_LOG = True
    client.get("/test-chatty/", HTTP_X_REQUEST_ID="req-0001-chatty")
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0002-missing")  # Django logs "Not Found"
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    by_request = {}
    for line in lines:
        assert UTC_ISO.fullmatch(line["timestamp"]) and {"level", "logger", "message"} <= set(line)
        by_request.setdefault(line["request_id"], []).append(line)
    chatty_lines = by_request["req-0001-chatty"]
    assert [line["message"] for line in chatty_lines][:2] == [
        "first line of the request",
        "second line of the request",
    ]
    access = chatty_lines[-1]
    assert (
        access["logger"] == "onestop.access" and access["status"] == 200 and access["route"] == "test-chatty"
    )
    missing = by_request["req-0002-missing"]
    assert any(line["logger"] == "django.request" and "Not Found" in line["message"] for line in missing)
    assert {line["status"] for line in missing if line["logger"] == "onestop.access"} == {404}


def test_the_access_line_names_the_logged_in_user(client, cs_user, console, settings):
    handler, buffer = console
    handler.setFormatter(logs.JsonFormatter())
    settings.ONESTOP_ACCESS_LOG = True
    client.get("/healthz")
    client.force_login(cs_user)
    client.get("/")
    access = [json.loads(line) for line in buffer.getvalue().splitlines() if '"onestop.access"' in line]
    assert [(line["path"], line["user_id"]) for line in access] == [("/healthz", None), ("/", cs_user.pk)]


def test_a_crash_is_one_json_line_with_the_traceback_and_the_request_id(db, console, test_routes):
    handler, buffer = console
    handler.setFormatter(logs.JsonFormatter())
    answer = Client(raise_request_exception=False).get("/test-crash/", HTTP_X_REQUEST_ID="req-crash-0001")
    assert answer.status_code == 500 and answer["X-Request-ID"] == "req-crash-0001"
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["request_id"] == "req-crash-0001" and error["level"] == "ERROR"
    assert "RuntimeError: a bug" in error["exc_info"] and error["path"] == "/test-crash/"


def test_text_lines_show_the_utc_time_level_logger_and_request_id(client, db, console, test_routes):
    _handler, buffer = console  # the test settings are a development machine: text
    client.get("/test-chatty/", HTTP_X_REQUEST_ID="req-0003-text")
    line = buffer.getvalue().splitlines()[0]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING onestop\.test \[req-0003-text\] first line of the request",
        line,
    )


def test_the_log_format_and_metrics_token_are_checked_at_start(monkeypatch):
    monkeypatch.setenv("ONESTOP_LOG_FORMAT", "JSON")
    assert ops_settings.log_format(default="text") == "json"
    monkeypatch.delenv("ONESTOP_LOG_FORMAT")
    assert ops_settings.log_format(default="json") == "json"
    monkeypatch.setenv("ONESTOP_LOG_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_LOG_FORMAT"):
        ops_settings.log_format(default="text")
    monkeypatch.setenv("ONESTOP_METRICS_TOKEN", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 16"):
        ops_settings.metrics_token()
    monkeypatch.setenv("ONESTOP_METRICS_TOKEN", TOKEN)
    assert ops_settings.metrics_token() == TOKEN


# --- jobs ---------------------------------------------------------------------------------------------


@pytest.fixture
def queue():
    """A queue of OneStop's kind that keeps jobs until a worker takes them (not run at once)."""
    return jobqueue.MemoryHuey("test-jobs", utc=True)


def run_next(queue):
    task = queue.dequeue()
    assert task is not None
    return queue.execute(task)


def test_a_job_logs_with_the_id_of_the_request_that_queued_it(queue, console):
    _handler, buffer = console
    seen = {}

    @queue.task()
    def notify(recipient, greeting="hello"):
        seen.update(recipient=recipient, greeting=greeting)
        logging.getLogger("onestop.test").info("sending to %s", recipient)

    token = logs.request_id.set("req-0004-queued")
    try:
        notify("amy", greeting="hi")
    finally:
        logs.request_id.reset(token)
    run_next(queue)  # later, in a worker: no request around
    assert seen == {"recipient": "amy", "greeting": "hi"}  # the id is not handed to the function
    line = next(line for line in buffer.getvalue().splitlines() if "sending to amy" in line)
    assert "[req-0004-queued job=tests.test_observability.notify]" in line


def test_a_job_queued_by_no_request_logs_with_its_own_id(queue, console):
    _handler, buffer = console

    @queue.task()
    def tidy():
        logging.getLogger("onestop.test").info("tidying")

    result = tidy()
    run_next(queue)
    line = next(line for line in buffer.getvalue().splitlines() if "tidying" in line)
    assert f"[{result.id} job=tests.test_observability.tidy]" in line


def test_a_retried_job_keeps_the_request_id(queue, console):
    _handler, buffer = console
    runs = []

    @queue.task(retries=1, retry_delay=60)
    def shaky():
        runs.append(1)
        logging.getLogger("onestop.test").info("attempt %s", len(runs))
        if len(runs) == 1:
            raise ValueError("first attempt fails")

    token = logs.request_id.set("req-0005-retried")
    try:
        shaky()
    finally:
        logs.request_id.reset(token)
    run_next(queue)
    later = datetime(2100, 1, 1)
    [retry] = queue.read_schedule(later)  # the retry waited in the schedule
    queue.execute(retry, later)
    lines = [line for line in buffer.getvalue().splitlines() if "] attempt" in line]
    assert len(lines) == 2 and all("[req-0005-retried job=" in line for line in lines)


def test_failed_jobs_are_counted_per_task_and_retries_count_again(queue):
    @queue.task(retries=1)
    def flaky():
        raise ValueError("remote refused")

    @queue.task()
    def fine():
        return 1

    flaky()
    fine()
    run_next(queue)  # flaky fails, and is queued again for its retry
    run_next(queue)  # fine
    run_next(queue)  # flaky's retry fails too
    assert queue.failures() == {"tests.test_observability.fine": 0, "tests.test_observability.flaky": 2}


def test_the_project_queue_is_onestops(settings):
    assert djhuey.HUEY.__class__.__module__ == "onestop.core.jobqueue"
    assert ops_settings.huey_class("huey.RedisHuey") == "onestop.core.jobqueue.RedisHuey"
    assert ops_settings.huey_class("huey.SqliteHuey") == "onestop.core.jobqueue.SqliteHuey"


def test_two_workers_queue_a_periodic_job_once_a_minute(tmp_path):
    """Two workers (two queue objects on one SQLite queue, as two processes would be; Redis does
    the same with HSETNX) each look for due periodic jobs at the same minute: one queues it."""
    from huey import crontab

    workers = [jobqueue.SqliteHuey("periodic", filename=str(tmp_path / "jobs.sqlite3")) for _ in range(2)]

    def reminders():
        return None

    for worker in workers:
        worker.periodic_task(crontab(minute="*"), name="reminders")(reminders)
    nine = datetime(2026, 12, 3, 9, 0, 5)
    assert [len(worker.read_periodic(nine)) for worker in workers] == [1, 0]
    # The next minute, whichever worker looks first takes it.
    nine_01 = datetime(2026, 12, 3, 9, 1, 2)
    assert [len(worker.read_periodic(nine_01)) for worker in reversed(workers)] == [1, 0]
    # Claims are tidied away after ten minutes by the worker that made them.
    later = datetime(2026, 12, 3, 9, 20, 0)
    workers[0].read_periodic(later)
    assert not workers[0].storage.has_data_for_key("onestop:periodic:reminders:2026-12-03T09:00")


def test_the_worker_prints_each_line_once_in_utc(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onestop.settings",
        "ONESTOP_DEV": "1",
        "ONESTOP_DATA_DIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "REDIS_URL": "",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite database in tmp_path, never a shared one
    worker = subprocess.Popen(
        [sys.executable, "-m", "onestop.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Periodic tasks are enabled" in line:
                break
    finally:
        worker.terminate()
        rest = worker.communicate(timeout=30)[0]
    lines += rest.splitlines()
    started = [line for line in lines if "Huey consumer started" in line]
    assert len(started) == 1, "\n".join(lines)
    assert UTC_ISO.match(started[0]) and " INFO huey.consumer [-] " in started[0]


# --- /metrics ---------------------------------------------------------------------------------------


def test_metrics_are_not_found_without_the_token_or_a_system_administrator(client, personas, settings):
    settings.ONESTOP_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", **bearer("wrong-token-0123456789")).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404  # no "Bearer"
    assert client.post("/metrics", **bearer()).status_code == 404
    client.force_login(personas["hr"])
    assert client.get("/metrics").status_code == 404
    client.force_login(personas["admin"])
    assert client.get("/metrics").status_code == 200
    client.logout()
    answer = client.get("/metrics", **bearer())
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    settings.ONESTOP_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_management_user_is_not_a_system_administrator_for_metrics(client, make_user):
    client.force_login(make_user(Role.MANAGEMENT, username="boss"))
    assert client.get("/metrics").status_code == 404


def test_requests_are_counted_by_method_route_and_status_class_and_timed(client, db, settings, test_routes):
    settings.ONESTOP_METRICS_TOKEN = TOKEN
    before = scrape(client, **bearer())
    for _ in range(3):
        client.get("/healthz")
    client.post("/healthz")  # 200: healthz answers any method
    client.get("/no-such-page/")
    Client(raise_request_exception=False).get("/test-crash/")
    after = scrape(client, **bearer())

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("onestop_http_requests_total", method="GET", route="healthz", status="2xx") == 3
    assert grew("onestop_http_requests_total", method="POST", route="healthz", status="2xx") == 1
    assert grew("onestop_http_requests_total", method="GET", route="unmatched", status="4xx") == 1
    assert grew("onestop_http_requests_total", method="GET", route="test-crash", status="5xx") == 1
    assert grew("onestop_http_errors_total", method="GET", route="test-crash") == 1
    assert grew("onestop_http_errors_total", method="GET", route="healthz") == 0
    assert grew("onestop_http_request_duration_seconds_count", method="GET", route="healthz") == 3
    assert grew("onestop_http_request_duration_seconds_bucket", method="GET", route="healthz", le="+Inf") == 3


def test_metrics_report_the_queue_length_and_job_failures(client, db, settings, queue, monkeypatch):
    settings.ONESTOP_METRICS_TOKEN = TOKEN

    @queue.task()
    def broken():
        raise RuntimeError("never works")

    @queue.task()
    def waiting():
        return None

    broken()
    run_next(queue)
    waiting()
    waiting()
    monkeypatch.setattr(djhuey, "HUEY", queue)
    samples = scrape(client, **bearer())
    assert samples[("onestop_jobs_queue_up", ())] == 1
    assert samples[("onestop_jobs_pending", ())] == 2
    assert samples[("onestop_jobs_scheduled", ())] == 0
    assert samples[("onestop_job_failures_total", (("task", "tests.test_observability.broken"),))] == 1
    assert samples[("onestop_job_failures_total", (("task", "tests.test_observability.waiting"),))] == 0


def test_metrics_say_when_the_queue_is_away(client, db, settings, queue, monkeypatch):
    settings.ONESTOP_METRICS_TOKEN = TOKEN

    def away():
        raise ConnectionError("redis is away")

    monkeypatch.setattr(queue, "pending_count", away)
    monkeypatch.setattr(djhuey, "HUEY", queue)
    samples = scrape(client, **bearer())
    assert samples[("onestop_jobs_queue_up", ())] == 0
    assert ("onestop_jobs_pending", ()) not in samples


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_under_gunicorn_the_metrics_add_up_every_worker_process(tmp_path):
    """Two gunicorn workers each answer some requests; with PROMETHEUS_MULTIPROC_DIR any worker's
    /metrics counts them all (onestop.gunicorn_conf clears the folder at start)."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_99999.db").write_bytes(b"stale counts of an earlier run")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onestop.settings",
        "ONESTOP_DEV": "1",
        "ONESTOP_DATA_DIR": str(tmp_path / "data"),
        "ONESTOP_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "REDIS_URL": "",
    }
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "python:onestop.gunicorn_conf",
            "onestop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def healthz_count() -> float:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        text = urllib.request.urlopen(request, timeout=30).read().decode()
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "onestop_http_requests_total" and sample.labels["route"] == "healthz"
        )

    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)
                break
            except OSError:
                time.sleep(0.2)
        before = healthz_count()
        # One worker is kept busy by a request that has not finished arriving, so the other
        # answers the next ten; then the first finishes it and both answer ten more.
        held = socket.create_connection(("127.0.0.1", port), timeout=30)
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(10):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)
        held.sendall(b"Connection: close\r\n\r\n")
        assert b"200 OK" in held.recv(1024)
        held.close()
        for _ in range(10):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)
        files = {path.name for path in folder.glob("*.db")}
        assert len({name.rsplit("_", 1)[1] for name in files}) == 2, files  # both workers counted
        # Scraped a few times (any worker may answer): always the sum of both workers' counts.
        assert [healthz_count() - before for _ in range(4)] == [21, 21, 21, 21]
        assert "counter_99999.db" not in files
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def test_metrics_and_health_checks_answer_over_plain_http_where_pages_redirect_to_https(client, db, settings):
    """Prometheus and load balancers probe each app server directly, without TLS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ONESTOP_METRICS_TOKEN = TOKEN
    assert client.get("/login/").status_code == 301
    assert client.get("/metrics", **bearer()).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 404  # still not without the token
