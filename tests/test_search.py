"""Find anything, see only your job (issue 11 §3, X-3): the global search in the header, its
page and its API twin, and the menu shaped by each role's job."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.accounts.models import ClientContact, Department
from onestop.core import attachments
from onestop.core.navigation import menu_for
from onestop.core.roles import Role
from onestop.core.search import search
from onestop.engagements.models import Engagement
from tests.stages import stage_personas
from tests.test_engagements import new_engagement
from tests.test_feedback import filed
from tests.test_quality import inspection_on
from tests.test_settlement import applied


@pytest.fixture
def people(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture
def records(people):
    """One record of each kind the search finds, all of client A."""
    settlement = applied(people, 0)  # with its engagement, plan, contract and project
    contract = settlement.contract
    project = contract.project
    organization = people["client_a"].client_organization
    Department.objects.create(code="rnd-q", name="技術研發部")  # the quality tests' checkpoints need it
    contact = ClientContact.objects.create(organization=organization, name="鄧海峰", phone="13271008808")
    upload = SimpleUploadedFile(
        "驗收紀要.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    )
    document = attachments.add_attachment(project, upload, actor=people["admin"], description="驗收會議紀要")
    return {
        "engagements.Engagement": (contract.engagement.code, contract.engagement.get_absolute_url()),
        "accounts.ClientOrganization": (organization.name, organization.get_absolute_url()),
        "accounts.ClientContact": (contact.name, contact.get_absolute_url()),
        "plans.Plan": (contract.engagement.plan.code, contract.engagement.plan.get_absolute_url()),
        "contracts.Contract": (contract.code, contract.get_absolute_url()),
        "projects.Project": (project.code, project.get_absolute_url()),
        "quality.Inspection": (inspection_on(people).code, None),
        "settlement.Settlement": (settlement.code, settlement.get_absolute_url()),
        "feedback.Complaint": (filed(people).code, None),
        "core.Attachment": ("驗收紀要", reverse("core:attachment_download", args=[document.pk])),
    }


def found(groups) -> dict[str, list]:
    return {group.kind.model: group.hits for group in groups}


def test_the_search_finds_a_record_of_each_kind(people, records):
    for kind, (words, url) in records.items():
        hits = found(search(people["admin"], words)).get(kind)
        assert hits, f"{kind}: nothing found for {words!r}"
        if url:
            assert url in [hit.url for hit in hits], kind


def test_the_records_of_a_path_are_found_by_their_clients_name_and_a_contract_by_its_engagements_words(
    people, records
):
    """Issue 16: a client's name finds its plans, contracts and projects (searched in the client
    table, not joined to every row); a contract also through its engagement's full-text index."""
    engagement = Engagement.objects.get(code=records["engagements.Engagement"][0])
    hits = found(search(people["admin"], engagement.client.name))
    for kind in ("plans.Plan", "contracts.Contract", "projects.Project"):
        assert records[kind][1] in [hit.url for hit in hits.get(kind, [])], kind
    engagement.title = "冷鏈倉儲溫控平台"  # words only the engagement has
    engagement.save(update_fields=["title"])
    hits = found(search(people["admin"], "溫控"))
    assert [hit.url for hit in hits["contracts.Contract"]] == [records["contracts.Contract"][1]]


def test_a_client_never_finds_another_organisations_records(people, records):
    code, url = records["engagements.Engagement"]
    assert url in [hit.url for hit in found(search(people["client_a"], code))["engagements.Engagement"]]
    for words, _url in records.values():
        assert search(people["client_b"], words) == [], words
    # An internal file on client A's own project is not theirs to find either.
    assert "core.Attachment" not in found(search(people["client_a"], "驗收紀要"))


def test_the_exact_number_comes_first(people):
    first = new_engagement(people["cs"], people["client_a"].client_organization, None)
    for _ in range(3):
        new_engagement(people["cs"], people["client_a"].client_organization, None)
    hits = found(search(people["cs"], first.code))["engagements.Engagement"]
    assert hits[0].url == first.get_absolute_url()


def test_the_search_runs_a_fixed_number_of_queries_whatever_the_matches(people):
    organization = people["client_a"].client_organization
    new_engagement(people["cs"], organization, None)
    # Warm-up: a kind the user may not view makes Django load the user's stored permissions once
    # (ModelBackend's per-user cache), which is not a query per match.
    search(people["cs"], "OS-")
    with CaptureQueriesContext(connection) as one:
        search(people["cs"], "OS-")
    for _ in range(8):
        new_engagement(people["cs"], organization, None)
    with CaptureQueriesContext(connection) as many:
        groups = search(people["cs"], "OS-")
    assert len(many.captured_queries) == len(one.captured_queries)
    assert found(groups)["engagements.Engagement"] and groups[0].more


def test_the_header_preview_the_page_and_a_too_long_query(client, people, records):
    code, url = records["contracts.Contract"]
    client.force_login(people["legal"])
    preview = client.get(reverse("search"), {"q": code, "preview": "1"})
    assert preview.status_code == 200 and url in preview.content.decode()
    assert "<html" not in preview.content.decode()  # a fragment for the drop-down
    page = client.get(reverse("search"), {"q": code}).content.decode()
    assert url in page and f"<mark>{code}</mark>" in page
    empty = client.get(reverse("search"), {"q": "不存在的字"}).content.decode()
    assert "沒有" in empty  # a helpful empty state, in the user's language
    too_long = client.get(reverse("search"), {"q": "長" * 101})
    assert too_long.status_code == 400 and "100" in too_long.content.decode()
    assert 'id="global-search"' in client.get(reverse("home")).content.decode()


def test_the_api_answers_the_same_search(people, records):
    code, url = records["projects.Project"]
    api = APIClient()
    api.force_authenticate(people["lead"])
    body = api.get(reverse("api:search"), {"q": code}).json()
    projects = next(group for group in body if group["kind"] == "projects.Project")
    assert url in [hit["url"] for hit in projects["hits"]]
    assert api.get(reverse("api:search"), {"q": "x" * 101}).status_code == 400
    assert api.get(reverse("api:search"), {"q": code, "sort": "x"}).status_code == 400
    assert api.get(reverse("api:search"), {"q": code, "per_kind": "0"}).status_code == 400
    api.force_authenticate(people["client_b"])
    assert api.get(reverse("api:search"), {"q": code}).json() == []


# --- the menu of each role's job ---------------------------------------------------------------

MENU = [
    # (role, menu entries it must show, entries it must not)
    (
        Role.TECHNICIAN,
        ["Engagements", "Implementation tasks", "Inspections"],
        ["Signing authorizations", "Write-offs"],
    ),
    (
        Role.LEGAL,
        ["Service contracts", "Signing authorizations", "Contract templates"],
        ["Write-offs", "Spot-check draws"],
    ),
    (Role.FINANCE, ["Fee settlements", "Payments", "Write-offs"], ["Signing authorizations", "QC plans"]),
    (
        Role.QUALITY,
        ["Inspections", "Spot-check draws", "Quality analysis"],
        ["Write-offs", "Contract templates"],
    ),
    (Role.HR, ["Staff and users", "Departments"], ["Write-offs", "Signing authorizations"]),
    (Role.MANAGEMENT, ["Signing authorizations", "Write-offs", "Spot-check draws", "Staff and users"], []),
]


@pytest.mark.parametrize(("role", "shown", "hidden"), MENU, ids=[str(row[0]) for row in MENU])
def test_each_role_sees_the_menu_of_its_job(make_user, english, role, shown, hidden):
    user = make_user(role, username=f"menu-{role}")
    labels = {str(item["label"]) for chapter in menu_for(user) for item in chapter["items"]}
    assert set(shown) <= labels, set(shown) - labels
    assert not set(hidden) & labels, set(hidden) & labels


def test_a_client_sees_its_own_portal_menu(personas, english):
    labels = {str(item["label"]) for chapter in menu_for(personas["client_a"]) for item in chapter["items"]}
    assert {"Engagements", "Service contracts", "Acceptance rounds", "Fee settlements"} <= labels
    assert not {"Contract templates", "Write-offs", "Inspections", "Staff and users"} & labels


def test_the_home_page_does_not_repeat_the_menu(client, personas):
    client.force_login(personas["cs"])
    assert "areas-heading" not in client.get(reverse("home")).content.decode()
