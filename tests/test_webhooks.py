"""X-8 webhooks: signed events for stage changes, signatures and warnings, sent by the worker
from an outbox, retried, logged, and managed by system administrators only.

The receivers are real HTTP servers on 127.0.0.1 (http.server in a thread): what they get is
exactly what an integrator's server would get.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.core.roles import Role
from onestop.notifications import services as notifications
from onestop.webhooks import services
from onestop.webhooks.models import Delivery, Endpoint
from tests.factories import PASSWORD, ClientContactFactory
from tests.generic import ModelTestBase
from tests.test_engagements import new_engagement
from tests.workflow_app.models import Ticket

# --- a real receiver --------------------------------------------------------------------------


class Receiver:
    """An HTTP server that records every POST and answers ``status`` (changeable)."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": self.headers, "body": body})
                answer = b'{"ok": true}' if receiver.status < 300 else b"receiver is down"
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/onestop"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self, type_=None) -> list[dict]:
        found = [json.loads(request["body"]) for request in self.requests]
        return [event for event in found if type_ is None or event["type"] == type_]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def technician(make_user):
    return make_user(Role.TECHNICIAN, username="tech", full_name="張偉")


@pytest.fixture
def contact_a(org_a):
    return ClientContactFactory(organization=org_a, name="陳建華", email="chen@a.example")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def verifies(secret: str, body: bytes, header: str) -> bool:
    """What the user guide tells a receiver to do."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def make_endpoint(admin, url, events=("stage.changed",), **extra) -> dict:
    response = api(admin).post(
        "/api/webhooks/endpoints/",
        {"name": "ERP", "url": url, "events": list(events), **extra},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- stage changes -------------------------------------------------------------------------------


def test_X_8_a_stage_change_reaches_a_real_receiver_signed_with_the_endpoints_secret(
    client,
    personas,
    technician,
    org_a,
    contact_a,
    receiver,
    django_capture_on_commit_callbacks,
):
    admin, cs = personas["admin"], personas["cs"]
    endpoint = make_endpoint(admin, receiver.url)
    secret = endpoint["secret"]
    assert len(secret) == 64
    engagement = new_engagement(cs, org_a, contact_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(cs).post(
            f"/api/engagements/{engagement.pk}/forward/", {"technician": technician.pk}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert receiver.requests == []  # nothing leaves before the commit

    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert verifies(secret, body, headers["X-OneStop-Signature"])
    assert not verifies("another secret", body, headers["X-OneStop-Signature"])
    assert headers["X-OneStop-Event"] == "stage.changed"
    delivery = Delivery.objects.get()
    assert headers["X-OneStop-Delivery"] == str(delivery.uuid)
    assert headers["Content-Type"].startswith("application/json")
    assert "X-OneStop-Signature" in [name for name, _value in headers.items()]  # spelt as documented

    event = json.loads(body)
    assert event["type"] == "stage.changed"
    assert event["id"] == str(delivery.event_id)
    assert event["occurred_at"].endswith("Z")
    assert event["record"] == {
        "kind": "engagements.engagement",
        "id": engagement.pk,
        "number": engagement.code,
        "title": engagement.title,
    }
    assert (event["from_state"], event["to_state"]) == ("inquiry", "assessment")
    assert event["details"] == {"transition": "forward"}
    assert event["actor"] == "cs"
    assert event["engagement"] == engagement.code
    # Nothing personal beyond the acting user's user name.
    text = body.decode()
    for personal in (contact_a.name, contact_a.email, org_a.name, technician.username, cs.email):
        assert personal not in text

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    client.force_login(admin)
    log = client.get(reverse("webhooks:endpoint_deliveries", args=[endpoint["id"]])).content.decode()
    assert f'id="delivery-{delivery.pk}" data-status="delivered" data-attempts="1"' in log
    assert "HTTP 200" in log


def test_X_8_a_transition_of_any_record_is_announced_and_a_failed_one_leaves_nothing_behind(
    personas, receiver, django_capture_on_commit_callbacks
):
    admin = personas["admin"]
    make_endpoint(admin, receiver.url)
    ticket = Ticket.objects.create(title="檢驗", description="年度檢驗")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(f"/test-api/tickets/{ticket.pk}/submit/", {}, format="json")
        assert response.status_code == 200, response.json()
    (event,) = receiver.events()
    assert event["record"]["kind"] == "workflow_app.ticket"
    assert (event["from_state"], event["to_state"], event["engagement"]) == ("draft", "submitted", None)

    # The outbox row is written in the change's transaction: a change rolled back sends nothing.
    from onestop.core.workflow import perform_transition

    ticket.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        perform_transition(ticket, "approve", actor=admin)
        raise RuntimeError("the action failed after the transition")
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_X_8_endpoints_get_only_the_events_they_subscribed_to_and_only_while_active(
    personas, receiver, django_capture_on_commit_callbacks
):
    admin = personas["admin"]
    make_endpoint(admin, receiver.url, events=["signature.recorded"])
    make_endpoint(admin, receiver.url, events=["stage.changed"], active=False)
    ticket = Ticket.objects.create(title="檢驗", description="年度檢驗")
    with django_capture_on_commit_callbacks(execute=True):
        assert api(admin).post(f"/test-api/tickets/{ticket.pk}/submit/", {}, format="json").status_code == 200
    assert receiver.requests == []
    assert not Delivery.objects.exists()


# --- signatures and warnings -------------------------------------------------------------------


def test_X_8_a_signature_is_announced_with_its_form_and_role(
    personas, receiver, django_capture_on_commit_callbacks
):
    admin, client_a = personas["admin"], personas["client_a"]
    endpoint = make_endpoint(admin, receiver.url, events=["signature.recorded", "stage.changed"])
    ticket = Ticket.objects.create(
        title="檢驗", description="年度檢驗", client_organization=client_a.client_organization
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(client_a).post(
            "/api/signatures/",
            {
                "record_type": "workflow_app.ticket",
                "object_id": ticket.pk,
                "document": "ticket_form",
                "role": "client",
                "password": PASSWORD,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    (event,) = receiver.events("signature.recorded")
    assert event["actor"] == "client.a"
    assert event["record"]["id"] == ticket.pk
    assert event["details"] == {
        "signature": response.json()["id"],
        "document": "ticket_form",
        "version": 1,
        "role": "client",
    }
    (request,) = receiver.requests
    assert verifies(endpoint["secret"], request["body"], request["headers"]["X-OneStop-Signature"])


def test_X_8_a_deadline_reminder_and_its_escalation_are_announced_as_warnings(
    personas, receiver, django_capture_on_commit_callbacks
):
    admin, cs = personas["admin"], personas["cs"]
    make_endpoint(admin, receiver.url, events=["warning.raised"])
    ticket = Ticket.objects.create(title="檢驗", description="年度檢驗")
    now = timezone.now()
    notifications.set_deadline(
        ticket, title="Check the ticket", kind="ticket_check", due_at=now + timedelta(hours=2), responsible=cs
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.process_deadlines(now)  # within a day of the deadline: the reminder
        notifications.process_deadlines(now + timedelta(hours=3))  # past it: the escalation
    reminder, overdue = receiver.events("warning.raised")
    assert reminder["details"]["level"] == "reminder"
    assert overdue["details"]["level"] == "overdue"
    assert overdue["details"]["deadline"] == "ticket_check"
    assert overdue["details"]["due_at"].endswith("Z")
    assert overdue["record"]["kind"] == "workflow_app.ticket"
    assert overdue["actor"] is None  # the system raised it
    assert "Check the ticket" not in json.dumps(overdue)


# --- retries and the delivery log ---------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_X_8_a_failing_receiver_is_retried_with_growing_pauses_and_the_log_shows_each_attempt(
    client, personas, receiver, django_capture_on_commit_callbacks
):
    admin = personas["admin"]
    receiver.status = 500
    endpoint = Endpoint.objects.get(pk=make_endpoint(admin, receiver.url)["id"])
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:endpoint_send_test", args=[endpoint.pk]))
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.event_type == "webhook.test"
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_response == "receiver is down"
    pause = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=59) < pause <= timedelta(minutes=1)

    # The periodic job sends nothing before the pause is over…
    assert services.deliver() == 0
    assert len(receiver.requests) == 1
    # …and tries again once it is, each pause longer than the one before.
    pauses = [pause]
    for attempt in range(2, 6):
        services.deliver(now=delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if delivery.next_attempt_at:
            pauses.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert pauses == sorted(pauses) and len(set(pauses)) == 4
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)  # five attempts, then no more
    assert len(receiver.requests) == 5
    assert len({request["headers"]["X-OneStop-Delivery"] for request in receiver.requests}) == 1
    assert services.deliver(now=timezone.now() + timedelta(days=1)) == 0

    log = client.get(reverse("webhooks:endpoint_deliveries", args=[endpoint.pk])).content.decode()
    assert 'data-status="failed" data-attempts="5"' in log
    assert "HTTP 500" in log and "receiver is down" in log

    # Once the receiver is back, "redeliver" sends the same event again as a new delivery.
    receiver.status = 204
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:delivery_redeliver", args=[delivery.pk]))
    assert response.status_code == 302
    again = Delivery.objects.exclude(pk=delivery.pk).get()
    assert (again.status, again.event_id, again.redelivery_of) == ("delivered", delivery.event_id, delivery)
    assert receiver.requests[-1]["body"] == receiver.requests[0]["body"]
    log = client.get(reverse("webhooks:endpoint_deliveries", args=[endpoint.pk])).content.decode()
    assert 'data-status="delivered" data-attempts="1"' in log and "HTTP 204" in log


def test_X_8_an_unreachable_receiver_counts_as_a_failed_attempt_with_the_reason(
    personas, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = make_endpoint(personas["admin"], f"http://127.0.0.1:{port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(personas["admin"]).post(f"/api/webhooks/endpoints/{endpoint['id']}/send-test/")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["event_type"] == "webhook.test"
    delivery = Delivery.objects.get(pk=body["id"])
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at > timezone.now()


def test_X_8_the_api_lists_deliveries_and_redelivers_only_finished_ones(
    personas, receiver, django_capture_on_commit_callbacks
):
    admin = personas["admin"]
    endpoint = make_endpoint(admin, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        api(admin).post(f"/api/webhooks/endpoints/{endpoint['id']}/send-test/")
    listed = api(admin).get("/api/webhooks/deliveries/", {"endpoint": endpoint["id"]}).json()
    (row,) = listed["results"]
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("delivered", 1, 200)
    assert api(admin).get("/api/webhooks/deliveries/", {"status": "failed"}).json()["results"] == []
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(f"/api/webhooks/deliveries/{row['id']}/redeliver/")
    assert response.status_code == 201, response.json()
    assert response.json()["redelivery_of"] == row["id"]
    assert len(receiver.requests) == 2

    pending = Delivery.objects.create(
        endpoint_id=endpoint["id"],
        event_id=row["event_id"],
        event_type="webhook.test",
        body="{}",
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    response = api(admin).post(f"/api/webhooks/deliveries/{pending.pk}/redeliver/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_possible_now"


def test_X_8_rotating_the_secret_signs_the_next_deliveries_with_the_new_one(
    client, personas, receiver, django_capture_on_commit_callbacks
):
    admin = personas["admin"]
    endpoint = make_endpoint(admin, receiver.url)
    response = api(admin).post(f"/api/webhooks/endpoints/{endpoint['id']}/rotate-secret/")
    assert response.status_code == 200, response.json()
    secret = response.json()["secret"]
    assert secret != endpoint["secret"]
    assert api(admin).get(f"/api/webhooks/endpoints/{endpoint['id']}/secret/").json()["secret"] == secret
    with django_capture_on_commit_callbacks(execute=True):
        api(admin).post(f"/api/webhooks/endpoints/{endpoint['id']}/send-test/")
    (request,) = receiver.requests
    assert verifies(secret, request["body"], request["headers"]["X-OneStop-Signature"])
    assert not verifies(endpoint["secret"], request["body"], request["headers"]["X-OneStop-Signature"])
    # The history says the secret changed and by whom, but keeps no copy of it.
    record = Endpoint.objects.get(pk=endpoint["id"])
    assert record.history.first().history_user == admin
    assert not hasattr(record.history.first(), "secret")

    client.force_login(admin)
    page = client.get(reverse("webhooks:endpoint_detail", args=[endpoint["id"]])).content.decode()
    assert secret in page  # revealed to the system administrator on the endpoint's page
    assert reverse("webhooks:endpoint_rotate_secret", args=[endpoint["id"]]) in page
    assert reverse("webhooks:endpoint_send_test", args=[endpoint["id"]]) in page
    response = client.post(reverse("webhooks:endpoint_rotate_secret", args=[endpoint["id"]]))
    assert response.status_code == 302
    assert Endpoint.objects.get(pk=endpoint["id"]).secret != secret


# --- who may ---------------------------------------------------------------------------------------


def test_X_8_only_system_administrators_see_or_manage_webhooks(client, personas, receiver):
    endpoint = make_endpoint(personas["admin"], receiver.url)
    delivery = Delivery.objects.create(
        endpoint_id=endpoint["id"],
        event_id=endpoint_uuid(),
        event_type="webhook.test",
        body="{}",
        status="failed",
    )
    for name in ("hr", "cs", "finance", "client_a"):
        user = personas[name]
        client.force_login(user)
        assert client.get(reverse("webhooks:endpoint_list")).status_code == 403, name
        assert client.get(reverse("webhooks:endpoint_detail", args=[endpoint["id"]])).status_code == 404, name
        assert client.get(reverse("webhooks:endpoint_deliveries", args=[endpoint["id"]])).status_code == 404
        assert client.post(reverse("webhooks:endpoint_send_test", args=[endpoint["id"]])).status_code == 404
        assert (
            client.post(reverse("webhooks:endpoint_rotate_secret", args=[endpoint["id"]])).status_code == 404
        )
        assert client.post(reverse("webhooks:delivery_redeliver", args=[delivery.pk])).status_code == 404
        rest = api(user)
        assert rest.get("/api/webhooks/endpoints/").status_code == 403
        assert rest.get(f"/api/webhooks/endpoints/{endpoint['id']}/secret/").status_code == 403
        assert rest.post(f"/api/webhooks/endpoints/{endpoint['id']}/send-test/").status_code == 403
        assert rest.get("/api/webhooks/deliveries/").status_code == 403
        assert rest.post(f"/api/webhooks/deliveries/{delivery.pk}/redeliver/").status_code == 403
        assert "webhooks/endpoints" not in client.get(reverse("home")).content.decode()
    assert Delivery.objects.count() == 1 and receiver.requests == []
    client.force_login(personas["admin"])
    assert reverse("webhooks:endpoint_list") in client.get(reverse("home")).content.decode()


def endpoint_uuid():
    import uuid

    return uuid.uuid4()


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://erp.example.com/hook", "must start with https://"),
        ("ftp://erp.example.com/hook", "Enter a full address starting with https://"),
        ("https://user:pw@erp.example.com/hook", "Do not put a user name or password"),
    ],
)
def test_X_8_a_bad_url_is_refused_with_a_clear_message_and_nothing_is_saved(client, personas, url, message):
    admin = personas["admin"]
    client.force_login(admin)
    response = client.post(
        reverse("webhooks:endpoint_add"), {"name": "ERP", "url": url, "events": ["stage.changed"]}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    response = api(admin).post(
        "/api/webhooks/endpoints/", {"name": "ERP", "url": url, "events": ["stage.changed"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert message in " ".join(response.json()["errors"]["url"])
    assert not Endpoint.objects.exists()


@pytest.mark.usefixtures("english")
def test_X_8_an_endpoint_needs_known_events(personas):
    rest = api(personas["admin"])
    for events, field in (([], "events"), (["record.deleted"], "events")):
        response = rest.post(
            "/api/webhooks/endpoints/",
            {"name": "ERP", "url": "https://erp.example.com/hook", "events": events},
            format="json",
        )
        assert response.status_code == 400
        assert field in response.json()["errors"]
    assert not Endpoint.objects.exists()


def test_X_8_plain_http_is_accepted_with_debug_on(personas):
    with override_settings(DEBUG=True):
        make_endpoint(personas["admin"], "http://erp.internal/hook")
    assert Endpoint.objects.get().url == "http://erp.internal/hook"


# --- generic page / API / permission tests ------------------------------------------------------------


class TestEndpoint(ModelTestBase):
    model = Endpoint
    manager = "admin"
    no_view = "hr"
    invalid_field = "url"

    def make_object(self, personas, index=0):
        return Endpoint.objects.create(
            name=f"ERP {index}", url=f"https://erp{index}.example.com/hook", events=["stage.changed"]
        )

    def create_data(self, personas):
        return {
            "name": "ERP",
            "url": "https://erp.example.com/hook",
            "events": ["stage.changed", "warning.raised"],
            "active": "on",
        }

    def api_create_data(self, personas):
        return {**self.create_data(personas), "active": True}

    def update_data(self, obj, personas):
        return {"name": "ERP (test)", "url": obj.url, "events": ["signature.recorded"], "description": "測試"}

    def api_update_data(self, obj, personas):
        return {"name": "ERP (test)", "events": ["signature.recorded"], "active": False}

    def invalid_data(self, personas):
        return {"name": "ERP", "url": "http://erp.example.com/hook", "events": ["stage.changed"]}


@pytest.mark.usefixtures("english")
def test_X_8_nothing_is_sent_to_an_inactive_endpoint_or_twice_while_still_being_tried(
    client, personas, receiver
):
    admin = personas["admin"]
    endpoint = make_endpoint(admin, receiver.url, active=False)
    response = api(admin).post(f"/api/webhooks/endpoints/{endpoint['id']}/send-test/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_possible_now"
    assert "not active" in response.json()["detail"]

    pending = Delivery.objects.create(
        endpoint_id=endpoint["id"], event_id=endpoint_uuid(), event_type="webhook.test", body="{}"
    )
    assert services.deliver() == 0  # an inactive endpoint's deliveries wait
    client.force_login(admin)
    response = client.post(reverse("webhooks:delivery_redeliver", args=[pending.pk]))
    assert response.status_code == 409
    assert "still being tried" in response.content.decode()
    assert Delivery.objects.count() == 1 and receiver.requests == []
