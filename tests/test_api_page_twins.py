"""The API twins of pages that are plain functions (SPEC X-8, tests/test_meta_api_pages.py):
My work, the profile's edit and API token, the security events and the audit chain. Each is
compared with what the page shows, and keeps the page's rule for who may see it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onestop.core import chain, security
from onestop.core.models import SecurityEvent
from onestop.core.roles import Role
from onestop.core.work import work_for
from tests.stages import in_english, stage_personas
from tests.test_feedback import filed, invited


@pytest.fixture
def personas(personas, make_user):
    return in_english(stage_personas(personas, make_user))


@pytest.fixture(autouse=True)
def english(english):
    yield


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# --- My work ----------------------------------------------------------------------------------


def test_my_work_answers_the_items_of_the_my_work_page_in_its_order(personas, client):
    invited(personas)
    filed(personas, 1)
    answer = api(personas["client_a"]).get(reverse("api:my-work"))
    assert answer.status_code == 200
    items = work_for(personas["client_a"])
    assert [(row["title"], row["url"], row["kind"]) for row in answer.json()] == [
        (str(item.title), item.url, str(item.kind)) for item in items
    ]
    assert "Satisfaction survey" in [row["kind"] for row in answer.json()]
    # The page lists the same records.
    client.force_login(personas["client_a"])
    page = client.get(reverse("home")).content.decode()
    assert all(row["url"] in page for row in answer.json())


def test_my_work_is_the_users_own_and_needs_a_log_in(personas):
    invited(personas)
    other = api(personas["client_b"]).get(reverse("api:my-work")).json()
    assert "Satisfaction survey" not in [row["kind"] for row in other]
    assert api().get(reverse("api:my-work")).status_code == 401


# --- the profile: edit and API token ------------------------------------------------------------


def test_patching_me_changes_ones_own_details_as_the_profile_page(personas):
    user = personas["cs"]
    answer = api(user).patch(
        reverse("api:me"), {"phone": "02-2345-6789", "language": "zh-hant"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["phone"] == "02-2345-6789" and answer.json()["language"] == "zh-hant"
    user.refresh_from_db()
    assert (user.phone, user.language) == ("02-2345-6789", "zh-hant")
    assert user.history.first().history_user == user  # saved by the page's service, with its history


def test_patching_me_refuses_what_the_profile_form_refuses(personas):
    user = personas["cs"]
    assert api(user).patch(reverse("api:me"), {"language": "klingon"}, format="json").status_code == 400
    assert api(user).patch(reverse("api:me"), {"email": "not-an-address"}, format="json").status_code == 400
    # The roles and the organisation are not the user's to change here: unknown fields change nothing.
    api(user).patch(reverse("api:me"), {"roles": ["system_admin"]}, format="json")
    assert not user.groups.filter(name=Role.SYSTEM_ADMIN).exists()


def test_a_new_api_token_replaces_the_old_one_and_is_recorded(personas):
    user = personas["cs"]
    old = Token.objects.create(user=user)
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    answer = with_token.post(reverse("api:token"))
    assert answer.status_code == 200
    new = answer.json()["token"]
    assert new != old.key and Token.objects.get(user=user).key == new
    assert with_token.get(reverse("api:me")).status_code == 401  # the old token no longer works
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert with_token.get(reverse("api:me")).status_code == 200
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.TOKEN_REGENERATED).count() == 1


def test_a_new_api_token_only_for_a_logged_in_user_who_may_use_one(personas, client):
    import rules

    assert api().post(reverse("api:token")).status_code == 401
    # Today every logged-in user may use a token; whoever the rule refuses, both ways refuse.
    rule = rules.permissions.permissions["accounts.use_api_token"]
    rules.set_perm("accounts.use_api_token", rules.always_deny)
    try:
        assert api(personas["cs"]).post(reverse("api:token")).status_code == 403
        client.force_login(personas["cs"])
        assert client.post(reverse("regenerate_token")).status_code == 403
    finally:
        rules.set_perm("accounts.use_api_token", rule)
    assert not Token.objects.filter(user=personas["cs"]).exists()


# --- security events and the audit chain --------------------------------------------------------


def test_the_security_events_list_the_pages_rows_with_its_filters(personas):
    security.record(SecurityEvent.Kind.LOGIN_FAILED, user=personas["cs"])
    security.record(SecurityEvent.Kind.LOGIN, user=personas["hr"])
    admin = api(personas["admin"])
    answer = admin.get(reverse("api:securityevent-list"), {"kind": "login_failed"})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(row["kind"], row["user"]) for row in rows] == [("login_failed", personas["cs"].pk)]
    assert rows[0]["kind_display"] == "Log-in refused"
    assert admin.get(reverse("api:securityevent-list"), {"kind": "no-such-kind"}).status_code == 400
    assert admin.get(reverse("api:securityevent-list"), {"kidn": "login"}).status_code == 400


def test_anyone_but_a_system_administrator_gets_their_own_events_as_on_the_profile(personas):
    security.record(SecurityEvent.Kind.LOGIN, user=personas["hr"])
    security.record(SecurityEvent.Kind.LOGIN_FAILED, user=personas["cs"])
    security.record(SecurityEvent.Kind.LOGIN, user=personas["client_a"])
    for name in ("hr", "client_a"):
        rows = api(personas[name]).get(reverse("api:securityevent-list")).json()["results"]
        assert {row["user"] for row in rows} == {personas[name].pk}
    # Filtering by another user's name finds nothing outside one's own events.
    rows = api(personas["hr"]).get(reverse("api:securityevent-list"), {"username": "cs"}).json()["results"]
    assert rows == []
    assert api().get(reverse("api:securityevent-list")).status_code == 401


def test_the_audit_chain_answers_the_pages_report(personas):
    security.record(SecurityEvent.Kind.LOGIN, user=personas["hr"])
    answer = api(personas["admin"]).get(reverse("api:audit-chain"))
    assert answer.status_code == 200
    report = chain.verify()
    assert answer.json() == {
        "intact": True,
        "checked": report.checked,
        "broken": None,
        "head_seq": report.head_seq,
        "head_digest": report.head_digest,
    }


def test_a_broken_audit_chain_names_the_first_broken_link(personas):
    event = security.record(SecurityEvent.Kind.LOGIN, user=personas["hr"])
    SecurityEvent.objects.filter(pk=event.pk)._raw_delete(SecurityEvent.objects.db)
    body = api(personas["admin"]).get(reverse("api:audit-chain")).json()
    assert body["intact"] is False
    assert body["broken"]["reason"] == "deleted" and body["broken"]["message"] == "The entry was deleted."


def test_the_audit_chain_is_missing_for_anyone_but_system_administrators(personas):
    assert api(personas["hr"]).get(reverse("api:audit-chain")).status_code == 404
    assert api(personas["client_a"]).get(reverse("api:audit-chain")).status_code == 404
    assert api().get(reverse("api:audit-chain")).status_code == 401
