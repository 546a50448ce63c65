"""The sign-in pages of the profile: other sessions, two-factor set-up, and the code at log-in
(accounts/sessions.py and accounts/twofactor.py hold the rules)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from onestop.accounts import forms, oidc, sessions, twofactor
from onestop.accounts.services import remember_language
from onestop.core import security
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify


def ended_message(count: int) -> str:
    if count == 0:
        return _("You had no other sessions; nothing was logged out.")
    return ngettext(
        "%(count)d other session was logged out.", "%(count)d other sessions were logged out.", count
    ) % {"count": count}


# --- other sessions ---------------------------------------------------------------------------------


@login_required
@require_POST
def end_other_sessions(request):
    count = sessions.end_other_sessions(request.user, keep=request.session.session_key, request=request)
    messages.success(request, ended_message(count))
    return redirect("profile")


class SessionsEndedSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    ended = serializers.IntegerField(help_text="How many sessions were logged out.")


@extend_schema(request=None, responses=SessionsEndedSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def end_other_sessions_api(request):
    """Log out the user's other browser sessions (with a token: all of them); how many ended."""
    count = sessions.end_other_sessions(request.user, keep=sessions.current_key(request), request=request)
    return Response(SessionsEndedSerializer({"ended": count}).data)


# --- two-factor set-up ----------------------------------------------------------------------------------


@login_required
def two_factor(request):
    """Set up two-factor log-in (QR code, secret, confirm with a code), or renew backup codes."""
    user = request.user
    form = forms.TwoFactorCodeForm(request.POST or None)
    context = {"enabled": twofactor.has_two_factor(user), "required": twofactor.required_for(user)}
    status = 200
    if request.method == "POST" and request.POST.get("renew") and context["enabled"]:
        context["codes"] = twofactor.renew_backup_codes(user, request=request)
        messages.success(request, _("New backup codes were made; the old ones no longer work."))
    elif request.method == "POST" and not context["enabled"]:
        if form.is_valid():
            try:
                context["codes"] = twofactor.enrol(user, form.cleaned_data["code"], request=request)
            except DomainError as error:
                form.add_error("code", error.message)
            else:
                context["enabled"] = True
                messages.success(request, _("Two-factor log-in is set up."))
        if form.errors:
            status = 400
    if context["enabled"]:
        context["backup_codes_left"] = twofactor.backup_codes_left(user)
    else:
        device = twofactor.pending_device(user)
        context.update(secret=twofactor.secret(device), qr_code=twofactor.qr_code(device))
    context["form"] = bootstrapify(form)
    return render(request, "accounts/two_factor.html", context, status=status)


# --- the code at log-in ---------------------------------------------------------------------------------


def login_verify(request):
    """The second step of a log-in: the code of the authenticator app, or a backup code."""
    pending = twofactor.pending_login(request)
    if pending is None:
        messages.info(request, _("Please log in again."))
        return redirect("login")
    user, backend, next_url = pending
    form = forms.TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.username, "two_factor": True}
        if not AxesProxyHandler.is_allowed(request, credentials):
            twofactor.abandon_login(request)
            return render(request, "registration/locked_out.html", status=429)
        device = twofactor.verify(user, form.cleaned_data["code"])
        if device is not None:
            twofactor.finish_login(request, user, backend, device)
            return remember_language(redirect(next_url), user.language)
        # A refused log-in like a wrong password: the lockout counts it, the event log shows it.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            twofactor.abandon_login(request)
            return render(request, "registration/locked_out.html", status=429)
        form.add_error("code", _("The code is not correct."))
    bootstrapify(form)
    return render(
        request, "registration/login_verify.html", {"form": form}, status=400 if form.errors else 200
    )


# --- single sign-on (OpenID Connect) -------------------------------------------------------------


def oidc_login(request):
    """The "Sign in with …" button: off to the provider, remembering where to go afterwards."""
    if not oidc.enabled():
        raise Http404
    next_url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session[oidc.NEXT_KEY] = next_url if next_url and safe else ""
    try:
        return oidc.start(request, request.build_absolute_uri(reverse("oidc_callback")))
    except oidc.Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("login")


def oidc_callback(request):
    """The provider sends the browser back here: the matched staff account is logged in (or goes
    on to the two-factor code, like after a password); anyone else back to the log-in page."""
    if not oidc.enabled():
        raise Http404
    if oidc.NEXT_KEY not in request.session:
        # No sign-in was started from this browser (a stale or forged link): nothing to check
        # and nothing to record, so the address cannot fill the security events.
        messages.error(request, oidc.failed_message())
        return redirect("login")
    next_url = request.session.pop(oidc.NEXT_KEY) or settings.LOGIN_REDIRECT_URL
    try:
        user = oidc.match(oidc.claims(request))
    except oidc.Refused as refusal:
        security.record(security.Kind.SSO_REFUSED, username=refusal.username, request=request)
        messages.error(request, refusal.message)
        return redirect("login")
    user.backend = oidc.BACKEND
    if twofactor.has_two_factor(user):
        twofactor.begin_login(request, user, next_url, method="oidc")
        return redirect("login_verify")

    request.onestop_login_method = "oidc"  # the security event says how (core.security)
    login(request, user, backend=oidc.BACKEND)
    return remember_language(redirect(next_url), user.language)
