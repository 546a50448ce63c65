"""Signing means intent (issue 11 §5): the signer confirms, at the moment of signing, that it is
them — with their password, or with a one-time code of their two-factor device.

A session (or an API token) proves who is logged in, not that this person means to sign this
form now: a colleague at an unlocked screen, or a script holding a token, could otherwise sign.
So ``core.signatures.sign`` asks for a fresh ``Consent`` made here.

- A password is checked against the signer's own password. A user who signs in only by single
  sign-on has no usable password here; they confirm with a one-time code (their authenticator
  app, or a backup code) and, without two-factor log-in, are told to set it up first.
- A user with two-factor log-in may give either their password or a code: both are things
  only they know or hold, and the log-in already asked for both.
- A wrong password or code is a refused log-in for the lockout (django-axes counts it with the
  wrong log-in passwords of that user name at that address, so guessing a password on the
  signing form is no easier than at the log-in page) and a security event of its own kind.

Refusals are ``DomainError`` with field ``password`` (or ``otp``), HTTP 400: code
``reauth_required`` when nothing was given (or nothing can be given), ``reauth_failed`` when it
was wrong; after too many wrong tries the lockout answers ``throttled`` (429) until it cools off.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext as _

from onestop.accounts import twofactor
from onestop.core.exceptions import DomainError, ErrorCode


class ReauthLocked(DomainError):
    status_code = 429
    code = ErrorCode.THROTTLED


@dataclass(frozen=True)
class Consent:
    """The signer confirmed who they are just now (``method``: "password" or "otp")."""

    user_id: int
    method: str


def methods_for(user) -> list[str]:
    """How ``user`` can confirm a signature: "password", "otp", both, or none."""
    methods = []
    if user.has_usable_password():
        methods.append("password")
    if twofactor.has_two_factor(user):
        methods.append("otp")
    return methods


def confirm(user, *, password: str = "", otp: str = "", request=None) -> Consent:
    """Check the signer's password (or one-time code); a ``Consent``, or a refusal."""
    request = getattr(request, "_request", request)  # a DRF request: the Django one beneath
    password = password or ""
    otp = (otp or "").strip()
    methods = methods_for(user)
    if not methods:
        raise DomainError(
            _(
                "You sign in by single sign-on and have no password in OneStop to confirm a "
                "signature with. Set up two-factor log-in in your profile; then confirm with its code."
            ),
            field="password",
            code=ErrorCode.REAUTH_REQUIRED,
        )
    if not password and not otp:
        if "password" in methods:
            message = _("Type your password to confirm that you sign this form.")
            field = "password"
        else:
            message = _("Type the code of your authenticator app to confirm that you sign this form.")
            field = "otp"
        raise DomainError(message, field=field, code=ErrorCode.REAUTH_REQUIRED)
    credentials = {"username": user.username, "signing": True}
    if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
        raise ReauthLocked(
            _("Too many wrong passwords or codes. Wait a quarter of an hour and try again."),
            field="otp" if otp else "password",
        )
    if otp:
        if "otp" in methods and twofactor.verify(user, otp) is not None:
            return Consent(user.pk, "otp")
        field = "otp"
        message = (
            _("The code is not correct.") if "otp" in methods else _("You have no two-factor log-in set up.")
        )
    else:
        if "password" in methods and user.check_password(password):
            return Consent(user.pk, "password")
        field = "password"
        message = (
            _("The password is not correct.")
            if "password" in methods
            else _("You have no password in OneStop; confirm with the code of your authenticator app.")
        )
    # Like a wrong log-in password: the lockout counts it, the security events show it.
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if request is not None and getattr(request, "axes_locked_out", False):
        raise ReauthLocked(
            _("Too many wrong passwords or codes. Wait a quarter of an hour and try again."), field=field
        )
    raise DomainError(message, field=field, code=ErrorCode.REAUTH_FAILED)
