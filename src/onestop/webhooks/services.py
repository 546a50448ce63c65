"""Webhook use cases. The only writers of endpoints' secrets and of deliveries.

Endpoints themselves are created, edited and deleted through the generic pages and API
(``core.services``: validated with the model's rules, attributed to the acting user).

Delivery follows core.mail's outbox: ``queue_event`` writes one ``Delivery`` per subscribed
endpoint in the transaction of the change and asks the worker to send them after the commit;
``deliver`` sends the due rows it can claim (a conditional UPDATE, so two workers never send one
row at the same time); a failed attempt is tried again after a growing pause, at most
``MAX_ATTEMPTS`` times in all; the periodic job ``send_due_webhooks`` sends whatever is due, so a
worker that crashes or a job that is lost delays a delivery but never loses it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.events import Event
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.webhooks import payloads
from onestop.webhooks.models import TEST_EVENT, Delivery, Endpoint, new_secret

logger = logging.getLogger("onestop.webhooks")

TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 5
# The pause after the 1st, 2nd, 3rd and 4th failed attempt (then the delivery has failed).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
CLAIM_FOR = timedelta(minutes=2)  # longer than one attempt can take
EXCERPT = 500
USER_AGENT = "OneStop-Webhooks/1"


def signature(secret: str, body: bytes) -> str:
    """The ``X-OneStop-Signature`` header: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _require(actor, permission: str, obj) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied


# --- queueing -------------------------------------------------------------------------------


def _queue(endpoints, event_type: str, data: dict, *, redelivery_of=None) -> list[Delivery]:
    body = payloads.dumps(data)
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event_id=data["id"],
                event_type=event_type,
                body=body,
                redelivery_of=redelivery_of,
            )
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return deliveries


def queue_event(event: Event) -> list[Delivery]:
    """One delivery per active endpoint subscribed to ``event.type``, in the caller's transaction."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(active=True).only("pk", "events")
        if event.type in (endpoint.events or [])
    ]
    if not endpoints:
        return []
    return _queue(endpoints, event.type, payloads.payload(event))


def enqueue(ids: list[int]) -> None:
    """Ask the worker to send these deliveries now (after the commit that wrote them)."""
    from onestop.webhooks.tasks import deliver_webhooks  # noqa: PLC0415 — cycle: webhooks.tasks imports this module at load

    try:
        deliver_webhooks(ids)
    except Exception:  # the queue is away: the periodic job sends them later
        logger.warning("job queue unavailable; %s webhook(s) wait for the periodic sender", len(ids))


@transaction.atomic
def send_test(endpoint: Endpoint, *, actor) -> Delivery:
    """Queue a ``webhook.test`` event for ``endpoint`` (whatever it subscribed to)."""
    _require(actor, "webhooks.change_endpoint", endpoint)
    if not endpoint.active:
        raise DomainError(
            _("The endpoint is not active; activate it before sending a test event."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    data = {
        "id": str(uuid.uuid4()),
        "type": TEST_EVENT,
        "occurred_at": payloads.iso(timezone.now()),
        "record": None,
        "from_state": None,
        "to_state": None,
        "actor": actor.username,
        "engagement": None,
        "details": {"endpoint": endpoint.pk},
    }
    (delivery,) = _queue([endpoint], TEST_EVENT, data)
    return delivery


@transaction.atomic
def rotate_secret(endpoint: Endpoint, *, actor) -> Endpoint:
    """Give ``endpoint`` a new secret; deliveries from now on are signed with it."""
    _require(actor, "webhooks.change_endpoint", endpoint)
    endpoint.secret = new_secret()
    endpoint._history_user = actor
    endpoint._change_reason = _("Secret rotated")
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def redeliver(delivery: Delivery, *, actor) -> Delivery:
    """Send the same event (same body and event id) to the same endpoint again, as a new delivery."""
    _require(actor, "webhooks.redeliver_delivery", delivery)
    if delivery.status == Delivery.Status.PENDING:
        raise DomainError(
            _("This delivery is still being tried; wait for its outcome before sending it again."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    if not delivery.endpoint.active:
        raise DomainError(
            _("The endpoint is not active; activate it before sending again."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    copy = Delivery.objects.create(
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        redelivery_of=delivery,
    )
    transaction.on_commit(lambda: enqueue([copy.pk]))
    return copy


# --- sending --------------------------------------------------------------------------------


def post(delivery: Delivery) -> tuple[int | None, str, str]:
    """Send one delivery; returns (HTTP status or None, the answer's start, the error).

    ``http.client`` rather than urllib: it sends the headers as spelt here (urllib rewrites
    them as ``X-onestop-signature``) and never follows a redirect — a redirect is an answer like
    any other non-2xx, and the body is not sent anywhere else.
    """
    body = delivery.body.encode("utf-8")
    parts = urlsplit(delivery.endpoint.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:  # the model allows no other
        return None, "", _("Not an http(s) address.")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-OneStop-Event": delivery.event_type,
        "X-OneStop-Delivery": str(delivery.uuid),
        "X-OneStop-Signature": signature(delivery.endpoint.secret, body),
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, _excerpt(response.read(EXCERPT * 4)), ""
    except (OSError, http.client.HTTPException, ValueError) as failure:
        return None, "", (str(failure) or failure.__class__.__name__)[:EXCERPT]
    finally:
        connection.close()


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT]


def _claim(pk: int, now) -> bool:
    return bool(Delivery.objects.due(now).filter(pk=pk).update(claimed_until=now + CLAIM_FOR))


def deliver(ids=None, *, now=None) -> int:
    """Send the due deliveries among ``ids`` (every due one when None); returns how many arrived."""
    now = now or timezone.now()
    rows = Delivery.objects.due(now)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    delivered = 0
    for delivery in rows.select_related("endpoint").order_by("next_attempt_at", "pk")[:500]:
        if not _claim(delivery.pk, now):
            continue  # another worker has it
        code, text, failure = post(delivery)
        attempts = delivery.attempts + 1
        finished = timezone.now()
        outcome = {
            "attempts": attempts,
            "last_attempt_at": finished,
            "last_status_code": code,
            "last_response": text,
            "last_error": failure,
            "claimed_until": None,
        }
        if code is not None and 200 <= code < 300:
            outcome.update(status=Delivery.Status.DELIVERED, delivered_at=finished, next_attempt_at=None)
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            outcome.update(status=Delivery.Status.FAILED, next_attempt_at=None)
            logger.warning("webhook delivery %s failed for good after %s attempts", delivery.pk, attempts)
        else:
            outcome.update(next_attempt_at=finished + BACKOFF[min(attempts, len(BACKOFF)) - 1])
            logger.info(
                "webhook delivery %s failed (attempt %s): %s %s", delivery.pk, attempts, code, failure
            )
        Delivery.objects.filter(pk=delivery.pk).update(**outcome)
    return delivered
