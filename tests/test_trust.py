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
