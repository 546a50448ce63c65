"""Two-factor log-in (issue 17): a time-based code (TOTP, django-otp) after the password.

- Set-up (profile → two-factor): a new, unconfirmed TOTP device; the page shows its QR code and
  secret; the first right code confirms it, and ten backup codes (django-otp static tokens, each
  good once) are shown once.
- Log-in: a user with a confirmed device gives the password, then the code (or a backup code) on
  a second page (``begin_login`` / ``finish_login``). A wrong code is a refused log-in for the
  lockout (django-axes counts it with the wrong passwords) and a security event.
- ``ONESTOP_REQUIRE_2FA_ROLES``: a user holding one of these roles who has no device is sent to
  the set-up page by ``TwoFactorRequiredMiddleware`` whatever they open (the API answers 403).
- A system administrator can reset a user's two-factor log-in (a lost phone): the devices are
  removed, the user's sessions ended, a security event records it.

API tokens are not affected: a token is its own credential, created by a logged-in user.
"""

from __future__ import annotations

import base64
import io
import time

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts import sessions
from onestop.accounts.models import User
from onestop.core import security
from onestop.core.exceptions import DomainError, ErrorCode, NotPermittedError
from onestop.core.predicates import is_system_admin, user_roles

BACKUP_CODES = 10
PENDING_KEY = "onestop_2fa_pending"
PENDING_SECONDS = 5 * 60  # the code must follow the password within five minutes
SATISFIED_KEY = "onestop_2fa_ok"


# --- state --------------------------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    return confirmed_device(user) is not None


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_for(user) -> bool:
    """Must this user have two-factor log-in (``ONESTOP_REQUIRE_2FA_ROLES``)?"""
    required = set(settings.ONESTOP_REQUIRE_2FA_ROLES)
    return bool(required) and bool(required & user_roles(user))


# --- set-up ---------------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (one per user; made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="OneStop", confirmed=False)
    return device


def secret(device: TOTPDevice) -> str:
    """The key as the Base32 text an authenticator app takes when typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_code(device: TOTPDevice) -> str:
    """The set-up QR code as a data: URI of an SVG image (no external service sees the key)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def enrol(user, code: str, *, request=None) -> list[str]:
    """Confirm the device being set up with a code from the app; the new backup codes."""
    if has_two_factor(user):
        raise DomainError(_("Two-factor log-in is already set up."), code=ErrorCode.ALREADY_DONE)
    device = pending_device(user)
    if not device.verify_token(_clean(code)):
        raise DomainError(
            _("The code is not correct. Check that the phone's clock is right and type the current code."),
            code=ErrorCode.INVALID,
            field="code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user)
    security.record(security.Kind.TWO_FACTOR_ENROLLED, user=user, request=request)
    if request is not None and hasattr(request, "session"):
        django_otp.login(request, device)
        request.session[SATISFIED_KEY] = True
    return codes


@transaction.atomic
def renew_backup_codes(user, *, request=None) -> list[str]:
    if not has_two_factor(user):
        raise DomainError(_("Two-factor log-in is not set up."), code=ErrorCode.CONDITION_UNMET)
    codes = _new_backup_codes(user)
    security.record(security.Kind.BACKUP_CODES_RENEWED, user=user, request=request)
    return codes


def may_reset(user, actor) -> bool:
    """Offered to a system administrator on the page of an account that has two-factor log-in."""
    return is_system_admin(actor) and (
        TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()
    )


@transaction.atomic
def reset(user, *, actor, request=None):
    """An administrator removes ``user``'s two-factor devices (a lost phone) and ends the user's
    sessions: the next log-in is by password, and a required set-up comes again."""
    if not is_system_admin(actor):
        raise NotPermittedError(_("Only a system administrator may reset two-factor log-in."))
    if not (TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()):
        raise DomainError(
            _("This account has no two-factor log-in to reset."), code=ErrorCode.CONDITION_UNMET
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    keep = sessions.current_key(request) if request is not None and actor.pk == user.pk else None
    sessions.end_other_sessions(user, keep=keep, record=False)
    security.record(security.Kind.TWO_FACTOR_RESET, user=user, actor=actor, request=request)
    return user


# --- log-in -------------------------------------------------------------------------------------------


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "")


def begin_login(request, user, next_url: str, *, method: str = "password") -> None:
    """The password was right (or the single sign-on provider vouched for the user: ``method``
    "oidc"); remember who is half logged in until the code follows."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": next_url,
        "method": method,
    }


def pending_login(request):
    """(user, backend, next) of the half-finished log-in, or None (none, or too old)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return user, pending["backend"], pending.get("next") or settings.LOGIN_REDIRECT_URL


def abandon_login(request) -> None:
    request.session.pop(PENDING_KEY, None)


def verify(user, code: str):
    """The device that accepts ``code`` (the app's code, else a backup code, used up), or None."""
    code = _clean(code)
    if not code:
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and code.isdigit() and device.verify_token(code):
            return device
        for backup in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if backup.verify_token(code):
                return backup
    return None


def finish_login(request, user, backend, device) -> None:
    # How the first step was passed, for the security event of the log-in (core.security).
    request.onestop_login_method = (request.session.get(PENDING_KEY) or {}).get("method", "password")
    abandon_login(request)
    login(request, user, backend=backend)
    django_otp.login(request, device)
    request.session[SATISFIED_KEY] = True
    if isinstance(device, StaticDevice):
        security.record(security.Kind.BACKUP_CODE_USED, user=user, request=request)


# --- the required set-up -----------------------------------------------------------------------------

# What a user who must set up two-factor log-in may still open.
OPEN_URL_NAMES = {"two_factor", "logout", "login", "login_verify", "switch_language", "healthz", "readyz"}


class TwoFactorRequiredMiddleware:
    """Sends a user of an ``ONESTOP_REQUIRE_2FA_ROLES`` role without a device to the set-up page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.ONESTOP_REQUIRE_2FA_ROLES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(SATISFIED_KEY):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        if not required_for(user):
            return None
        if has_two_factor(user):
            request.session[SATISFIED_KEY] = True
            return None
        message = _("Your role requires two-factor log-in. Set it up to continue.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "code": ErrorCode.PERMISSION_DENIED.value, "errors": {}}, status=403
            )

        messages.warning(request, message)
        return redirect("two_factor")
