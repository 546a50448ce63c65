"""What an operator relies on in production (issue 17): the API schema cannot be used to load
the site, lockout and rate limits work behind a proxy, a clean 503 when the database is away."""

from __future__ import annotations

import contextlib
import logging
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onestop.core import limits
from onestop.core.roles import Role
from onestop.core.views_pages import SchemaView


def test_the_api_schema_answers_only_logged_in_users(cs_user):
    assert APIClient().get("/api/schema/").status_code == 401
    api = APIClient()
    api.force_authenticate(cs_user)
    assert api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200


def test_the_api_docs_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_api_schema_is_generated_once_per_process_and_language(cs_user):
    SchemaView._cache.clear()
    api = APIClient()
    api.force_authenticate(cs_user)
    generate = SchemaView.generator_class.get_schema
    with mock.patch.object(
        SchemaView.generator_class, "get_schema", autospec=True, side_effect=generate
    ) as spy:
        first = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        second = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert spy.call_count == 1


# --- lockout and rate limits behind the reverse proxy ------------------------------------------

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def _login(client, username, password, address):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
        **PROXY,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.ONESTOP_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    cache.clear()
    yield
    cache.clear()


def test_the_client_address_comes_from_the_proxy_header_only_when_the_proxy_is_trusted(rf, settings):
    settings.ONESTOP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.7")
    assert limits.client_ip(request) == "203.0.113.9"
    # Someone else writing the header is not believed.
    request = rf.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert limits.client_ip(request) == "198.51.100.4"
    # A client cannot hide behind an address it writes itself in front of the real one.
    request = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert limits.client_ip(request) == "203.0.113.9"


def test_wrong_passwords_behind_the_proxy_lock_that_address_and_not_the_account_for_everyone(
    client, behind_proxy, make_user
):
    boss = make_user(Role.MANAGEMENT, username="boss")
    boss.set_password("right-password-1")
    boss.save()
    for _ in range(5):
        _login(client, "boss", "wrong", "203.0.113.5")
    assert _login(client, "boss", "right-password-1", "203.0.113.5").status_code == 429
    # The manager, from their own office, still logs in.
    response = _login(client, "boss", "right-password-1", "198.51.100.7")
    assert response.status_code == 302 and response.url == reverse("home")


def test_an_address_trying_many_user_names_is_stopped(client, behind_proxy, settings, make_user):
    settings.ONESTOP_LOGIN_FAILURES_PER_ADDRESS = 6
    make_user(Role.FINANCE, username="fin").set_password("right-password-1")
    for index in range(6):
        _login(client, f"guess{index}", "wrong", "203.0.113.66")
    assert _login(client, "fin", "right-password-1", "203.0.113.66").status_code == 429
    assert _login(client, "guess9", "wrong", "198.51.100.8").status_code == 200  # another address


def test_password_reset_mails_are_limited_per_address_and_per_account(
    client, behind_proxy, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.CUSTOMER_SERVICE, username="lin", email="lin@example.com")
    # The mail leaves through the outbox once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.post(
                reverse("password_reset"),
                {"email": "lin@example.com"},
                HTTP_X_FORWARDED_FOR="203.0.113.1",
                **PROXY,
            )
            assert response.status_code == 302
        client.post(
            reverse("password_reset"),
            {"email": "lin@example.com"},
            HTTP_X_FORWARDED_FOR="203.0.113.2",
            **PROXY,
        )
    assert len(mail.outbox) == 3  # the fourth for the same account is not sent
    for index in range(2):
        client.post(
            reverse("password_reset"),
            {"email": f"n{index}@example.com"},
            HTTP_X_FORWARDED_FOR="203.0.113.1",
            **PROXY,
        )
    response = client.post(
        reverse("password_reset"), {"email": "n9@example.com"}, HTTP_X_FORWARDED_FOR="203.0.113.1", **PROXY
    )
    assert response.status_code == 429


def test_the_api_is_throttled_per_user_and_per_address(
    behind_proxy, cs_user, finance_user, hr_user, monkeypatch
):
    rates = {"user": "3/min", "anon": "2/min", "address": "5/min"}
    for throttle in (limits.UserThrottle, limits.AnonymousThrottle, limits.AddressThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)

    def get(user, address):
        api = APIClient()
        api.force_authenticate(user)
        return api.get("/api/me/", HTTP_X_FORWARDED_FOR=address, **PROXY)

    codes = [get(cs_user, "203.0.113.3").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert get(cs_user, "203.0.113.3").json()["code"] == "throttled"
    # Two other users from one address share that address's budget (5 a minute).
    codes = [get(user, "203.0.113.4").status_code for user in (finance_user, hr_user) * 3]
    assert codes == [200, 200, 200, 200, 200, 429]


# --- the database away ---------------------------------------------------------------------------


@contextlib.contextmanager
def database_away():
    """Every new query fails as when the database server does not answer, until the block ends."""
    from django.db.backends.base import base

    def refuse(self):
        raise OperationalError(
            'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'
        )

    # Restored when the block ends, before the test database is torn down.
    with mock.patch.object(base.BaseDatabaseWrapper, "cursor", refuse):
        yield


def test_pages_and_the_api_answer_503_while_the_database_is_away_and_recover_by_themselves(
    client, cs_user, monkeypatch, caplog
):
    client.force_login(cs_user)
    token = Token.objects.create(user=cs_user)
    client.raise_request_exception = False
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with database_away(), caplog.at_level(logging.WARNING, logger="django.request"):
        page = client.get(reverse("home"))
        answer = api.get("/api/me/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "briefly unavailable" in page.content.decode() or "暫時" in page.content.decode()
    assert answer.status_code == 503 and answer["Content-Type"] == "application/json"
    assert answer.json()["code"] == "unavailable"
    formatted = [
        caplog.handler.format(record) for record in caplog.records if record.name == "django.request"
    ]
    assert formatted and all("Traceback" not in line for line in formatted)
    assert client.get(reverse("home")).status_code == 200
    assert api.get("/api/me/").status_code == 200


# --- no mail lost when the worker dies ----------------------------------------------------------


def test_mail_queued_while_the_worker_is_down_is_sent_once_by_the_periodic_sender(
    cs_user, monkeypatch, django_capture_on_commit_callbacks
):
    from onestop.core import mail as outbox
    from onestop.core import tasks
    from onestop.core.models import OutgoingMail
    from onestop.notifications import services as notifications

    # The worker is killed: the jobs that would send right after the commit never run.
    monkeypatch.setattr(outbox, "enqueue_delivery", lambda ids: None)
    monkeypatch.setattr(notifications, "enqueue_delivery", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(20):
            tasks.send_email(f"回覆 {index}", "內容", [f"client{index}@example.com"])
        notifications.notify([cs_user], title="新諮詢待轉交", body="華信智能來電")
    assert mail.outbox == []
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 21
    # The next worker's periodic job sends every one of them, once.
    assert tasks.send_pending_mail.call_local() == 21
    assert tasks.send_pending_mail.call_local() == 0
    assert len(mail.outbox) == 21
    assert sorted(m.to[0] for m in mail.outbox)[0] == "client0@example.com"


def test_a_mail_being_sent_by_one_worker_is_not_sent_by_another(db):
    from django.utils import timezone

    from onestop.core import mail as outbox
    from onestop.core.models import OutgoingMail

    row = OutgoingMail.objects.create(subject="s", body="b", recipients=["a@example.com"])
    now = timezone.now()
    assert outbox._claim(row.pk, now) is True
    assert outbox._claim(row.pk, now) is False  # the second worker finds it claimed
    assert outbox.deliver(now=now) == 0
    # A claim that ran out (the worker died mid-send) lets the mail go out after all.
    assert outbox.deliver(now=now + outbox.CLAIM_FOR * 2) == 1
    assert len(mail.outbox) == 1


def test_a_mail_server_that_refuses_is_retried_later_and_given_up_after_many_attempts(db, monkeypatch):
    from django.utils import timezone

    from onestop.core import mail as outbox
    from onestop.core.models import OutgoingMail

    row = OutgoingMail.objects.create(subject="s", body="b", recipients=["a@example.com"])

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp.example.com:587")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    now = timezone.now()
    for attempt in range(outbox.MAX_ATTEMPTS):
        assert outbox.deliver(now=now + timezone.timedelta(days=attempt)) == 0
    row.refresh_from_db()
    assert row.attempts == outbox.MAX_ATTEMPTS and row.gave_up_at is not None
    assert "smtp.example.com" in row.last_error


# --- health checks ---------------------------------------------------------------------------


def test_healthz_answers_without_a_log_in_and_without_the_database(client):
    with database_away():
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_job_queue(client, db):
    response = client.get("/readyz")
    assert response.json() == {"status": "ok", "database": "ok", "jobs": "ok"}
    assert response.status_code == 200
    with database_away():
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"
    assert response["Retry-After"]
