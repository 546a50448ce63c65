"""Sign-in (issue 17): the idle timeout, "log out my other sessions" (UserSession), and
two-factor log-in with an authenticator app (TOTP) and backup codes."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from onestop.accounts import sessions, twofactor
from onestop.accounts.models import UserSession
from onestop.core.models import SecurityEvent
from onestop.core.roles import Role

Kind = SecurityEvent.Kind
PASSWORD = "correct-horse-battery"


class Clock:
    """The clock the idle-timeout middleware reads, moved by the test."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moving = Clock()
    monkeypatch.setattr(sessions, "now", moving)
    return moving


def log_in(user, address="127.0.0.1") -> Client:
    browser = Client(REMOTE_ADDR=address)
    answer = browser.post("/login/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content[:500]
    return browser


def messages_of(answer) -> str:
    return " ".join(str(message) for message in answer.context["messages"]) if answer.context else ""


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code_for(device, drift) for drift in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1, 10) if f"{n:06d}" not in right)


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="OneStop", confirmed=True)


# --- the idle timeout -----------------------------------------------------------------------------------


def test_an_idle_session_is_logged_out_at_its_next_request_with_a_message_why(
    client, cs_user, clock, settings, english
):
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 30
    browser = log_in(cs_user)
    assert browser.get("/profile/").status_code == 200
    clock.advance(31)
    answer = browser.get("/profile/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/?next=/profile/")
    login_page = browser.get(answer["Location"])
    assert "after 30 minutes without activity" in messages_of(login_page)
    assert browser.get("/profile/").status_code == 302  # logged out for good
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.SESSION_TIMEOUT).count() == 1
    assert not SecurityEvent.objects.filter(user=cs_user, kind=Kind.LOGOUT).exists()
    assert not UserSession.objects.filter(user=cs_user).exists()


def test_a_session_in_use_is_not_timed_out(cs_user, clock, settings):
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 30
    browser = log_in(cs_user)
    for _step in range(4):
        clock.advance(20)
        assert browser.get("/profile/").status_code == 200


def test_the_idle_time_comes_from_the_setting_and_zero_switches_it_off(cs_user, clock, settings):
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 5
    browser = log_in(cs_user)
    clock.advance(4)
    assert browser.get("/profile/").status_code == 200
    clock.advance(6)
    assert browser.get("/profile/").status_code == 302
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 0
    browser = log_in(cs_user)
    clock.advance(60 * 24)
    assert browser.get("/profile/").status_code == 200


def test_an_api_request_with_a_token_is_not_timed_out(cs_user, clock, settings):
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 30
    token = Token.objects.create(user=cs_user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/me/").status_code == 200
    clock.advance(60 * 5)
    assert api.get("/api/me/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=Kind.SESSION_TIMEOUT).exists()


def test_an_idle_browser_calling_the_api_is_answered_as_logged_out(cs_user, clock, settings):
    settings.ONESTOP_IDLE_TIMEOUT_MINUTES = 30
    browser = log_in(cs_user)
    assert browser.get("/api/me/").status_code == 200
    clock.advance(45)
    assert browser.get("/api/me/").status_code in (401, 403)


# --- other sessions ----------------------------------------------------------------------------------------


def test_logging_out_my_other_sessions_ends_them_and_keeps_this_one(cs_user, hr_user, english):
    here, phone, laptop = log_in(cs_user), log_in(cs_user), log_in(cs_user)
    colleague = log_in(hr_user)
    assert "also logged in on 2 other" in here.get("/profile/").content.decode()
    answer = here.post("/profile/sessions/end-others/", follow=True)
    assert "2 other sessions were logged out" in messages_of(answer)
    assert here.get("/profile/").status_code == 200
    assert phone.get("/profile/").status_code == 302
    assert laptop.get("/profile/").status_code == 302
    assert colleague.get("/profile/").status_code == 200
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.SESSIONS_ENDED).count() == 1
    assert UserSession.objects.filter(user=cs_user).count() == 1


def test_with_no_other_session_the_page_says_nothing_was_logged_out(cs_user, english):
    here = log_in(cs_user)
    answer = here.post("/profile/sessions/end-others/", follow=True)
    assert "no other sessions" in messages_of(answer)


def test_the_api_twin_ends_the_other_sessions_and_says_how_many(cs_user):
    here, other = log_in(cs_user), log_in(cs_user)
    answer = here.post("/api/me/end-other-sessions/")
    assert answer.status_code == 200 and answer.json() == {"ended": 1}
    assert here.get("/api/me/").status_code == 200
    assert other.get("/profile/").status_code == 302
    # With a token there is no current browser session: every browser session ends.
    browser = log_in(cs_user)
    token = Token.objects.create(user=cs_user)
    answer = Client().post("/api/me/end-other-sessions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert answer.json() == {"ended": 2}
    assert browser.get("/profile/").status_code == 302
    assert Client().post("/api/me/end-other-sessions/").status_code in (401, 403)


def test_a_password_change_logs_out_the_other_sessions_only(cs_user):
    here, other = log_in(cs_user), log_in(cs_user)
    answer = here.post(
        "/profile/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "New-pass-phrase-22",
            "new_password2": "New-pass-phrase-22",
        },
    )
    assert answer.status_code == 302
    assert here.get("/profile/").status_code == 200
    assert other.get("/profile/").status_code == 302
    assert UserSession.objects.filter(user=cs_user).count() == 1


# --- two-factor: set-up ---------------------------------------------------------------------------------------


def test_two_factor_is_set_up_with_a_code_computed_from_the_secret_shown(client, cs_user, english):
    client.force_login(cs_user)
    page = client.get("/profile/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'id="two-factor-secret"[^>]*>([A-Z2-7]+)<', html).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    device = TOTPDevice.objects.get(user=cs_user, confirmed=False)
    assert key == device.bin_key

    refused = client.post("/profile/two-factor/", {"code": wrong_code(device)})
    assert refused.status_code == 400 and "not correct" in refused.content.decode()
    assert not twofactor.has_two_factor(cs_user)

    answer = client.post("/profile/two-factor/", {"code": f"{totp(key):06d}"})
    assert answer.status_code == 200 and 'id="backup-codes"' in answer.content.decode()
    assert twofactor.has_two_factor(cs_user) and twofactor.backup_codes_left(cs_user) == 10
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.TWO_FACTOR_ENROLLED).count() == 1
    assert "Two-factor log-in is on" in client.get("/profile/two-factor/").content.decode()


def test_new_backup_codes_replace_the_old_ones(client, cs_user):
    with_device(cs_user)
    old = twofactor.renew_backup_codes(cs_user)
    client.force_login(cs_user)
    answer = client.post("/profile/two-factor/", {"renew": "1"})
    assert answer.status_code == 200
    assert not StaticDevice.objects.filter(user=cs_user, token_set__token=old[0]).exists()
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.BACKUP_CODES_RENEWED).count() == 2


# --- two-factor: log-in -----------------------------------------------------------------------------------------


def test_a_user_with_two_factor_logs_in_only_with_the_right_code(client, cs_user, english):
    device = with_device(cs_user)
    answer = client.post("/login/", {"username": "cs", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/login/verify/"
    assert client.get("/profile/").status_code == 302  # the password alone is not a log-in
    refused = client.post("/login/verify/", {"code": wrong_code(device)})
    assert refused.status_code == 400 and "not correct" in refused.content.decode()
    assert client.get("/profile/").status_code == 302
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.TWO_FACTOR_FAILED).count() == 1
    answer = client.post("/login/verify/", {"code": code_for(device)})
    assert answer.status_code == 302
    assert client.get("/profile/").status_code == 200
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.LOGIN).count() == 1


def test_the_code_page_without_a_password_first_goes_back_to_log_in(client, db):
    answer = client.post("/login/verify/", {"code": "123456"})
    assert answer.status_code == 302 and answer["Location"] == "/login/"


def test_wrong_codes_count_towards_the_log_in_lockout(cs_user, settings):
    device = with_device(cs_user)
    browser = Client(REMOTE_ADDR="198.51.100.23")
    browser.post("/login/", {"username": "cs", "password": PASSWORD})
    statuses = [
        browser.post("/login/verify/", {"code": wrong_code(device)}).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1) and statuses[-1] == 429
    # Locked out: even the password and then the right code do not log in now.
    browser.post("/login/", {"username": "cs", "password": PASSWORD})
    browser.post("/login/verify/", {"code": code_for(device)})
    assert browser.get("/profile/").status_code == 302


def test_a_backup_code_logs_in_once(cs_user):
    with_device(cs_user)
    codes = twofactor.renew_backup_codes(cs_user)
    browser = Client()
    browser.post("/login/", {"username": "cs", "password": PASSWORD})
    assert browser.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert browser.get("/profile/").status_code == 200
    assert SecurityEvent.objects.filter(user=cs_user, kind=Kind.BACKUP_CODE_USED).count() == 1
    again = Client()
    again.post("/login/", {"username": "cs", "password": PASSWORD})
    assert again.post("/login/verify/", {"code": codes[0]}).status_code == 400
    assert again.get("/profile/").status_code == 302
    assert twofactor.backup_codes_left(cs_user) == 9


def test_a_user_without_two_factor_logs_in_with_the_password_alone(cs_user):
    browser = log_in(cs_user)
    assert browser.get("/profile/").status_code == 200


# --- two-factor: required for some roles ---------------------------------------------------------------------------


def test_a_required_role_must_set_up_two_factor_before_anything_else(
    finance_user, cs_user, settings, english
):
    settings.ONESTOP_REQUIRE_2FA_ROLES = [Role.SYSTEM_ADMIN.value, Role.FINANCE.value]
    browser = log_in(finance_user)
    answer = browser.get("/")
    assert answer.status_code == 302 and answer["Location"] == "/profile/two-factor/"
    page = browser.get(answer["Location"])
    assert page.status_code == 200 and "requires two-factor log-in" in messages_of(page)
    refused = browser.get("/api/me/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    # An API token is its own credential: not held back.
    token = Token.objects.create(user=finance_user)
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    # Other roles are not concerned.
    assert log_in(cs_user).get("/").status_code == 200
    # Once set up, everything opens.
    device = TOTPDevice.objects.get(user=finance_user, confirmed=False)
    browser.post("/profile/two-factor/", {"code": code_for(device)})
    assert browser.get("/").status_code == 200


# --- two-factor: reset by a system administrator -----------------------------------------------------------------


def test_a_system_administrator_resets_a_users_two_factor_and_their_sessions_end(
    admin_user, cs_user, english
):
    with_device(cs_user)
    twofactor.renew_backup_codes(cs_user)
    user_browser = Client()
    user_browser.force_login(cs_user)
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/accounts/users/{cs_user.pk}/").content.decode()
    assert "Reset two-factor log-in" in page
    answer = admin.post(f"/accounts/users/{cs_user.pk}/two-factor-reset/", follow=True)
    assert "Two-factor log-in was reset" in messages_of(answer)
    assert not TOTPDevice.objects.filter(user=cs_user).exists()
    assert not StaticDevice.objects.filter(user=cs_user).exists()
    assert user_browser.get("/profile/").status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_RESET)
    assert event.user == cs_user and event.actor == admin_user
    assert log_in(cs_user).get("/profile/").status_code == 200  # the password alone again


def test_only_a_system_administrator_may_reset_two_factor(hr_user, cs_user):
    with_device(cs_user)
    hr = Client()
    hr.force_login(hr_user)
    assert "two-factor-reset" not in hr.get(f"/accounts/users/{cs_user.pk}/").content.decode()
    assert hr.post(f"/accounts/users/{cs_user.pk}/two-factor-reset/").status_code in (403, 404)
    assert hr.post(f"/api/users/{cs_user.pk}/two-factor-reset/").status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=cs_user).exists()


def test_the_api_twin_resets_two_factor(admin_user, cs_user):
    with_device(cs_user)
    token = Token.objects.create(user=admin_user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.post(f"/api/users/{cs_user.pk}/two-factor-reset/").status_code == 200
    assert not TOTPDevice.objects.filter(user=cs_user).exists()
    again = api.post(f"/api/users/{cs_user.pk}/two-factor-reset/")
    assert again.status_code == 400 and again.json()["code"] == "condition_unmet"
