"""Who is asking, and how often: the client's address behind a reverse proxy, and rate limits.

``client_ip(request)`` is the one answer to "where does this request come from?" for the
log-in lockout (django-axes), the API throttles, the log-in and password-reset limits and the
address stored with a signature. Behind the documented reverse proxy every request arrives
from the proxy's address, so the proxy's ``X-Forwarded-For`` header is read — but only when
the request really comes from one of ``ONESTOP_TRUSTED_PROXIES``; anybody else could write
any address into that header.

The counters live in Django's cache (Redis with ``REDIS_URL``, else files in the data dir), so
every app server and worker process on the machine shares them.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import cache

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling

logger = logging.getLogger("onestop.security")


@cache
def _trusted_networks(spec: tuple[str, ...]):
    networks = []
    for entry in spec:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("ONESTOP_TRUSTED_PROXIES: %r is not an address or network; ignored", entry)
    return tuple(networks)


def _is_trusted(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.ONESTOP_TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — when that is a trusted proxy — the right-most
    address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not _is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed header: fall back to the proxy itself
    return remote


# --- counters -------------------------------------------------------------------------------


def _cache():
    return caches["default"]


def count(kind: str, key: str, *, period: int) -> int:
    """Add one to the counter ``kind:key`` (it forgets after ``period`` seconds); its new value."""
    name = f"limit:{kind}:{key}"
    cache_ = _cache()
    if cache_.add(name, 1, timeout=period):
        return 1
    try:
        return cache_.incr(name)
    except ValueError:  # expired between add and incr
        cache_.add(name, 1, timeout=period)
        return 1


def reached(kind: str, key: str, *, limit: int) -> bool:
    """Has the counter ``kind:key`` reached ``limit``?"""
    return (_cache().get(f"limit:{kind}:{key}") or 0) >= limit


def reset(kind: str, key: str) -> None:
    _cache().delete(f"limit:{kind}:{key}")


# --- the API throttles (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]) ---------------------------


class AddressMixin:
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class AnonymousThrottle(AddressMixin, throttling.AnonRateThrottle):
    """Requests without a log-in, per address."""


class UserThrottle(AddressMixin, throttling.UserRateThrottle):
    """Requests of one user (whatever the address), or per address without a log-in."""


class AddressThrottle(AddressMixin, throttling.SimpleRateThrottle):
    """All requests from one address, logged in or not (stops one address cycling tokens)."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
