"""Single sign-on with an OpenID Connect provider (issue 17), through Authlib; off unless
``ONESTOP_OIDC_ISSUER`` is set (onestop/signin_settings.py reads the variables).

The flow is the authorization-code flow: the log-in page's "Sign in with <label>" button sends the
browser to the provider (``start``); the provider sends it back with a code, which is exchanged
for an ID token whose signature (the provider's published keys), issuer, audience, expiry and
nonce Authlib checks (``claims``).

Who is signed in — the rules, on purpose narrow:
- The account is found by the e-mail address the provider gives (``email`` in the ID token, else
  from the userinfo endpoint), compared without regard to case, among **active staff accounts**
  (no client organisation). Exactly one must match. The e-mail address, not a user name claim:
  OneStop already keeps every staff member's address, while user names rarely agree between
  systems and some providers let people choose theirs.
- A provider that says the address is not verified (``email_verified`` false) is not believed.
- Nobody is created and no role is granted: an unknown address is refused with a message on the
  log-in page and a security event ("Single sign-on refused"); an administrator adds the address
  to the account first.
- Client users do not sign in this way: the provider is the company's, where client contacts
  have no accounts; they keep their passwords.
- The provider's own multi-factor check does not count for OneStop's two-factor log-in (OneStop
  cannot see how strong it was): a user with two-factor log-in set up still gives the code next,
  and the roles that must set it up still must.

After that the session is the same as after a password: the idle timeout, the list of sessions,
"log out my other sessions", the log-out.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from onestop.accounts.models import User

logger = logging.getLogger(__name__)

NEXT_KEY = "onestop_oidc_next"
# The session of a user signed in by the provider is checked by Django's own backend, like a
# password log-in's (it refuses a deactivated account at the next request).
BACKEND = "django.contrib.auth.backends.ModelBackend"


class Refused(Exception):
    """Single sign-on did not sign anyone in; ``message`` is for the log-in page, ``username``
    (the address given, if any) for the security event."""

    def __init__(self, message: str, username: str = ""):
        super().__init__(message)
        self.message = message
        self.username = username


def enabled() -> bool:
    return bool(getattr(settings, "ONESTOP_OIDC", None))


def label() -> str:
    return settings.ONESTOP_OIDC["label"] or _("single sign-on")


# One Authlib client per configuration: it keeps the provider's discovery document and keys,
# so they are fetched once per process (and the keys again when the provider rotates them).
_clients: dict = {}


def client():
    from authlib.integrations.django_client import OAuth  # noqa: PLC0415 — Authlib (~0.4 s to import) loaded only when single sign-on is on and used

    config = settings.ONESTOP_OIDC
    key = tuple(sorted(config.items()))
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name="onestop_oidc",
            server_metadata_url=config["discovery_url"],
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            client_kwargs={"scope": config["scopes"], "default_timeout": config["timeout"]},
        )
    return _clients[key]


def failed_message() -> str:
    return _("Signing in with %(label)s did not succeed. Please try again, or log in with your password.") % {
        "label": label()
    }


def start(request, redirect_uri: str):
    """The redirect to the provider's sign-in page (state and nonce kept in the session);
    Refused when the provider's discovery document cannot be read."""
    try:
        return client().authorize_redirect(request, redirect_uri)
    except Exception as error:  # no connection, an error answer, a document that is not JSON
        logger.warning("single sign-on could not start: %s: %s", type(error).__name__, error)
        raise Refused(failed_message()) from None


def _claims_options(provider) -> dict:
    """What the ID token must say besides its signature, expiry and nonce (which Authlib checks
    anyway): issued by this provider, and to this client. Authlib checks the audience only when
    told to (an ID token for another client of the same provider, with ``azp`` naming this one,
    passes otherwise)."""
    metadata = provider.load_server_metadata()
    issuer = settings.ONESTOP_OIDC.get("issuer")
    if issuer and metadata.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        # OpenID Connect Discovery 4.3: the document must name the issuer it was asked about.
        raise ValueError(f"the discovery document names the issuer {metadata.get('issuer')!r}")
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [provider.client_id]},
    }


def claims(request) -> dict:
    """The checked claims of the provider's answer to this callback request; Refused if it
    refused, the answer does not check out, or the provider could not be reached."""
    provider = client()
    try:
        token = provider.authorize_access_token(request, claims_options=_claims_options(provider))
        userinfo = dict(token.get("userinfo") or {})
        if not userinfo:
            raise ValueError("the provider's answer has no ID token")
        if not userinfo.get("email"):
            # Some providers keep the address out of the ID token: ask the userinfo endpoint,
            # and take its answer only for the same subject.
            extra = dict(provider.userinfo(token=token))
            if extra.get("sub") != userinfo.get("sub"):
                raise ValueError("the userinfo answer is about another subject")
            userinfo = {**extra, **userinfo, "email": extra.get("email")}
    except Exception as error:  # an error answer, a bad signature, no connection: all one refusal
        logger.warning("single sign-on failed: %s: %s", type(error).__name__, error)
        raise Refused(failed_message()) from None
    return userinfo


def match(userinfo: dict):
    """The one active staff account the provider's ``userinfo`` names; Refused otherwise."""
    email = str(userinfo.get("email") or "").strip()
    if not email:
        raise Refused(
            _(
                "%(label)s did not give an e-mail address, so no OneStop account could be found. Log in with your password."
            )
            % {"label": label()},
            username=str(userinfo.get("sub", ""))[:150],
        )
    if userinfo.get("email_verified") in (False, "false"):  # some providers send a string
        raise Refused(
            _("%(label)s has not verified the e-mail address %(email)s, so it cannot be used to sign in.")
            % {"label": label(), "email": email},
            username=email,
        )
    staff = User.objects.filter(email__iexact=email, is_active=True, client_organization__isnull=True)
    accounts = list(staff[:2])
    if len(accounts) > 1:
        # OneStop cannot tell which person this is.
        raise Refused(
            _(
                "More than one OneStop account has the e-mail address %(email)s. "
                "Ask an administrator to correct it, or log in with your password."
            )
            % {"email": email},
            username=email,
        )
    if not accounts:
        raise Refused(
            _(
                "%(label)s signed you in as %(email)s, but no active OneStop staff account has that e-mail address. "
                "Ask an administrator to add it to your account, or log in with your password."
            )
            % {"label": label(), "email": email},
            username=email,
        )
    return accounts[0]
