"""The sign-in options (issue 17), read from the environment for onestop/settings.py: OpenID
Connect single sign-on and LDAP / Active Directory passwords. Both are off unless their variables
are set; docs/deployment.md ("Single sign-on (OIDC) and LDAP") explains each variable, and a
malformed or incomplete set stops the start with a sentence naming it (ImproperlyConfigured)."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from onestop.env import env_bool, env_int, env_str

DISCOVERY_PATH = "/.well-known/openid-configuration"
LDAP_BACKEND = "onestop.accounts.ldap.LDAPBackend"


def _local(host: str | None) -> bool:
    return host in {"localhost", "127.0.0.1", "::1"}


def oidc() -> dict | None:
    """The OpenID Connect provider (accounts/oidc.py), or None: single sign-on is off.

    ONESTOP_OIDC_ISSUER is the provider's issuer URL (its discovery document is read from
    ``<issuer>/.well-known/openid-configuration``) or the discovery document's own URL."""
    issuer = env_str("ONESTOP_OIDC_ISSUER")
    client_id = env_str("ONESTOP_OIDC_CLIENT_ID")
    if not issuer:
        if client_id:
            raise ImproperlyConfigured("ONESTOP_OIDC_CLIENT_ID is set but ONESTOP_OIDC_ISSUER is not.")
        return None
    parsed = urlparse(issuer)
    # The provider's answers decide who is logged in: only over HTTPS (plain http on this machine
    # is allowed for a provider under test).
    if parsed.scheme != "https" and not (parsed.scheme == "http" and _local(parsed.hostname)):
        raise ImproperlyConfigured(f"ONESTOP_OIDC_ISSUER must be an https:// URL; got {issuer!r}.")
    secret = env_str("ONESTOP_OIDC_CLIENT_SECRET")
    if not client_id or not secret:
        raise ImproperlyConfigured(
            "ONESTOP_OIDC_ISSUER is set: ONESTOP_OIDC_CLIENT_ID and ONESTOP_OIDC_CLIENT_SECRET are needed too."
        )
    discovery = issuer if issuer.endswith(DISCOVERY_PATH) else issuer.rstrip("/") + DISCOVERY_PATH
    scopes = env_str("ONESTOP_OIDC_SCOPES", "openid email profile") or ""
    if "openid" not in scopes.split():
        raise ImproperlyConfigured(f"ONESTOP_OIDC_SCOPES must include openid; got {scopes!r}.")
    return {
        "discovery_url": discovery,
        # Checked against the discovery document's own (none when the document's URL was given).
        "issuer": None if issuer.endswith(DISCOVERY_PATH) else issuer,
        "client_id": client_id,
        "client_secret": secret,
        "scopes": scopes,
        # The button reads "Sign in with <label>"; empty: "Sign in with single sign-on".
        "label": env_str("ONESTOP_OIDC_LABEL", "") or "",
        "timeout": env_int("ONESTOP_OIDC_TIMEOUT", 10),  # seconds for each call to the provider
    }


def ldap() -> dict:
    """The ``AUTH_LDAP_*`` settings of django-auth-ldap (accounts/ldap.py), or {}: LDAP is off.

    Existing accounts only (``AUTH_LDAP_NO_NEW_USERS``): the directory checks the password of a
    user name OneStop already knows and refreshes the name and e-mail address; it never creates
    an account and never grants a role."""
    uri = env_str("ONESTOP_LDAP_SERVER_URI")
    if not uri:
        return {}
    schemes = {urlparse(part).scheme for part in uri.split()}
    if not schemes <= {"ldap", "ldaps", "ldapi"}:
        raise ImproperlyConfigured(
            f"ONESTOP_LDAP_SERVER_URI must be ldap://, ldaps:// or ldapi:// URLs; got {uri!r}."
        )
    base = env_str("ONESTOP_LDAP_USER_SEARCH_BASE")
    if not base:
        raise ImproperlyConfigured(
            "ONESTOP_LDAP_SERVER_URI is set: ONESTOP_LDAP_USER_SEARCH_BASE (e.g. ou=people,dc=example,dc=com) is needed too."
        )
    user_filter = env_str("ONESTOP_LDAP_USER_FILTER", "(uid=%(user)s)") or ""
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured(
            f"ONESTOP_LDAP_USER_FILTER must contain %(user)s, e.g. (sAMAccountName=%(user)s); got {user_filter!r}."
        )
    try:
        import ldap as python_ldap  # noqa: PLC0415 — optional: django-auth-ldap is the ldap extra; without it the ImportError becomes the message below
        from django_auth_ldap.config import LDAPSearch  # noqa: PLC0415 — optional: django-auth-ldap is the ldap extra; without it the ImportError becomes the message below
    except ImportError:
        raise ImproperlyConfigured(
            "ONESTOP_LDAP_SERVER_URI is set but django-auth-ldap is not installed: install OneStop "
            "with its ldap extra (pip install 'onestop[ldap]'; it needs the Debian packages "
            "libldap2-dev and libsasl2-dev to build)."
        ) from None
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env_str("ONESTOP_LDAP_BIND_DN", "") or "",
        "AUTH_LDAP_BIND_PASSWORD": env_str("ONESTOP_LDAP_BIND_PASSWORD", "") or "",
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(base, python_ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_START_TLS": env_bool("ONESTOP_LDAP_START_TLS", False),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "full_name": env_str("ONESTOP_LDAP_ATTR_FULL_NAME", "cn"),
            "email": env_str("ONESTOP_LDAP_ATTR_EMAIL", "mail"),
        },
        "AUTH_LDAP_NO_NEW_USERS": True,
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            # Active Directory answers a search at the domain root with referrals python-ldap
            # would chase anonymously; a directory that does not answer must not hang a log-in.
            python_ldap.OPT_REFERRALS: 0,
            python_ldap.OPT_NETWORK_TIMEOUT: env_int("ONESTOP_LDAP_TIMEOUT", 10),
            python_ldap.OPT_TIMEOUT: env_int("ONESTOP_LDAP_TIMEOUT", 10),
        },
    }
