"""What an attacker or a careless integrator tries, and what must hold (issue 10, SPEC X-3, X-4, X-8)."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from onestop.core.drf import json_depth


@pytest.fixture
def api(cs_user):
    client = APIClient()
    client.force_authenticate(cs_user)
    return client


def test_a_json_body_larger_than_the_limit_answers_413_and_changes_nothing(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = json.dumps({"subject": "x", "need": "長" * 100_000})
    response = api.generic("POST", "/api/engagements/", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_a_deeply_nested_json_body_answers_400_not_500(api):
    body = "[" * 1500 + "]" * 1500
    for url in ("/api/engagements/", "/api/client-organizations/"):
        response = api.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 400, url
        assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "]]"]', 1), (r'{"a": "\"[["}', 1), ("", 0)],
)
def test_json_depth_counts_only_real_nesting(text, depth):
    assert json_depth(text.encode()) == depth


def test_an_unknown_filter_parameter_is_refused_instead_of_returning_every_row(cs_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cs_user)
    assert api.get("/api/signatures/", {"role": "client", "page": 1}).status_code == 200
    assert api.get("/api/signatures/", {"record_type": "contracts.contract"}).status_code == 200
    answer = api.get("/api/signatures/", {"rol": "client"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and "rol" in body["errors"]
    assert "role" in body["errors"]["rol"][0]  # the message names the parameters it knows


def test_every_answer_switches_off_browser_features_no_page_uses(client):
    policy = client.get("/healthz")["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "payment=()" in policy


def test_hsts_preload_and_subdomains_are_opt_in(tmp_path):
    from tests.test_foundation import SETUP, run_python

    code = (
        SETUP + "; from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS > 0, s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    env = {
        "SECRET_KEY": "x7#Kq2!vR9zLm4@Wp8&Ty6^Nb3*Hc5%Jd1$Fg0-Ue7+Sa2=Oi9",
        "ALLOWED_HOSTS": "a.example.com",
    }
    out = run_python(code, ONESTOP_DATA_DIR=str(tmp_path), **env)
    assert out.stdout.split() == ["True", "False", "False"], out.stderr
    out = run_python(
        code,
        ONESTOP_DATA_DIR=str(tmp_path),
        SECURE_HSTS_PRELOAD="1",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        **env,
    )
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


@pytest.mark.parametrize(
    "url",
    [
        "/api/holidays/?year=0",
        "/api/holidays/?year=10000",
        "/api/holidays/?year=-1",
        "/api/acceptance-deliverables/?round=-1e309",
        "/api/project-members/?project=-1e309",
        "/api/project-members/?project=99999999999999999999999",
    ],
)
def test_a_number_out_of_range_in_a_filter_is_a_400_not_a_500(url, admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    path, query = url.split("?")
    name, value = query.split("=")
    answer = api.get(path, {name: value})
    assert answer.status_code == 400, answer.content[:300]
    assert name in answer.json()["errors"]


def test_a_list_page_with_a_number_out_of_range_shows_the_error_instead_of_failing(client, admin_user):
    client.force_login(admin_user)
    from django.urls import reverse

    page = client.get(reverse("notifications:holiday_list"), {"year": "0"})
    assert page.status_code == 200
    assert "is-invalid" in page.content.decode() or "invalid-feedback" in page.content.decode()
