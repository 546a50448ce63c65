"""The API keeps the contract its OpenAPI schema documents (SPEC X-8; issue 10, fuzzing).

Schemathesis generates requests from the schema (``/api/schema/``) and sends them to the
application in-process (WSGI, the test database), logged in by API token as three roles — a
client user, customer service and a system administrator — over the demo company's records.
Every answer must be documented: no server error, a documented status code and content type,
and a body that matches the documented schema.

The CI run is short: every GET operation and a few writes, ``ONESTOP_FUZZ_EXAMPLES`` (default 1)
generated requests each per role — valid input as the client and the administrator (the path's
``{id}`` a record they may see), invalid input as customer service. A long run, with shrinking
of what fails:

    ONESTOP_FUZZ_EXAMPLES=200 ONESTOP_FUZZ_WRITES=1 PYTHONPATH=src .venv/bin/pytest -p no:randomly \\
        tests/test_api_fuzz.py

``ONESTOP_FUZZ_WRITES=1`` sends every POST/PUT/PATCH/DELETE operation too (inside the test's
transaction, rolled back at the end); ``ONESTOP_FUZZ_OPERATIONS=regex`` limits the run to the
operations whose ``METHOD /path`` matches.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter

import pytest
import schemathesis
from django.test.client import ClientHandler
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import checks
from schemathesis.generation import GenerationMode

EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "1"))
ALL_WRITES = os.environ.get("ONESTOP_FUZZ_WRITES", "") == "1"
ONLY = os.environ.get("ONESTOP_FUZZ_OPERATIONS", "")

# The writes of the short run: ones a client or the front desk does every day.
SHORT_RUN_WRITES = {
    "POST /api/engagements/",
    "POST /api/comments/",
    "POST /api/feedback/complaints/",
}

# The demo users the requests are sent as (accounts/demo.py).
ROLES = {"client": "client.hxzn", "customer service": "cs.lin", "system administrator": "it.cai"}

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


class InProcessApp:
    """Django as a WSGI application inside the test: Django's test-client handler, which keeps
    the test's database connection (and transaction) open across requests."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return [b"".join(response.streaming_content)]
        return [response.content]


def load_schema(app):
    from rest_framework.test import APIClient

    from onestop.accounts.models import User

    api = APIClient()
    api.force_authenticate(User.objects.get(username="it.cai"))
    raw = api.get("/api/schema/", {"format": "json"}).json()
    raw["paths"] = {path: item for path, item in raw["paths"].items() if path.startswith("/api/")}
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


def record_ids(path: str, user) -> list[int]:
    """Ids of records behind ``path``'s ``{id}``: a few the user may see and one they may not."""
    try:
        match = resolve(path.replace("{id}", "1"))
    except Exception:
        return []
    view = getattr(match.func, "cls", None)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return []
    model = queryset.model
    manager = model._default_manager
    visible = list(manager.visible_to(user).order_by("-pk").values_list("pk", flat=True)[:4])
    hidden = manager.exclude(pk__in=visible).order_by("pk").values_list("pk", flat=True).first()
    return [*visible, *([hidden] if hidden else [])]


def selected(operation) -> bool:
    label = f"{operation.method.upper()} {operation.path}"
    if label == "POST /api/me/token/":
        return False  # it replaces the token the run logs in with: every later request would be 401
    if ONLY:
        return re.search(ONLY, label) is not None
    if operation.path == "/api/schema/":
        return False
    return operation.method.upper() == "GET" or ALL_WRITES or label in SHORT_RUN_WRITES


def describe(exc: BaseException) -> str:
    """The failed checks' titles on the first line, then schemathesis's report (cut short)."""
    parts = getattr(exc, "exceptions", None) or [exc]
    titles = sorted({getattr(part, "title", type(part).__name__) for part in parts})
    return " / ".join(titles) + "\n" + str(exc)[:2500]


def strategy_for(role: str, valid, invalid):
    """With one request per operation and role (the CI run) the client and the administrator send
    valid input and customer service invalid input; with more, each role sends both kinds."""
    if EXAMPLES > 1:
        return st.one_of(valid, invalid)
    return invalid if role == "customer service" else valid


def fuzz(strategy, ids, headers, *, tally: Counter, role: str):
    """A Hypothesis test sending the strategy's cases, the path's ``{id}`` mostly a real record."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if EXAMPLES > 20 else []),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, pick=st.integers(min_value=0, max_value=max(len(ids), 1)))
    def send(case, pick):
        if ids and pick < len(ids):
            case.path_parameters = {**case.path_parameters, "id": ids[pick]}
        started = time.monotonic()
        response = case.call(headers=headers)
        tally["request seconds"] += time.monotonic() - started
        tally[role] += 1
        tally[f"{response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    return send


@pytest.mark.slow
@pytest.mark.django_db
def test_X_8_every_answer_of_the_api_is_the_one_its_schema_documents():
    from onestop.accounts.models import User
    from onestop.core.demo import load_demo_data

    started = time.monotonic()
    load_demo_data()
    loaded = time.monotonic()
    schema = load_schema(InProcessApp())
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if selected(op)]
    operations.sort(key=lambda op: op.method.upper() != "GET")  # reads first, then writes
    users = {role: User.objects.get(username=username) for role, username in ROLES.items()}
    headers = {
        role: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        for role, user in users.items()
    }

    tally: Counter = Counter()
    failures: dict[str, str] = {}
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        valid = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
        invalid = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        for role, user in users.items():
            strategy = strategy_for(role, valid, invalid)
            ids = record_ids(operation.path, user) if "{id}" in operation.path else []
            try:
                try:
                    fuzz(strategy, ids, headers[role], tally=tally, role=role)()
                except Unsatisfiable:  # nothing of the operation's input can be made invalid
                    fuzz(valid, ids, headers[role], tally=tally, role=role)()
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis: a group of failed checks
                failures[f"{role}: {label}"] = describe(exc)

    requests = sum(tally[role] for role in ROLES)
    print(
        f"\nAPI fuzz: {requests} requests over {len(operations)} operations × {len(ROLES)} roles "
        f"({', '.join(f'{key} {tally[key]}' for key in ('2xx', '3xx', '4xx', '5xx') if tally[key])}); "
        f"demo {loaded - started:.1f}s, requests {tally['request seconds']:.1f}s, "
        f"total {time.monotonic() - started:.1f}s; {len(failures)} failing"
    )
    assert not failures, "\n".join(
        [f"{key}: {text.splitlines()[0]}" for key, text in sorted(failures.items())]
        + [f"\n== {key}\n{text}" for key, text in sorted(failures.items())]
    )


# --- the contract's parts, checked on the schema itself (fast; the run above sends requests) ----


@pytest.fixture
def openapi(admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    return api.get("/api/schema/", {"format": "json"}).json()


def ok_schema(openapi, path, method="get"):
    responses = openapi["paths"][path][method]["responses"]
    return next(iter(responses[code] for code in ("200", "201") if code in responses))["content"]


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/engagements/{id}/inquiries/", "PaginatedInquiryList"),
        ("/api/engagements/{id}/proposals/", "PaginatedProposalList"),
        ("/api/feedback/surveys/results/", "PaginatedResultRowList"),
        ("/api/contracts/{id}/consistency/", "array"),
        ("/api/contracts/{id}/copies/", "array"),
        ("/api/plan-versions/{id}/reviewer-suggestions/", "array"),
    ],
)
def test_X_8_a_records_list_is_documented_as_it_is_answered_paginated_or_a_plain_array(openapi, path, shape):
    schema = ok_schema(openapi, path)["application/json"]["schema"]
    parameters = {p["name"] for p in openapi["paths"][path]["get"].get("parameters", [])}
    if shape == "array":
        assert schema["type"] == "array"
        assert not parameters & {"page", "page_size", "ordering", "state"}  # no paging, no filters
    else:
        assert schema == {"$ref": f"#/components/schemas/{shape}"}
        assert {"page", "page_size"} <= parameters
    if path.startswith("/api/engagements/"):
        assert parameters == {
            "id",
            "page",
            "page_size",
            "paging",
            "cursor",
        }  # not the engagement list's filters


def test_X_8_an_optional_choice_or_address_documents_its_blank_value(openapi):
    components = openapi["components"]["schemas"]
    closure = components["Complaint"]["properties"]["closure"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in closure["oneOf"]
    assert components["BlankEnum"]["enum"] == [""]
    email = components["Inquiry"]["properties"]["contact_email"]
    assert email["anyOf"] == [{"format": "email"}, {"maxLength": 0}]


def test_X_8_every_operation_documents_its_errors_in_the_one_error_shape(openapi):
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    missing = []
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            expected = {"401", "403", "429"}
            if method != "get":
                expected |= {"400", "409"}
            if method in {"post", "put", "patch"}:
                expected |= {"413", "415"}
            if "{" in path:
                expected.add("404")
            if "page" in {p["name"] for p in operation.get("parameters", [])}:
                expected |= {"400", "404"}  # a filter's invalid value; a page past the last
            responses = operation["responses"]
            for code in sorted(expected):
                body = responses.get(code, {}).get("content", {}).get("application/json", {}).get("schema")
                if body != error:
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing


def test_X_8_files_are_documented_as_binary_of_their_own_type(openapi):
    download = ok_schema(openapi, "/api/attachments/{id}/download/")
    assert "application/octet-stream" not in download and "application/json" not in download
    assert download["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert {"image/png", "image/jpeg", "text/csv"} <= set(download)
    assert set(ok_schema(openapi, "/api/documents/{model}/{id}/{code}/pdf/")) == {"application/pdf"}
    assert set(ok_schema(openapi, "/api/progress-reports/{id}/pdf/")) == {"application/pdf"}


def test_X_8_an_api_url_that_names_nothing_answers_404_in_the_error_shape(admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    for url in ["/api/no-such-thing/", "/api/engagements/abc/chat/", "/api/receivables/contracts/x/"]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"
        assert set(response.json()) == {"detail", "code", "errors"}
