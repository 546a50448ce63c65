"""Sign-in options (issue 17): OpenID Connect single sign-on and LDAP / Active Directory
passwords, both off unless configured.

OIDC runs end to end against a fake provider: its discovery document, token endpoint, userinfo
endpoint and published keys are answered by ``responses`` (Authlib's HTTP calls go through
requests), and its ID tokens are signed with an RSA key made for the test. The browser side is
Django's test client, so the state, the nonce and the signature are checked as in production.

LDAP: the settings made from the environment are checked without a server, and the log-in runs
against a real OpenLDAP server (slapd, started for the test on a free port of this machine) when
slapd and python-ldap are installed (.ci/run installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from onestop import signin_settings
from onestop.accounts import oidc
from onestop.accounts.models import UserSession
from onestop.core.models import SecurityEvent
from onestop.core.roles import Role

Kind = SecurityEvent.Kind
ISSUER = "https://idp.example.test/realms/company"
CLIENT_ID = "onestop"
CLIENT_SECRET = "s3cret-of-the-client"
# Made once for the module: RSA key generation is the slow part.
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig"})
FORGER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig"})


class FakeProvider:
    """An OpenID Connect provider answering Authlib's calls through ``responses``: it signs in
    whoever the test says (``claims``), with the nonce the browser brought."""

    def __init__(self, mock: responses.RequestsMock):
        self.claims: dict = {}
        self.signing_key = PROVIDER_KEY
        self.nonce = ""
        self.token_requests: list = []
        self.userinfo: dict | None = None
        mock.get(
            f"{ISSUER}/.well-known/openid-configuration",
            json={
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/certs",
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )
        mock.get(f"{ISSUER}/certs", json=KeySet([PROVIDER_KEY]).as_dict(private=False))
        mock.add_callback(responses.POST, f"{ISSUER}/token", callback=self.token)
        mock.add_callback(responses.GET, f"{ISSUER}/userinfo", callback=self.answer_userinfo)

    def id_token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "subject-42",
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode({"alg": "RS256", "kid": "provider-1"}, claims, self.signing_key)

    def token(self, request):
        form = parse_qs(request.body)
        self.token_requests.append(form)
        if form.get("code") != ["the-code"]:
            return 400, {}, json.dumps({"error": "invalid_grant"})
        body = {
            "access_token": "access-1",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(),
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def answer_userinfo(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.userinfo or {})

    def sign_in(self, browser: Client, next_url: str = "", **query):
        """The browser presses the button, the provider signs the person in and sends the
        browser back to OneStop; OneStop's last answer."""
        start = browser.get("/login/sso/" + (f"?next={next_url}" if next_url else ""))
        assert start.status_code == 302, start.content[:300]
        location = urlparse(start["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/auth"
        sent = {name: values[0] for name, values in parse_qs(location.query).items()}
        assert sent["client_id"] == CLIENT_ID and sent["response_type"] == "code"
        assert sent["redirect_uri"] == "http://testserver/login/sso/callback/"
        self.nonce = sent["nonce"]
        back = {"code": "the-code", "state": sent["state"], **query}
        return browser.get("/login/sso/callback/", back)


@pytest.fixture
def sso(settings):
    settings.ONESTOP_OIDC = {
        "discovery_url": f"{ISSUER}/.well-known/openid-configuration",
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid email profile",
        "label": "Company Login",
        "timeout": 5,
    }
    oidc._clients.clear()  # the discovery document and keys of the fake provider, fetched anew
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeProvider(mock)
    oidc._clients.clear()


def messages_of(answer) -> str:
    return " ".join(str(message) for message in answer.context["messages"]) if answer.context else ""


def logged_in_user(browser: Client):
    answer = browser.get("/profile/")
    return answer.context["user"] if answer.status_code == 200 else None


# --- the button ---------------------------------------------------------------------------------------


def test_the_login_page_has_no_single_sign_on_button_and_its_urls_answer_404_when_it_is_off(db, settings):
    settings.ONESTOP_OIDC = None
    page = Client().get("/login/")
    assert page.status_code == 200 and b"/login/sso/" not in page.content
    assert Client().get("/login/sso/").status_code == 404
    assert Client().get("/login/sso/callback/?code=x&state=y").status_code == 404


def test_the_login_page_offers_sign_in_with_the_configured_label(db, sso, english):
    page = Client().get("/login/?next=/profile/")
    assert "Sign in with Company Login" in page.content.decode()
    assert b'href="/login/sso/?next=/profile/"' in page.content


# --- signing in ---------------------------------------------------------------------------------------


def test_a_staff_user_known_by_e_mail_is_logged_in_with_a_session_like_a_password_login(db, sso, cs_user):
    sso.claims = {"email": cs_user.email.upper(), "email_verified": True}  # any case
    browser = Client()
    answer = sso.sign_in(browser, next_url="/profile/")
    assert answer.status_code == 302 and answer["Location"] == "/profile/"
    assert logged_in_user(browser) == cs_user
    # The session is recorded like a password log-in's: the sessions list and the idle timeout see it.
    assert UserSession.objects.filter(user=cs_user, session_key=browser.session.session_key).exists()
    assert "onestop_last_seen" in browser.session
    event = SecurityEvent.objects.filter(user=cs_user).first()
    assert event.kind == Kind.SSO_LOGIN
    # The code went to the provider with the client's credentials (HTTP Basic), never to the browser.
    assert sso.token_requests[0]["grant_type"] == ["authorization_code"]


def test_without_next_the_user_lands_on_the_home_page(db, sso, cs_user):
    sso.claims = {"email": cs_user.email}
    answer = sso.sign_in(Client())
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_an_address_on_another_site_is_not_followed_after_signing_in(db, sso, cs_user):
    sso.claims = {"email": cs_user.email}
    answer = sso.sign_in(Client(), next_url="https://evil.example/")
    assert answer["Location"] == "/"


def test_an_unknown_e_mail_is_refused_with_a_message_on_the_login_page_and_a_security_event(db, sso, english):
    sso.claims = {"email": "stranger@elsewhere.example"}
    browser = Client()
    answer = sso.sign_in(browser)
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    page = browser.get("/login/")
    assert "signed you in as stranger@elsewhere.example, but no active OneStop staff account" in messages_of(
        page
    )
    assert logged_in_user(browser) is None
    event = SecurityEvent.objects.get(kind=Kind.SSO_REFUSED)
    assert event.username == "stranger@elsewhere.example" and event.user is None


def test_no_account_is_created_for_an_unknown_e_mail(db, sso, cs_user):
    from onestop.accounts.models import User

    before = User.objects.count()
    sso.claims = {"email": "newcomer@onestop.example", "preferred_username": "newcomer"}
    sso.sign_in(Client())
    assert User.objects.count() == before


@pytest.mark.parametrize("who", ["client", "inactive"])
def test_a_client_user_or_a_deactivated_account_is_not_signed_in_by_the_provider(
    db, sso, client_a, cs_user, who
):
    user = client_a
    if who == "inactive":
        user = cs_user
        user.is_active = False
        user.save()
    sso.claims = {"email": user.email}
    browser = Client()
    assert sso.sign_in(browser)["Location"] == "/login/"
    assert logged_in_user(browser) is None
    assert SecurityEvent.objects.filter(kind=Kind.SSO_REFUSED, username=user.email).exists()


def test_an_address_the_provider_has_not_verified_is_refused(db, sso, cs_user, english):
    sso.claims = {"email": cs_user.email, "email_verified": False}
    browser = Client()
    sso.sign_in(browser)
    assert "has not verified the e-mail address" in messages_of(browser.get("/login/"))
    assert logged_in_user(browser) is None


def test_two_accounts_with_one_address_are_refused_rather_than_guessed(db, sso, make_user, english):
    make_user(Role.HR, username="one", email="shared@onestop.example")
    make_user(Role.HR, username="two", email="Shared@onestop.example")
    sso.claims = {"email": "shared@onestop.example"}
    browser = Client()
    sso.sign_in(browser)
    assert "More than one OneStop account" in messages_of(browser.get("/login/"))
    assert logged_in_user(browser) is None


def test_the_address_is_read_from_the_userinfo_endpoint_when_the_id_token_has_none(db, sso, cs_user):
    sso.claims = {}
    sso.userinfo = {"sub": "subject-42", "email": cs_user.email}
    browser = Client()
    sso.sign_in(browser)
    assert logged_in_user(browser) == cs_user


def test_a_userinfo_answer_about_another_subject_is_not_believed(db, sso, cs_user):
    sso.claims = {}
    sso.userinfo = {"sub": "someone-else", "email": cs_user.email}
    browser = Client()
    sso.sign_in(browser)
    assert logged_in_user(browser) is None


# --- what the provider's answer must prove ---------------------------------------------------------------


def test_an_id_token_signed_with_another_key_is_refused(db, sso, cs_user, english):
    sso.claims = {"email": cs_user.email}
    sso.signing_key = FORGER_KEY  # same key id, different key: a forged token
    browser = Client()
    answer = sso.sign_in(browser)
    assert answer["Location"] == "/login/"
    assert "Signing in with Company Login did not succeed" in messages_of(browser.get("/login/"))
    assert logged_in_user(browser) is None
    assert SecurityEvent.objects.filter(kind=Kind.SSO_REFUSED).exists()


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client", "azp": CLIENT_ID},
        {"iss": "https://other-idp.example.test"},
        {"exp": 1_000_000_000, "iat": 999_999_000},
        {"nonce": "replayed-nonce"},
    ],
    ids=["audience", "issuer", "expired", "nonce"],  # audience: issued to another client of the provider
)
def test_an_id_token_for_another_client_issuer_time_or_request_is_refused(db, sso, cs_user, claims):
    sso.claims = {"email": cs_user.email}
    original = sso.id_token

    def altered():
        token_claims = jwt.decode(original(), PROVIDER_KEY).claims
        return jwt.encode({"alg": "RS256", "kid": "provider-1"}, {**token_claims, **claims}, PROVIDER_KEY)

    sso.id_token = altered
    browser = Client()
    sso.sign_in(browser)
    assert logged_in_user(browser) is None


def test_a_discovery_document_naming_another_issuer_is_not_used(db, sso, cs_user, settings):
    settings.ONESTOP_OIDC = {**settings.ONESTOP_OIDC, "issuer": "https://idp.example.test/realms/other"}
    sso.claims = {"email": cs_user.email}
    browser = Client()
    sso.sign_in(browser)
    assert logged_in_user(browser) is None


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(db, sso, cs_user):
    sso.claims = {"email": cs_user.email}
    browser = Client()
    answer = browser.get("/login/sso/callback/", {"code": "the-code", "state": "made-up"})
    assert answer["Location"] == "/login/"
    assert logged_in_user(browser) is None
    assert sso.token_requests == []  # the code was never even exchanged
    # Nothing was started from this browser: no event either (anyone could send such links).
    assert not SecurityEvent.objects.filter(kind=Kind.SSO_REFUSED).exists()


def test_a_callback_with_another_state_than_the_one_started_is_refused_and_recorded(db, sso, cs_user):
    sso.claims = {"email": cs_user.email}
    browser = Client()
    browser.get("/login/sso/")
    answer = browser.get("/login/sso/callback/", {"code": "the-code", "state": "made-up"})
    assert answer["Location"] == "/login/"
    assert logged_in_user(browser) is None and sso.token_requests == []
    assert SecurityEvent.objects.filter(kind=Kind.SSO_REFUSED).exists()


def test_the_provider_refusing_the_person_gives_the_message_on_the_login_page(db, sso, english):
    browser = Client()
    answer = sso.sign_in(browser, error="access_denied", code="")
    assert answer["Location"] == "/login/"
    assert "did not succeed" in messages_of(browser.get("/login/"))


def test_an_unreachable_provider_gives_the_message_instead_of_an_error_page(db, settings, english):
    settings.ONESTOP_OIDC = {
        "discovery_url": "https://unreachable.example.test/.well-known/openid-configuration",
        "issuer": None,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid email",
        "label": "",
        "timeout": 1,
    }
    oidc._clients.clear()
    browser = Client()
    with responses.RequestsMock() as mock:
        mock.get(
            "https://unreachable.example.test/.well-known/openid-configuration",
            body=ConnectionError("no route to host"),
        )
        answer = browser.get("/login/sso/")
    oidc._clients.clear()
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "Signing in with single sign-on did not succeed" in messages_of(browser.get("/login/"))


# --- two-factor after single sign-on ----------------------------------------------------------------------


def test_a_user_with_two_factor_still_gives_the_code_after_the_provider_signed_them_in(db, sso, cs_user):
    device = TOTPDevice.objects.create(user=cs_user, name="OneStop", confirmed=True)
    sso.claims = {"email": cs_user.email}
    browser = Client()
    answer = sso.sign_in(browser, next_url="/profile/")
    assert answer["Location"] == "/login/verify/"
    assert logged_in_user(browser) is None  # not yet
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    answer = browser.post("/login/verify/", {"code": code})
    assert answer.status_code == 302 and answer["Location"] == "/profile/"
    assert logged_in_user(browser) == cs_user
    assert SecurityEvent.objects.filter(user=cs_user).first().kind == Kind.SSO_LOGIN


def test_a_role_that_must_use_two_factor_is_sent_to_set_it_up_after_single_sign_on(
    db, sso, finance_user, settings
):
    settings.ONESTOP_REQUIRE_2FA_ROLES = [Role.FINANCE.value]
    sso.claims = {"email": finance_user.email}
    browser = Client()
    sso.sign_in(browser)
    answer = browser.get("/profile/")
    assert answer.status_code == 302 and answer["Location"] == "/profile/two-factor/"


def test_a_password_log_in_is_still_recorded_as_a_plain_log_in(db, cs_user):
    browser = Client()
    assert browser.post("/login/", {"username": "cs", "password": "correct-horse-battery"}).status_code == 302
    assert SecurityEvent.objects.filter(user=cs_user).first().kind == Kind.LOGIN


# --- OIDC settings from the environment -------------------------------------------------------------------


OIDC_VARIABLES = [
    "ONESTOP_OIDC_ISSUER",
    "ONESTOP_OIDC_CLIENT_ID",
    "ONESTOP_OIDC_CLIENT_SECRET",
    "ONESTOP_OIDC_LABEL",
    "ONESTOP_OIDC_SCOPES",
]


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("ONESTOP_OIDC_", "ONESTOP_LDAP_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_single_sign_on_is_off_without_its_variables(clean_env):
    assert signin_settings.oidc() is None


def test_the_issuer_gives_the_discovery_url_and_the_rest_comes_from_the_environment(clean_env):
    clean_env.setenv("ONESTOP_OIDC_ISSUER", "https://login.example.com/realms/staff/")
    clean_env.setenv("ONESTOP_OIDC_CLIENT_ID", "onestop")
    clean_env.setenv("ONESTOP_OIDC_CLIENT_SECRET", "secret")
    clean_env.setenv("ONESTOP_OIDC_LABEL", "Example ID")
    config = signin_settings.oidc()
    assert (
        config["discovery_url"] == "https://login.example.com/realms/staff/.well-known/openid-configuration"
    )
    assert (config["client_id"], config["client_secret"], config["label"]) == (
        "onestop",
        "secret",
        "Example ID",
    )
    assert config["scopes"] == "openid email profile"


@pytest.mark.parametrize(
    "variables",
    [
        {"ONESTOP_OIDC_ISSUER": "https://login.example.com"},  # no client
        {"ONESTOP_OIDC_CLIENT_ID": "onestop"},  # no issuer
        {
            "ONESTOP_OIDC_ISSUER": "http://login.example.com",
            "ONESTOP_OIDC_CLIENT_ID": "a",
            "ONESTOP_OIDC_CLIENT_SECRET": "b",
        },
        {
            "ONESTOP_OIDC_ISSUER": "https://login.example.com",
            "ONESTOP_OIDC_CLIENT_ID": "a",
            "ONESTOP_OIDC_CLIENT_SECRET": "b",
            "ONESTOP_OIDC_SCOPES": "email",
        },
    ],
    ids=["no-client", "no-issuer", "plain-http", "no-openid-scope"],
)
def test_an_incomplete_or_unsafe_oidc_configuration_stops_the_start_with_a_sentence(clean_env, variables):
    from django.core.exceptions import ImproperlyConfigured

    for name, value in variables.items():
        clean_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_OIDC_"):
        signin_settings.oidc()


# --- LDAP settings from the environment -------------------------------------------------------------------


def settings_under(environment: dict) -> dict:
    """AUTHENTICATION_BACKENDS and the AUTH_LDAP_* names of onestop.settings loaded in a fresh
    interpreter with ``environment`` (the settings module reads the environment once, at import)."""
    script = (
        "import json, onestop.settings as s\n"
        "names = [n for n in dir(s) if n.startswith('AUTH_LDAP_')]\n"
        "out = {'AUTHENTICATION_BACKENDS': s.AUTHENTICATION_BACKENDS, 'ONESTOP_OIDC': s.ONESTOP_OIDC}\n"
        "for n in names:\n"
        "    v = getattr(s, n)\n"
        "    out[n] = v if isinstance(v, (str, bool, dict, list)) and n != 'AUTH_LDAP_CONNECTION_OPTIONS' "
        "else repr(getattr(v, 'filterstr', v)) + ' ' + repr(getattr(v, 'base_dn', ''))\n"
        "print(json.dumps(out))\n"
    )
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ONESTOP_OIDC_", "ONESTOP_LDAP_", "DJANGO_SETTINGS"))
    }
    env.update(ONESTOP_DEV="1", ONESTOP_DATA_DIR=tempfile.mkdtemp(prefix="onestop-sso-"), **environment)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_by_default_neither_ldap_nor_single_sign_on_is_configured():
    values = settings_under({})
    assert values["ONESTOP_OIDC"] is None
    assert signin_settings.LDAP_BACKEND not in values["AUTHENTICATION_BACKENDS"]
    assert not [name for name in values if name.startswith("AUTH_LDAP_")]


def python_ldap_available() -> bool:
    try:
        import django_auth_ldap  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        return False
    return True


needs_python_ldap = pytest.mark.skipif(
    not python_ldap_available(), reason="python-ldap is not installed (the ldap extra)"
)


@needs_python_ldap
def test_the_ldap_variables_put_the_directory_before_onestops_own_passwords():
    values = settings_under(
        {
            "ONESTOP_LDAP_SERVER_URI": "ldaps://dc1.corp.example ldaps://dc2.corp.example",
            "ONESTOP_LDAP_BIND_DN": "CN=onestop,OU=Services,DC=corp,DC=example",
            "ONESTOP_LDAP_BIND_PASSWORD": "bind-secret",
            "ONESTOP_LDAP_USER_SEARCH_BASE": "OU=Staff,DC=corp,DC=example",
            "ONESTOP_LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
            "ONESTOP_LDAP_START_TLS": "no",
            "ONESTOP_LDAP_ATTR_FULL_NAME": "displayName",
        }
    )
    backends = values["AUTHENTICATION_BACKENDS"]
    # Lockout first (django-axes), then the directory, then OneStop's own passwords.
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert backends.index(signin_settings.LDAP_BACKEND) + 1 == backends.index(
        "django.contrib.auth.backends.ModelBackend"
    )
    assert values["AUTH_LDAP_SERVER_URI"] == "ldaps://dc1.corp.example ldaps://dc2.corp.example"
    assert values["AUTH_LDAP_BIND_DN"] == "CN=onestop,OU=Services,DC=corp,DC=example"
    assert values["AUTH_LDAP_BIND_PASSWORD"] == "bind-secret"
    assert values["AUTH_LDAP_USER_SEARCH"] == "'(sAMAccountName=%(user)s)' 'OU=Staff,DC=corp,DC=example'"
    assert values["AUTH_LDAP_START_TLS"] is False
    assert values["AUTH_LDAP_USER_ATTR_MAP"] == {"full_name": "displayName", "email": "mail"}
    assert values["AUTH_LDAP_NO_NEW_USERS"] is True  # never creates an account


@pytest.mark.parametrize(
    "variables",
    [
        {"ONESTOP_LDAP_SERVER_URI": "https://dc1.corp.example"},
        {"ONESTOP_LDAP_SERVER_URI": "ldap://dc1.corp.example"},  # no search base
        {
            "ONESTOP_LDAP_SERVER_URI": "ldap://dc1.corp.example",
            "ONESTOP_LDAP_USER_SEARCH_BASE": "dc=corp",
            "ONESTOP_LDAP_USER_FILTER": "(uid=admin)",
        },
    ],
    ids=["not-ldap", "no-base", "filter-without-user"],
)
def test_an_incomplete_ldap_configuration_stops_the_start_with_a_sentence(clean_env, variables):
    from django.core.exceptions import ImproperlyConfigured

    for name, value in variables.items():
        clean_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_LDAP_"):
        signin_settings.ldap()


# --- LDAP: a log-in against a real directory ---------------------------------------------------------------

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
SUFFIX = "dc=onestop,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-admin"
DIRECTORY_PASSWORD = "password-in-the-directory"


@pytest.fixture(scope="module")
def directory():
    """An OpenLDAP server of its own (slapd on a free port of this machine, data in a temporary
    folder) with ou=people: ann and client.a (the same user name as a client user's)."""
    if SLAPD is None or not python_ldap_available():
        missing = "slapd (Debian package slapd) and python-ldap (the ldap extra) are needed"
        if os.environ.get("CI"):
            pytest.fail(missing + ": .ci/run installs them")  # never skipped quietly in CI
        pytest.skip(missing)
    import ldap
    import ldap.modlist

    folder = Path(tempfile.mkdtemp(prefix="onestop-slapd-"))
    (folder / "db").mkdir()
    (folder / "slapd.conf").write_text(
        "\n".join(
            [
                *(f"include /etc/ldap/schema/{name}.schema" for name in ("core", "cosine", "inetorgperson")),
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"pidfile {folder}/slapd.pid",
                "database mdb",
                "maxsize 10485760",
                f'suffix "{SUFFIX}"',
                f'rootdn "{ROOT_DN}"',
                f"rootpw {ROOT_PASSWORD}",
                f"directory {folder}/db",
                "",
            ]
        )
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (the test ends this very process), logging nothing.
    server = subprocess.Popen(
        [SLAPD, "-f", str(folder / "slapd.conf"), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        connection = None
        for _attempt in range(100):
            try:
                connection = ldap.initialize(uri)
                connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
                break
            except ldap.SERVER_DOWN:
                if server.poll() is not None:
                    pytest.fail("slapd did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.1)
        entries = {
            SUFFIX: {"objectClass": [b"dcObject", b"organization"], "dc": [b"onestop"], "o": [b"OneStop"]},
            f"ou=people,{SUFFIX}": {"objectClass": [b"organizationalUnit"], "ou": [b"people"]},
        }
        for uid, name in (("ann", "Ann Directory"), ("client.a", "Someone Else"), ("newcomer", "New Comer")):
            entries[f"uid={uid},ou=people,{SUFFIX}"] = {
                "objectClass": [b"inetOrgPerson"],
                "uid": [uid.encode()],
                "cn": [name.encode()],
                "sn": [name.split()[-1].encode()],
                "mail": [f"{uid}@corp.test".encode()],
                "userPassword": [DIRECTORY_PASSWORD.encode()],
            }
        for dn, attributes in entries.items():
            connection.add_s(dn, ldap.modlist.addModlist(attributes))
        connection.unbind_s()
        yield uri
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def ldap_on(directory, settings, clean_env):
    """OneStop's settings as the ONESTOP_LDAP_* variables make them, pointed at the directory."""
    clean_env.setenv("ONESTOP_LDAP_SERVER_URI", directory)
    clean_env.setenv("ONESTOP_LDAP_BIND_DN", ROOT_DN)
    clean_env.setenv("ONESTOP_LDAP_BIND_PASSWORD", ROOT_PASSWORD)
    clean_env.setenv("ONESTOP_LDAP_USER_SEARCH_BASE", f"ou=people,{SUFFIX}")
    for name, value in signin_settings.ldap().items():
        setattr(settings, name, value)
    backends = list(settings.AUTHENTICATION_BACKENDS)
    backends.insert(backends.index("django.contrib.auth.backends.ModelBackend"), signin_settings.LDAP_BACKEND)
    settings.AUTHENTICATION_BACKENDS = backends


def password_log_in(username: str, password: str) -> Client:
    browser = Client()
    browser.post("/login/", {"username": username, "password": password})
    return browser


def test_a_staff_user_logs_in_with_the_directory_password_and_gets_the_directorys_name_and_address(
    db, ldap_on, make_user
):
    ann = make_user(Role.HR, username="ann", full_name="Ann (old)", email="old@onestop.example")
    browser = password_log_in("ann", DIRECTORY_PASSWORD)
    assert logged_in_user(browser) == ann  # and the session holds on the next request
    ann.refresh_from_db()
    assert (ann.full_name, ann.email) == ("Ann Directory", "ann@corp.test")
    assert list(ann.groups.values_list("name", flat=True)) == [Role.HR.value]  # roles untouched
    assert SecurityEvent.objects.filter(user=ann).first().kind == Kind.LOGIN
    # A log-in that changes nothing adds no history row.
    rows = ann.history.count()
    assert logged_in_user(password_log_in("ann", DIRECTORY_PASSWORD)) == ann
    assert ann.history.count() == rows


def test_a_wrong_directory_password_is_refused_and_counted_like_any_wrong_password(db, ldap_on, make_user):
    make_user(Role.HR, username="ann")
    browser = password_log_in("ann", "not-the-password")
    assert logged_in_user(browser) is None
    assert SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED, username="ann").exists()


def test_onestops_own_password_still_works_with_the_directory_on(db, ldap_on, make_user):
    make_user(Role.SYSTEM_ADMIN, username="localadmin")  # not in the directory
    assert logged_in_user(password_log_in("localadmin", "correct-horse-battery")) is not None


def test_someone_in_the_directory_without_a_onestop_account_is_not_given_one(db, ldap_on):
    from onestop.accounts.models import User

    browser = password_log_in("newcomer", DIRECTORY_PASSWORD)
    assert logged_in_user(browser) is None
    assert not User.objects.filter(username="newcomer").exists()


def test_a_client_user_with_a_directory_user_name_cannot_log_in_with_the_directory_password(
    db, ldap_on, client_a
):
    assert logged_in_user(password_log_in("client.a", DIRECTORY_PASSWORD)) is None
    client_a.refresh_from_db()
    assert client_a.email != "client.a@corp.test"  # and the directory did not rewrite the account
    assert logged_in_user(password_log_in("client.a", "correct-horse-battery")) == client_a


def test_a_deactivated_account_cannot_log_in_with_the_directory_password(db, ldap_on, make_user):
    make_user(Role.HR, username="ann", is_active=False)
    assert logged_in_user(password_log_in("ann", DIRECTORY_PASSWORD)) is None
