"""Security events: who logged in, failed to, changed a password or a token, and from where
(issue 17 item 7). They are never changed or deleted, and each is sealed in the audit chain."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from onestop.core import chain
from onestop.core.models import SecurityEvent
from onestop.core.roles import Role

Kind = SecurityEvent.Kind


def _events(user=None, kind=None):
    events = SecurityEvent.objects.all()
    if user is not None:
        events = events.filter(user=user)
    if kind is not None:
        events = events.filter(kind=kind)
    return events


def test_a_log_in_a_refused_log_in_and_a_log_out_are_recorded_with_the_address(client, cs_user):
    cs_user.set_password("Right-pass-123")
    cs_user.save()
    client.post("/login/", {"username": "cs", "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    refused = _events(cs_user, Kind.LOGIN_FAILED).get()
    assert refused.ip_address == "203.0.113.7" and refused.username == "cs"
    client.post("/login/", {"username": "cs", "password": "Right-pass-123"}, HTTP_USER_AGENT="Firefox/140")
    assert _events(cs_user, Kind.LOGIN).get().user_agent == "Firefox/140"
    client.post("/logout/")
    assert _events(cs_user, Kind.LOGOUT).count() == 1


def test_a_refused_log_in_with_an_unknown_user_name_keeps_the_name_given(client, db):
    client.post("/login/", {"username": "nobody-here", "password": "x"})
    event = _events(kind=Kind.LOGIN_FAILED).get()
    assert event.user is None and event.username == "nobody-here"


def test_a_password_change_is_its_own_event_not_a_log_in(client, cs_user):
    cs_user.set_password("Old-pass-phrase-1")
    cs_user.save()
    client.force_login(cs_user)
    answer = client.post(
        "/profile/password/",
        {
            "old_password": "Old-pass-phrase-1",
            "new_password1": "New-pass-phrase-22",
            "new_password2": "New-pass-phrase-22",
        },
    )
    assert answer.status_code == 302
    assert _events(cs_user, Kind.PASSWORD_CHANGED).count() == 1


def test_regenerating_the_api_token_and_an_administrator_setting_a_password_are_recorded(
    client, cs_user, hr_user
):
    from rest_framework.test import APIClient

    client.force_login(cs_user)
    client.post("/profile/token/", REMOTE_ADDR="198.51.100.4")
    assert _events(cs_user, Kind.TOKEN_REGENERATED).get().ip_address == "198.51.100.4"

    api = APIClient()
    api.force_authenticate(hr_user)
    assert (
        api.patch(f"/api/users/{cs_user.pk}/", {"password": "Set-by-hr-4242"}, format="json").status_code
        == 200
    )
    event = _events(cs_user, Kind.PASSWORD_SET).get()
    assert event.actor == hr_user


def test_an_event_cannot_be_changed_or_deleted_and_removing_it_breaks_the_chain(cs_user):
    from onestop.core import security

    event = security.record(Kind.LOGIN, user=cs_user, request=RequestFactory().get("/"))
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()
    assert chain.verify().intact
    SecurityEvent.objects.filter(pk=event.pk)._raw_delete(SecurityEvent.objects.db)
    report = chain.verify()
    assert not report.intact and report.broken.reason == "deleted"


def test_the_admin_offers_no_way_to_change_or_delete_events_or_log_in_attempts(rf, admin_user):
    from axes.models import AccessAttempt, AccessLog

    request = rf.get("/admin/")
    request.user = admin_user
    for model in (SecurityEvent, AccessAttempt, AccessLog):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_delete_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_add_permission(request)


def test_system_administrators_see_every_event_and_others_only_their_own(
    client, admin_user, cs_user, make_user
):
    from onestop.core import security

    security.record(Kind.LOGIN_FAILED, user=cs_user)
    client.force_login(admin_user)
    page = client.get("/core/security/events/", {"kind": "login_failed"})
    assert page.status_code == 200 and cs_user.display_name in page.content.decode()
    assert client.get("/core/security/events/", {"kind": "no-such-kind"}).status_code == 400

    hr = make_user(Role.HR, username="hr2")
    client.force_login(hr)
    assert client.get("/core/security/events/").status_code == 403
    assert set(SecurityEvent.objects.visible_to(hr).values_list("user", flat=True)) == {hr.pk}
    profile = client.get("/profile/").content.decode()
    assert 'id="recent-security-events"' in profile
