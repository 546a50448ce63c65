"""Technical documents linked to the other stages (issue 13, RES-1): the acceptance round shows
the client's team the delivered document set and lets it download exactly the delivered files
(ACC-2); a quality inspection links the document versions it checked for its "technical
documents are complete and accurate" item, shown on both pages and in the API (QA-2).

Through HTTP; the services only build the records a test starts from.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime
from rest_framework.test import APIClient

from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.quality import services as quality_services
from onestop.resources import services
from onestop.resources.models import DocumentCheck, DocumentVersion, TechnicalDocument
from onestop.resources.states import VersionState
from tests.stages import make_project
from tests.test_acceptance import applied
from tests.test_resources import doc_type, text_file


@pytest.fixture(autouse=True)
def in_english(english):
    yield


@pytest.fixture
def people(personas, make_user):
    from tests.stages import stage_personas

    found = stage_personas(personas, make_user)
    found["other_lead"] = make_user(Role.PROJECT_LEAD, username="lead.elsewhere", full_name="項目經理乙")
    return found


def approve(version):
    """Approved without the review round trip (tests/test_resources.py proves that path)."""
    DocumentVersion.objects.filter(pk=version.pk).update(state=VersionState.APPROVED)
    version.refresh_from_db()
    return version


def delivered_document(project, lead, title, text) -> TechnicalDocument:
    document = services.create_document(
        actor=lead, project=project, doc_type=doc_type(), title=title, file=text_file("report.txt", text)
    )
    version = approve(document.versions.get())
    return services.deliver(document, actor=lead, version=version, delivered_to="甲方資訊處王經理")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def queries(client, url) -> int:
    client.get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def download(client, version):
    response = client.get(version.file.get_download_url())
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


def test_RES_1_ACC_2_the_clients_team_sees_the_delivered_set_and_downloads_only_the_delivered_files(
    client, people
):
    lead, client_a = people["lead"], people["client_a"]
    acceptance_round = applied(people)  # the project of client_a's organisation
    project = acceptance_round.project
    manual = delivered_document(project, lead, "用戶操作手冊", "交付版內容\n")
    delivered = manual.delivered_version
    draft = services.add_version(manual, actor=lead, change_note="第二版", file=text_file("v2.txt", "草稿\n"))
    undelivered = services.create_document(
        actor=lead,
        project=project,
        doc_type=doc_type(),
        title="內部設計說明",
        file=text_file("d.txt", "內部\n"),
    )
    elsewhere = make_project(people, 1)
    Engagement.objects.filter(pk=elsewhere.engagement_id).update(
        client=people["client_b"].client_organization
    )
    foreign = delivered_document(elsewhere, lead, "他方測試報告", "他方\n")

    client.force_login(client_a)
    small = queries(client, acceptance_round.get_absolute_url())
    page = client.get(acceptance_round.get_absolute_url()).content.decode()
    assert "delivered-documents" in page
    assert manual.code in page and "用戶操作手冊" in page and "測試報告" in page  # code, title, type
    assert "Version 1" in page and lead.display_name in page  # the version and who delivered it
    # The page shows the day in the company's time zone, which may already be tomorrow in UTC.
    assert localtime(manual.delivered_at).strftime("%Y-%m-%d") in page
    assert undelivered.code not in page and foreign.code not in page
    # Exactly the delivered file: the right bytes; the draft of the same document, another
    # document, another organisation's delivered file and every document page are not there.
    assert download(client, delivered) == (200, "交付版內容\n".encode())
    assert download(client, draft)[0] == 404
    assert download(client, undelivered.versions.get())[0] == 404
    assert download(client, foreign.delivered_version)[0] == 404
    assert client.get(manual.get_absolute_url()).status_code == 404
    client_api = api(client_a)
    row = client_api.get(f"/api/resources/document-versions/{delivered.pk}/")
    assert row.status_code == 200
    # The client reads the version and its file, not the company's review of it.
    assert (row.json()["reviewer"], row.json()["approver"], row.json()["review_note"]) == (None, None, "")
    assert row.json()["checklist_result"] == [] and row.json()["number"] == delivered.number
    assert client_api.get(f"/api/resources/document-versions/{draft.pk}/").status_code == 404
    assert client_api.get(f"/api/resources/document-versions/{delivered.pk}/difference/").status_code == 403
    # Documents are no kind of record a client may see at all: the API refuses the kind (403).
    assert client_api.get(f"/api/resources/documents/{manual.pk}/").status_code == 403
    listed = {row["id"] for row in client_api.get("/api/resources/document-versions/").json()["results"]}
    assert listed == {delivered.pk}
    # The client of the other organisation gets nothing of it; nor does staff without access.
    client.force_login(people["client_b"])
    assert download(client, delivered)[0] == 404
    assert download(client, foreign.delivered_version)[0] == 200
    client.force_login(people["other_lead"])
    assert download(client, delivered)[0] == 404
    # The project's staff see the same set, linked to the documents' pages.
    client.force_login(lead)
    staff_small = queries(client, acceptance_round.get_absolute_url())
    assert (
        f'href="{manual.get_absolute_url()}"'
        in client.get(acceptance_round.get_absolute_url()).content.decode()
    )
    # A fixed number of queries whatever the number of documents delivered.
    for index in range(3):
        delivered_document(project, lead, f"交付文檔{index}", f"內容{index}\n")
    assert queries(client, acceptance_round.get_absolute_url()) == staff_small
    client.force_login(client_a)
    assert queries(client, acceptance_round.get_absolute_url()) == small
    assert (
        client.get(acceptance_round.get_absolute_url()).content.decode().count('class="delivered-file"') == 4
    )


def test_RES_1_QA_an_inspection_links_the_documents_it_checked_on_both_pages_and_in_the_api(client, people):
    lead, inspector = people["lead"], people["quality"]
    project = make_project(people)
    first = delivered_document(project, lead, "系統測試報告", "測試\n")
    inspection = quality_services.plan_inspection(
        project=project, actor=inspector, planned_date=date(2026, 3, 2), inspector=inspector
    )
    client.force_login(inspector)
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert "checked-documents" in page and "Link the document" in page
    url = reverse("resources:inspection_check_document", args=[inspection.pk])
    response = client.post(url, {"version": first.delivered_version.pk, "note": "章節完整"})
    assert response.status_code == 302, response.content.decode()[:500]
    small = queries(client, inspection.get_absolute_url())
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert f'href="{first.get_absolute_url()}#version-1"' in page and "章節完整" in page
    document_page = client.get(first.get_absolute_url()).content.decode()
    assert "document-checks" in document_page and inspection.code in document_page
    document_small = queries(client, first.get_absolute_url())
    # Linking the same version twice is refused; a version of another project is not offered.
    assert client.post(url, {"version": first.delivered_version.pk}).status_code == 409
    other = delivered_document(make_project(people, 1), lead, "他案報告", "他案\n")
    assert client.post(url, {"version": other.delivered_version.pk}).status_code == 400
    # The API: the links of an inspection, one made, a wrong one refused, one removed.
    inspector_api = api(inspector)
    rows = inspector_api.get(f"/api/resources/document-checks/?inspection={inspection.pk}").json()["results"]
    assert [(row["document"], row["version_number"], row["note"]) for row in rows] == [
        (first.pk, 1, "章節完整")
    ]
    more = [delivered_document(project, lead, f"設計文檔{index}", f"設計{index}\n") for index in range(3)]
    for document in more:
        answer = inspector_api.post(
            "/api/resources/document-checks/",
            {"inspection": inspection.pk, "version": document.delivered_version.pk},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    refused = inspector_api.post(
        "/api/resources/document-checks/",
        {"inspection": inspection.pk, "version": other.delivered_version.pk},
        format="json",
    )
    assert refused.status_code == 400 and "version" in str(refused.json())
    # Several documents cost what one does, on the inspection's page and the document's.
    assert queries(client, inspection.get_absolute_url()) == small
    second = quality_services.plan_inspection(
        project=project, actor=inspector, planned_date=date(2026, 3, 16), inspector=inspector
    )
    services.check_document(second, actor=inspector, version=first.delivered_version)
    assert queries(client, first.get_absolute_url()) == document_small
    assert inspection.code in client.get(first.get_absolute_url()).content.decode()
    # Staff who may not see the inspection neither see nor make its links; clients never do.
    assert api(people["other_lead"]).get("/api/resources/document-checks/").json()["results"] == []
    outsider = api(people["other_lead"]).post(
        "/api/resources/document-checks/",
        {"inspection": inspection.pk, "version": first.delivered_version.pk},
        format="json",
    )
    assert outsider.status_code == 404
    assert api(people["client_a"]).get("/api/resources/document-checks/").status_code == 403
    check_id = rows[0]["id"]
    assert inspector_api.delete(f"/api/resources/document-checks/{check_id}/").status_code == 204
    rows = inspector_api.get(f"/api/resources/document-checks/?inspection={inspection.pk}").json()["results"]
    assert sorted(row["document"] for row in rows) == sorted(document.pk for document in more)
    assert not DocumentCheck.objects.filter(pk=check_id).exists()
    assert DocumentCheck.history.filter(id=check_id, history_type="-").get().history_user == inspector
