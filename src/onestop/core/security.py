"""Security events (issue 17 item 7): who logged in, failed to, logged out, changed or reset a
password, regenerated an API token — when and from where.

``record`` is the one way an event is written; it is called from the authentication signals
(log-in, refused log-in, log-out, connected in ``CoreConfig.ready``) and by the services that
change a password or a token, so the pages, the API and the commands are covered alike. Each
event joins the audit chain in the same transaction: it cannot be removed unnoticed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from onestop.core import chain, limits
from onestop.core.models import SecurityEvent

Kind = SecurityEvent.Kind


def _address(request) -> str | None:
    if request is None:
        return None
    return limits.client_ip(request) or None


@transaction.atomic
def record(kind: str, *, user=None, username: str = "", actor=None, request=None) -> SecurityEvent:
    """Write one event (and its audit-chain link). ``user`` is the account concerned, ``actor``
    who did it when that is someone else (an administrator setting a password)."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", ""))[:150],
        actor=actor if getattr(actor, "pk", None) else None,
        ip_address=_address(request),
        user_agent=agent,
    )
    chain.append(event)
    return event


def logged_in(sender, request=None, user=None, **kwargs):
    # A log-in through the single sign-on provider (accounts.oidc) says so.
    sso = getattr(request, "onestop_login_method", "") == "oidc"
    record(Kind.SSO_LOGIN if sso else Kind.LOGIN, user=user, request=request)


def logged_out(sender, request=None, user=None, **kwargs):
    # A log-out that recorded its own reason (an idle timeout) is not also a plain log-out.
    if user is not None and not getattr(request, "onestop_logout_recorded", False):
        record(Kind.LOGOUT, user=user, request=request)


def login_failed(sender, credentials=None, request=None, **kwargs):
    # The password is never stored; the user name given is (it may not be an account).
    username = str((credentials or {}).get("username", ""))

    account = get_user_model()._default_manager.filter(username=username).first() if username else None
    # A wrong two-factor code (accounts.twofactor) is refused log-in of its own kind.
    # So is a wrong password or code that confirms a signature (core.reauth).
    kind = Kind.LOGIN_FAILED
    if (credentials or {}).get("two_factor"):
        kind = Kind.TWO_FACTOR_FAILED
    elif (credentials or {}).get("signing"):
        kind = Kind.SIGNING_REFUSED
    record(kind, user=account, username=username, request=request)
