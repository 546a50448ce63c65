"""The foundation a user relies on: roles, log-in, languages, navigation, API, errors."""

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onestop.accounts.models import ClientOrganization, Department, User
from onestop.core.roles import Role
from tests.factories import ClientOrganizationFactory, DepartmentFactory


def test_G_1_every_role_of_the_policy_exists_as_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert len(Role.values) == 12


# --- settings from the environment ---------------------------------------------------------------


# What a production machine would not have: dev/demo switches, the test settings, and the
# browser tests' async override.
NOT_IN_PRODUCTION = {
    "ONESTOP_DEV",
    "ONESTOP_DEMO",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(**env):
    base = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    base.update(env)
    return base


def run_python(code, **env):
    base = production_env(**env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=base, timeout=120, check=False
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='onestop.settings'; django.setup()"


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = run_python(SETUP, ONESTOP_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("DATABASE_URL", "nonsense://x", "DATABASE_URL is not a valid database URL"),
        ("REDIS_URL", "http://localhost", "REDIS_URL must start with"),
        ("DEFAULT_CURRENCY", "RMB1", "DEFAULT_CURRENCY must be a three-letter"),
        ("AXES_FAILURE_LIMIT", "five", "AXES_FAILURE_LIMIT must be a whole number"),
        (
            "ONESTOP_PLAN_SECOND_APPROVAL_ABOVE",
            "a lot",
            "ONESTOP_PLAN_SECOND_APPROVAL_ABOVE must be an amount",
        ),
    ],
)
def test_a_malformed_setting_stops_start_up_with_a_sentence_naming_it(tmp_path, name, value, message):
    result = run_python(SETUP, ONESTOP_DEV="1", ONESTOP_DATA_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_check_deploy_reports_no_issue_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=production_env(
            SECRET_KEY="x7#Kq2!vR9zLm4@Wp8&Ty6^Nb3*Hc5%Jd1$Fg0-Ue7+Sa2=Oi9",
            ALLOWED_HOSTS="onestop.example.com",
            ONESTOP_DATA_DIR=str(tmp_path),
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_sqlite_default_waits_for_concurrent_writers_instead_of_failing():
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL run")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5
    assert options["transaction_mode"] == "IMMEDIATE"


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    from onestop.env import env_bool

    for text, expected in [
        ("1", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("", False),
    ]:
        monkeypatch.setenv("SOME_FLAG", text)
        assert env_bool("SOME_FLAG") is expected
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")


# --- log-in, password, profile, language -------------------------------------------------------


def test_X_3_a_user_logs_in_with_the_form_and_lands_on_my_work(client, cs_user):
    response = client.post(reverse("login"), {"username": "cs", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert cs_user.display_name in page.content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from onestop import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_X_3_repeated_wrong_passwords_lock_the_login_even_for_the_right_one(client, cs_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "cs", "password": "wrong"})
    assert response.status_code in (403, 429)
    response = client.post(reverse("login"), {"username": "cs", "password": "correct-horse-battery"})
    assert response.status_code in (403, 429)
    assert "15" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_gives_a_clear_message_and_no_session(client, cs_user):
    response = client.post(reverse("login"), {"username": "cs", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link_by_e_mail(client, cs_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves after the commit
        response = client.post(reverse("password_reset"), {"email": cs_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(
        set_url, {"new_password1": "Brand-new-Passw0rd", "new_password2": "Brand-new-Passw0rd"}
    )
    assert done.status_code == 302
    cs_user.refresh_from_db()
    assert cs_user.check_password("Brand-new-Passw0rd")


def test_password_change_requires_the_old_password(client, cs_user):
    client.force_login(cs_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "Brand-new-Passw0rd",
            "new_password2": "Brand-new-Passw0rd",
        },
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    cs_user.refresh_from_db()
    assert cs_user.check_password("correct-horse-battery")


def test_X_9_the_interface_is_traditional_chinese_by_default_whatever_the_browser_says(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hant"
    assert 'lang="zh-Hant"' in response.content.decode()


def test_X_9_switching_language_is_remembered_on_the_profile(client, cs_user):
    client.force_login(cs_user)
    response = client.post(reverse("switch_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    cs_user.refresh_from_db()
    assert cs_user.language == "en"
    other_browser = type(client)()
    other_browser.force_login(cs_user)
    assert other_browser.get(reverse("home"))["Content-Language"] == "en"


def test_switching_language_ignores_unknown_languages_and_foreign_redirects(client, cs_user):
    client.force_login(cs_user)
    response = client.post(reverse("switch_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == "/"
    cs_user.refresh_from_db()
    assert cs_user.language == "zh-hant"


def test_the_profile_saves_details_and_shows_errors_beside_the_field(client, cs_user):
    client.force_login(cs_user)
    response = client.post(
        reverse("profile"), {"full_name": "林小姐", "email": "not-an-address", "language": "zh-hans"}
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    cs_user.refresh_from_db()
    assert cs_user.full_name != "林小姐"
    response = client.post(
        reverse("profile"), {"full_name": "林小姐", "email": "lin@onestop.example", "language": "zh-hans"}
    )
    assert response.status_code == 302
    cs_user.refresh_from_db()
    assert (cs_user.full_name, cs_user.language) == ("林小姐", "zh-hans")
    assert cs_user.history.first().history_user == cs_user


def test_forms_refuse_a_post_without_csrf_token(cs_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cs_user)
    response = browser.post(reverse("accounts:clientorganization_add"), {"code": "X", "name": "X"})
    assert response.status_code == 403
    assert not ClientOrganization.objects.filter(code="X").exists()


# --- navigation and home ---------------------------------------------------------------------


def nav_labels(client, user):
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    return page


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        # Customer service's menu is its job: clients, not the organisation chart (issue 11 §3).
        ("cs", ["/accounts/clientorganizations/"], ["/admin/", "/accounts/departments/"]),
        ("hr", ["/accounts/users/", "/accounts/departments/"], ["/admin/"]),
        ("admin", ["/admin/", "/accounts/users/"], []),
        (
            "client_a",
            ["/accounts/clientorganizations/"],
            ["/accounts/departments/", "/accounts/positions/", "/admin/"],
        ),
    ],
)
def test_X_3_the_navigation_shows_each_role_only_what_it_may_open(
    client, personas, persona, sees, does_not_see
):
    page = nav_labels(client, personas[persona])
    for url in sees:
        assert f'href="{url}"' in page, url
    for url in does_not_see:
        assert f'href="{url}"' not in page, url


def test_the_home_page_explains_an_empty_work_list(client, cs_user):
    client.force_login(cs_user)
    page = client.get(reverse("home")).content.decode()
    assert "app-empty" in page


def test_a_client_user_sees_their_own_organisation_on_the_home_page(client, client_a, org_a, org_b):
    client.force_login(client_a)
    page = client.get(reverse("home")).content.decode()
    assert org_a.name in page
    assert org_b.name not in page


def test_an_unknown_address_shows_the_styled_404_page(client, cs_user):
    client.force_login(cs_user)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "app-error" in response.content.decode()


# --- lists: paging, sorting, filtering -----------------------------------------------------------


def test_list_counts_stop_at_the_limit_instead_of_counting_everything(client, cs_user, settings):
    settings.ONESTOP_LIST_COUNT_LIMIT = 3
    ClientOrganizationFactory.create_batch(5)
    client.force_login(cs_user)
    page = client.get(reverse("accounts:clientorganization_list")).content.decode()
    assert "3+" in page
    api = APIClient()
    api.force_authenticate(cs_user)
    body = api.get("/api/client-organizations/").json()
    assert body["count_is_capped"] is True


def test_lists_sort_by_a_column_and_ignore_unknown_sort_keys(client, cs_user):
    ClientOrganizationFactory(name="甲公司", code="SORT-AAA")
    ClientOrganizationFactory(name="乙公司", code="SORT-ZZZ")
    client.force_login(cs_user)
    descending = client.get(reverse("accounts:clientorganization_list"), {"sort": "-code"}).content.decode()
    # Codes chosen so they cannot occur by chance in a token or nonce elsewhere on the page.
    assert descending.index("SORT-ZZZ") < descending.index("SORT-AAA")
    assert client.get(reverse("accounts:clientorganization_list"), {"sort": "password"}).status_code == 200


def test_list_filters_are_shared_by_the_page_and_the_api(client, cs_user):
    ClientOrganizationFactory(name="華信智能", code="HX", city="蘇州")
    ClientOrganizationFactory(name="東方綠能", code="DF", city="上海")
    client.force_login(cs_user)
    page = client.get(reverse("accounts:clientorganization_list"), {"q": "華信"}).content.decode()
    assert "華信智能" in page
    assert "東方綠能" not in page
    api = APIClient()
    api.force_authenticate(cs_user)
    names = [row["name"] for row in api.get("/api/client-organizations/", {"q": "華信"}).json()["results"]]
    assert names == ["華信智能"]


def test_a_malformed_filter_value_does_not_break_the_list(client, hr_user):
    client.force_login(hr_user)
    response = client.get(
        reverse("accounts:user_list"), {"department": "abc", "page": "x", "per_page": "huge"}
    )
    assert response.status_code == 200


def test_htmx_requests_get_only_the_table(client, cs_user):
    client.force_login(cs_user)
    response = client.get(reverse("accounts:clientorganization_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


# --- records ---------------------------------------------------------------------------------


def test_a_department_cannot_be_moved_under_its_own_sub_department(client, hr_user):
    parent = DepartmentFactory(code="p", name="上級")
    child = DepartmentFactory(code="c", name="下級", parent=parent)
    client.force_login(hr_user)
    response = client.post(
        reverse("accounts:department_edit", args=[parent.pk]),
        {"code": "p", "name": "上級", "parent": child.pk, "sort_order": 0},
    )
    assert response.status_code == 400
    parent.refresh_from_db()
    assert parent.parent is None


def test_a_department_still_in_use_cannot_be_deleted(client, hr_user):
    department = DepartmentFactory()
    hr_user.department = department
    hr_user.save()
    client.force_login(hr_user)
    response = client.post(reverse("accounts:department_delete", args=[department.pk]), follow=True)
    assert Department.objects.filter(pk=department.pk).exists()
    assert "alert-danger" in response.content.decode()


def test_X_4_the_history_tab_shows_who_changed_what(client, cs_user):
    organization = ClientOrganizationFactory(name="舊名稱", code="HIS")
    client.force_login(cs_user)
    client.post(
        reverse("accounts:clientorganization_edit", args=[organization.pk]),
        {
            "code": "HIS",
            "name": "新名稱",
            "kind": "enterprise",
            "is_active": True,
            "change_reason": "工商變更登記",
        },
    )
    page = client.get(reverse("accounts:clientorganization_history", args=[organization.pk])).content.decode()
    assert "舊名稱" in page
    assert "新名稱" in page
    assert "工商變更登記" in page  # a renamed client says why
    assert cs_user.display_name in page


def test_a_client_user_cannot_be_given_staff_roles(client, hr_user, org_a):
    client.force_login(hr_user)
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "sneaky",
            "full_name": "某人",
            "email": "s@x.example",
            "language": "zh-hant",
            "is_active": True,
            "client_organization": org_a.pk,
            "roles": [Group.objects.get(name=Role.FINANCE).pk],
            "password": "a-long-initial-Passw0rd",
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="sneaky").exists()


def test_X_3_a_client_user_cannot_create_a_contact_for_another_organisation(client_a, org_b):
    api = APIClient()
    api.force_authenticate(client_a)
    response = api.post(
        "/api/client-contacts/",
        {"organization": org_b.pk, "name": "X", "email": "x@x.example"},
        format="json",
    )
    assert response.status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_X_8_the_api_accepts_a_token_and_describes_the_user(cs_user):
    token = Token.objects.create(user=cs_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api.get("/api/me/").json()
    assert body["username"] == "cs"
    assert body["roles"] == [Role.CUSTOMER_SERVICE]


def test_X_8_a_user_can_create_and_replace_an_api_token_from_the_profile(client, cs_user):
    client.force_login(cs_user)
    client.post(reverse("regenerate_token"))
    first = Token.objects.get(user=cs_user).key
    client.post(reverse("regenerate_token"))
    assert Token.objects.get(user=cs_user).key != first


def test_X_8_the_openapi_schema_describes_every_endpoint(cs_user):
    api = APIClient()
    api.force_authenticate(cs_user)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/users/",
        "/api/departments/",
        "/api/client-organizations/",
        "/api/client-contacts/",
        "/api/me/",
    ]:
        assert path in schema["paths"], path


def test_X_8_the_api_docs_are_served_from_local_files(client, cs_user):
    client.force_login(cs_user)
    page = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()


def test_X_8_api_errors_have_one_format(cs_user):
    api = APIClient()
    api.force_authenticate(cs_user)
    missing = api.get("/api/client-organizations/999999/")
    assert missing.status_code == 404
    assert set(missing.json()) == {"detail", "code", "errors"}
    invalid = api.post("/api/client-organizations/", {"code": "", "name": ""}, format="json")
    assert invalid.status_code == 400
    assert set(invalid.json()["errors"]) >= {"code", "name"}


def test_X_8_a_client_user_never_lists_another_organisations_records(client_a, client_b, org_a, org_b):
    api = APIClient()
    api.force_authenticate(client_a)
    organisations = api.get("/api/client-organizations/").json()["results"]
    assert [row["id"] for row in organisations] == [org_a.pk]
    users = api.get("/api/users/").json()["results"]
    assert {row["username"] for row in users} == {"client.a"}
    assert api.get("/api/departments/").status_code == 403


# --- the command --------------------------------------------------------------------------------


# The demo's dates count back from today (last month's open appraisal, the quarter closed before
# it, payroll months, certificates expiring). Loaded at the first minute of a year in the company's
# time zone — still the day before in UTC, a new month, quarter and year — a date rule that only
# works on some days of the year fails here on every run, not only on the days CI happens to run.
NEW_YEAR_IN_TAIPEI = datetime(2027, 1, 1, 0, 20, tzinfo=ZoneInfo("Asia/Taipei"))


@time_machine.travel(NEW_YEAR_IN_TAIPEI, tick=True)
def test_onestop_demo_loads_the_demo_data_once(db, monkeypatch):
    from django.core.management import call_command

    from onestop.accounts.demo import CLIENTS, STAFF
    from onestop.core.management.commands import demo as demo_command

    # The suite's database is built from the models, so the command's migrate step (run for
    # real by tests/test_production.py) is only recorded here.
    steps = []
    monkeypatch.setattr(demo_command, "call_command", lambda name, **options: steps.append(name))
    call_command("demo", "--no-serve")
    call_command("demo", "--no-serve")
    assert steps == ["migrate", "migrate"]
    # Every demo staff member once (recruitment's demo hire adds one account of its own).
    staff = User.objects.filter(client_organization__isnull=True)
    assert staff.filter(username__in=[row[0] for row in STAFF]).count() == len(STAFF)
    assert staff.count() <= len(STAFF) + 1
    assert ClientOrganization.objects.count() == len(CLIENTS) == 8
    assert len(STAFF) >= 30
    roles_in_use = set(Group.objects.filter(user__isnull=False).values_list("name", flat=True))
    assert roles_in_use == set(Role.values)


def test_X_4_a_change_of_roles_is_in_the_users_history(client, hr_user, make_user):
    hr_user.language = "en"
    hr_user.save()
    engineer = make_user(Role.TECHNICIAN, username="eng")
    client.force_login(hr_user)
    response = client.post(
        reverse("accounts:user_edit", args=[engineer.pk]),
        {
            "username": "eng",
            "full_name": engineer.full_name,
            "email": engineer.email,
            "language": "zh-hant",
            "is_active": True,
            "roles": [Group.objects.get(name=Role.FINANCE).pk],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:user_history", args=[engineer.pk])).content.decode()
    assert "Technician" in page
    assert "Finance" in page
    assert hr_user.display_name in page


@pytest.mark.parametrize(
    "path",
    [
        "onestop/app.css",
        "onestop/app.js",
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/htmx/htmx.min.js",
    ],
)
def test_the_pages_static_files_are_found(path):
    from django.contrib.staticfiles import finders

    assert finders.find(path), f"{path} not found; vendor files come from ./scripts/setup"


def test_onestop_shell_opens_with_the_models_imported_and_no_complaint_about_the_audit_history(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "shell", "-c", "print(Engagement.__name__, User.__name__)"],
        capture_output=True,
        text=True,
        env=production_env(ONESTOP_DEV="1", ONESTOP_DATA_DIR=str(tmp_path)),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Engagement User" in result.stdout and "could not be automatically imported" not in result.stdout
