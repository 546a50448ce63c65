"""Browser sessions of a user (issue 17): the idle timeout, and "log out my other sessions".

Django's sessions (database or cache) cannot be listed per user, so every log-in writes a small
``UserSession`` row (the user, the session key, when and from where); a log-out removes it.
``end_other_sessions`` deletes every other session of the user through the session engine, so it
works whichever engine the settings name.

The idle timeout: each request of a logged-in browser notes the time in its session (at most
once a minute, so a busy page does not write the session on every request); the first request
after ``ONESTOP_IDLE_TIMEOUT_MINUTES`` without one logs the session out and sends the browser to
the log-in page with a message saying why. API requests with a token carry no session and are
never timed out.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication

from onestop.accounts.models import UserSession
from onestop.core import limits, security

LAST_SEEN_KEY = "onestop_last_seen"
# The last-seen time is written at most this often (seconds): a timeout may come up to this
# much earlier than the exact idle time.
WRITE_EVERY = 60


def now() -> float:
    """The clock the idle timeout reads (tests move it)."""
    return time.time()


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


# --- the per-user session record ---------------------------------------------------------------


def remember(sender, request=None, user=None, **kwargs):
    """``user_logged_in``: note the new session against its user, and start its idle clock."""
    if request is None or not hasattr(request, "session") or user is None:
        return

    request.session[LAST_SEEN_KEY] = now()
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": limits.client_ip(request) or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


def forget(sender, request=None, user=None, **kwargs):
    """``user_logged_out``: the session is gone; so is its record."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def rekey(old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (``update_session_auth_hash``): its record follows."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def other_sessions(user, *, keep: str | None) -> list:
    """The user's other sessions that still exist (records of expired ones are cleaned up)."""
    alive, gone = [], []
    for record in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
        (alive if _store().exists(record.session_key) else gone).append(record)
    if gone:
        UserSession.objects.filter(pk__in=[record.pk for record in gone]).delete()
    return alive


@transaction.atomic
def end_other_sessions(user, *, keep: str | None, actor=None, request=None, record: bool = True) -> int:
    """Log out every session of ``user`` except ``keep`` (the current one; None: all of them).

    Returns how many were ended; a security event records it (``record=False`` when the caller
    records its own, e.g. a password change)."""
    ended = other_sessions(user, keep=keep)
    for session in ended:
        _store().delete(session.session_key)
    UserSession.objects.filter(pk__in=[session.pk for session in ended]).delete()
    if record:
        security.record(security.Kind.SESSIONS_ENDED, user=user, actor=actor, request=request)
    return len(ended)


def current_key(request) -> str | None:
    """The browser session of this request (None for an API token request)."""
    authenticator = getattr(request, "successful_authenticator", None)
    if isinstance(authenticator, TokenAuthentication):
        return None
    return getattr(getattr(request, "session", None), "session_key", None)


# --- the idle timeout --------------------------------------------------------------------------


class IdleTimeoutMiddleware:
    """Logs out a browser session idle for ``ONESTOP_IDLE_TIMEOUT_MINUTES`` (0: off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minutes = settings.ONESTOP_IDLE_TIMEOUT_MINUTES
        user = getattr(request, "user", None)
        if minutes and user is not None and user.is_authenticated:
            current = now()
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and current - last > minutes * 60:
                response = self.timed_out(request, user, minutes)
                if response is not None:
                    return response
            elif last is None or current - last >= WRITE_EVERY:
                request.session[LAST_SEEN_KEY] = current
        return self.get_response(request)

    def timed_out(self, request, user, minutes):
        security.record(security.Kind.SESSION_TIMEOUT, user=user, request=request)
        request.onestop_logout_recorded = True  # no second "logged out" event
        logout(request)
        if request.path.startswith("/api/"):
            return None  # the API answers the now anonymous request itself (401/403)
        messages.info(
            request,
            _("You were logged out after %(minutes)d minutes without activity. Please log in again.")
            % {"minutes": minutes},
        )
        login = redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
        if request.headers.get("HX-Request"):
            # htmx would swap the log-in page into a fragment: send the whole page there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
