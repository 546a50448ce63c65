"""Who may grant which role, and whose account a user may change (issue 10 item 1, SPEC X-3).

HR grants the operational roles; management and system administrator are above HR and are
granted by a system administrator only. Every change of roles is in the account's history and
announced to the person and to the system administrators. Accounts that have acted are
deactivated, not deleted.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onestop.accounts.models import User
from onestop.core.roles import Role
from onestop.notifications.models import Notification

pytestmark = pytest.mark.usefixtures("english")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _roles(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_hr_cannot_make_itself_management_or_system_administrator_through_the_api(hr_user):
    for roles in (["hr", "management"], ["hr", "system_admin"]):
        answer = _api(hr_user).patch(f"/api/users/{hr_user.pk}/", {"roles": roles}, format="json")
        assert answer.status_code == 403, answer.content
        assert answer.json()["code"] == "permission_denied"
        assert "roles" in answer.json()["errors"]
    assert _roles(hr_user) == {"hr"}
    assert not User.objects.get(pk=hr_user.pk).is_staff


def test_hr_grants_an_operational_role_and_the_person_and_the_administrators_are_told(
    hr_user, admin_user, make_user
):
    technician = make_user(Role.TECHNICIAN, username="tech")
    answer = _api(hr_user).patch(
        f"/api/users/{technician.pk}/", {"roles": ["technician", "project_lead"]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert _roles(technician) == {"technician", "project_lead"}
    told = Notification.objects.filter(title__icontains="roles", body__contains="Project lead")
    assert set(told.values_list("recipient__username", flat=True)) == {"tech", "sysadmin"}
    latest = User.history.filter(id=technician.pk).latest("history_id")
    assert latest.history_user_id == hr_user.pk
    assert {m.group_id for m in latest.groups.all()} == set(technician.groups.values_list("id", flat=True))


def test_hr_cannot_create_a_management_account(hr_user):
    answer = _api(hr_user).post(
        "/api/users/",
        {"username": "boss2", "password": "A-long-pass-phrase-42", "roles": ["management"]},
        format="json",
    )
    assert answer.status_code == 403
    assert not User.objects.filter(username="boss2").exists()


def test_hr_cannot_change_reset_or_delete_a_management_account(hr_user, make_user):
    boss = make_user(Role.MANAGEMENT, username="boss")
    api = _api(hr_user)
    assert (
        api.patch(f"/api/users/{boss.pk}/", {"password": "Taken-over-42-xyz"}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/users/{boss.pk}/").status_code == 403
    assert User.objects.get(pk=boss.pk).check_password("x") is False
    assert User.objects.filter(pk=boss.pk).exists()


def test_a_system_administrator_grants_management(admin_user, make_user):
    lead = make_user(Role.PROJECT_LEAD, username="lead")
    answer = _api(admin_user).patch(f"/api/users/{lead.pk}/", {"roles": ["management"]}, format="json")
    assert answer.status_code == 200
    assert _roles(lead) == {"management"}


def test_the_account_form_offers_hr_only_the_roles_it_may_grant(client, hr_user, make_user):
    technician = make_user(Role.TECHNICIAN, username="tech")
    client.force_login(hr_user)
    page = client.get(f"/accounts/users/{technician.pk}/edit/")
    assert page.status_code == 200
    offered = {group.name for group in page.context["form"].fields["roles"].queryset}
    assert "technician" in offered and "hr" in offered
    assert not offered & {"management", "system_admin"}


def test_a_forged_post_granting_management_on_the_page_is_refused(client, hr_user, make_user):
    from django.contrib.auth.models import Group

    technician = make_user(Role.TECHNICIAN, username="tech")
    client.force_login(hr_user)
    management = Group.objects.get(name="management")
    answer = client.post(
        f"/accounts/users/{technician.pk}/edit/",
        {"username": "tech", "language": "zh-hant", "is_active": "on", "roles": [management.pk]},
    )
    assert answer.status_code == 400
    assert _roles(technician) == {"technician"}


def test_hr_opening_a_management_account_for_editing_is_refused(client, hr_user, make_user):
    boss = make_user(Role.MANAGEMENT, username="boss")
    client.force_login(hr_user)
    assert client.get(f"/accounts/users/{boss.pk}/edit/").status_code in (403, 404)
    assert client.post(f"/accounts/users/{boss.pk}/delete/").status_code in (403, 404)
    assert User.objects.filter(pk=boss.pk).exists()


def test_an_account_that_has_acted_is_deactivated_not_deleted(hr_user, make_user, org_a):
    from onestop.accounts.models import ClientContact

    colleague = make_user(Role.CUSTOMER_SERVICE, username="cs2")
    contact = ClientContact(organization=org_a, name="王先生")
    contact._history_user = colleague
    contact.save()
    answer = _api(hr_user).delete(f"/api/users/{colleague.pk}/")
    assert answer.status_code == 400 and answer.json()["code"] == "in_use"
    assert "deactivate" in answer.json()["detail"]
    assert User.objects.filter(pk=colleague.pk).exists()

    newcomer = make_user(Role.CUSTOMER_SERVICE, username="cs3")
    assert _api(hr_user).delete(f"/api/users/{newcomer.pk}/").status_code == 204


def test_nobody_deletes_their_own_account(admin_user):
    assert _api(admin_user).delete(f"/api/users/{admin_user.pk}/").status_code == 403
